#!/usr/bin/env bash
# Fuzz the listing parser and renderer for a few minutes (default 180 s), starting from the
# fixture listings as seeds. Usage: scripts/fuzz.sh [SECONDS]
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-180}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus=fuzz/corpus/listing
mkdir -p "$corpus"
for f in tests/fixtures/*/enterprises/*.md content/enterprises/*.md; do
  cp "$f" "$corpus/seed-$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
done
RUSTC_BOOTSTRAP=1 cargo fuzz run listing "$corpus" -- -max_total_time="$seconds" -max_len=65536 -timeout=10 2>&1 | tee fuzz/last-run.log | tail -20
