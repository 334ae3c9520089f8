#!/usr/bin/env python3
"""docspider's benchmarks in one run, each figure a ratio to a baseline measured in the same run.

    python benchmarks/run.py [--quick] [--only crawl,segment,memory,reparse] [--rounds N]

Sections (all by default, ``--only`` to choose; ``--quick`` makes every workload smaller):

crawl    Real crawl processes over one local copy of the demo site (``big_site`` of
         archive_overhead.py: 2000 documents, 300 with --quick, served on 127.0.0.1 from a
         thread of this process). Baseline: a bare Scrapy spider run outside the project
         (no project settings) that follows every document link and a listing's 下一页 link,
         as docspider does (the demo's pager links every listing page: following all of them
         makes a crawl quadratic in the listing pages, 1.8x slower at 2000 documents), and
         yields ``{url, len}`` per document. Against it: ``scrapy crawl renrendoc`` with a
         fresh state store and archive folder per run, archive off/on × segmentation workers 0 /
         the default (cores - 1). Every run must fetch every page and emit every document.
segment  Saved pages (the .html of ../shared/corpus/dev and dev-wild, copied under new names
         to 4800 files, 600 with --quick): ``scrapy segment --jobs 1`` and ``--jobs 2`` (the
         default on two cores), trafilatura ``extract``, resiliparse ``extract_plain_text(main_content=True)`` and, as the
         baseline, lxml parse + ``text_content()``, each a fresh process given the same files
         and writing one JSON line per page (the two ``scrapy segment`` outputs must be
         byte-identical). A process meets each distinct page many times, which favours any
         tool's caches; so, in this process, ``segment_html`` is also timed against lxml
         parse + text over the distinct pages, its caches cleared before every pass (the
         target is judged on that), and over pages it has just seen (its memos warm).
memory   One docspider crawl (workers 0, state and archive on) of a bigger site (20,000
         documents, 6000 with --quick) and, as the baseline, the bare spider over it, the
         crawl process's VmRSS and the lines of its feed sampled from outside every 0.5 s.
reparse  ``scrapy reparse`` of one archive-on crawl's WARC files (the crawl section's, or a
         crawl made for it) with ``--jobs 1`` (in-process) against ``--jobs 2``; the outputs
         must be byte-identical.

Method. The variants of a section take turns round by round (``--rounds``, default 3), the
order reversed every other round, so that a slow spell of this shared machine hits them
alike. Every figure is printed as min / median / max over the rounds; a ratio is computed
within each round (its two runs are close in time) and its min / median / max given, and a
target is judged on the median. The memory section is one crawl of each kind.

What the times include. "wall" is the whole process, interpreter start-up and imports
included. "crawl s" is the ``elapsed_time_seconds`` of a crawl's stats dump (start-up
excluded) and pages/s is the response count over it. CPU is user + system time of the whole
process tree, start-up included, from ``getrusage(RUSAGE_CHILDREN)`` before and after: this
process makes itself a child subreaper and reaps what a command leaves behind, because the
segmentation workers are children of the crawl's forkserver, which the crawl does not wait for,
and their CPU would otherwise be lost. The local server's CPU (a thread of this process) is not
counted, but it shares the machine's cores with the crawl.
"""
from __future__ import annotations

import argparse
import ctypes
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import scrapy

from archive_overhead import PROXY_VARIABLES, ROOT, big_site, stat
from compare_extractors import DEFAULT_CORPORA
from docspider.decode import decode_page
from docspider.demo.site import LISTING
from docspider.localserver import LocalServer, PageTable
from docspider.segment import segment_html
from docspider.segmentpool import default_workers
from segment_speed import baseline as lxml_text
from segment_speed import one_pass

SECTIONS = ("crawl", "segment", "memory", "reparse")
SIZES = {"crawl": (2000, 300), "segment": (4800, 600), "memory": (20000, 6000)}  # (default, quick)
TIMEOUT = 3600                  # seconds allowed to any one process
SAMPLE_EVERY = 0.5              # seconds between memory samples
RSS_POINT = 5000                # items: the memory section's first point
PR_SET_CHILD_SUBREAPER = 36
PYTHON = sys.executable
ENV = {k: v for k, v in os.environ.items()
       if k.lower() not in PROXY_VARIABLES and k != "SCRAPY_SETTINGS_MODULE"}
