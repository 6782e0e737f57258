#!/usr/bin/env bash
# Every test: the Rust kernels natively, then the TypeScript API in Node,
# Deno, Chromium, Firefox, WebKit, bundlers, workerd and edge-runtime.
# Sets up first (idempotent), so it runs on a fresh clone as it is.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p test/.tmp

echo "== Rust (native): cargo test"
(cd crate && cargo test --release 2>&1) | tee test/.tmp/cargo.log
rust_status=${PIPESTATUS[0]}

echo "== TypeScript: vitest (Node, Deno, Chromium, Firefox, WebKit, bundlers, workerd, edge-runtime)"
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=test/.tmp/vitest.json
vitest_status=$?

# One closing line over both runners: 'N passed, N failed'.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const m of fs.readFileSync("test/.tmp/cargo.log", "utf8").matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += +m[1]; failed += +m[2];
  }
  try {
    const v = JSON.parse(fs.readFileSync("test/.tmp/vitest.json", "utf8"));
    passed += v.numPassedTests; failed += v.numFailedTests;
  } catch { failed += 1; console.log("vitest wrote no report"); }
  console.log(`\n${passed} passed, ${failed} failed`);
'
if [ "$rust_status" -ne 0 ] || [ "$vitest_status" -ne 0 ]; then exit 1; fi
