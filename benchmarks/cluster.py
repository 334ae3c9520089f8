#!/usr/bin/env python3
"""Distributed crawls on this machine: throughput with 1, 2 and 3 workers, and what a document
costs in Redis, in WARC files and in the feed (the figures of docs/scaling.md).

    python benchmarks/cluster.py [--documents N] [--rounds N] [--segment-workers N]
                                 [--workers 0,1,2,3]

A local copy of the demo site (``big_site`` of archive_overhead.py: 2000 documents by default)
is served by a process of its own; a `redis-server` of its own runs on a free port with
persistence off. For each worker count, round by round in turns (order reversed every other
round), the database is flushed and that many `scrapy crawl renrendoc` workers are started
together with ``REDIS_URL`` set, no politeness delay, ``DOCSPIDER_SEGMENT_WORKERS`` 0 (each
worker one process, so that the worker count is the process count) unless given.

Throughput is documents emitted per second between the first and the last line written to
any worker's feed (sampled from outside every 0.1 s), so process start-up and the idle wait at
the end are left out; it is given as a ratio to one worker's in the same round. Every run must
emit every document exactly once over its workers' feeds.

Costs, from the one-worker runs: Redis ``used_memory`` after the crawl ended (only the state
store is left: known documents, content hashes, learned boilerplate) and its peak during the
crawl (queue, duplicate filter, run keys too), both per document over the flushed database's;
``MEMORY USAGE`` of the document and content-hash keys per document; the WARC files' and the
feed's bytes per 1,000 pages (a page: a response received, robots.txt included; a document: a feed line).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
PROXY_VARIABLES = ("http_proxy", "https_proxy", "no_proxy", "all_proxy")
ENV = {k: v for k, v in os.environ.items()
       if k.lower() not in PROXY_VARIABLES and k not in ("SCRAPY_SETTINGS_MODULE", "REDIS_URL")}
SETTINGS = {"CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "DOCSPIDER_WORKER_PREFETCH": 16, "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False, "MAX_IDLE_TIME_BEFORE_CLOSE": 2,
            "LOG_LEVEL": "INFO", "STATS_DUMP": True}
TIMEOUT = 1800


def start_redis() -> tuple[subprocess.Popen, str]:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            return server, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("redis-server did not start")


SERVE = """
import sys, time
sys.path.insert(0, {benchmarks!r})
from archive_overhead import big_site
from docspider.localserver import LocalServer
with LocalServer(big_site({documents}), tls=False) as server:
    print(server.url, flush=True)
    sys.stdin.read()
"""


def serve(documents: int) -> tuple[subprocess.Popen, str]:
    """The site, served by a process of its own (in this one it would share the GIL with the
    sampling loop); it stops when its stdin closes."""
    proc = subprocess.Popen([sys.executable, "-c", SERVE.format(
        benchmarks=str(Path(__file__).resolve().parent), documents=documents)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=ENV | {"PYTHONPATH": str(ROOT)})
    return proc, proc.stdout.readline().decode().strip()


class LineCounter:
    """Lines in a folder's feed files, reading only what was added since the last count."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.read: dict[str, tuple[int, int]] = {}      # file name -> (bytes read, lines)

    def __call__(self) -> int:
        for path in self.folder.glob("*.jsonl*") if self.folder.is_dir() else ():
            offset, lines = self.read.get(path.name.removesuffix(".part"), (0, 0))
            try:
                with path.open("rb") as f:
                    f.seek(offset)
                    data = f.read()
            except FileNotFoundError:       # renamed from .part meanwhile
                continue
            self.read[path.name.removesuffix(".part")] = (offset + len(data),
                                                          lines + data.count(b"\n"))
        return sum(lines for _offset, lines in self.read.values())


