#!/usr/bin/env bash
# Fuzzes the Rust decode entry point (crate/fuzz) for N seconds (default 60),
# from a seed corpus of the small real files in crate/tests/files.
# cargo-fuzz needs nightly flags: RUSTC_BOOTSTRAP=1 lets the stable
# toolchain take them; libFuzzer needs a C++ compiler.
#   bash scripts/fuzz.sh 600
set -euo pipefail
cd "$(dirname "$0")/../crate"
secs=${1:-60}
export PATH="$HOME/.cargo/bin:$PATH" RUSTC_BOOTSTRAP=1
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz 0.13.1" ]; then
  cargo install --locked cargo-fuzz --version 0.13.1
fi
corpus=fuzz/corpus/decode
mkdir -p "$corpus"
cp tests/files/*.png tests/files/*.jpg tests/files/*.webp "$corpus/"
cargo fuzz run decode "$corpus" -- -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536