CRAWL_SETTINGS = {"CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                  "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "STATS_DUMP": True,
                  "LOG_LEVEL": "INFO"}
REPARSE_SETTINGS = {"STATS_DUMP": True, "LOG_LEVEL": "INFO"}

BARE_SPIDER = '''\
"""A bare Scrapy spider: from the start page, every same-host link to a /paper/ page and the
下一页 (next page) link of a listing; an item for each /paper/ page."""
from urllib.parse import urlsplit

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "INFO",
        "FEED_EXPORT_ENCODING": "utf-8",
    }

    async def start(self):
        yield scrapy.Request(self.start_url)

    def parse(self, response):
        here = urlsplit(response.url)
        if here.path.startswith("/paper/"):
            yield {"url": response.url, "len": len(response.body)}
        documents = [href for href in response.css("a::attr(href)").getall()
                     if urlsplit(response.urljoin(href)).path.startswith("/paper/")]
        next_page = response.xpath("//a[normalize-space()='下一页']/@href").getall()
        for href in documents + next_page:
            url = response.urljoin(href)
            if urlsplit(url).netloc == here.netloc:
                yield scrapy.Request(url)
'''

# A generic extractor's process: extract(data) over the files given, one JSON line each.
EXTRACT_LOOP = '''
import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            text = extract(f.read())
        out.write(json.dumps({"source": path, "text": text}, ensure_ascii=False) + "\\n")
'''
BARE = "bare Scrapy spider"
BASELINE_TOOL = "lxml parse+text"
GENERIC_TOOLS = {               # name: (module needed, code defining extract(data) -> str)
    BASELINE_TOOL: ("lxml", "from lxml import html\n"
                            "def extract(data):\n"
                            "    return html.document_fromstring(data).text_content()\n"),
    "resiliparse": ("resiliparse",
                    "from resiliparse.extract.html2text import extract_plain_text\n"
                    "from resiliparse.parse.encoding import bytes_to_str, detect_encoding\n"
                    "def extract(data):\n"
                    "    text = bytes_to_str(data, detect_encoding(data))\n"
                    "    return extract_plain_text(text, main_content=True)\n"),
    "trafilatura": ("trafilatura",
                    "import trafilatura\n"
                    "def extract(data):\n"
                    "    return trafilatura.extract(data, include_comments=False) or ''\n"),
}


# ---------------------------------------------------------------------------- measuring

@dataclass
class Run:
    wall: float                 # the whole process, start-up included
    cpu: float                  # user + system seconds of its process tree, start-up included
    log: str                    # its stdout and stderr


@dataclass
class Crawl:
    pages: int                  # responses
    elapsed: float              # elapsed_time_seconds of the stats dump
    wall: float
    cpu: float

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.pages * 1e3


@dataclass
class Headline:
    what: str
    figure: str
    target: str
    met: bool


def become_subreaper() -> None:
    """Orphaned descendants of a command (the forkserver and workers of a segmentation pool)
    become this process's children, so that reaping them adds their CPU to RUSAGE_CHILDREN."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")


def reap_orphans(timeout: float = 60) -> None:
    """Wait for every process a finished command left behind."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)
    raise SystemExit(f"processes left by a finished command still run after {timeout} s")


