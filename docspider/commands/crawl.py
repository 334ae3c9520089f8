"""`scrapy crawl` with docspider's argument check: a bad `-a` argument stops the crawl before
it starts with a one-line error (exit status 2) instead of a traceback from the running crawl."""
from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            spidercls = self.crawler_process.spider_loader.load(args[0])
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                try:
                    check(**opts.spargs)
                except UsageError as exc:
                    print(f"crawl {args[0]}: {exc}", file=sys.stderr)
                    self.exitcode = 2
                    return
        super().run(args, opts)
