"""The change decision of incremental crawls: `new`, `changed` or `mirror`, or not emitted.

`ChangePipeline` runs after validation. Against the state store it marks each item `new`,
`changed` (same URL, other `content_hash`) or `mirror` (a new URL whose text another document
already has, named in `mirror_of`), and drops an unchanged one with `Unchanged` (which
:mod:`docspider.crawlstate` records as fetched). It records nothing itself: a document is
recorded only once its line is written. `NotConfigured` when the state store is off.
"""
from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy import signals

from docspider.crawlstate import Unchanged, state_store
from docspider.signals import page_skipped
from docspider.writes import change_state


class ChangePipeline:
    def __init__(self, crawler, store):
        self.crawler = crawler
        self.store = store
        self.pending: dict[str, str] = {}       # decided `new`, not yet written: hash -> url
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, state_store(crawler))

    def process_item(self, item):
        adapter = ItemAdapter(item)
        url, digest = adapter.get("url"), adapter.get("content_hash")
        if not url:
            return item
        known = self.store.lookup(url)
        stats = self.crawler.stats
        if known is not None and known.content_hash == digest:
            stats.inc_value("docspider/skipped/unchanged")
            self.crawler.signals.send_catch_log(page_skipped, url=url, reason="unchanged")
            raise Unchanged(f"unchanged since {known.fetched_at}: {url}", log_level="DEBUG")
        if known is not None:
            change, original = "changed", None
        else:
            original = digest and (self.pending.get(digest)
                                   or self.store.first_with_hash(digest, url))
            change = "mirror" if original else "new"
        adapter["change"], adapter["mirror_of"] = change, original or None
        if digest and change == "new":
            self.pending[digest] = url
        stats.inc_value(f"docspider/change/{change}")
        change_state(self.crawler, self.store.emitting, url, adapter["fetched_at"])
        return item

    def item_scraped(self, item, response, spider) -> None:
        self.pending.pop(ItemAdapter(item).get("content_hash") or "", None)
