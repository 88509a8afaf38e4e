#!/usr/bin/env bash
# Builds the web app into frontend/dist/, which the Histo server serves at `/`:
#   index.html                          (not hashed: the server answers client routes with it)
#   histo-frontend-<hash>.js            wasm-bindgen glue (--target web)
#   histo-frontend-<hash>_bg.wasm       the app, optimised by wasm-opt -Oz
#   echarts-<hash>.min.js               ECharts, from npm
# <hash> is the first 8 hex digits of the file's SHA-256, so those files can be cached forever. Each
# hashed file also gets its brotli (.br) and gzip (.gz) twin, made once here at the highest levels, which
# the server sends as they are to browsers that take them (instead of compressing on every request).
# The new dist is assembled in a temporary directory and then moved into place.
# Uses $CARGO_TARGET_DIR if set, else target/ at the repository root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Cargo resolves a relative CARGO_TARGET_DIR against the current directory: make it absolute first.
target_dir="${CARGO_TARGET_DIR:-$root/target}"
[[ "$target_dir" = /* ]] || target_dir="$PWD/$target_dir"
export CARGO_TARGET_DIR="$target_dir"

"$root/scripts/setup-web.sh"

cd "$root"
frontend="$root/frontend"

echo "build-web: cargo build (wasm-release)"
cargo build -p histo-frontend --target wasm32-unknown-unknown --profile wasm-release
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/histo-frontend.wasm"

work="$(mktemp -d "$frontend/.dist-tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bindgen" "$work/dist"

echo "build-web: wasm-bindgen"
wasm-bindgen --target web --no-typescript --out-dir "$work/bindgen" --out-name app "$wasm"

echo "build-web: wasm-opt -Oz"
"$frontend/node_modules/.bin/wasm-opt" -Oz "$work/bindgen/app_bg.wasm" \
  -o "$work/bindgen/opt.wasm"

# Copies $1 to dist/ as <$2>-<hash><$3> and prints the new name.
hashed_copy() {
  local hash name
  hash="$(sha256sum "$1" | cut -c1-8)"
  name="$2-$hash$3"
  cp "$1" "$work/dist/$name"
  echo "$name"
}
app_wasm="$(hashed_copy "$work/bindgen/opt.wasm" histo-frontend _bg.wasm)"
# The glue's default wasm URL is unused: index.html passes the hashed one to init().
app_js="$(hashed_copy "$work/bindgen/app.js" histo-frontend .js)"
# The "common" build has bars and both renderers: about 100 KB gzipped less than the full one.
echarts_js="$(hashed_copy "$frontend/node_modules/echarts/dist/echarts.common.min.js" echarts .min.js)"

# Brotli from Node's zlib: no other tool needed.
node -e '
const fs = require("fs"), zlib = require("zlib");
for (const file of process.argv.slice(1)) {
  const data = fs.readFileSync(file);
  fs.writeFileSync(file + ".br", zlib.brotliCompressSync(data, { params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
  fs.writeFileSync(file + ".gz", zlib.gzipSync(data, { level: 9 }));
}' "$work/dist/$app_wasm" "$work/dist/$app_js" "$work/dist/$echarts_js"

sed -e "s|@APP_JS@|$app_js|g" -e "s|@APP_WASM@|$app_wasm|g" -e "s|@ECHARTS_JS@|$echarts_js|g" \
  "$frontend/index.html" >"$work/dist/index.html"
if grep -q '@[A-Z_]*@' "$work/dist/index.html"; then
  echo "build-web: unknown placeholder left in index.html:" >&2
  grep -o '@[A-Z_]*@' "$work/dist/index.html" >&2
  exit 1
fi

# Swap the new dist in (two renames: the old dist is never half-written).
chmod 755 "$work/dist"
old="$work/old-dist"
if [[ -d "$frontend/dist" ]]; then mv "$frontend/dist" "$old"; fi
mv "$work/dist" "$frontend/dist"

echo "build-web: frontend/dist/"
printf '  %-40s %10s %10s %10s\n' file bytes gzip brotli
total_raw=0 total_gz=0 total_br=0
for f in "$frontend/dist"/*; do
  case "$f" in *.br|*.gz) continue ;; esac
  raw=$(stat -c %s "$f")
  if [[ -f "$f.gz" ]]; then gz=$(stat -c %s "$f.gz"); else gz=$(gzip -9 -c "$f" | wc -c); fi
  if [[ -f "$f.br" ]]; then br=$(stat -c %s "$f.br"); else br=$gz; fi
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
  printf '  %-40s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf '  %-40s %10d %10d %10d\n' total "$total_raw" "$total_gz" "$total_br"
