#!/usr/bin/env bash
# Whole-process build benchmark: carepages, Hugo (`hugo --minify`) and Hugo followed by
# Pagefind (the search index a Hugo site needs to match carepages' search) on the same
# generated corpus. The tools take turns (carepages, hugo, hugo+pagefind, repeat), so a
# change in the machine's load falls on all of them alike. For each corpus size it prints
# the median wall time of RUNS builds, the peak memory, the ratios carepages/hugo and
# carepages/(hugo+pagefind), and the time per listing, so growth with size can be seen.
#   scripts/bench-build.sh [SIZES] [RUNS]      defaults: 10000 5
#   scripts/bench-build.sh "1000 10000 50000" 5
# MODE=fresh (the default) starts every build in a new, empty output folder, as a CI
# machine with a fresh clone does; MODE=rebuild builds into the output of the tool's
# previous build, as a council's CI or a second `build` on the same machine does (each
# tool has two untimed builds first); MODE=both runs the two one after the other.
# Old outputs are deleted and left to age before anything is timed (see settle below).
# Needs python3, GNU time (/usr/bin/time) and bc; Debian's hugo for the comparison; npm
# for Pagefind, installed on first use into PAGEFIND_CACHE (~/.cache/carepages-bench).
# Corpora are generated once into BENCH_DIR (/tmp/carepages-bench)/<size>.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-10000}"
runs="${2:-5}"
mode="${MODE:-fresh}"
case "$mode" in
  fresh|rebuild) ;;
  both) MODE=fresh "$0" "$@" && MODE=rebuild exec "$0" "$@" ;;
  *) echo "MODE must be fresh, rebuild or both, not '$mode'" >&2; exit 2 ;;
esac
gen=../shared/bench/gen_corpus.py
base="${BENCH_DIR:-/tmp/carepages-bench}"
cache="${PAGEFIND_CACHE:-$HOME/.cache/carepages-bench}"

for n in $sizes; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "corpus sizes must be whole numbers, not '$n'" >&2; exit 2; }
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a whole number, not '$runs'" >&2; exit 2; }
[[ "${WARM_MB:-2048}" =~ ^[0-9]+$ ]] || { echo "WARM_MB must be a whole number of megabytes, not '$WARM_MB'" >&2; exit 2; }

# The profile councils download (whole-program optimisation), as every earlier round measured.
cargo build --profile dist --locked -q
bin="$PWD/target/dist/carepages"

have_hugo=0
hugo_bin=""
if command -v hugo >/dev/null; then have_hugo=1; hugo_bin=$(command -v hugo); else echo "hugo not found: carepages only" >&2; fi

# Pagefind's npm package ships a native binary; the timed command is that binary, which
# is what `npx pagefind` runs, without npm's and node's start-up.
pagefind=""
find_pagefind() {
  local f
  for f in "$cache"/node_modules/@pagefind/*/bin/pagefind_extended \
           "$cache"/node_modules/@pagefind/*/bin/pagefind; do
    if [ -x "$f" ] && "$f" --version 2>/dev/null | grep -q '^pagefind 1\.'; then
      pagefind="$f"
      return 0
    fi
  done
  return 1
}
if [ "$have_hugo" = 1 ]; then
  if ! find_pagefind; then
    echo "installing pagefind@1 with npm into $cache" >&2
    mkdir -p "$cache"
    if ! npm install --prefix "$cache" --no-audit --no-fund --loglevel=error 'pagefind@1' >&2; then
      echo "PAGEFIND NOT AVAILABLE: 'npm install pagefind@1' failed (no network to the npm registry?)." >&2
    elif ! find_pagefind; then
      echo "PAGEFIND NOT AVAILABLE: npm installed pagefind, but no working 1.x binary is in $cache." >&2
    fi
  fi
  if [ -n "$pagefind" ]; then
    echo "pagefind: $("$pagefind" --version) ($pagefind)" >&2
  else
    echo "The hugo+pagefind row is left out." >&2
  fi
fi

