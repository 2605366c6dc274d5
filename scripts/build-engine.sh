#!/usr/bin/env bash
# Rebuilds the browser search engine, crates/search-wasm/dist/carepages-search.wasm, from
# source. The built file is committed, so a fresh clone builds sites without the wasm target;
# CI runs `--check` to prove the committed file still comes from this source.
#
#   scripts/build-engine.sh           rebuild and write the committed engine
#   scripts/build-engine.sh --check   rebuild to a temporary file; exit 1 if it differs
#
# The output is reproducible: the same source, Cargo.lock, rustc and binaryen give the same
# bytes on any machine and from any checkout folder (paths are remapped). A different rustc
# or binaryen version may give different bytes; the check says which versions it used.
#
# Needs: rustup (adds the wasm32-unknown-unknown target and the rust-src component if
# missing), npm (installs binaryen into a cache folder if missing). Set ENGINE_TARGET_DIR or
# BINARYEN_DIR to move the caches.
set -euo pipefail

BINARYEN_VERSION=132.0.0
# What rustc's output uses beyond WebAssembly 1.0. The engine lowers all of them away, so it
# runs in every browser with WebAssembly (Chrome 57, Firefox 52, Safari 11: the iPhones stuck
# on iOS 12 too). Measured: lowering costs under 0.2% of the brotli size.
RUSTC_FEATURES=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals
  --enable-nontrapping-float-to-int)
LOWERINGS=(--llvm-memory-copy-fill-lowering --signext-lowering
  --llvm-nontrapping-fptoint-lowering)

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The engine is a workspace of its own, and cargo hashes the absolute path of a path
# dependency outside it (crates/search) into every crate's symbol names, which changes the
# bytes. So the build always reads the checkout through the same path: a link at a fixed place.
root=/tmp/carepages-engine-checkout
ln -sfn "$checkout" "$root"
crate="$root/crates/search-wasm"
dist="$crate/dist/carepages-search.wasm"
target_dir="${ENGINE_TARGET_DIR:-$root/target/engine}"
binaryen_dir="${BINARYEN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/carepages/binaryen-$BINARYEN_VERSION}"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
# The standard library is compiled with the engine (below), from the toolchain's own source.
if ! rustup component list --installed | grep -qx rust-src; then
  rustup component add rust-src
fi
sysroot="$(rustc --print sysroot)"
wasm_opt="$binaryen_dir/node_modules/.bin/wasm-opt"
if [ ! -x "$wasm_opt" ]; then
  mkdir -p "$binaryen_dir"
  npm install --prefix "$binaryen_dir" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION" >&2
fi

# Release settings for the engine only, whatever the workspace's [profile.release] says:
# smallest code, whole-program optimisation, no unwinding tables, no debug info.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=z
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP=symbols
export CARGO_PROFILE_RELEASE_INCREMENTAL=false
# getrandom has no source of randomness here; only index writing would ask for one.
# A panic stops the engine at once (it aborted before too, and the page says search failed),
# now without building its message: dropping panic messages, their formatting and source
# locations, with the standard library built for size (below), took 54 KB off the gzipped
# engine (425,553 to 371,510 bytes; brotli 324,717 to 286,919), 0.3 s of a resident's wait
# on Slow 4G and 1 s on 3G.
# Source paths could still end up in the code: make them the same for every checkout.
export RUSTFLAGS="--cfg getrandom_backend=\"unsupported\" -Zunstable-options -Cpanic=immediate-abort \
--remap-path-prefix=$root=/carepages --remap-path-prefix=$checkout=/carepages \
--remap-path-prefix=$cargo_home/registry/src=/cargo \
--remap-path-prefix=$sysroot/lib/rustlib/src/rust=/rustc-src"
unset CARGO_ENCODED_RUSTFLAGS RUSTC_WRAPPER CARGO_BUILD_RUSTFLAGS || true

# bitpacking's own compact decoder (one loop for every bit width, which its tests check
# against the unrolled one) instead of a copy unrolled for each of the 33 widths: the
# unrolled copies were 320 KB of the engine's code. The crate picks it when debug assertions
# are on; reading a search index decodes a few thousand integers, so speed is no concern.
#
# The standard library is compiled with the engine, for size (`optimize_for_size`) and so
# that a panic in it aborts at once too. These switches are unstable in cargo and rustc;
# RUSTC_BOOTSTRAP enables them on the same stable toolchain the check names, for this build
# only, so the engine stays reproducible from a released rustc.
RUSTC_BOOTSTRAP=1 cargo build --locked --release --target wasm32-unknown-unknown -p carepages-search-wasm \
  -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size \
  --config 'profile.release.package.bitpacking.debug-assertions=true' \
  --manifest-path "$crate/Cargo.toml" --target-dir "$target_dir" >&2
built="$target_dir/wasm32-unknown-unknown/release/carepages_search_wasm.wasm"

work="$(mktemp -d "${TMPDIR:-/tmp}/carepages-engine.XXXXXX")"
trap 'rm -rf "$work"' EXIT
out="$work/carepages-search.wasm"
# Lower first, then optimise with only WebAssembly 1.0 enabled, so -Oz cannot bring the newer
# instructions back and wasm-opt's validator proves none is left.
"$wasm_opt" "$built" "${RUSTC_FEATURES[@]}" "${LOWERINGS[@]}" -o "$work/lowered.wasm"
"$wasm_opt" "$work/lowered.wasm" --mvp-features -Oz --strip-debug --strip-producers \
  --strip-target-features -o "$out"

# Pre-compressed copies, published beside the engine for hosts that serve them as they are
# (nginx gzip_static/brotli_static, Apache, see docs/hosting.md): brotli at its best quality
# and gzip at level 9, both deterministic (no file name or time in the gzip header).
node -e '
const fs = require("fs"), zlib = require("zlib");
const [src] = process.argv.slice(1);
const bytes = fs.readFileSync(src);
fs.writeFileSync(src + ".br", zlib.brotliCompressSync(bytes, { params: {
  [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
  [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
fs.writeFileSync(src + ".gz", zlib.gzipSync(bytes, { level: 9 }));
' "$out"

versions="$(rustc --version), binaryen $BINARYEN_VERSION"
if [ "$mode" = check ]; then
  if cmp -s "$out" "$dist" && cmp -s "$out.br" "$dist.br" && cmp -s "$out.gz" "$dist.gz"; then
    echo "engine is up to date: $dist ($(wc -c <"$dist") bytes; $versions)"
    exit 0
  fi
  echo "error: $dist (or its .br/.gz copy) does not match its source (rebuilt with $versions)." >&2
  echo "Run scripts/build-engine.sh and commit the new engine." >&2
  exit 1
fi
mkdir -p "$(dirname "$dist")"
cp "$out" "$dist"
cp "$out.br" "$dist.br"
cp "$out.gz" "$dist.gz"
echo "wrote $dist ($(wc -c <"$dist") bytes; sha256 $(sha256sum "$dist" | cut -d' ' -f1); $versions)"
echo "wrote $dist.br ($(wc -c <"$dist.br") bytes) and $dist.gz ($(wc -c <"$dist.gz") bytes)"
