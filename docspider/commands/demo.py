"""`scrapy demo`: crawl the bundled demo site offline and summarise what came out.

Starts the demo site (:mod:`docspider.demo.site`) on 127.0.0.1 on a free port, runs the real
`renrendoc` spider against it with ``base_url`` (its uploader list, the 下一页 pager, the
related links), writes ``output/demo/<time>.jsonl`` through the normal feed and pipelines, the
fetched pages to ``output/demo/archive/``, its run record to ``output/demo/runs/`` and the
run's report to ``output/demo/report.html`` (nothing outside ``output/demo/``), prints a summary
and stops the server. Exit status 1 when the crawl
produced no item, else as for `scrapy crawl`.
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.settings import SETTINGS_PRIORITIES

from docspider.crawlstats import EXIT_FAILED, CrawlSummary, exit_status
from docspider.demo.site import demo_site
from docspider.commands.report import write_whole
from docspider.localserver import LocalServer
from docspider.report import Thresholds, load_runs, render
from docspider.runrecord import RunRecord

SPIDER = "renrendoc"


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_LEVEL": "INFO", "AUTOTHROTTLE_START_DELAY": 0.5}
    # The site is local: no politeness delay. Its port changes every run, so a state store
    # would see every page as a new URL. These override the project's settings (a command's
    # defaults do not), unless given with -s.
    # Everything it writes is under output/demo/, apart from the user's crawls.
    demo_settings = {"DOWNLOAD_DELAY": 0, "DOCSPIDER_STATE": "",
                     "DOCSPIDER_ARCHIVE_DIR": "output/demo/archive",
                     "DOCSPIDER_RUNS_DIR": "output/demo/runs/%(name)s",
                     "DOCSPIDER_RUN_COMMAND": "demo", "REDIS_URL": ""}

    def short_desc(self) -> str:
        return "Crawl the bundled demo site on 127.0.0.1 (no network needed) and summarise it"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S")
        self.feed = Path("output", "demo", f"{stamp}.jsonl")
        self.settings.set("FEEDS", {str(self.feed): {"format": "jsonlines"}}, priority="cmdline")
        for name, value in self.demo_settings.items():
            if self.settings.getpriority(name) < SETTINGS_PRIORITIES["cmdline"]:
                self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        started = time.monotonic()
        with LocalServer(demo_site(), tls=False) as server:
            crawler = self.crawler_process.create_crawler(SPIDER)
            self.crawler_process.crawl(crawler, base_url=server.url)
            self.crawler_process.start()
        summary = CrawlSummary.from_stats(crawler.stats.get_stats())
        documents = sum(summary.items.values())
        print(f"demo: crawled the demo site at {server.url} with `scrapy crawl {SPIDER}` "
              f"in {time.monotonic() - started:.1f} s")
        print(f"  {documents} documents, {summary.pages} excerpt pages, "
              f"{summary.related} related titles, {summary.disclaimer} disclaimer lines")
        print(f"  skipped pages: {sum(summary.skipped.values())}")
        print(f"  output: {self.feed if self.feed.exists() else '(none written)'}")
        print(f"  archive: {crawler.stats.get_value('docspider/archive/records', 0)} responses "
              f"in {self.settings['DOCSPIDER_ARCHIVE_DIR']}/")
        if (record := crawler.get_extension(RunRecord)) is not None and record.record:
            print(f"  run record: {record.path}")
            report = Path("output", "demo", "report.html")
            write_whole(report, render(load_runs([record.path]),
                                       Thresholds.from_settings(self.settings)))
            print(f"  report: {report}")
        if self.crawler_process.bootstrap_failed or not documents:
            self.exitcode = EXIT_FAILED
        else:
            self.exitcode = exit_status(crawler.stats.get_stats())
