#!/usr/bin/env bash
# Installs what the browser tests (tests/browser) need, only what is missing:
#   - Chromium (Debian's package) at /usr/bin/chromium;
#   - playwright-core and axe-core, from frontend/package-lock.json (by scripts/setup-web.sh's `npm ci`).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "setup-browser: installing chromium"
  sudo_cmd=()
  [[ "$(id -u)" -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y chromium
fi

if [[ ! -d "$root/frontend/node_modules/playwright-core" || ! -d "$root/frontend/node_modules/axe-core" ]]; then
  "$root/scripts/setup-web.sh"
fi
