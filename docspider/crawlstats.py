"""The crawl summary: docspider's own stats, grouped, and logged when a crawl closes.

The counters themselves are plain Scrapy stats (`docspider/...`, see README) written by the
spiders and pipelines, so `-s STATS_DUMP=True` and any stats consumer see them too.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from itemadapter import ItemAdapter
from scrapy import signals

from docspider import writes

logger = logging.getLogger(__name__)


@dataclass
class CrawlSummary:
    items: dict[str, int] = field(default_factory=dict)      # per site
    empty_excerpt: int = 0
    pages: int = 0
    related: int = 0
    disclaimer: int = 0
    skipped: dict[str, int] = field(default_factory=dict)    # per reason
    failed: dict[str, int] = field(default_factory=dict)     # per reason, after retries
    changes: dict[str, int] = field(default_factory=dict)    # new / changed / mirror

    @classmethod
    def from_stats(cls, stats: dict) -> CrawlSummary:
        def group(prefix: str) -> dict[str, int]:
            return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}
        return cls(items=group("docspider/items/"),
                   empty_excerpt=stats.get("docspider/items_empty_excerpt", 0),
                   pages=stats.get("docspider/parts/pages", 0),
                   related=stats.get("docspider/parts/related", 0),
                   disclaimer=stats.get("docspider/parts/disclaimer", 0),
                   skipped=group("docspider/skipped/"),
                   failed=group("docspider/failed/"),
                   changes=group("docspider/change/"))

    def lines(self) -> list[str]:
        def listed(counts: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"
        return [
            f"items: {sum(self.items.values())} ({listed(self.items)})",
            f"parts: {self.pages} excerpt pages, {self.related} related, "
            f"{self.disclaimer} disclaimer; {self.empty_excerpt} items with no excerpt",
            f"skipped pages: {sum(self.skipped.values())} ({listed(self.skipped)})",
            f"failed pages, fetched again next run: {sum(self.failed.values())} "
            f"({listed(self.failed)})",
            f"documents: {listed(self.changes)}",
        ]


def exit_status(stats: dict) -> int:
    """The exit status of a finished crawl: 1 when a write failed or pages failed after their
    retries (they are fetched again by the next run), else 0."""
    if stats.get("finish_reason") == "write_failed" or writes.STAT in stats or \
            any(k.startswith("docspider/failed/") for k in stats):
        return 1
    return 0


class LogCrawlSummary:
    """Extension: count what the written items hold, log the crawl summary when the spider
    closes."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.stats)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item, spider) -> None:
        adapter = ItemAdapter(item)
        stats = self.stats
        stats.inc_value(f"docspider/items/{adapter.get('site') or 'unknown'}")
        pages = ItemAdapter(adapter["excerpt"])["pages"]
        if not pages:
            stats.inc_value("docspider/items_empty_excerpt")
        stats.inc_value("docspider/parts/pages", len(pages))
        stats.inc_value("docspider/parts/related", len(adapter["related"]))
        stats.inc_value("docspider/parts/disclaimer", len(adapter["disclaimer"]))

    def spider_closed(self, spider, reason):
        summary = CrawlSummary.from_stats(self.stats.get_stats())
        logger.info("crawl summary (%s):\n  %s", reason, "\n  ".join(summary.lines()))
