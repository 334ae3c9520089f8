"""Stop the crawl at the first write that fails (feed, archive or state store).

Whatever failed to be written must not be recorded as done, and a crawl that cannot write has
nothing to gain from fetching on: the first `write_failed` signal logs one line naming the file
and the error, sets the stat ``docspider/write_failed`` (the file) — which the recording
components check before they record a document — and closes the spider with the reason
``write_failed``. `scrapy crawl` then exits with status 1 (:func:`docspider.crawlstats.exit_status`).

The components that write report through `report`, change the state store through
`change_state`, and append to their files with `append_whole`.
"""
from __future__ import annotations

import contextlib
import logging
from typing import BinaryIO

from scrapy.utils.defer import deferred_from_coro

from docspider.signals import write_failed
from docspider.state import StateWriteError

logger = logging.getLogger(__name__)
STAT = "docspider/write_failed"


def writes_failed(stats) -> bool:
    return stats.get_value(STAT) is not None


def report(crawler, path: str, error: Exception) -> None:
    """Tell the crawl that writing `path` failed: it stops."""
    crawler.signals.send_catch_log(write_failed, path=path, error=error)


def change_state(crawler, change, *args):
    """Apply a change to the state store and return what it returns, unless a write failed
    already (nothing more is recorded then); a failure of its own is reported. None when it
    was not applied."""
    if writes_failed(crawler.stats):
        return None
    try:
        return change(*args)
    except StateWriteError as exc:
        report(crawler, exc.path, exc.error)
        return None


def append_whole(out: BinaryIO, data: bytes) -> int:
    """Write all of `data` at the end of the unbuffered file `out`, or nothing: a failed
    write (a full disk) is cut back before its error is raised. Returns where `data` starts."""
    offset = out.tell()
    try:
        rest = memoryview(data)
        while rest:
            rest = rest[out.write(rest):]
    except OSError:
        with contextlib.suppress(OSError):
            out.truncate(offset)
            out.seek(offset)
        raise
    return offset


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
