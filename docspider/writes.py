"""Stop the crawl at the first write that fails (feed, archive or state store).

Whatever failed to be written must not be recorded as done, and a crawl that cannot write has
nothing to gain from fetching on: the first `write_failed` signal logs one line naming the file
and the error, sets the stat ``docspider/write_failed`` (the file) — which the recording
components check before they record a document — and closes the spider with the reason
``write_failed``. `scrapy crawl` then exits with status 1 (:func:`docspider.crawlstats.exit_status`).
"""
from __future__ import annotations

import logging

from scrapy.utils.defer import deferred_from_coro

from docspider.signals import write_failed

logger = logging.getLogger(__name__)
STAT = "docspider/write_failed"


def writes_failed(stats) -> bool:
    return stats.get_value(STAT) is not None


class StopOnWriteFailure:
    """Extension (always on): one line and a clean stop when a write fails."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.closing = None
        crawler.signals.connect(self.write_failed, signal=write_failed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def write_failed(self, path: str, error: Exception) -> None:
        if writes_failed(self.crawler.stats):
            logger.debug("also failed: %s: %s", path, error)
            return
        self.crawler.stats.set_value(STAT, path)
        logger.error("cannot write %s: %s; the crawl stops (nothing unwritten is recorded)",
                     path, getattr(error, "strerror", None) or error)
        if self.crawler.engine is not None and self.crawler.engine.spider is not None:
            self.closing = deferred_from_coro(
                self.crawler.engine.close_spider_async(reason="write_failed"))
