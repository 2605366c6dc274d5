#!/usr/bin/env bash
# Measures carepages' in-browser search against Pagefind on the 1,000-listing corpus, in one
# run, the same way for every setup (issue 4, "How it is checked"). From scratch:
#   1. generates the corpus (../shared/bench/gen_corpus.py), builds carepages (release) and the
#      site for council-1;
#   2. copies that site and runs Pagefind over the copy twice: the whole site (Pagefind's
#      defaults) and the 1,000 listing pages only (--glob, --root-selector main), so the index
#      holds the same documents as carepages'; adds bench/pf-search.html as /pf-search/;
#   3. Hugo + Pagefind on the same corpus in Hugo's layout, if `hugo` is installed;
#   4. for each setup: what the search page downloads before its first result, file by file
#      (bench/downloads.mjs + bench/sizes.py: served, raw, gzip -9, brotli -q 11), browser
#      console errors, and query times in Chromium after load; then time to first result and
#      to a new term with ../shared/bench/search_latency.mjs on each network profile;
#   5. the same on a later visit (warm cache) with bench/search_warm.mjs;
#   6. carepages' own engine benchmark in Node (crates/search-wasm/tests/bench.mjs);
#   7. what-ifs (WHATIF=1): the carepages search page with the engine and index preloaded,
#      and carepages and Pagefind (listings) served with brotli instead of gzip;
#   8. prints the tables (bench/report.py).
#
#   bench/search.sh                    everything, 5 runs per profile
#   RUNS=3 PROFILES="slow4g" bench/search.sh
#
# Environment: RUNS (5), PROFILES ("slow4g 3g"), WHATIF (1: also measure preload and brotli),
# WARM (1: also time a later visit, with the cache a host allows, bench/search_warm.mjs),
# WHATIF_PROFILES (the profiles the what-ifs run on: PROFILES), QUERY (gardening), NEXT (dementia),
# N (1000 listings), WORK (/tmp/carepages-search-bench: corpus, sites, results),
# BENCH_CACHE (~/.cache/carepages-bench: npm packages), SHARED (../shared/bench),
# PAGEFIND_VERSION (1.6.0), PLAYWRIGHT_VERSION (1.65.1).
# Needs: cargo, node + npm, python3, gzip, brotli, /usr/bin/chromium; hugo is optional.
# On Debian: apt-get install -y chromium brotli hugo
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
RUNS="${RUNS:-5}"
PROFILES="${PROFILES:-slow4g 3g}"
WHATIF_PROFILES="${WHATIF_PROFILES:-$PROFILES}"
QUERY="${QUERY:-gardening}"
NEXT="${NEXT:-dementia}"
N="${N:-1000}"
WORK="${WORK:-/tmp/carepages-search-bench}"
BENCH_CACHE="${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carepages-bench}"
SHARED="${SHARED:-$root/../shared/bench}"
PAGEFIND_VERSION="${PAGEFIND_VERSION:-1.6.0}"
PLAYWRIGHT_VERSION="${PLAYWRIGHT_VERSION:-1.65.1}"
TODAY=2026-11-25

say() { printf '\n== %s\n' "$*" >&2; }
for tool in cargo node npm python3 gzip brotli /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (Debian: apt-get install -y chromium brotli)" >&2; exit 1; }
done
[ -f "$SHARED/gen_corpus.py" ] && [ -f "$SHARED/search_latency.mjs" ] ||
  { echo "set SHARED to the folder with gen_corpus.py and search_latency.mjs" >&2; exit 1; }

say "npm packages into $BENCH_CACHE"
mkdir -p "$BENCH_CACHE"
if [ ! -d "$BENCH_CACHE/node_modules/playwright-core" ] || [ ! -d "$BENCH_CACHE/node_modules/pagefind" ] ||
   ! grep -q "\"version\": \"$PAGEFIND_VERSION\"" "$BENCH_CACHE/node_modules/pagefind/package.json"; then
  npm install --prefix "$BENCH_CACHE" --no-audit --no-fund --silent \
    "playwright-core@$PLAYWRIGHT_VERSION" "pagefind@$PAGEFIND_VERSION" >&2
fi
export BARS_NODE="$BENCH_CACHE/node_modules"
pagefind=("$BENCH_CACHE/node_modules/.bin/pagefind")