def cpu_used() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure(label: str, command: list[str], cwd: Path, log: Path,
            sample: Callable[[int], None] | None = None) -> Run:
    """Run `command` to its end, calling `sample(pid)` every SAMPLE_EVERY seconds if given;
    exits with the log's tail unless it succeeds."""
    cpu, start = cpu_used(), time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
        while proc.returncode is None:
            if time.perf_counter() - start > TIMEOUT:
                proc.kill()
                proc.wait()
                raise SystemExit(f"{label}: still running after {TIMEOUT} s")
            if sample is not None:
                sample(proc.pid)
            try:
                proc.wait(timeout=SAMPLE_EVERY)
            except subprocess.TimeoutExpired:
                pass
    wall = time.perf_counter() - start
    reap_orphans()
    text = log.read_text("utf-8", errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed (exit {proc.returncode}):\n{text[-4000:]}")
    return Run(wall, cpu_used() - cpu, text)


def interleaved(variants: dict[str, Callable[[int], object]], rounds: int) -> dict[str, list]:
    """Each variant's results, the variants taking turns round by round in an order reversed
    every other round; a variant is called with the round's number."""
    results: dict[str, list] = {name: [] for name in variants}
    names = list(variants)
    for n in range(rounds):
        for name in names if n % 2 == 0 else names[::-1]:
            results[name].append(variants[name](n))
    return results


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def spread(values: list[float], fmt: str = ".2f") -> str:
    """min / median / max."""
    return " / ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def ratios(over: list[float], under: list[float]) -> list[float]:
    """Round by round."""
    return [a / b for a, b in zip(over, under)]


def table(head: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


# ---------------------------------------------------------------------------- crawls

def settings_args(settings: dict) -> list[str]:
    return [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]


def docspider_command(url: str, work: Path, archive: bool, workers: int, feed: str) -> list[str]:
    """`scrapy crawl renrendoc` over the site at `url`, with its own state store and archive
    folder in `work`; `feed` is -O or -o to work/feed.jsonl."""
    return [PYTHON, "-m", "scrapy.cmdline", "crawl", "renrendoc", "-a", f"base_url={url}",
            feed, str(work / "feed.jsonl"),
            *settings_args({**CRAWL_SETTINGS, "DOCSPIDER_STATE": work / "state.sqlite",
                            "DOCSPIDER_ARCHIVE": archive, "DOCSPIDER_ARCHIVE_DIR": work / "warc",
                            "DOCSPIDER_SEGMENT_WORKERS": workers})]


def bare_command(url: str, work: Path, feed: str) -> list[str]:
    """The bare spider, written to `work` and run there, outside the project."""
    spider = work / "bare_spider.py"
    spider.write_text(BARE_SPIDER, encoding="utf-8")
    return [PYTHON, "-m", "scrapy.cmdline", "runspider", spider.name,
            "-a", f"start_url={url}{LISTING}", feed, "feed.jsonl"]


def checked(label: str, run: Run, feed: Path, pages: int, documents: int,
            stats: dict[str, int | None]) -> Crawl:
    """The crawl's figures; exits unless it fetched `pages`, emitted `documents` (each URL
    once) and has the given `stats` values (None: the stat is absent)."""
    elapsed = stat(run.log, "elapsed_time_seconds")
    fetched = stat(run.log, "downloader/response_count")
    if elapsed is None:
        raise SystemExit(f"{label}: no elapsed_time_seconds in the stats dump:\n{run.log[-4000:]}")
    if fetched != pages:
        raise SystemExit(f"{label}: {fetched} responses, expected {pages} (the whole site):\n"
                         f"{run.log[-4000:]}")
    lines = feed.read_bytes().splitlines() if feed.exists() else []
    if len(lines) != documents or len({json.loads(line)["url"] for line in lines}) != documents:
        raise SystemExit(f"{label}: {len(lines)} items, expected {documents} distinct documents")
    for key, value in stats.items():
        if stat(run.log, key) != value:
            raise SystemExit(f"{label}: stat {key} is {stat(run.log, key)}, expected {value}")
    if errors := [line for line in run.log.splitlines() if " ERROR: " in line]:
        progress(f"note: {label} logged {len(errors)} ERROR lines, the first: {errors[0]}")
    return Crawl(int(fetched), elapsed, run.wall, run.cpu)


class CrawlBench:
    """Crawls of one site, each in a new folder under `tmp`; with a `watch`, the crawl is
    sampled while it runs and its feed appended to (-o) rather than replaced (-O)."""

    def __init__(self, table: PageTable, url: str, tmp: Path):
        self.url, self.tmp = url, tmp
        self.pages = len(table.pages)                       # robots.txt, listings, documents
        self.documents = sum(path.startswith("/paper/") for _host, path in table.pages)

    def bare(self, watch: FeedWatch | None = None) -> Crawl:
        work = Path(tempfile.mkdtemp(prefix="bare-", dir=self.tmp))
        command = bare_command(self.url, work, "-o" if watch else "-O")
        run = measure(BARE, command, work, work / "log.txt",
                      watch.follow(work / "feed.jsonl") if watch else None)
        # robots.txt is not fetched (ROBOTSTXT_OBEY false)
        return crawl_progress(BARE, checked(BARE, run, work / "feed.jsonl", self.pages - 1,
                                            self.documents, {}))

    def docspider(self, archive: bool, workers: int, watch: FeedWatch | None = None
                  ) -> tuple[Crawl, Path]:
        """The crawl's figures and its folder."""
        label = docspider_label(archive, workers)
        work = Path(tempfile.mkdtemp(prefix="docspider-", dir=self.tmp))
        command = docspider_command(self.url, work, archive, workers, "-o" if watch else "-O")
        run = measure(label, command, ROOT, work / "log.txt",
                      watch.follow(work / "feed.jsonl") if watch else None)
        expected = {"docspider/archive/records": self.pages if archive else None,
                    "docspider/segment_workers": workers or None}
        crawl = checked(label, run, work / "feed.jsonl", self.pages, self.documents, expected)
        return crawl_progress(label, crawl), work


def docspider_label(archive: bool, workers: int) -> str:
    return f"docspider, archive {'on' if archive else 'off'}, workers {workers}"


def crawl_progress(name: str, crawl: Crawl) -> Crawl:
    progress(f"  {name}: {crawl.pages_per_s:6.1f} pages/s  crawl {crawl.elapsed:6.2f} s  "
             f"wall {crawl.wall:6.2f} s  cpu {crawl.cpu:6.2f} s")
    return crawl


# ---------------------------------------------------------------------------- sections

class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path):
        self.quick, self.rounds, self.tmp = args.quick, args.rounds, tmp
        self.warcs: list[Path] = []         # one archive-on crawl's, for the reparse section

    def size(self, section: str) -> int:
        return SIZES[section][self.quick]

    def crawl(self) -> list[Headline]:
        documents = self.size("crawl")
        workers = default_workers()
        if not workers:
            print("note: one core: no variant with segmentation workers\n")
        targets = {}                    # docspider variant: its target for pages/s ÷ bare
        with LocalServer(big_site(documents), tls=False) as server:
            bench = CrawlBench(server.table, server.url, self.tmp)
            variants = {BARE: lambda n: bench.bare()}
            for count in sorted({0, workers}):
                for archive in (False, True):
                    name = docspider_label(archive, count)
                    variants[name] = self.docspider_variant(bench, archive, count)
                    targets[name] = 0.85 if count else 0.60
            progress(f"crawl: {documents} documents ({bench.pages} pages), {self.rounds} rounds")
            results = interleaved(variants, self.rounds)
        bare = [c.pages_per_s for c in results[BARE]]
        rows, headlines = [], []
        for name, crawls in results.items():
            speed = ratios([c.pages_per_s for c in crawls], bare)
            rows.append([name, spread([c.pages_per_s for c in crawls], ".1f"),
                         spread([c.elapsed for c in crawls]), spread([c.wall for c in crawls]),
                         spread([c.cpu_ms for c in crawls], ".1f"), spread(speed)])
            if name in targets:
                median = statistics.median(speed)
                headlines.append(Headline(f"crawl pages/s ÷ bare ({name})", f"{median:.2f}",
                                          f"≥ {targets[name]:.2f}", median >= targets[name]))
        print(f"## crawl: {documents} documents, {bench.pages} pages served (the bare spider "
              f"skips robots.txt); {self.rounds} rounds; min / median / max\n")
        table(["crawl", "pages/s", "crawl s", "wall s", "CPU ms a page (start-up incl.)",
               "pages/s ÷ bare"], rows)
        return headlines

    def docspider_variant(self, bench: CrawlBench, archive: bool, workers: int):
        def run(n: int) -> Crawl:
            crawl, work = bench.docspider(archive, workers)
            if archive and not workers:
                self.warcs = sorted((work / "warc").glob("*.warc.gz"))
            return crawl
        return run

    def segment(self) -> list[Headline]:
        sources = [p for corpus in DEFAULT_CORPORA if corpus.is_dir()
                   for p in sorted(corpus.glob("*.html"))]
        if not sources:
            folders = ", ".join(map(str, DEFAULT_CORPORA))
            print(f"## segment: skipped, no .html pages in {folders}\n")
            return []
        files = copies(sources, self.size("segment"), self.tmp / "pages")
        tools = self.segment_tools(files)
        progress(f"segment: {len(files)} files from {len(sources)} pages, {self.rounds} rounds")
        runs = interleaved(tools, self.rounds)
        base = [r.wall for r in runs[BASELINE_TOOL]]
        rows = []
        for name, timed in runs.items():
            walls = [r.wall for r in timed]
            rows.append([name, spread(walls), f"{len(files) / statistics.median(walls):.0f}",
                         spread(ratios(walls, base))])
        print(f"## segment: {len(files)} files ({len(sources)} distinct pages copied under new "
              f"names), a fresh process each, start-up included; {self.rounds} rounds; "
              f"min / median / max\n")
        table(["tool", "wall s", "pages/s (median)", "time ÷ lxml parse+text"], rows)
        headlines = []
        if "trafilatura" in runs:
            traf = [r.wall for r in runs["trafilatura"]]
            for name in ("scrapy segment --jobs 1", "scrapy segment --jobs 2"):
                speed = ratios(traf, [r.wall for r in runs[name]])
                print(f"{name} speed ÷ trafilatura: {spread(speed)}")
                headlines.append(Headline(f"{name} speed ÷ trafilatura (process)",
                                          f"{statistics.median(speed):.2f}", "≥ 4",
                                          statistics.median(speed) >= 4))
            print()
        return headlines + self.segment_in_process(sources)

    def segment_tools(self, files: list[Path]) -> dict[str, Callable[[int], Run]]:
        tools = {}
        for name, (module, code) in GENERIC_TOOLS.items():
            if importlib.util.find_spec(module) is None:
                print(f"note: {name} is not installed, skipped (pip install -e '.[bench]')\n")
                continue
            command = [PYTHON, "-c", code + EXTRACT_LOOP, "{out}", *map(str, files)]
            tools[name] = self.tool(name, command, len(files))
        for jobs in ("--jobs 1", "--jobs 2"):
            name = f"scrapy segment {jobs}"
            command = [PYTHON, "-m", "scrapy.cmdline", "segment", *map(str, files),
                       *jobs.split(), "-O", "{out}"]
            tools[name] = self.tool(name, command, len(files), same_output=True)
        return tools

    def tool(self, name: str, command: list[str], files: int, same_output: bool = False
             ) -> Callable[[int], Run]:
        """A tool's run: its output has a line a file (`scrapy segment`: or a not_a_document
        note); with `same_output`, every such tool's output must be byte-identical."""
        def run(n: int) -> Run:
            work = Path(tempfile.mkdtemp(prefix="segment-", dir=self.tmp))
            out = work / "out.jsonl"
            result = measure(name, [str(out) if arg == "{out}" else arg for arg in command],
                             ROOT, work / "log.txt")
            lines = out.read_bytes().count(b"\n") + result.log.count(": not_a_document: ")
            if lines != files:
                raise SystemExit(f"{name}: {lines} lines and not_a_document notes for "
                                 f"{files} files")
            if same_output:
                same_as_first(name, out, self.tmp / "segment-output.jsonl")
            shutil.rmtree(work)
            progress(f"  {name}: wall {result.wall:6.2f} s  cpu {result.cpu:6.2f} s")
            return result
        return run

    def segment_in_process(self, sources: list[Path]) -> list[Headline]:
        pages = [decode_page(p.read_bytes(), is_html=True)[0] for p in sources]
        rounds = 3 * self.rounds
        passes = interleaved({BASELINE_TOOL: lambda n: one_pass(lxml_text, pages),
                              "segment_html": lambda n: one_pass(segment_html, pages),
                              WARM: lambda n: warm_pass(segment_html, pages)}, rounds)
        ms = {name: [t / len(pages) * 1e3 for t in times] for name, times in passes.items()}
        print(f"## segment in this process: {len(pages)} distinct pages, decoded beforehand, "
              f"caches cleared before each pass (the warm pass follows an untimed one); "
              f"{rounds} passes; min / median / max\n")
        table(["function", "ms a page", "time ÷ lxml parse+text"],
              [[name, spread(v, ".3f"), spread(ratios(v, ms[BASELINE_TOOL]))]
               for name, v in ms.items()])
        median = statistics.median(ms["segment_html"])
        return [Headline("segment_html ms a page (in process)", f"{median:.3f}", "≤ 0.60",
                         median <= 0.60)]

    def memory(self) -> list[Headline]:
        documents = self.size("memory")
        with LocalServer(big_site(documents), tls=False) as server:
            bench = CrawlBench(server.table, server.url, self.tmp)
            progress(f"memory: {documents} documents ({bench.pages} pages)")
            watches = {BARE: FeedWatch(), "docspider": FeedWatch()}
            bench.bare(watches[BARE])
            bench.docspider(archive=True, workers=0, watch=watches["docspider"])
        rows = [[name, *watch.row()] for name, watch in watches.items()]
        print(f"## memory: one crawl each of {documents} documents ({bench.pages} pages); "
              f"docspider with workers 0, state store and archive on; VmRSS sampled every "
              f"{SAMPLE_EVERY} s\n")
        table(["crawl", f"RSS MB at ~{RSS_POINT} items", "RSS MB at the end", "growth MB",
               "KB a page", "peak MB"], rows)
        growth = watches["docspider"].growth()
        return [Headline(f"docspider RSS growth from {RSS_POINT} items to the end ({documents})",
                         f"{growth / 1024:.1f} MB", "≤ 10 MB", growth <= 10 * 1024)]

    def reparse(self) -> list[Headline]:
        documents = self.size("crawl")
        if not self.warcs:
            with LocalServer(big_site(documents), tls=False) as server:
                progress(f"reparse: crawling {documents} documents for WARC files")
                _crawl, work = CrawlBench(server.table, server.url, self.tmp).docspider(True, 0)
            self.warcs = sorted((work / "warc").glob("*.warc.gz"))
        progress(f"reparse: {len(self.warcs)} WARC files, {self.rounds} rounds")
        runs = interleaved({f"--jobs {jobs}": self.reparse_run(jobs, documents)
                            for jobs in (1, 2)}, self.rounds)
        rows = [[name, spread([r.wall for r in timed]),
                 spread([stat(r.log, "elapsed_time_seconds") for r in timed]),
                 spread([r.cpu for r in timed])] for name, timed in runs.items()]
        speedup = ratios([r.wall for r in runs["--jobs 1"]], [r.wall for r in runs["--jobs 2"]])
        print(f"## reparse: {documents} documents from {len(self.warcs)} WARC files; "
              f"{self.rounds} rounds; min / median / max; outputs byte-identical\n")
        table(["scrapy reparse", "wall s", "crawl s", "CPU s"], rows)
        print(f"speed-up of --jobs 2 (wall, start-up included): {spread(speedup)}\n")
        median = statistics.median(speedup)
        return [Headline("reparse --jobs 2 speed-up over --jobs 1", f"{median:.2f}x", "≥ 1.7x",
                         median >= 1.7)]

    def reparse_run(self, jobs: int, documents: int) -> Callable[[int], Run]:
        def run(n: int) -> Run:
            work = Path(tempfile.mkdtemp(prefix="reparse-", dir=self.tmp))
            out = work / "out.jsonl"
            command = [PYTHON, "-m", "scrapy.cmdline", "reparse", *map(str, self.warcs),
                       "--jobs", str(jobs), "-O", str(out),
                       *settings_args(REPARSE_SETTINGS)]
            result = measure(f"reparse --jobs {jobs}", command, ROOT, work / "log.txt")
            lines = out.read_bytes().count(b"\n")
            if lines != documents:
                raise SystemExit(f"reparse --jobs {jobs}: {lines} items, expected {documents}")
            same_as_first(f"reparse --jobs {jobs}", out, self.tmp / "reparse-output.jsonl")
            progress(f"  reparse --jobs {jobs}: wall {result.wall:6.2f} s  cpu {result.cpu:6.2f} s")
            return result
        return run


def same_as_first(label: str, out: Path, first: Path) -> None:
    """Keeps the first run's output as `first`; exits unless `out` is byte-identical to it."""
    if not first.exists():
        shutil.copyfile(out, first)
    elif first.read_bytes() != out.read_bytes():
        raise SystemExit(f"{label}: output differs from the earlier runs'")


WARM = "segment_html, pages seen before"


def warm_pass(func: Callable, pages: list[str]) -> float:
    """Seconds for a pass over pages `func` has just seen: its memos hold every short line, as
    they hold a site's chrome (not its documents' lines) during a crawl."""
    one_pass(func, pages)
    start = time.perf_counter()
    for page in pages:
        func(page)
    return time.perf_counter() - start


def copies(sources: list[Path], count: int, folder: Path) -> list[Path]:
    """`count` files in `folder`, copies of `sources` in turn under new names."""
    folder.mkdir()
    files = []
    for i in range(count):
        source = sources[i % len(sources)]
        files.append(folder / f"{i:05d}-{source.name}")
        shutil.copyfile(source, files[-1])
    return files


@dataclass
class Sample:
    rss_kb: int
    items: int                  # lines of the feed so far


class FeedWatch:
    """Samples of a running crawl: its VmRSS and the lines written so far to its feed (read on
    from where the last sample stopped; docspider writes `feed.jsonl.part`, renamed at the end,
    the bare spider `feed.jsonl`)."""

    def __init__(self):
        self.samples: list[Sample] = []
        self.paths: list[Path] = []
        self.read = self.items = 0

    def follow(self, feed: Path) -> FeedWatch:
        self.paths = [feed.with_name(feed.name + ".part"), feed]
        return self

    def __call__(self, pid: int) -> None:
        if (rss := vm_rss(pid)) is not None:
            self.samples.append(Sample(rss, self.count()))

    def count(self) -> int:
        for path in self.paths:
            try:
                with path.open("rb") as f:
                    f.seek(self.read)
                    data = f.read()
            except FileNotFoundError:
                continue
            self.read += len(data)
            self.items += data.count(b"\n")
            break
        return self.items

    def points(self) -> tuple[Sample, Sample]:
        """The first sample at RSS_POINT items or more, and the last one."""
        first = next((s for s in self.samples if s.items >= RSS_POINT), None)
        if first is None:
            raise SystemExit(f"memory: no sample at {RSS_POINT} items or more")
        return first, self.samples[-1]

    def growth(self) -> int:
        first, last = self.points()
        return last.rss_kb - first.rss_kb

    def row(self) -> list[str]:
        first, last = self.points()
        return [f"{first.rss_kb / 1024:.1f} ({first.items} items)",
                f"{last.rss_kb / 1024:.1f} ({last.items} items)",
                f"{self.growth() / 1024:+.1f}",
                f"{self.growth() / max(last.items - first.items, 1):+.2f}",
                f"{max(s.rss_kb for s in self.samples) / 1024:.1f}"]


def vm_rss(pid: int) -> int | None:
    """KB, or None once the process has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return None


# ---------------------------------------------------------------------------- the run

def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    return (f"{model}, {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), "
            f"Python {platform.python_version()}, Scrapy {scrapy.__version__}")


def commit() -> str:
    """The checked-out commit, and whether tracked files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    modified = git("status", "--porcelain", "--untracked-files=no")
    return (git("rev-parse", "--short", "HEAD") or "?") + (" (modified)" if modified else "")


def sections(value: str) -> list[str]:
    chosen = [name.strip() for name in value.split(",") if name.strip()]
    if unknown := [name for name in chosen if name not in SECTIONS]:
        raise argparse.ArgumentTypeError(f"unknown section {', '.join(unknown)}; "
                                         f"known: {', '.join(SECTIONS)}")
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller workloads")
    ap.add_argument("--only", type=sections, default=list(SECTIONS),
                    help=f"comma-separated sections, from: {', '.join(SECTIONS)}")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of each variant (default 3)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    sys.stdout.reconfigure(line_buffering=True)         # tables and progress in order
    become_subreaper()
    load, start_commit = os.getloadavg()[0], commit()
    headlines: list[Headline] = []
    with tempfile.TemporaryDirectory(prefix="docspider-bench-") as tmp:
        bench = Bench(args, Path(tmp))
        for section in SECTIONS:
            if section in args.only:
                headlines += getattr(bench, section)()
    print("## headline figures (medians of the rounds)\n")
    table(["what", "figure", "target", "met?"],
          [[h.what, h.figure, h.target, "yes" if h.met else "no"] for h in headlines])
    end_commit = commit()
    print(f"machine: {machine()}; 1-minute load average {load:.2f} at the start, "
          f"{os.getloadavg()[0]:.2f} at the end")
    print(f"commit: {start_commit}" + (f" at the start, {end_commit} at the end"
                                       if end_commit != start_commit else ""))


if __name__ == "__main__":
    main()
