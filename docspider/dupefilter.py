"""The duplicate filter (``DUPEFILTER_CLASS``): each page once per crawl, retries always.

Requests are told apart by Scrapy's request fingerprint and remembered in the state store's
seen set (`StateStore.seen`), or in memory when the state store is off. A request Scrapy
retries (``retry_times`` in its meta, including soft-block retries) always passes. Unlike
Scrapy's `RFPDupeFilter` nothing is kept in ``JOBDIR``: what a stopped crawl did not finish is
in the state store's frontier.
"""
from __future__ import annotations

import logging

from scrapy.dupefilters import BaseDupeFilter

from docspider.crawlstate import prepare
from docspider.state import SeenKeys

logger = logging.getLogger(__name__)


class StateDupeFilter(BaseDupeFilter):
    def __init__(self, crawler, store):
        self.crawler = crawler
        self.store = store
        self.fingerprinter = crawler.request_fingerprinter

    @classmethod
    def from_crawler(cls, crawler):
        prepared = prepare(crawler.settings, crawler.spidercls.name)
        return cls(crawler, prepared.store if prepared else SeenKeys())

    def request_seen(self, request) -> bool:
        if request.meta.get("retry_times"):
            return False
        return self.store.seen(self.fingerprinter.fingerprint(request).hex())

    def log(self, request, spider) -> None:
        logger.debug("filtered duplicate request %s", request)
        self.crawler.stats.inc_value("dupefilter/filtered")
