#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use answers (HISTO_TEST_POSTGRES_URL, or 127.0.0.1:5432):
# starts the local cluster when it is installed but stopped, and fails, saying how to start one, when
# none answers: the tests on PostgreSQL are never skipped.
set -euo pipefail
url="${HISTO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if command -v pg_isready >/dev/null && pg_isready -q -d "$url"; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do
    pg_isready -q -d "$url" && exit 0
    sleep 1
  done
fi
echo "ensure-postgres: PostgreSQL does not answer at $url." >&2
echo "  Start the local cluster (pg_ctlcluster VERSION main start), or point HISTO_TEST_POSTGRES_URL at a" >&2
echo "  server where the user may create schemas (the tests make one each)." >&2
exit 1
