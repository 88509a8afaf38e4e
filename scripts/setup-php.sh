#!/usr/bin/env bash
# Installs what the PHP client's tests (clients/php) need, only what is missing: Debian's PHP command
# line (php-cli) with the extensions that the client uses (sqlite3 brings pdo_sqlite, curl) and
# PHPUnit (phpunit). JSON is built into PHP 8. Quick when everything is there already.
set -euo pipefail

missing=()
command -v php >/dev/null 2>&1 || missing+=(php-cli)
command -v phpunit >/dev/null 2>&1 || missing+=(phpunit)
if command -v php >/dev/null 2>&1; then
  php -r 'exit(extension_loaded("pdo_sqlite") ? 0 : 1);' || missing+=(php-sqlite3)
  php -r 'exit(extension_loaded("curl") ? 0 : 1);' || missing+=(php-curl)
else
  missing+=(php-sqlite3 php-curl)
fi

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup-php: installing ${missing[*]}"
  sudo_cmd=()
  [[ "$(id -u)" -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