# One timed build: appends "seconds peak-kilobytes user-seconds system-seconds" to
# $work/times-<label>. Wall time is read to the millisecond (GNU time's %e has only
# hundredths); %M is the largest resident size of the command or any process it started;
# %U and %S are the CPU time it spent in its own code and in the kernel (making files and
# folders, most of a fresh build's kernel time on disk).
timed() { # label command...
  local label=$1; shift
  local start end
  # The last run's files are flushed to disk first, so no run pays for another's writes.
  sync
  fresh_caches
  warm_memory
  start=$(date +%s%N)
  if ! /usr/bin/time -f "%M %U %S" -o "$work/time.txt" "$@" >"$work/log-$label.txt" 2>&1; then
    echo "$label failed on $n listings; its output is in $work/log-$label.txt" >&2
    exit 1
  fi
  end=$(date +%s%N)
  printf '%.3f %s\n' "$(echo "($end-$start)/1000000000" | bc -l)" "$(tail -1 "$work/time.txt")" \
    >>"$work/times-$label"
}

# On ext4 without a journal (as on these machines) a new file skips every inode freed in
# the last 60 seconds, or 360 seconds once its inode table block is written to again
# (`recently_deleted` in the kernel's fs/ext4/ialloc.c). With tens of thousands freed, a
# build soon after `rm -rf` of the last one was 2-4 times slower, for every tool, and a
# fresh CI machine has freed nothing. So old outputs are deleted before anything is timed,
# then flushed and left to age; fresh builds' folders are left for the next run to delete,
# so that MODE=both's rebuilds, or any run after, wait for them too.
settle() {
  local seconds="${SETTLE_SECONDS:-370}"
  echo "waiting ${seconds} s for the deleted outputs to age (SETTLE_SECONDS=0 skips this)" >&2
  sync
  sleep "$seconds"
}

# The kernel keeps every file and folder it has seen in memory (its inode and dentry
# caches). Kept outputs of earlier runs fill them: after a run of five, over 600,000 of
# them. With that many, making files and folders costs more CPU, for every tool, and more
# for each run than the one before: 10,000 folders of one 8 KB file each took 0.97-1.77 s
# of system CPU with 620,000-670,000 cached, 0.36-1.05 s with 140,000-220,000. So, as root,
# before each timed build those caches are emptied (`drop_caches` 2, after `sync`), then
# every tool's inputs and programs are read back in, as on a machine that has just
# cloned the content. DROP_CACHES=0 skips this; it is skipped anyway when not root.
empty_caches=0
[ "${DROP_CACHES:-1}" = 1 ] && [ -w /proc/sys/vm/drop_caches ] && empty_caches=1
fresh_caches() {
  [ "$empty_caches" = 1 ] || return 0
  echo 2 >/proc/sys/vm/drop_caches
  find "$work/carepages" "$work/hugo" -type f -exec cat {} + >/dev/null 2>&1 || true
  cat "$bin" ${hugo_bin:+"$hugo_bin"} ${pagefind:+"$pagefind"} >/dev/null
}

# This virtual machine hands memory its programs have freed back to the host, and a page
# handed back is slow to touch again. So the tool that ran before decided how much of that
# cost each build paid: carepages followed Hugo + Pagefind, which frees about a gigabyte,
# and Hugo followed carepages, which frees less. `hugo --minify` on 10,000 listings took
# 5.80-6.73 s straight after a carepages build and 5.20-5.86 s straight after a program
# that filled and freed 2 GB (docs/benchmarks.md, ninth round). Before each timed build a
# throwaway program now fills WARM_MB megabytes (2048 by default, more than any of the
# tools uses) and exits, so that every build finds the same memory ready, as on a machine
# that owns its memory. WARM_MB=0 skips this.
warm_memory() {
  local mb="${WARM_MB:-2048}"
  [ "$mb" -gt 0 ] || return 0
  # bytearray(n) writes n zero bytes, so every page is touched.
  python3 -c 'import sys; bytearray(int(sys.argv[1]) << 20)' "$mb"
}

