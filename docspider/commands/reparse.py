"""`scrapy reparse WARC...`: rebuild items from archived pages, with no network.

Runs the spider that made the WARC files (named in their warcinfo record; ``--spider`` to
choose another) over every archived page that was fetched with status 200, through the same
parsing, segmentation, pipelines and feeds as a crawl, with downloads answered from the files
(:mod:`docspider.replay`). A WACZ package given in place of WARC files stands for the WARC
files inside it. Items go to ``-o`` / ``-O FILE`` or the default feed. After a segmentation
improvement, reparse instead of crawling again.

Items equal those of the crawl that wrote the files: ``fetched_at`` is the archived fetch
time and ``archive`` the same record — from a WACZ, that record inside the package: ``file``
is ``PACKAGE.wacz#archive/NAME.warc.gz``, ``offset`` and ``length`` unchanged. ``change`` is
computed afresh over the given files in order (an empty state, like a first crawl): reparsing
a first crawl gives its `new` / `mirror` marks back; files of several runs give each archived
URL once, from its latest record.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError
from warcio.exceptions import ArchiveLoadFailed

from docspider.crawlstats import exit_status
from docspider.replay import archived_pages, warc_files, warcinfo
from docspider.segmentpool import jobs_option

REPLAY = "docspider.replay.WarcReplayHandler"


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] WARC|WACZ [WARC|WACZ ...]"

    def short_desc(self) -> str:
        return "Rebuild items from archived pages (WARC files, WACZ packages) with no network"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--spider", metavar="NAME",
                            help="the spider to parse with (default: the one that crawled)")
        parser.add_argument("-j", "--jobs", metavar="N", type=jobs_option,
                            help="segment in N worker processes (1: in this process; default: "
                                 "DOCSPIDER_SEGMENT_WORKERS); items keep the archive's order")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if not args:
            raise UsageError("give at least one WARC or WACZ file")
        for path in args:
            if not Path(path).is_file():
                raise UsageError(f"not a file: {path}")
        paths = [str(Path(p)) for p in args]
        try:
            self.spider_name = opts.spider or self.crawled_by(paths)
            urls = list(archived_pages(paths))
        except ArchiveLoadFailed as exc:
            raise UsageError(f"not a WARC file: {exc}") from None
        if not urls:
            raise UsageError("no archived page with status 200 in the given files")
        self.url_file = tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8",
                                                    delete=False)
        self.url_file.write("".join(f"{url}\n" for url in urls))
        self.url_file.close()
        self.settings.setdict({
            "DOWNLOAD_HANDLERS": {"http": REPLAY, "https": REPLAY},
            "DOCSPIDER_REPLAY_WARCS": paths,
            "DOCSPIDER_ARCHIVE": False,         # the pages are archived already
            "DOCSPIDER_STATE": ":memory:",      # marks computed afresh, the user's state untouched
            "ROBOTSTXT_OBEY": False,            # the crawl obeyed it; nothing is fetched now
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,                # no site to be polite to
            # one page at a time, first in first out: items come in archive order
            "CONCURRENT_REQUESTS": 1,
            "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
            "DOCSPIDER_RUN_COMMAND": "reparse",
            "REDIS_URL": "",                    # offline, alone: never a distributed crawl's
        }, priority="cmdline")
        if opts.jobs is not None:
            self.settings.set("DOCSPIDER_SEGMENT_WORKERS", opts.jobs if opts.jobs > 1 else 0,
                              priority="cmdline")
        opts.spargs["urls"] = f"@{self.url_file.name}"

    @staticmethod
    def crawled_by(paths: list[str]) -> str:
        names = {warcinfo(warc).get("docspider-spider")
                 for path in paths for warc in warc_files(path)}
        if len(names) != 1 or None in names:
            raise UsageError("cannot tell which spider crawled these files (warcinfo "
                             f"docspider-spider: {sorted(map(str, names))}); use --spider NAME")
        return names.pop()

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        crawler = self._create_crawler(self.spider_name)
        try:
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            Path(self.url_file.name).unlink(missing_ok=True)
        self.exitcode = 1 if self.crawler_process.bootstrap_failed else \
            exit_status(crawler.stats.get_stats())
