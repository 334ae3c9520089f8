"""Learning each host's own boilerplate during a crawl, and keeping it between crawls.

`LearnedBoilerplate` (extension; `NotConfigured` when ``DOCSPIDER_LEARN_BOILERPLATE`` is off)
holds a :class:`~docspider.segment.boilerplate.HostLines` for the crawl: the spider asks it
for a host's learned lines before it segments a page and tells it the page's lines after.
A line counts as the host's boilerplate once it was on ``DOCSPIDER_BOILERPLATE_MIN_PAGES``
pages and on ``DOCSPIDER_BOILERPLATE_MIN_SHARE`` of the host's pages. With a state store, a
host's counts are loaded the first time the crawl meets it and kept when the crawl closes, so
a later crawl starts from what earlier ones learned.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet

from scrapy import signals
from scrapy.exceptions import NotConfigured

from docspider.crawlstate import prepare
from docspider.segment.boilerplate import HostLines
from docspider.state import StateStore
from docspider.writes import change_state


class LearnedBoilerplate:
    def __init__(self, crawler, store: StateStore | None):
        settings = crawler.settings
        self.crawler = crawler
        self.store = store
        self.lines = HostLines(settings.getint("DOCSPIDER_BOILERPLATE_MIN_PAGES"),
                               settings.getfloat("DOCSPIDER_BOILERPLATE_MIN_SHARE"))
        self.loaded: set[str] = set()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("DOCSPIDER_LEARN_BOILERPLATE"):
            raise NotConfigured
        prepared = prepare(crawler.settings, crawler.spidercls.name)
        return cls(crawler, prepared.store if prepared else None)

    def learned(self, host: str) -> AbstractSet[str]:
        if host not in self.loaded:
            self.loaded.add(host)
            if self.store is not None:
                self.lines.load(host, *self.store.boilerplate(host))
        return self.lines.learned(host)

    def observe(self, host: str, keys) -> None:
        self.lines.observe(host, keys)

    def spider_closed(self, spider) -> None:
        if self.store is None:
            return
        for host in self.loaded:
            change_state(self.crawler, self.store.keep_boilerplate, host,
                         *self.lines.snapshot(host))
