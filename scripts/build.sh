#!/usr/bin/env bash
# Builds the WebAssembly (wasm-pack, std rebuilt for wasm32 by Debian's
# rustc-web) and the TypeScript into dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's rustc/cargo (1.96, every wasm32 target known) must win over the
# rustup toolchain on PATH, which has no wasm32 std: a shim directory with
# just those two comes first, the cargo-installed tools next.
shim=crate/target/toolchain-shim
mkdir -p "$shim"
ln -sf /usr/bin/cargo "$shim/cargo"
ln -sf /usr/bin/rustc "$shim/rustc"
export PATH="$PWD/$shim:$HOME/.cargo/bin:$PATH"
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1

build_wasm() { # name, rustflags, wasm-opt feature flags
  local name=$1 flags=$2 features=$3
  local out="ts/wasm/$name"
  echo "[build] wasm: $name ($flags)"
  # Target-specific flags, so nothing leaks into build scripts or proc macros;
  # one target dir per build, so the builds don't invalidate each other.
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$flags" CARGO_TARGET_DIR="$PWD/crate/target/$name" \
    wasm-pack --log-level warn build crate --release --target web --mode force --no-pack \
      --out-dir "../$out" --out-name ssimkit -- -Z build-std=std,panic_abort
  # The wasm's own .d.ts would shadow the ambient `*.wasm` module type.
  rm -f "$out/ssimkit_bg.wasm.d.ts" "$out/.gitignore"
  # npm's binaryen: Debian's wasm-opt 108 breaks wasm-bindgen's externref
  # table ("Table.grow(): failed to grow table"). Features are read from
  # the module's target_features section (and the ones named), then stripped.
  # shellcheck disable=SC2086
  # --converge: -O3 repeated until the module stops shrinking (-0.2 %
  # brotli, part of what pays for the centred f32 kernels; same passes).
  node_modules/.bin/wasm-opt -O3 --converge $features --strip-target-features --strip-debug "$out/ssimkit_bg.wasm" -o "$out/ssimkit_bg.wasm"
  # ssimkit always hands the glue its module: its fallback
  # `new URL('ssimkit_bg.wasm', import.meta.url)` would only make bundlers
  # that follow such URLs (webpack, Vite) emit a .wasm nobody loads.
  node scripts/glue-no-default-url.mjs "$out/ssimkit.js"
}

# -Cpanic=immediate-abort (std rebuilt with it): a panic is a bare trap, with
# no message formatting linked in. In wasm32-unknown-unknown a panic message
# went nowhere anyway (no stderr), and the TS layer reports every trap as a
# bug; this keeps each build under its 250 KB brotli budget (-24 KB).
# Single-threaded: every runtime, and the only build a browser's main thread,
# workerd or Vercel Edge gets.
build_wasm simd "-C target-feature=+simd128 -Zunstable-options -Cpanic=immediate-abort" "--enable-simd"

# Threaded: atomics and a shared, imported memory, so that workers can
# instantiate the same module on the same memory (ts/threads.ts). Since
# rust-lang/rust#147225 rustc no longer adds the shared-memory link
# arguments itself: they are all spelled out (DESIGN.md section 5).
threads_flags="-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals -Zunstable-options -Cpanic=immediate-abort"
for a in --shared-memory --import-memory --max-memory=4294967296 \
         --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base --export=__heap_base; do
  threads_flags+=" -C link-arg=$a"
done
build_wasm threads "$threads_flags" \
  "--enable-simd --enable-threads --enable-bulk-memory --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int"

# Without SIMD128: for hosts that lack it (Safari before 16.4, old
# webviews). The kernels' scalar twins (kernels/lanes.rs) give the same bits.
build_wasm scalar "-Zunstable-options -Cpanic=immediate-abort" ""

# One glue serves simd and scalar (ts/init.ts): it must be the same file.
cmp -s ts/wasm/simd/ssimkit.js ts/wasm/scalar/ssimkit.js || { echo "[build] the scalar build's glue differs from the simd build's"; exit 1; }

# The simd build inlined (deflated, base64) for the browser entry and as the
# fallback of Node and Deno: any bundler carries it without configuration.
node scripts/inline-wasm.mjs ts/wasm/simd/ssimkit_bg.wasm ts/wasm/simd/inline.js
node scripts/inline-wasm.mjs ts/wasm/simd/ssimkit_bg.wasm ts/wasm/simd/inline-raw.js --raw

echo "[build] typescript"
rm -rf dist
node_modules/.bin/tsc -p tsconfig.json
for d in ts/wasm/*/; do
  mkdir -p "dist/wasm/$(basename "$d")"
  cp "$d/ssimkit_bg.wasm" "dist/wasm/$(basename "$d")/"
done
rm -f dist/wasm/scalar/ssimkit.js dist/wasm/scalar/ssimkit.d.ts
# tsc's declarations of the inlined builds spell the whole string out as a type.
cp ts/wasm/simd/inline.d.ts ts/wasm/simd/inline-raw.d.ts dist/wasm/simd/
# The browser's pool worker as one file (its glue included), so that a
# bundler that follows `new Worker(new URL(...))` has one file to take, and a
# user of one that doesn't has one file to copy beside the bundle.
node_modules/.bin/esbuild ts/thread-worker.ts --bundle --format=esm --target=es2022 \
  --log-level=warning --outfile=dist/thread-worker.js --allow-overwrite
ls -l dist/wasm/*/ssimkit_bg.wasm | awk '{print "[build] " $NF ": " $5 " bytes"}'
node scripts/build-cjs.mjs