# Only this script's own folders are replaced: WORK may be shared (scripts/bench-build.sh
# uses /tmp/carepages-bench, hence the different default).
for d in results corpus site site-preload pf-site pf-listings hugo; do rm -rf "${WORK:?}/$d"; done
mkdir -p "$WORK/results"
out="$WORK/results"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
  echo "node: $(node --version), pagefind: $PAGEFIND_VERSION, playwright-core: $PLAYWRIGHT_VERSION"
  echo "hugo: $(command -v hugo >/dev/null && hugo version | cut -d' ' -f1-2 || echo 'not installed')"
  echo "runs: $RUNS, profiles: $PROFILES, what-ifs: $([ "${WHATIF:-1}" = 1 ] && echo "$WHATIF_PROFILES" || echo none), query: $QUERY, next: $NEXT, listings: $N"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

say "corpus ($N listings) and carepages site"
python3 "$SHARED/gen_corpus.py" carepages "$N" "$WORK/corpus"
(cd "$root" && cargo build --release --quiet)
"$root/target/release/carepages" build --content "$WORK/corpus/content" --output "$WORK/site" --today "$TODAY" >&2
cp_site="$WORK/site/council-1"

say "Pagefind over a copy of the carepages site (whole site, defaults)"
cp -r "$cp_site" "$WORK/pf-site"
"${pagefind[@]}" --site "$WORK/pf-site" > "$out/pagefind-site.log"
say "Pagefind over a copy of the carepages site (listing pages only, <main> only)"
cp -r "$cp_site" "$WORK/pf-listings"
"${pagefind[@]}" --site "$WORK/pf-listings" --glob 'enterprises/e*/index.html' --root-selector main \
  > "$out/pagefind-listings.log"

have_hugo=0
if command -v hugo >/dev/null; then
  say "Hugo + Pagefind"
  python3 "$SHARED/gen_corpus.py" hugo "$N" "$WORK/hugo"
  hugo --minify --quiet -s "$WORK/hugo" >&2
  "${pagefind[@]}" --site "$WORK/hugo/public" > "$out/pagefind-hugo.log"
  have_hugo=1
else
  echo "hugo is not installed: skipping Hugo + Pagefind (apt-get install -y hugo)" | tee "$out/hugo-missing.txt" >&2
fi
# The Pagefind search page goes in after indexing, so it is never indexed itself.
for site in "$WORK/pf-site" "$WORK/pf-listings" $([ "$have_hugo" = 1 ] && echo "$WORK/hugo/public"); do
  mkdir -p "$site/pf-search"
  cp "$here/pf-search.html" "$site/pf-search/index.html"
done

# name | site folder | page | result selector | input selector | query-time mode
# Pagefind's UI first draws grey placeholder results (li.pagefind-ui__result with
# .pagefind-ui__loading), then fills each from its fragment: a result is there when its
# title link, .pagefind-ui__result-link, is. carepages draws an <li> only for a real result.
PF=".pagefind-ui__result-link|.pagefind-ui__search-input|pagefind"
setups=(
  "carepages|$cp_site|/search/?q=$QUERY|#search-results li|#q|carepages"
  "pagefind-site|$WORK/pf-site|/pf-search/?q=$QUERY|$PF"
  "pagefind-listings|$WORK/pf-listings|/pf-search/?q=$QUERY|$PF"
)
[ "$have_hugo" = 1 ] && setups+=("hugo-pagefind|$WORK/hugo/public|/pf-search/?q=$QUERY|$PF")

for setup in "${setups[@]}"; do
  IFS='|' read -r name site page sel input mode <<< "$setup"
  say "$name: downloads before the first result, console errors, query times in Chromium"
  node "$here/downloads.mjs" "$site" "$page" "$sel" --query-time "$mode" \
    > "$out/$name.downloads.json" 2> "$out/$name.downloads.log"
  python3 "$here/sizes.py" "$site" < "$out/$name.downloads.json" > "$out/$name.sizes.json"
done

# name | encoding | site | page | result selector | input selector
runs=()
for setup in "${setups[@]}"; do
  IFS='|' read -r name site page sel input mode <<< "$setup"
  runs+=("$name|gzip|$site|$page|$sel|$input")
done

if [ "${WHATIF:-1}" = 1 ]; then
  # What-ifs, not what carepages ships: how much two changes would save.
  #  +preload  <link rel=preload as=fetch crossorigin> for the engine and index in the search
  #            page's <head> (in a copy of the site), so they start with the HTML instead of
  #            after search.js runs: one round trip less.
  #  +br       the host serves brotli -q 11 instead of gzip -9 (Netlify, Cloudflare and most
  #            CDNs do; GitHub Pages does not). search_latency.mjs only does gzip, so these runs
  #            use a copy of it patched to answer Accept-Encoding: br with FILE.br, written
  #            beforehand by `brotli -q 11` for every text file the page downloads.
  say "what-ifs: preload and brotli"
  cp -r "$cp_site" "$WORK/site-preload"
  python3 - "$WORK/site-preload/search/index.html" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
