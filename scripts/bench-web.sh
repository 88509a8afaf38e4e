#!/usr/bin/env bash
# The web app's speed on a big database: bytes transferred, page opened → chart
# drawn, click on a bar → entries shown, in headless Chromium. Figures printed, nothing asserted.
# The database (10 million generated events of the company `bench` by default) is made once by
# `histo-bench fill`, which takes a few minutes, and kept for the next runs:
#   HISTO_WEB_BENCH_EVENTS   events in it (default 10000000)
#   HISTO_WEB_BENCH_DB       its path (default ~/.cache/histo/web-bench-<events>.db)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
events="${HISTO_WEB_BENCH_EVENTS:-10000000}"
database="${HISTO_WEB_BENCH_DB:-$HOME/.cache/histo/web-bench-$events.db}"

make -C "$root" build
"$root/scripts/setup-browser.sh"

# A database whose filling did not finish is made again.
if [[ ! -f "$database.filled" ]]; then
  mkdir -p "$(dirname "$database")"
  rm -f "$database" "$database-wal" "$database-shm"
  "$target_dir/release/histo-bench" fill "$database" --events "$events"
  touch "$database.filled"
fi

HISTO_BIN="$target_dir/release/histo" node "$root/tests/browser/speed.mjs" "$database" bench
