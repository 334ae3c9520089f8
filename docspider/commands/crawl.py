"""`scrapy crawl` with docspider's checks before the crawl and an exit status after it.

Before anything is fetched: a bad `-a` argument, a state store another crawl holds, a damaged
state store or a stopped crawl's feed that cannot be recovered stop the crawl with one line
`crawl NAME: <reason>` on stderr and exit status 2. After the crawl the exit status says how it
went (:func:`docspider.crawlstats.exit_status`): 1 when a write failed or pages failed after
their retries, 3 when nothing could be fetched. An unknown spider is a usage error too.
"""
from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from docspider.crawlstate import prepare
from docspider.crawlstats import EXIT_FAILED, EXIT_USAGE, exit_status
from docspider.feedstorage import FeedNotRecoverable
from docspider.segmentpool import workers_setting
from docspider.state import StateError
from docspider.waczfile import WaczError, require_wacz


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Checked before the crawler process starts (and logs its preamble), so that a usage
        error is one line."""
        super().process_options(args, opts)
        if len(args) != 1:
            return
        name = args[0]
        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(name)
        except KeyError:
            usage_error(name, f"no such spider (known: {', '.join(sorted(loader.list()))})")
        try:
            settings = self.settings.copy()         # as the crawler will have them
            spidercls.update_settings(settings)
            if (check := getattr(spidercls, "check_arguments", None)) is not None:
                urls = check(**opts.spargs)[0]
                spidercls.check_seeds(settings, urls)
            workers_setting(settings.get("DOCSPIDER_SEGMENT_WORKERS"))
            if settings.getbool("DOCSPIDER_WACZ"):
                require_wacz()
            prepare(settings, name)
        except (UsageError, StateError, FeedNotRecoverable, WaczError) as exc:
            usage_error(name, str(exc))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or self.crawler_process is None:
            super().run(args, opts)
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
        else:
            self.exitcode = exit_status(crawler.stats.get_stats())


def usage_error(name: str, reason: str) -> NoReturn:
    print(f"crawl {name}: {reason}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)
