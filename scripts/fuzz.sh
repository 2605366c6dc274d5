#!/usr/bin/env bash
# Fuzz one target, or all three, for a few minutes each (default 180 s), from the corpus kept
# in fuzz/corpus/<target>/ (committed, so each run starts where the last one stopped) plus
# the fixture and demo files as seeds. New inputs the fuzzer finds are added to the corpus:
# commit them.
# Usage: scripts/fuzz.sh [listing|council|profile|all] [SECONDS]
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-all}"
seconds="${2:-180}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

seed() {
  local corpus="fuzz/corpus/$1"; shift
  mkdir -p "$corpus"
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$corpus/seed-$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
  done
  return 0
}

run() {
  local name="$1"
  case "$name" in
    listing) seed listing tests/fixtures/*/enterprises/*.md content/enterprises/*.md ;;
    council) seed council tests/fixtures/*/councils/*.yaml content/councils/*.yaml ;;
    profile) seed profile content/standards/*.yaml ;;
    *) echo "unknown target $name" >&2; exit 2 ;;
  esac
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$name" "fuzz/corpus/$name" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=1024 2>&1 \
    | tee "fuzz/last-run-$name.log" | tail -20
}

if [ "$target" = all ]; then
  for t in listing council profile; do run "$t"; done
else
  run "$target"
fi
