"""`scrapy check`: every spider's contracts (docspider.contracts), on its fixture pages, offline.

While the contracts run, every request of the check — the sample pages, robots.txt — goes through
the local replay server (docspider.localserver) on 127.0.0.1, which serves the fixture pages
(``--fixtures DIR``, by default tests/fixtures/site of the project) at their real URLs: the
spiders parse the URLs they would crawl, and nothing else is fetched. A sample page without a
fixture is a 404, and its contract fails. No state store, archive or feed is written
(docspider.tools).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.commands.check import Command as ScrapyCheckCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import closest_scrapy_cfg
from scrapy.utils.misc import set_environ

from docspider.localserver import LocalServer, PageTable
from docspider.tools import LOCAL_SERVER, LeaveNothing

FIXTURES = Path("tests", "fixtures", "site")


class Command(LeaveNothing, ScrapyCheckCommand):
    # a fixture is there or not: a retry changes nothing, it only delays the answer
    tool_settings = {**LOCAL_SERVER, "RETRY_ENABLED": False}

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--fixtures", metavar="DIR", type=Path,
                            default=Path(closest_scrapy_cfg()).parent / FIXTURES,
                            help="serve the pages saved as DIR/<host>/<path> "
                                 "(default: %(default)s)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if not opts.list and not opts.fixtures.is_dir():
            raise UsageError(f"no fixture folder {opts.fixtures} (--fixtures DIR)",
                             print_help=False)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if opts.list:
            super().run(args, opts)
            return
        with LocalServer(PageTable.from_directory(opts.fixtures)) as server, \
                set_environ(http_proxy=server.url, https_proxy=server.url, no_proxy="",
                            all_proxy=""):
            super().run(args, opts)
