#!/usr/bin/env bash
# Fuzzes Histo's API from its own OpenAPI document with schemathesis (scripts/python-tools.txt): a
# `histo serve` on a fresh database (SQLite, or a new PostgreSQL schema at HISTO_TEST_POSTGRES_URL's
# server when the second argument is `postgres`) with a few events, an account and an admin password,
# every operation called with a token holding every scope, on a fixed budget and seed. Fails when an
# answer is a 5xx, or its status, content type, headers or body are not the documented ones; then
# stops the server with SIGTERM and fails unless it exits 0.
# Usage: scripts/fuzz-api.sh [HISTO_BINARY [sqlite|postgres]]  (default: $CARGO_TARGET_DIR/debug/histo)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
histo="${1:-${CARGO_TARGET_DIR:-$root/target}/debug/histo}"
venv="${HISTO_PYTHON_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/histo/python-tools}"
examples="${HISTO_FUZZ_EXAMPLES:-40}"

database="${2:-sqlite}"

work="$(mktemp -d)"
pid=""
schema=""
postgres="${HISTO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
cleanup() {
  if [[ -n "$pid" ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  if [[ -n "$schema" ]]; then psql -q "$postgres" -c "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

case "$database" in
  sqlite) HISTO_DATABASE_URL="$work/histo.db" ;;
  postgres)
    schema="fuzz_$$_$RANDOM"
    psql -q "$postgres" -c "CREATE SCHEMA $schema"
    separator='?'; [[ "$postgres" == *\?* ]] && separator='&'
    HISTO_DATABASE_URL="$postgres${separator}sslmode=disable&options=-csearch_path%3D$schema"
    ;;
  *) echo "fuzz-api: unknown database '$database' (sqlite or postgres)" >&2; exit 2 ;;
esac
export HISTO_DATABASE_URL HISTO_LOG=warn,histo=info
HISTO_JWT_SECRET="fuzz-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export HISTO_JWT_SECRET
company=fuzz
echo 'fuzz admin password' | "$histo" admin-password --company "$company" >/dev/null
echo 'fuzz user password' | "$histo" user add --company "$company" --user FUZZ \
  --scope "logs:read events:write sites:manage settings:admin" >/dev/null
token="$("$histo" token --company "$company" --user FUZZ \
  --scope "logs:read events:write sites:manage settings:admin" --ttl 3600)"

"$histo" serve --bind 127.0.0.1:0 2>"$work/histo.log" &
pid=$!
address=""
for _ in $(seq 1 100); do
  address="$(sed -nE 's|.*listens on (http://[0-9.:]+).*|\1|p' "$work/histo.log" | head -n1)"
  [[ -n "$address" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/histo.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$address" ]] || { echo "fuzz-api: histo did not start" >&2; cat "$work/histo.log" >&2; exit 1; }

# A few sites and entries, so that reads and site changes find something.
events='{"events": ['
for site in LYON PARIS; do
  for month in 01 02 03; do
    events+="{\"feature\": \"email\", \"outcome\": \"success\", \"site\": \"$site\", \"user_code\": \"FUZZ\",
              \"occurred_at\": \"2026-$month-15T10:00:00+01:00\"},"
  done
done
events="${events%,}]}"
curl -fsS "$address/api/v1/events" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d "$events" >/dev/null

echo "fuzz-api: schemathesis against $address on $database ($examples examples per operation, seed 1)"
set +e
# From the temporary folder, where schemathesis leaves its own files.
(cd "$work" && "$venv/bin/schemathesis" run "$address/api-docs/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "$examples" --seed 1 --workers 1 \
  --generation-database none --generation-with-security-parameters false \
  --request-timeout 10 --no-color)
fuzz=$?
set -e

kill -TERM "$pid"
stopped=0
wait "$pid" || stopped=$?
pid=""
if [[ "$stopped" -ne 0 ]]; then
  echo "fuzz-api: histo exited with $stopped after SIGTERM" >&2
  cat "$work/histo.log" >&2
  exit 1
fi
if [[ "$fuzz" -ne 0 ]]; then
  echo "fuzz-api: schemathesis found answers that break the API's document (above)" >&2
  exit "$fuzz"
fi
