#!/usr/bin/env bash
# The long property runs (npm test runs the same properties with few cases):
# the TypeScript contract through the packed module with FC_RUNS cases per
# property (default 5000), then the Rust entry points with PROPTEST_CASES
# (default 100000 per property; crate/tests/PROPERTIES.md has the numbers).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
FC_RUNS=${FC_RUNS:-5000} node_modules/.bin/vitest run test/properties.test.ts
(cd crate && PROPTEST_CASES=${PROPTEST_CASES:-100000} cargo test --release --test properties -- --nocapture)