def run_workers(count: int, site_url: str, redis_url: str, work: Path, documents: int,
                segment_workers: int) -> dict:
    """One crawl by `count` workers; its throughput and, for the caller, its folders."""
    db = redis.Redis.from_url(redis_url)
    db.flushdb()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    feeds = work / "output" / "renrendoc"
    settings = {**SETTINGS, "DOCSPIDER_SEGMENT_WORKERS": segment_workers,
                "DOCSPIDER_RUNS_DIR": work / "runs", "SCRAPY_SETTINGS_MODULE": None}
    command = [sys.executable, "-m", "scrapy.cmdline", "crawl", "renrendoc",
               "-a", f"base_url={site_url}",
               *[a for k, v in settings.items() if v is not None for a in ("-s", f"{k}={v}")]]
    env = ENV | {"SCRAPY_SETTINGS_MODULE": "docspider.settings", "PYTHONPATH": str(ROOT)}
    if count:
        env["REDIS_URL"] = redis_url
    else:       # the baseline: one process, no Redis, the SQLite state store
        command += ["-s", f"DOCSPIDER_STATE={work / 'state.sqlite'}"]
    base_memory = db.info("memory")["used_memory"]
    logs = [(work / f"worker{n}.log").open("wb") for n in range(max(count, 1))]
    procs = [subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=log)
             for log in logs[:max(count, 1)]]
    first = last = None
    seen = 0
    peak = base_memory
    deadline = time.monotonic() + TIMEOUT
    feed_lines = LineCounter(feeds)
    while any(p.poll() is None for p in procs):
        if time.monotonic() > deadline:
            for p in procs:
                p.kill()
            raise SystemExit(f"{count} workers: still running after {TIMEOUT} s")
        lines = feed_lines()
        now = time.monotonic()
        if lines and first is None:
            first = now
        if lines > seen:
            seen, last = lines, now
        peak = max(peak, db.info("memory")["used_memory"])
        time.sleep(0.1)
    for log in logs:
        log.close()
    if any(p.returncode for p in procs):
        tail = (work / "worker0.log").read_text("utf-8", "replace")[-3000:]
        raise SystemExit(f"{count} workers: exit {[p.returncode for p in procs]}\n{tail}")
    urls = [json.loads(line)["url"] for feed in feeds.glob("*.jsonl")
            for line in feed.read_text("utf-8").splitlines()]
    if len(urls) != documents or len(set(urls)) != documents:
        raise SystemExit(f"{count} workers: {len(urls)} items, {len(set(urls))} distinct, "
                         f"expected {documents}")
    after = db.info("memory")["used_memory"]
    state = sum(db.memory_usage(key) or 0 for pattern in ("*:doc:*", "*:text:*")
                for key in db.scan_iter(match=f"docspider:renrendoc{pattern[1:]}", count=1000))
    pages = sum(int(line.split(":")[1].strip().rstrip(",}"))
                for n in range(max(count, 1))
                for line in (work / f"worker{n}.log").read_text("utf-8").splitlines()
                if line.strip(" {").startswith("'downloader/response_count':"))
    return {"rate": (documents - 1) / (last - first) if last and first and last > first else 0,
            "redis_after": after - base_memory, "redis_peak": peak - base_memory,
            "state": state, "pages": pages,
            "warc": sum(p.stat().st_size for p in (work / "output" / "archive").rglob("*.warc.gz")),
            "feed": sum(p.stat().st_size for p in feeds.glob("*.jsonl"))}


def spread(values: list[float], fmt: str = ".2f") -> str:
    return " / ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--segment-workers", type=int, default=0)
    parser.add_argument("--workers", default="0,1,2,3",
                        help="worker counts to run (0: one process without Redis); 0 and 1 "
                             "are always run, the ratios need them")
    args = parser.parse_args()
    counts = tuple(sorted({0, 1, *(int(n) for n in args.workers.split(","))}))
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not on PATH")
    server, redis_url = start_redis()
    results: dict[int, list[dict]] = {n: [] for n in counts}
    site, site_url = serve(args.documents)
    try:
        with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp:
            for round_ in range(args.rounds):
                order = counts if round_ % 2 == 0 else counts[::-1]
                for count in order:
                    print(f"round {round_ + 1}: {count} worker(s)", file=sys.stderr, flush=True)
                    results[count].append(run_workers(count, site_url, redis_url,
                                                      Path(tmp) / f"w{count}", args.documents,
                                                      args.segment_workers))
    finally:
        site.stdin.close()
        site.wait(timeout=10)
        server.terminate()
        server.wait(timeout=10)

    one, alone = results[1], results[0]
    print(f"{args.documents} documents, {args.rounds} rounds, segment workers "
          f"{args.segment_workers}, {os.cpu_count()} cores; min / median / max\n")
    print("| workers | documents/s | vs 1 worker (same round) | vs one process without Redis |")
    print("|---|---|---|---|")
    for count in counts:
        rates = [r["rate"] for r in results[count]]
        vs_one = [r["rate"] / o["rate"] for r, o in zip(results[count], one)]
        vs_alone = [r["rate"] / o["rate"] for r, o in zip(results[count], alone)]
        label = count or "one process, SQLite state, no Redis"
        print(f"| {label} | {spread(rates, '.0f')} | {spread(vs_one)}x | {spread(vs_alone)}x |")
    docs = args.documents
    pages = statistics.median(r["pages"] for r in one)
    print("\n| cost (one worker) | per document | per 1,000 pages or documents |")
    print("|---|---|---|")
    for label, key, per in (("Redis used_memory after the crawl", "redis_after", docs),
                            ("Redis used_memory peak during it", "redis_peak", docs),
                            ("state keys (MEMORY USAGE of doc + text keys)", "state", docs),
                            ("WARC files (gzip), per page", "warc", pages),
                            ("JSONL feed, per document", "feed", docs)):
        value = statistics.median(r[key] for r in one) / per
        print(f"| {label} | {value:,.0f} B | {value * 1000 / 1024 ** 2:,.2f} MiB |")


if __name__ == "__main__":
    main()
