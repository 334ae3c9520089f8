"""`scrapy crawl` with docspider's checks before the crawl and an exit status after it.

Before anything is fetched: a bad `-a` argument, a state store another crawl holds, a damaged
state store or a stopped crawl's feed that cannot be recovered stop the crawl with one line
`crawl NAME: <reason>` on stderr and exit status 2. After the crawl the exit status says how it
went (:func:`docspider.crawlstats.exit_status`): 1 when a write failed or pages failed after
their retries.
"""
from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from docspider.crawlstate import prepare
from docspider.crawlstats import exit_status
from docspider.feedstorage import FeedNotRecoverable
from docspider.segmentpool import workers_setting
from docspider.state import StateError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or self.crawler_process is None:
            super().run(args, opts)
            return
        name = args[0]
        spidercls = self.crawler_process.spider_loader.load(name)
        try:
            if (check := getattr(spidercls, "check_arguments", None)) is not None:
                check(**opts.spargs)
            settings = self.settings.copy()         # as the crawler will have them
            spidercls.update_settings(settings)
            workers_setting(settings.get("DOCSPIDER_SEGMENT_WORKERS"))
            prepare(settings, name)
        except (UsageError, StateError, FeedNotRecoverable) as exc:
            print(f"crawl {name}: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        crawler = self._create_crawler(name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        else:
            self.exitcode = exit_status(crawler.stats.get_stats())
