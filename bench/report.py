#!/usr/bin/env python3
"""Prints the tables for bench/search.sh from its results folder (Markdown).

    python3 bench/report.py RESULTS_DIR
"""
import glob, json, os, re, sys

out = sys.argv[1]
SETUPS = ["carepages", "pagefind-site", "pagefind-listings", "hugo-pagefind"]


def pages(log):
    """How many pages Pagefind says it indexed, from its log in RESULTS_DIR."""
    try:
        m = re.search(r"Indexed ([0-9]+) pages", open(f"{out}/{log}").read())
    except OSError:
        return "?"
    return f"{int(m.group(1)):,}" if m else "?"


LABEL = {
    "carepages": "carepages (tantivy wasm)",
    "pagefind-site": f"Pagefind, same site, all {pages('pagefind-site.log')} pages",
    "pagefind-listings": f"Pagefind, same site, {pages('pagefind-listings.log')} listings",
    "hugo-pagefind": f"Hugo + Pagefind, {pages('pagefind-hugo.log')} pages",
}
setups = [s for s in SETUPS if os.path.exists(f"{out}/{s}.sizes.json")]
kb = lambda b: f"{b / 1000:.1f}"


def load(path):
    with open(path) as f:
        return json.loads(f.readline())


print(open(f"{out}/machine.txt").read().strip().replace("\n", "  \n"))
if os.path.exists(f"{out}/hugo-missing.txt"):
    print("\n" + open(f"{out}/hugo-missing.txt").read().strip())

