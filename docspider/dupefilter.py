"""The duplicate filter (``DUPEFILTER_CLASS``): each page once per crawl, retries always.

Requests are told apart by Scrapy's request fingerprint and remembered (`RunRequests.seen`) in
the state store's temporary tables, or in memory when the state store is off. A request Scrapy
retries (``retry_times`` in its meta, including soft-block retries) always passes. Unlike
Scrapy's `RFPDupeFilter` nothing is kept in ``JOBDIR``: what a stopped crawl did not finish is
in the state store's frontier.

A document request that passes enters the frontier here. Scrapy's `request_scheduled` signal
is too early for that: it is sent before the duplicate check, so a link to a document this
crawl has emitted already would put it back into the frontier.
"""
from __future__ import annotations

import logging

from scrapy.dupefilters import BaseDupeFilter

from docspider.crawlstate import prepare
from docspider.state import RunRequests, StateStore
from docspider.writes import change_state

logger = logging.getLogger(__name__)


class StateDupeFilter(BaseDupeFilter):
    def __init__(self, crawler, seen: RunRequests | StateStore, store: StateStore | None):
        self.crawler = crawler
        self.seen = seen
        self.store = store
        self.fingerprinter = crawler.request_fingerprinter

    @classmethod
    def from_crawler(cls, crawler):
        prepared = prepare(crawler.settings, crawler.spidercls.name)
        if prepared is None:
            return cls(crawler, RunRequests(), None)
        return cls(crawler, prepared.store, prepared.store)

    def request_seen(self, request) -> bool:
        if request.meta.get("retry_times"):
            return False
        if change_state(self.crawler, self.seen.seen,
                        self.fingerprinter.fingerprint(request).hex()):
            return True
        if self.store is not None and request.meta.get("docspider_kind") == "document":
            change_state(self.crawler, self.store.schedule, request.url,
                         request.cb_kwargs.get("depth", 0))
        return False

    def log(self, request, spider) -> None:
        logger.debug("filtered duplicate request %s", request)
        self.crawler.stats.inc_value("dupefilter/filtered")
