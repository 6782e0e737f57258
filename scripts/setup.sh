#!/usr/bin/env bash
# Installs everything ssimkit needs to build and test, then builds it.
# Idempotent: what is already present at the right version is skipped, so a
# warm machine passes through in seconds. Nothing here downloads a binary:
# Debian packages, crates from crates.io built here, npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' crate/Cargo.toml)
WASM_PACK_VERSION=0.15.1
# rustc-web/cargo-web/rust-web-src: a rustc that can build std for wasm32;
# lld-22: wasm-ld; chromium and firefox-esr: the browser tests (Firefox is
# driven by npm's puppeteer-core, or runs bare); webkit2gtk-driver and xvfb:
# WebKit (WebKitWebDriver and its MiniBrowser, on a virtual X display).
# (wasm-opt comes from npm's binaryen: Debian's is too old for wasm-bindgen's output.)
APT_PACKAGES=(rustc-web cargo-web rust-web-src lld-22 chromium firefox-esr webkit2gtk-driver xvfb)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  say "apt: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
else
  say "apt: ${APT_PACKAGES[*]} present"
fi

export PATH="$HOME/.cargo/bin:$PATH"
cargo_tool() { # binary, crate, version
  if "$1" --version 2>/dev/null | grep -qx "$1 $3"; then
    say "$1 $3 present"
  else
    say "cargo install $2 $3 (a few minutes, once)"
    cargo install --locked --quiet "$2" --version "$3"
  fi
}
# The CLI must equal the crate's wasm-bindgen version exactly.
cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION"

# npm ci only when package-lock.json changed since the last install.
stamp=node_modules/.ssimkit-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  say "node_modules up to date"
else
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

bash scripts/build.sh
