#!/usr/bin/env bash
# Whole-process build benchmark: carepages and Hugo (`hugo --minify`) on the same generated
# corpus, in turns, in one run. Prints the median wall time of RUNS builds and the peak
# memory of each, and the ratio carepages/Hugo.
#   scripts/bench-build.sh [N_LISTINGS] [RUNS]      defaults: 10000 5
# Needs python3, GNU time (/usr/bin/time), and Debian's hugo for the comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
runs="${2:-5}"
gen=../shared/bench/gen_corpus.py
work="${BENCH_DIR:-/tmp/carepages-bench}/$n"
mkdir -p "$work"
[ -d "$work/carepages" ] || python3 "$gen" carepages "$n" "$work/carepages" >/dev/null
[ -d "$work/hugo" ] || python3 "$gen" hugo "$n" "$work/hugo" >/dev/null
cargo build --release --locked -q
bin="$PWD/target/release/carepages"

measure() { # label command...
  local label=$1; shift
  local times=() peak=0
  for _ in $(seq "$runs"); do
    rm -rf "$work/out-$label"
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>&1
    read -r secs kb < "$work/time.txt"
    times+=("$secs")
    (( kb > peak )) && peak=$kb
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$label $median $peak"
}

results=()
results+=("$(measure carepages "$bin" build --content "$work/carepages/content" --output "$work/out-carepages" --today 2026-11-25)")
if command -v hugo >/dev/null; then
  results+=("$(measure hugo hugo --minify --quiet -s "$work/hugo" -d "$work/out-hugo")")
fi
printf '%-10s %10s %12s   (%s listings, median of %s runs)\n' tool "wall (s)" "peak (MB)" "$n" "$runs"
for r in "${results[@]}"; do
  read -r label secs kb <<<"$r"
  printf '%-10s %10s %12.0f\n' "$label" "$secs" "$(echo "$kb/1024" | bc -l)"
done
if [ "${#results[@]}" -eq 2 ]; then
  read -r _ c _ <<<"${results[0]}"; read -r _ h _ <<<"${results[1]}"
  printf 'carepages / hugo wall time: %.2f\n' "$(echo "$c/$h" | bc -l)"
fi
