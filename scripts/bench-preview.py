#!/usr/bin/env python3
"""Preview latency: how long after a volunteer saves a listing the open page has reloaded.

Starts `carepages serve` on a copy of a generated corpus, opens the page of one listing and
its reload event stream (as the preview's script does in the browser), then saves a change
to that listing RUNS times. For each save it times, from the moment the file is written:

  event   the reload event naming the page arrives
  page    the page has been fetched again and shows the change (what the browser does next)
  search  the search page has been fetched again, and the new search index it names: the
          preview's patched index, which already finds the saved words (tests/serve.rs
          checks that it does; here the index's name must differ from the last one)
  index   the event saying the full search index is ready arrives

and prints the median and the slowest of each, plus the preview's own log.

    scripts/bench-preview.py [LISTINGS] [RUNS]       defaults: 10000 10

Needs python3 and the dist build (cargo build --profile dist). The corpus comes from
../shared/bench/gen_corpus.py into BENCH_DIR (/tmp/carepages-bench)/<LISTINGS>.
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LISTINGS = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
BENCH = os.environ.get("BENCH_DIR", "/tmp/carepages-bench")


def corpus():
    src = os.path.join(BENCH, str(LISTINGS), "carepages")
    if not os.path.isdir(src):
        gen = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")
        subprocess.run([sys.executable, gen, "carepages", str(LISTINGS), src],
                       check=True, stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="carepages-preview-")
    shutil.copytree(src, os.path.join(work, "corpus"))
    return work, os.path.join(work, "corpus", "content")


def get(port, path):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(1 << 20):
            chunks.append(chunk)
        data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def index_of(port, search_page):
    """The search index the search page names, as `assets/search-index.<hash>.wasm`."""
    status, body = get(port, search_page)
    assert status == 200, status
    at = body.index(b"assets/search-index.")
    return body[at:body.index(b".wasm", at) + 5].decode()


class Events:
    """The preview's reload event stream, read one event at a time."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /__carepages/events HTTP/1.1\r\nHost: x\r\n\r\n")
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(4096)
        self.buf = self.buf.partition(b"\r\n\r\n")[2]

    def next(self, timeout=30):
        self.sock.settimeout(timeout)
        while True:
            while b"\n\n" in self.buf:
                event, _, self.buf = self.buf.partition(b"\n\n")
                for line in event.decode().splitlines():
                    if line.startswith("data: "):
                        return json.loads(line[6:])
            self.buf += self.sock.recv(65536)


def main():
    binary = os.path.join(ROOT, "target", "dist", "carepages")
    work, content = corpus()
    files = sorted(os.listdir(os.path.join(content, "enterprises")))
    listing = os.path.join(content, "enterprises", files[len(files) // 2])
    slug = os.path.splitext(os.path.basename(listing))[0]
    council = sorted(os.listdir(os.path.join(content, "councils")))[0].rsplit(".", 1)[0]
    page = f"/{council}/enterprises/{slug}/"
    log = open(os.path.join(work, "serve.log"), "w+")
    started = time.monotonic()
    serve = subprocess.Popen(
        [binary, "serve", "--port", "0", "--today", "2026-11-25", "--content", content,
         "--themes", os.path.join(ROOT, "themes"), "--timings"],
        stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = serve.stdout.readline()
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        print(f"{LISTINGS} listings: preview ready in {time.monotonic() - started:.2f} s")
        status, _ = get(port, page)
        assert status == 200, status
        events = Events(port)
        times = {"event": [], "page": [], "search": [], "index": []}
        search_page = f"/{council}/search/"
        last_index = index_of(port, search_page)
        original = open(listing, encoding="utf-8").read()
        for run in range(RUNS):
            marker = f"Benchmark visit number {run}."
            text = original.replace("\n\n## What we offer", f"\n\n{marker}\n\n## What we offer", 1)
            assert text != original
            time.sleep(1.0)  # let the last save's search index finish
            t0 = time.monotonic()
            with open(listing, "w", encoding="utf-8") as f:
                f.write(text)
            while True:
                event = events.next()
                if "*" in event["changed"] or page in event["changed"]:
                    break
            times["event"].append(time.monotonic() - t0)
            status, body = get(port, page)
            times["page"].append(time.monotonic() - t0)
            assert status == 200 and marker.encode() in body, "the page did not change"
            while not ("*" in event["changed"] or search_page in event["changed"]):
                event = events.next()
            index = index_of(port, search_page)
            status, _ = get(port, f"/{council}/{index}")
            times["search"].append(time.monotonic() - t0)
            assert status == 200 and index != last_index, "the search index did not change"
            while event["index_pending"]:
                event = events.next()
            times["index"].append(time.monotonic() - t0)
            last_index = index_of(port, search_page)
        print(f"{RUNS} saves of {os.path.basename(listing)}:")
        for what, label in [("event", "reload event"), ("page", "page reloaded"),
                            ("search", "search page + index"),
                            ("index", "full index ready")]:
            ms = [t * 1000 for t in times[what]]
            print(f"  {label:20} median {statistics.median(ms):7.1f} ms   slowest {max(ms):7.1f} ms")
    finally:
        serve.terminate()
        serve.wait()
        log.seek(0)
        rebuilt = [l.strip() for l in log if l.startswith(("Rebuilt", "Search index"))]
        print("the preview's log (last save):", *rebuilt[-2:], sep="\n  ")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