# Where a timed build writes: a new folder for each fresh build, the same one for rebuilds.
out_dir() { # label pass
  if [ "$mode" = fresh ]; then echo "$work/fresh-$1-$2"; else echo "$work/out-$1"; fi
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

labels=(carepages)
[ "$have_hugo" = 1 ] && labels+=(hugo)
[ -n "$pagefind" ] && labels+=(hugo+pagefind)

# Corpora first, and every old output out of the way, before the first timed build.
deleted=0
for n in $sizes; do
  work="$base/$n"
  mkdir -p "$work"
  [ -d "$work/carepages" ] || python3 "$gen" carepages "$n" "$work/carepages" >/dev/null
  [ "$have_hugo" = 1 ] && { [ -d "$work/hugo" ] || python3 "$gen" hugo "$n" "$work/hugo" >/dev/null; }
  for old in "$work"/out-* "$work"/fresh-*; do
    [ -e "$old" ] && { rm -rf "$old"; deleted=1; }
  done
  rm -f "$work"/times-*
done
[ "$deleted" = 1 ] && settle
echo "filling and freeing ${WARM_MB:-2048} MB of memory before each timed build (WARM_MB=0 skips this)" >&2
if [ "$empty_caches" = 1 ]; then
  echo "emptying the kernel's file caches before each timed build (DROP_CACHES=0 skips this)" >&2
else
  echo "the kernel's file caches are NOT emptied between builds (DROP_CACHES=0 or not root)" >&2
fi

summary=()
for n in $sizes; do
  work="$base/$n"

  # A rebuild needs previous builds in place: two untimed builds of each tool, so that
  # every timed run finds what a build machine that keeps its output has (carepages
  # recycles the site from the build before last, which the first rebuild lacks).
  passes=$runs
  [ "$mode" = rebuild ] && passes=$((runs + 2))
  for pass in $(seq "$passes"); do
    if [ "$mode" = rebuild ] && [ "$pass" -le 2 ]; then keep=0; else keep=1; fi
    timed carepages "$bin" build --content "$work/carepages/content" \
      --output "$(out_dir carepages "$pass")" --today 2026-11-25
    if [ "$have_hugo" = 1 ]; then
      timed hugo hugo --minify --quiet -s "$work/hugo" -d "$(out_dir hugo "$pass")"
    fi
    if [ -n "$pagefind" ]; then
      timed hugo+pagefind sh -c 'hugo --minify --quiet -s "$1" -d "$2" && "$3" --site "$2"' \
        sh "$work/hugo" "$(out_dir hugo+pagefind "$pass")" "$pagefind"
    fi
    if [ "$keep" = 0 ]; then
      for l in "${labels[@]}"; do rm -f "$work/times-$l"; done
    fi
  done

  echo
  [ "$have_hugo" = 1 ] && [ -z "$pagefind" ] && echo "(no hugo+pagefind row: Pagefind is not available)"
  printf '%-14s %10s %10s %14s %10s %10s   (%s listings, median of %s runs, %s builds)\n' \
    tool "wall (s)" "peak (MB)" "ms / listing" "user (s)" "system (s)" "$n" "$runs" "$mode"
  declare -A med=()
  for l in "${labels[@]}"; do
    med[$l]=$(cut -d' ' -f1 "$work/times-$l" | median)
    peak=$(cut -d' ' -f2 "$work/times-$l" | sort -n | tail -1)
    printf '%-14s %10s %10.0f %14.3f %10s %10s\n' "$l" "${med[$l]}" "$(echo "$peak/1024" | bc -l)" \
      "$(echo "${med[$l]}*1000/$n" | bc -l)" "$(cut -d' ' -f3 "$work/times-$l" | median)" \
      "$(cut -d' ' -f4 "$work/times-$l" | median)"
  done
  line="$n ${med[carepages]} ${med[hugo]:--} ${med[hugo+pagefind]:--}"
  if [ -n "${med[hugo]:-}" ]; then
    printf 'carepages / hugo wall time: %.2f\n' "$(echo "${med[carepages]}/${med[hugo]}" | bc -l)"
  fi
  if [ -n "${med[hugo+pagefind]:-}" ]; then
    printf 'carepages / (hugo+pagefind) wall time: %.2f\n' \
      "$(echo "${med[carepages]}/${med[hugo+pagefind]}" | bc -l)"
  fi
  summary+=("$line")
  unset med
done

# Growth: time per listing at each size, relative to the smallest size. A tool whose cost
# grows linearly with the number of listings stays near 1.00.
if [ "${#summary[@]}" -gt 1 ]; then
  echo
  echo "time per listing relative to the first size (1.00 = linear growth)"
  printf '%-10s' listings
  for l in carepages hugo hugo+pagefind; do printf ' %14s' "$l"; done
  echo
  read -r n0 c0 h0 p0 <<<"${summary[0]}"
  rel() { # median size median0 size0
    if [ "$1" = - ] || [ "$3" = - ]; then echo -; return; fi
    printf '%.2f' "$(echo "($1/$2)/($3/$4)" | bc -l)"
  }
  for s in "${summary[@]}"; do
    read -r n c h p <<<"$s"
    printf '%-10s %14s %14s %14s\n' "$n" "$(rel "$c" "$n" "$c0" "$n0")" \
      "$(rel "$h" "$n" "$h0" "$n0")" "$(rel "$p" "$n" "$p0" "$n0")"
  done
fi