med = lambda xs: sorted(xs)[(len(xs) - 1) // 2]  # as search_latency.mjs takes its median


def latency_rows(names, labels):
    for s in names:
        for path in sorted(glob.glob(f"{out}/{s}.*.jsonl"), reverse=True):
            profile = path.split(".")[-2]
            runs = [json.loads(l) for l in open(path) if l.startswith("{")]
            ok = [r for r in runs if "first" in r]
            failed = len(runs) - len(ok)
            if not ok:
                print(f"| {labels[s]} | {profile} | FAILED (see {s}.{profile}.log) | | | | |")
                continue
            nxt = [r["next"] for r in ok if "next" in r]
            firsts = ", ".join(f"{r['first'] / 1000:.2f}" for r in ok)
            print(f"| {labels[s]} | {profile} | **{med([r['first'] for r in ok]) / 1000:.2f} s** | "
                  f"{kb(med([r['bytes'] for r in ok]))} KB | {med([r['requests'] for r in ok])} | "
                  f"{f'{med(nxt) / 1000:.2f} s' if nxt else '–'} | {firsts}{f'; {failed} failed' if failed else ''} |")


HEAD = ("| {} | profile | first result | bytes before it | requests | next term | each run (s) |\n"
        "|---|---|---:|---:|---:|---:|---|")
print("\n### Time to first result (median of runs)\n")
print(HEAD.format("setup"))
latency_rows(setups, LABEL)

# carepages against Hugo + Pagefind, measured in the same run: the targets of issue 27.
TARGETS = {"slow4g": 0.6, "3g": 0.8}
if {"carepages", "hugo-pagefind"} <= set(setups):
    print("\n### carepages / Hugo + Pagefind, first result (median of runs)\n")
    print("| profile | carepages | Hugo + Pagefind | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for path in sorted(glob.glob(f"{out}/carepages.*.jsonl"), reverse=True):
        profile = path.split(".")[-2]
        firsts = {}
        for s in ("carepages", "hugo-pagefind"):
            try:
                firsts[s] = [json.loads(l)["first"] for l in open(f"{out}/{s}.{profile}.jsonl")
                             if l.startswith("{") and "first" in l]
            except OSError:
                firsts[s] = []
        if not all(firsts.values()):
            continue
        cp, hp = med(firsts["carepages"]), med(firsts["hugo-pagefind"])
        base = profile.removesuffix("-warm")
        target = ("under 1.5 s" if base == "slow4g" else "–") if profile.endswith("-warm") \
            else f"at most {TARGETS.get(base, '–')}"
        print(f"| {profile} | {cp / 1000:.2f} s | {hp / 1000:.2f} s | {cp / hp:.2f} | {target} |")

WHATIFS = {
    "carepages+preload": "carepages + engine/index preloaded in `<head>` (gzip)",
    "carepages+br": "carepages served with brotli",
    "carepages+br+preload": "carepages + preload + brotli",
    "pagefind-listings+br": "Pagefind, 1,000 listings, served with brotli",
}
whatifs = [w for w in WHATIFS if glob.glob(f"{out}/{w}.*.jsonl")]
if whatifs:
    print("\n### What-ifs (not shipped): preload and brotli (median of runs)\n")
    print(HEAD.format("variant"))
    latency_rows(whatifs, WHATIFS)

print("\n### What the search page downloads before the first result (KB)\n")
print("served = what the benchmark server sent (text types gzip -9, Pagefind's own files as "
      "stored, already gzip); raw/gzip/brotli = the uncompressed content and `gzip -9` / "
      "`brotli -q 11` of it.\n")
print("| setup | file | served | raw | gzip -9 | brotli -q 11 |")
print("|---|---|---:|---:|---:|---:|")
for s in setups:
    sz = load(f"{out}/{s}.sizes.json")
    files = sz["files"]
    # Pagefind fragments: one line for all of them.
    frags = [f for f in files if "/fragment/" in f["path"]]
    rows = [f for f in files if "/fragment/" not in f["path"]]
    if frags:
        rows.append({"path": f"{len(frags)} × /pagefind/fragment/*.pf_fragment",
                     **{k: sum(f[k] for f in frags) for k in ("served", "raw", "gzip9", "brotli11")}})
    for f in rows:
        print(f"| {LABEL[s]} | `{f['path']}` | {kb(f['served'])} | {kb(f['raw'])} | {kb(f['gzip9'])} | {kb(f['brotli11'])} |")
    t = sz["total"]
    print(f"| **{LABEL[s]}** | **total, {t['requests']} requests** | **{kb(t['served'])}** | **{kb(t['raw'])}** | "
          f"**{kb(t['gzip9'])}** | **{kb(t['brotli11'])}** |")

print("\n### Queries after load, in Chromium (no throttling)\n")
print("ms = median of repeats of the same query; first = the first time that term is searched "
      "(for Pagefind this includes fetching its index chunk and fragment over unshaped loopback).\n")
queries = None
cols = []
for s in setups:
    d = load(f"{out}/{s}.downloads.json")
    q = d.get("query")
    if q:
        queries = queries or list(q["per_query"])
        cols.append((s, q))
if cols:
    print("| query | " + " | ".join(LABEL[s] for s, _ in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for query in queries:
        cells = []
        for s, q in cols:
            r = q["per_query"].get(query, {})
            cold = f", first {r['cold_ms']} ms" if "cold_ms" in r else ""
            cells.append(f"{r.get('ms')} ms{cold}; {r.get('total')} hits; top: {r.get('top')}")
        print(f"| `{query}` | " + " | ".join(cells) + " |")
    for s, q in cols:
        extra = {k: v for k, v in q.items() if k != "per_query"}
        print(f"\n{LABEL[s]}: {json.dumps(extra)}")

nb = f"{out}/carepages.node-bench.json"
if os.path.exists(nb):
    print("\n### carepages engine in Node (crates/search-wasm/tests/bench.mjs)\n")
    print("```\n" + open(nb).read().strip() + "\n```")

print("\n### Browser console on each search page (first load, unthrottled)\n")
for s in setups:
    d = load(f"{out}/{s}.downloads.json")
    errs = d.get("errors") or []
    missing = [r["path"] for r in d.get("requests", []) if r.get("status") == 404] + d.get("late_404s", [])
    if missing:
        errs = errs + ["(404s requested: " + ", ".join(missing) + ")"]
    first = d.get("first_result")
    print(f"- {LABEL[s]}: first result {first!r} after {d.get('first_ms')} ms; "
          + ("console: " + "; ".join(errs) if errs else "no console errors"))
