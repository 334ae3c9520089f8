#!/usr/bin/env python3
"""WARC archive overhead: crawl time with the archive on, as a ratio to the same crawl without it.

Serves a bigger copy of the bundled demo site on 127.0.0.1 (the demo's documents replicated to
``--documents`` pages under new ids, listed ten to a page behind a 下一页 pager, the last few
reachable only through related links, as on the demo site) and runs real ``scrapy crawl
renrendoc -a base_url=…`` processes over it, archive off and on in turn, round by round (the
order flips every round), with no state store so that every run fetches everything. The crawl
time is the ``elapsed_time_seconds`` of each run's stats dump (interpreter start-up excluded);
the wall time of the whole process is shown too. The figure to compare across changes is the
ratio of the fastest run with the archive to the fastest run without it (target <= 1.10): on a
shared machine the minimum of alternating runs is the least disturbed one. Two steadier
figures follow it: the median of each round's on/off ratio (the two runs of a round are
back to back), and the archive's own work timed in this process (WarcArchiveMiddleware's heads
and records for every page of the site), as seconds per crawl and the ratio it alone would give.

    python benchmarks/archive_overhead.py [--documents N] [--rounds N] [--warmup N]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from docspider.demo.site import UNLISTED, demo_site, load_documents
from docspider.localserver import LocalServer, PageTable

ROOT = Path(__file__).resolve().parents[1]
FIRST_ID = 303000001            # outside the demo site's ids
PROXY_VARIABLES = ("http_proxy", "https_proxy", "no_proxy", "all_proxy")
TARGET = 1.10


def stat(log: str, key: str) -> float | None:
    """A value from the stats dump (`-s STATS_DUMP=True`) in a crawl log."""
    found = re.search(rf"'{re.escape(key)}':\s*([0-9.]+)", log)
    return float(found.group(1)) if found else None


def big_site(documents: int) -> PageTable:
    """The demo site with its documents replicated to ``documents`` pages, each copy's title
    and text marked with its copy number so that no two documents have the same text."""
    base = load_documents()
    docs = []
    for i in range(documents):
        doc, copy = base[i % len(base)], i // len(base) + 1
        docs.append(replace(doc, id=FIRST_ID + i, title=f"{doc.title}（第{copy}辑）",
                            body=f"第{copy}辑。{doc.body}"))
    return demo_site(docs)


@dataclass
class Run:
    archive: bool
    crawl: float                # elapsed_time_seconds from the stats dump
    wall: float                 # the whole `scrapy crawl` process
    cpu: float                  # its user + system CPU seconds, start-up included
    archive_bytes: int
    error: str | None           # the first ERROR line of the log, if any


def crawl(url: str, archive: bool, documents: int, pages: int, work: Path,
          timeout: float) -> Run:
    """One `scrapy crawl renrendoc` over the site at ``url``, in its own directory under
    ``work``; exits with a message unless it fetched all ``pages`` and emitted all
    ``documents`` and (archive on) archived every fetch in closed WARC files."""
    out, warc = work / "items.jsonl", work / "warc"
    command = [sys.executable, "-m", "scrapy.cmdline", "crawl", "renrendoc",
               "-a", f"base_url={url}", "-O", str(out),
               "-s", f"DOCSPIDER_ARCHIVE={archive}", "-s", f"DOCSPIDER_ARCHIVE_DIR={warc}",
               "-s", "DOCSPIDER_STATE=", "-s", "AUTOTHROTTLE_ENABLED=False",
               "-s", "DOWNLOAD_DELAY=0",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "CONCURRENT_REQUESTS=16",
               "-s", "STATS_DUMP=True", "-s", "LOG_LEVEL=INFO"]
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in PROXY_VARIABLES and k != "SCRAPY_SETTINGS_MODULE"}
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=timeout)
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = now.ru_utime - used.ru_utime + now.ru_stime - used.ru_stime
    log = proc.stderr.decode("utf-8", errors="replace")
    label = f"crawl with archive {'on' if archive else 'off'}"
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed (exit {proc.returncode}):\n{log[-4000:]}")
    elapsed, fetched = stat(log, "elapsed_time_seconds"), stat(log, "downloader/response_count")
    if elapsed is None:
        raise SystemExit(f"{label}: no elapsed_time_seconds in the stats dump:\n{log[-4000:]}")
    if fetched != pages:
        raise SystemExit(f"{label}: {fetched} responses, expected {pages} (the whole site)")
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()] if out.exists() else []
    if len(items) != documents:
        raise SystemExit(f"{label}: {len(items)} items, expected {documents}:\n{log[-4000:]}")
    files = sorted(warc.glob("*")) if warc.is_dir() else []
    if archive and (not files or any(not f.name.endswith(".warc.gz") for f in files)):
        raise SystemExit(f"{label}: expected closed .warc.gz files in {warc}, found "
                         f"{[f.name for f in files]}")
    if archive and stat(log, "docspider/archive/records") != pages:
        raise SystemExit(f"{label}: {stat(log, 'docspider/archive/records')} fetches archived, "
                         f"expected {pages}")
    if not archive and files:
        raise SystemExit(f"{label}: WARC files written although the archive is off: {warc}")
    error = next((line for line in log.splitlines() if " ERROR: " in line), None)
    return Run(archive, elapsed, wall, cpu, sum(f.stat().st_size for f in files), error)


def summary(runs: list[Run]) -> tuple[float, float, float, float]:
    """(best, median) crawl seconds and (best, median) wall seconds."""
    crawls, walls = [r.crawl for r in runs], [r.wall for r in runs]
    return min(crawls), statistics.median(crawls), min(walls), statistics.median(walls)


def write_cost(table: PageTable, passes: int) -> float:
    """Seconds per fetch of the archive's own work, in this process: the request and response
    heads and the two WARC records that WarcArchiveMiddleware writes for each page of the site
    (best of ``passes`` passes over all pages, each into a new file)."""
    from scrapy.http import HtmlResponse, Request

    from docspider.archive import WarcFiles, request_head, response_head

    exchanges = []
    for (_host, path), page in table.pages.items():
        request = Request(f"http://127.0.0.1:8000{path}", headers={
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en", "User-Agent": "docspider (+https://example.org)",
            "Accept-Encoding": "gzip, deflate, br, zstd"})
        response = HtmlResponse(request.url, body=page.body, headers={
            "Server": "BaseHTTP/0.6 Python/3.11", "Date": "Sat, 28 Nov 2026 12:00:00 GMT",
            "Content-Type": page.content_type, "Content-Length": str(len(page.body))})
        exchanges.append((request, response))
    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="archive-overhead-") as tmp:
        for n in range(passes):
            files = WarcFiles(Path(tmp) / str(n), "pass", 1024 ** 3, {"software": "benchmark"})
            start = time.perf_counter()
            for request, response in exchanges:
                files.write_exchange(request.url, request_head(request), response_head(response),
                                     response.body, datetime.now(timezone.utc))
            files.close()
            best = min(best, time.perf_counter() - start)
    return best / len(exchanges)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=300, help="document pages (default 300)")
    ap.add_argument("--rounds", type=int, default=5, help="crawls of each kind (default 5)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed crawls (archive off) before the first round (default 1)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds allowed per crawl")
    args = ap.parse_args()
    if args.documents <= UNLISTED or args.rounds < 1:
        ap.error(f"--documents must be more than {UNLISTED} and --rounds at least 1")
    table = big_site(args.documents)
    fetches = len(table.pages)          # robots.txt, listing and document pages, each once
    runs: list[Run] = []
    with LocalServer(table, tls=False) as server, \
            tempfile.TemporaryDirectory(prefix="archive-overhead-") as tmp:
        def one(archive: bool, name: str) -> Run:
            work = Path(tmp) / name
            work.mkdir()
            return crawl(server.url, archive, args.documents, fetches, work, args.timeout)

        for n in range(args.warmup):
            one(False, f"warmup-{n}")
        for n in range(args.rounds):
            order = (False, True) if n % 2 == 0 else (True, False)
            for archive in order:
                run = one(archive, f"round{n}-{'on' if archive else 'off'}")
                runs.append(run)
                print(f"round {n + 1}: archive {'on ' if archive else 'off'}  crawl "
                      f"{run.crawl:6.2f} s  wall {run.wall:6.2f} s  cpu {run.cpu:6.2f} s",
                      file=sys.stderr, flush=True)
    if errors := [r.error for r in runs if r.error]:
        print(f"note: {len(errors)} of {len(runs)} crawls logged an ERROR, the first: "
              f"{errors[0]}", file=sys.stderr)
    off = [r for r in runs if not r.archive]
    on = [r for r in runs if r.archive]
    b_off, m_off, wb_off, wm_off = summary(off)
    b_on, m_on, wb_on, wm_on = summary(on)
    paired = statistics.median(a.crawl / b.crawl for a, b in zip(on, off))
    written = sorted({r.archive_bytes for r in on})
    per_fetch = write_cost(table, passes=max(args.rounds, 5))
    ratio = b_on / b_off
    site_bytes = sum(len(p.body) for p in table.pages.values())
    print(f"documents: {args.documents} ({fetches} pages, {site_bytes / 1e6:.2f} MB of HTML); "
          f"{args.rounds} rounds, archive off/on alternating, {args.warmup} warm-up")
    print(f"{'':16}{'crawl best':>11}{'median':>9}{'wall best':>11}{'median':>9}")
    print(f"archive off     {b_off:9.2f} s{m_off:7.2f} s{wb_off:9.2f} s{wm_off:7.2f} s"
          f"  (baseline, ratio 1.00)")
    print(f"archive on      {b_on:9.2f} s{m_on:7.2f} s{wb_on:9.2f} s{wm_on:7.2f} s"
          f"  (ratio best/best {ratio:.2f}, median/median {m_on / m_off:.2f}; "
          f"wall {wb_on / wb_off:.2f} / {wm_on / wm_off:.2f})")
    print(f"median of the rounds' on/off crawl ratios: {paired:.2f}")
    print(f"archive written per run: {written[0] / 1e6:.2f} MB"
          + (f" to {written[-1] / 1e6:.2f} MB" if len(written) > 1 else ""))
    print(f"archive write path in this process: {per_fetch * 1e3:.2f} ms per fetch, "
          f"{per_fetch * fetches:.2f} s per crawl (would make the ratio "
          f"{(b_off + per_fetch * fetches) / b_off:.2f} on the best run without archive)")
    print(f"target <= {TARGET:.2f} (crawl best/best): {'met' if ratio <= TARGET else 'missed'}")


if __name__ == "__main__":
    main()
