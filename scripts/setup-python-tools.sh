#!/usr/bin/env bash
# Makes the Python virtual environment of `make test`'s deployment checks and API fuzzing at
# $HISTO_PYTHON_TOOLS (default ~/.cache/histo/python-tools), with the versions pinned in
# scripts/python-tools.txt. Fast when it is already there; rebuilt when that list changes.
# Needs python3 with its venv module, and access to PyPI when installing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${HISTO_PYTHON_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/histo/python-tools}"
wanted="$root/scripts/python-tools.txt"
stamp="$venv/python-tools.txt"

if [[ -f "$stamp" ]] && cmp -s "$wanted" "$stamp"; then
  exit 0
fi
echo "setup-python-tools: installing scripts/python-tools.txt into $venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$wanted"
cp "$wanted" "$stamp"