urls = [re.search('data-%s="([^"]+)"' % k, s).group(1) for k in ("engine", "index")]
links = "".join('<link rel=preload href="%s" as=fetch crossorigin>' % u for u in urls)
open(p, "w").write(s.replace("</head>", links + "</head>", 1))
PY
  python3 - "$SHARED/search_latency.mjs" "$WORK/search_latency_br.mjs" <<'PY'
import sys
s = open(sys.argv[1]).read()
old = "  if (encoding === 'gzip' && TYPES[ext] && /gzip/.test(req.headers['accept-encoding'] || '')) {"
new = ("  if (encoding === 'br' && TYPES[ext] && /\\bbr\\b/.test(req.headers['accept-encoding'] || '')) {\n"
       "    if (!gz.has(f)) gz.set(f, fs.existsSync(f + '.br') ? fs.readFileSync(f + '.br')\n"
       "      : zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));\n"
       "    body = gz.get(f); headers['content-encoding'] = 'br';\n"
       "  } else" + old[1:])
assert old in s, "search_latency.mjs changed: update the brotli patch in bench/search.sh"
open(sys.argv[2], "w").write(s.replace(old, new))
PY
  for site in "$cp_site" "$WORK/site-preload" "$WORK/pf-listings"; do
    find "$site" -path '*/enterprises/e*' -prune -o -type f \
      \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' -o -name '*.json' -o -name '*.svg' \) \
      -print0 | xargs -0 brotli -q 11 -k -f
  done
  runs+=(
    "carepages+preload|gzip|$WORK/site-preload|/search/?q=$QUERY|#search-results li|#q"
    "carepages+br|br|$cp_site|/search/?q=$QUERY|#search-results li|#q"
    "carepages+br+preload|br|$WORK/site-preload|/search/?q=$QUERY|#search-results li|#q"
    "pagefind-listings+br|br|$WORK/pf-listings|/pf-search/?q=$QUERY|.pagefind-ui__result-link|.pagefind-ui__search-input"
  )
fi

# Time to first result: every setup once per round, RUNS rounds, so that load from anything
# else on the machine falls on all setups alike. Each run is its own search_latency.mjs
# process with --runs 1: a fresh server and browser, so nothing from one run (a late favicon
# or fragment still on the shaped pipe) is counted in the next. report.py takes the medians.
for profile in $PROFILES; do
  for round in $(seq "$RUNS"); do
    for r in "${runs[@]}"; do
      IFS='|' read -r name enc site page sel input <<< "$r"
      case "$name" in *+*) [[ " $WHATIF_PROFILES " == *" $profile "* ]] || continue ;; esac
      script="$SHARED/search_latency.mjs"
      [ "$enc" = br ] && script="$WORK/search_latency_br.mjs"
      node "$script" "$site" "$page" "$sel" --input "$input" --next "$NEXT" --profile "$profile" \
        --runs 1 --encoding "$enc" 2>> "$out/$name.$profile.log" | grep '^{' >> "$out/$name.$profile.jsonl" ||
        echo '{"failed": true}' >> "$out/$name.$profile.jsonl"
      say "$profile round $round/$RUNS $name: $(tail -1 "$out/$name.$profile.jsonl")"
    done
  done
done

# Later visits: the resident has searched once before, and the browser kept what the host let
# it keep (bench/search_warm.mjs: hashed files cached for a year, the rest revalidated).
if [ "${WARM:-1}" = 1 ]; then
  for profile in $PROFILES; do
    for round in $(seq "$RUNS"); do
      for setup in "${setups[@]}"; do
        IFS='|' read -r name site page sel input mode <<< "$setup"
        [ "$name" = pagefind-site ] && continue
        node "$here/search_warm.mjs" "$site" "$page" "$sel" --profile "$profile" --runs 1 \
          2>> "$out/$name.$profile-warm.log" | grep '^{' >> "$out/$name.$profile-warm.jsonl" ||
          echo '{"failed": true}' >> "$out/$name.$profile-warm.jsonl"
        say "$profile warm round $round/$RUNS $name: $(tail -1 "$out/$name.$profile-warm.jsonl")"
      done
    done
  done
fi

say "carepages engine in Node (crates/search-wasm/tests/bench.mjs) on the built index"
engine=$(ls "$cp_site"/assets/search-engine.*.wasm)
index=$(ls "$cp_site"/assets/search-index.*.wasm)
CAREPAGES_SEARCH_JS=$(ls "$cp_site"/assets/search.*.js) \
  node "$root/crates/search-wasm/tests/bench.mjs" "$index" "$engine" > "$out/carepages.node-bench.json"

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
python3 "$here/report.py" "$out"
