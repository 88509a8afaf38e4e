#!/usr/bin/env bash
# Runs the PHP client's PHPUnit suite (clients/php) against the real `histo` binary, once on a fresh
# SQLite file and once on a new PostgreSQL schema at HISTO_TEST_POSTGRES_URL's server (dropped at the
# end). The tests start and stop their own `histo serve` processes on 127.0.0.1:0 (HISTO_BIN) on that
# database (HISTO_TEST_DATABASE_URL), one company per test. PHP and PHPUnit: scripts/setup-php.sh.
# Usage: scripts/test-php.sh [HISTO_BINARY [sqlite|postgres|all]]  (default: $CARGO_TARGET_DIR/debug/histo, all)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
histo="${1:-${CARGO_TARGET_DIR:-$root/target}/debug/histo}"
databases="${2:-all}"
postgres="${HISTO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

for tool in php phpunit; do
  command -v "$tool" >/dev/null || { echo "test-php: $tool is missing: run scripts/setup-php.sh" >&2; exit 1; }
done
[[ -x "$histo" ]] || { echo "test-php: no histo binary at $histo: build it first (cargo build)" >&2; exit 1; }
histo="$(cd "$(dirname "$histo")" && pwd)/$(basename "$histo")"

case "$databases" in
  all) databases="sqlite postgres" ;;
  sqlite|postgres) ;;
  *) echo "test-php: unknown database '$databases' (sqlite, postgres or all)" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
schema=""
cleanup() {
  if [[ -n "$schema" ]]; then psql -q "$postgres" -c "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

for database in $databases; do
  case "$database" in
    sqlite) url="$work/histo.db" ;;
    postgres)
      schema="php_$$_$RANDOM"
      psql -q "$postgres" -c "CREATE SCHEMA $schema"
      separator='?'; [[ "$postgres" == *\?* ]] && separator='&'
      url="$postgres${separator}sslmode=disable&options=-csearch_path%3D$schema"
      ;;
  esac
  echo "test-php: the PHP client against $histo on $database"
  (cd "$root/clients/php" && TMPDIR="$work" HISTO_BIN="$histo" HISTO_TEST_DATABASE_URL="$url" \
    phpunit --configuration phpunit.xml)
  if [[ -n "$schema" ]]; then
    PGOPTIONS=--client-min-messages=warning psql -q "$postgres" -c "DROP SCHEMA IF EXISTS $schema CASCADE"
    schema=""
  fi
done
