"""How far a crawl has got: a periodic log line, and a live bar on a terminal.

Every ``DOCSPIDER_PROGRESS_INTERVAL`` seconds (0 turns it off) one INFO line::

    progress: 1,204 pages fetched (310/min), 56 queued, 1,260 known so far (96%);
    1,100 items; ETA 0:00:11

"Known so far" is what the run has found to fetch: the pages fetched or given up, the ones
waiting in the scheduler and the ones being downloaded. The rate is that of the last interval,
and the ETA what is queued at that rate (it grows while listings keep adding pages). When
stderr is a terminal, a tqdm bar shows the same figures once a second; it is never drawn into a
log that is not a terminal. The extension also keeps one sample per interval (`samples`) for
the run record.
"""
from __future__ import annotations

import io
import logging
import sys
import time
from dataclasses import dataclass
from datetime import timedelta

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from tqdm import tqdm

logger = logging.getLogger(__name__)
BAR_REFRESH = 1.0       # seconds


@dataclass(frozen=True)
class Sample:
    seconds: float      # since the spider opened
    pages: int          # responses received
    items: int
    queued: int         # in the scheduler or being downloaded
    failures: int       # requests that ended in a download error

    @property
    def known(self) -> int:
        return self.pages + self.failures + self.queued


def eta(queued: int, per_minute: float) -> str:
    if not queued:
        return "0:00:00"
    if per_minute <= 0:
        return "unknown"
    return str(timedelta(seconds=round(queued / per_minute * 60)))


class _AboveBar(io.TextIOBase):
    def write(self, text: str) -> int:
        tqdm.write(text, file=sys.stderr, end="")
        return len(text)


class Progress:
    def __init__(self, crawler, interval: float, bar: bool):
        self.crawler = crawler
        self.interval = interval
        self.bar_wanted = bar
        self.samples: list[Sample] = []
        self.started = 0.0
        self.tasks = []
        self.bar: tqdm | None = None
        self.redirected: list[tuple[logging.StreamHandler, object]] = []
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("DOCSPIDER_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval, crawler.settings.getbool("DOCSPIDER_PROGRESS_BAR"))

    def sample(self) -> Sample:
        stats = self.crawler.stats
        engine = self.crawler.engine
        scheduled = (stats.get_value("scheduler/enqueued", 0)
                     - stats.get_value("scheduler/dequeued", 0))
        downloading = len(engine.downloader.active) if engine is not None else 0
        return Sample(seconds=time.monotonic() - self.started,
                      pages=stats.get_value("response_received_count", 0),
                      items=stats.get_value("item_scraped_count", 0),
                      queued=max(0, scheduled) + downloading,
                      failures=stats.get_value("downloader/exception_count", 0))

    def rate(self, now: Sample) -> float:
        """Pages a minute over the last interval (over the run before the first)."""
        before = self.samples[-1] if self.samples else Sample(0.0, 0, 0, 0, 0)
        elapsed = now.seconds - before.seconds
        return (now.pages - before.pages) / elapsed * 60 if elapsed > 0 else 0.0

    def spider_opened(self, spider) -> None:
        self.started = time.monotonic()
        self.tasks.append(create_looping_call(self.log))
        self.tasks[-1].start(self.interval, now=False)
        if self.bar_wanted and sys.stderr.isatty():
            self.bar = tqdm(total=0, unit="page", dynamic_ncols=True, file=sys.stderr,
                            leave=False)
            self.redirect_log()
            self.tasks.append(create_looping_call(self.draw))
            self.tasks[-1].start(BAR_REFRESH)

    def log(self) -> None:
        now = self.sample()
        per_minute = self.rate(now)
        self.samples.append(now)
        share = f" ({now.pages * 100 // now.known}%)" if now.known else ""
        logger.info("progress: %s pages fetched (%d/min), %s queued, %s known so far%s; "
                    "%s items; ETA %s", f"{now.pages:,}", per_minute, f"{now.queued:,}",
                    f"{now.known:,}", share, f"{now.items:,}", eta(now.queued, per_minute))

    def redirect_log(self) -> None:
        """Log lines to the terminal are printed above the bar, not through it."""
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
                self.redirected.append((handler, handler.setStream(_AboveBar())))

    def draw(self) -> None:
        now = self.sample()
        self.bar.total = now.known
        self.bar.n = now.pages + now.failures
        self.bar.set_postfix_str(f"{now.items:,} items, {now.queued:,} queued", refresh=False)
        self.bar.refresh()

    def spider_closed(self, spider) -> None:
        for task in self.tasks:
            if task.running:
                task.stop()
        if self.bar is not None:
            for handler, stream in self.redirected:
                handler.setStream(stream)
            self.bar.close()
        self.samples.append(self.sample())
