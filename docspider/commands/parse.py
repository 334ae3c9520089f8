"""`scrapy parse --spider NAME URL`: parse one page with a document spider and print what it gives.

Without ``-c``/``--rules`` the page is fetched with the spider's own request (``request(URL,
depth=0)``: its callback, errback and meta, as a crawl makes it), and the spider gets ``urls=URL``
unless ``-a urls=`` says otherwise: the page is parsed as ``scrapy crawl NAME -a urls=URL``
would parse it, so a document gives its item and no related-link requests unless ``-a
follow=1``. ``-c CALLBACK`` works as in Scrapy (the callbacks' ``depth`` defaults to 0). No state
store, archive or feed is written (docspider.tools); ``-o FILE`` still writes FILE.
"""
from __future__ import annotations

import argparse

from scrapy import Request, Spider
from scrapy.commands.parse import Command as ScrapyParseCommand

from docspider.spiders.base import DocumentSpider
from docspider.tools import LeaveNothing


class Command(LeaveNothing, ScrapyParseCommand):
    def own_request(self, opts: argparse.Namespace) -> bool:
        """Whether the page is fetched with the spider's own request."""
        return (self.spidercls is not None and issubclass(self.spidercls, DocumentSpider)
                and not (opts.callback or opts.rules))

    def start_parsing(self, url: str, opts: argparse.Namespace) -> None:
        if self.own_request(opts):
            opts.spargs.setdefault("urls", url)
        super().start_parsing(url, opts)

    def prepare_request(self, spider: Spider, request: Request,
                        opts: argparse.Namespace) -> Request:
        if self.own_request(opts):
            request = spider.request(request.url, depth=0)
        return super().prepare_request(spider, request, opts)
