#!/usr/bin/env bash
# Installs what the browser tests (tests/browser) need, only what is missing:
#   - Chromium (Debian's package) at /usr/bin/chromium;
#   - the sqlite3 command (Debian's package), with which a test changes an audit row by hand;
#   - playwright-core and axe-core, from frontend/package-lock.json (by scripts/setup-web.sh's `npm ci`).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup-browser: installing ${missing[*]}"
  sudo_cmd=()
  [[ "$(id -u)" -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y "${missing[@]}"
fi

if [[ ! -d "$root/frontend/node_modules/playwright-core" || ! -d "$root/frontend/node_modules/axe-core" ]]; then
  "$root/scripts/setup-web.sh"
fi
