#!/usr/bin/env bash
# Installs what scripts/build-web.sh needs, only what is missing (fast when all is there):
#   - the Rust target wasm32-unknown-unknown;
#   - wasm-bindgen-cli, at the exact version of the `wasm-bindgen` crate pinned in frontend/Cargo.toml;
#   - frontend/node_modules (echarts, binaryen's wasm-opt, …) from frontend/package-lock.json.
# Needs rustup, cargo, node and npm, and access to crates.io and the npm registry when installing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# 1. Rust target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup-web: adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen CLI, same version as the crate (one place for the version: frontend/Cargo.toml).
version="$(sed -nE 's/^wasm-bindgen[[:space:]]*=[[:space:]]*"=([0-9]+\.[0-9]+\.[0-9]+)".*/\1/p' \
  "$root/frontend/Cargo.toml")"
if [[ -z "$version" ]]; then
  echo 'setup-web: frontend/Cargo.toml must pin wasm-bindgen exactly: wasm-bindgen = "=X.Y.Z"' >&2
  exit 1
fi
installed="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$installed" != "$version" ]]; then
  echo "setup-web: installing wasm-bindgen-cli $version (found: ${installed:-none}); takes a few minutes"
  # No --locked: its lock file names a webpki-roots version that is not on crates.io any more.
  cargo install wasm-bindgen-cli --version "$version"
fi

# 3. npm packages. npm writes node_modules/.package-lock.json on each install: use it as the stamp.
cd "$root/frontend"
stamp=node_modules/.package-lock.json
if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" || ! -x node_modules/.bin/wasm-opt ]]; then
  echo "setup-web: npm ci in frontend/"
  npm ci --no-audit --no-fund
  touch "$stamp"
fi
