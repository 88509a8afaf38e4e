#!/usr/bin/env bash
# Installs cargo-mutants (mutation testing, `make mutants`) from crates.io unless it is there.
set -euo pipefail
version=27.1.0
if cargo mutants --version 2>/dev/null | grep -q "$version"; then
  exit 0
fi
cargo install cargo-mutants --locked --version "$version"
