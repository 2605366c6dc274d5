#!/usr/bin/env python3
"""Sizes of what a search page downloaded before its first result.

    python3 bench/sizes.py SITE_DIR < downloads.json

Reads one line of JSON from bench/downloads.mjs (its "requests" list) and prints one JSON
object: {"files": [{path, served, encoding, raw, gzip9, brotli11}], "total": {...}}.
  served    bytes the loopback server sent (text types gzip -9, others as stored)
  raw       the file's content uncompressed (Pagefind stores its index, fragments, metadata
            and wasm gzip-compressed on disk; those are decompressed to count "raw")
  gzip9     `gzip -9 -n` of the raw content
  brotli11  `brotli -q 11` of the raw content (what a host serving brotli would send)
"""
import gzip, json, os, subprocess, sys


def compressed(data, cmd):
    return len(subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True).stdout)


def main():
    site = sys.argv[1]
    dl = json.loads(sys.stdin.readline())
    files = []
    for r in dl["requests"]:
        if r.get("status") == 404:
            continue
        f = os.path.join(site, r["path"].lstrip("/"))
        if os.path.isdir(f):
            f = os.path.join(f, "index.html")
        data = open(f, "rb").read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        files.append({
            "path": r["path"], "served": r["bytes"], "encoding": r["encoding"], "raw": len(data),
            "gzip9": compressed(data, ["gzip", "-9", "-n", "-c"]),
            "brotli11": compressed(data, ["brotli", "-q", "11", "-c"]),
        })
    total = {k: sum(f[k] for f in files) for k in ("served", "raw", "gzip9", "brotli11")}
    total["requests"] = len(files)
    print(json.dumps({"files": files, "total": total}))


if __name__ == "__main__":
    main()
