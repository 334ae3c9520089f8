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


#: How many after-run monitors failed (docspider.monitors).
MONITORS_FAILED_STAT = "docspider/monitors_failed"

#: Exit statuses of `scrapy crawl`, `scrapy reparse` and `scrapy demo` (README, *Exit status*).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOTHING_FETCHED = 0, 1, 2, 3


def _answered(stats: dict, prefix: str) -> int:
    return sum(count for key, count in stats.items()
               if key.startswith(prefix) and key[len(prefix):][:1] in ("2", "3"))


def pages_fetched(stats: dict) -> int:
    """Responses with a 2xx or 3xx status (304 Not Modified and redirects included),
    robots.txt not counted."""
    return (_answered(stats, "downloader/response_status_count/")
            - _answered(stats, "robotstxt/response_status_count/"))


def nothing_fetched(stats: dict) -> bool:
    """Whether the crawl asked for pages and none was answered but with an error: the site is
    down, unreachable or gone. A run that asked for nothing (every document known and not
    due, or a worker of a distributed crawl that only met known documents) is not such a run:
    a known document's request is counted by Scrapy but never sent."""
    asked = stats.get("downloader/request_count", 0) - stats.get("robotstxt/request_count", 0) \
        - stats.get("docspider/skipped/known", 0)
    return asked > 0 and pages_fetched(stats) == 0


def run_counts(stats: dict) -> dict:
    """The run record's `counts` (docspider/schema/run.schema.json) from a run's stats."""
    summary = CrawlSummary.from_stats(stats)
    return {
        "requests": stats.get("downloader/request_count", 0),
        "responses": stats.get("downloader/response_count", 0),
        "pages_fetched": pages_fetched(stats),
        "items": sum(summary.items.values()),
        "status_codes": {key.rsplit("/", 1)[1]: count for key, count in sorted(stats.items())
                         if key.startswith("downloader/response_status_count/")},
        "skipped": summary.skipped,
        "failed": summary.failed,
        "changes": summary.changes,
    }


def exit_status(stats: dict) -> int:
    """The exit status of a finished crawl: 3 when nothing could be fetched; 1 when a write
    failed, pages failed after their retries (they are fetched again by the next run) or an
    after-run monitor failed; else 0."""
    if nothing_fetched(stats):
        return EXIT_NOTHING_FETCHED
    if stats.get("finish_reason") == "write_failed" or writes.STAT in stats or \
            stats.get(MONITORS_FAILED_STAT) or \
            any(k.startswith("docspider/failed/") for k in stats):
        return EXIT_FAILED
    return EXIT_OK


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
        site = adapter.get("site") or "unknown"
        stats.inc_value(f"docspider/items/{site}")
        excerpt = ItemAdapter(adapter["excerpt"])
        pages = excerpt["pages"]
        if not pages:
            stats.inc_value("docspider/items_empty_excerpt")
        stats.inc_value("docspider/parts/pages", len(pages))
        stats.inc_value("docspider/parts/related", len(adapter["related"]))
        stats.inc_value("docspider/parts/disclaimer", len(adapter["disclaimer"]))
        # a site's quality figures (run record, monitors): a jump in one is template drift
        quality = f"docspider/sites/{site}/"
        stats.inc_value(quality + "excerpt_chars", len(excerpt["text"] or ""))
        for figure, missing in (("empty_excerpt", not pages), ("no_title", not adapter["title"]),
                                ("no_disclaimer", not adapter["disclaimer"])):
            if missing:
                stats.inc_value(quality + figure)

    def spider_closed(self, spider, reason):
        summary = CrawlSummary.from_stats(self.stats.get_stats())
        logger.info("crawl summary (%s):\n  %s", reason, "\n  ".join(summary.lines()))
