"""Retries that wait, honour Retry-After, and see through soft blocks.

`RetryMiddleware` takes the place of Scrapy's (same settings: ``RETRY_TIMES``,
``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``) and adds:

* **backoff**: a retry waits ``DOCSPIDER_RETRY_BACKOFF`` seconds, doubled for each further
  attempt, at most ``DOCSPIDER_RETRY_BACKOFF_MAX``;
* **Retry-After**: a 429 or 503 naming a wait (seconds or an HTTP date) pauses every request to
  that host for that long, at most ``DOCSPIDER_RETRY_AFTER_MAX`` seconds;
* **soft blocks**: a 200 page that is a captcha, a login or access-denied wall, empty, binary or
  garbled (:mod:`docspider.softblock`) is retried like a 503, with the reason
  ``soft_block/<kind>``; after the last attempt it fails with `SoftBlocked` (never emitted,
  never recorded: the next run tries again). When most of a host's pages are soft-blocked
  (at least 3, over half), one WARNING says so and every further block pauses the host for
  ``DOCSPIDER_SOFT_BLOCK_PAUSE`` seconds.

A waiting request waits in this middleware, before the downloader queues it for its host.
"""
from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections import Counter
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware as ScrapyRetryMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, TextResponse

from docspider.decode import UndecodableError, decode_response
from docspider.sites import site_name
from docspider.softblock import soft_block

logger = logging.getLogger(__name__)


class SoftBlocked(IgnoreRequest):
    """A page still soft-blocked after its last retry."""
    failed = True

    def __init__(self, kind: str, attempts: int):
        super().__init__(f"soft block ({kind}) after {attempts} attempts")
        self.skip_reason = f"soft_block/{kind}"


def retry_after_seconds(value: bytes | None, now: datetime) -> float | None:
    """A Retry-After header as seconds from now (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


class RetryMiddleware(ScrapyRetryMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.backoff = settings.getfloat("DOCSPIDER_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("DOCSPIDER_RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("DOCSPIDER_RETRY_AFTER_MAX")
        self.block_pause = settings.getfloat("DOCSPIDER_SOFT_BLOCK_PAUSE")
        self.paused_until: dict[str, float] = {}        # host -> monotonic time
        self.pages: Counter[str] = Counter()            # 200 pages checked, per host
        self.blocked: Counter[str] = Counter()          # of which soft-blocked
        self.warned: set[str] = set()
        self.site_keys: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        host = urlsplit(request.url).hostname or ""
        wait = max(request.meta.get("docspider_not_before", 0.0),
                   self.paused_until.get(host, 0.0)) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        return None

    def process_response(self, request, response):
        host = urlsplit(request.url).hostname or ""
        if response.status in (429, 503):
            after = retry_after_seconds(response.headers.get("Retry-After"),
                                        datetime.now(timezone.utc))
            if after:
                self.pause(host, min(after, self.retry_after_max))
        result = super().process_response(request, response)
        if (result is response and response.status == 200 and "docspider_kind" in request.meta
                and isinstance(response, TextResponse)):    # other types are `not_text` skips
            result = self.check_soft_block(request, response, host)
        return self.with_backoff(result)

    def process_exception(self, request, exception):
        return self.with_backoff(super().process_exception(request, exception))

    def check_soft_block(self, request, response, host: str):
        try:
            text = decode_response(response, request.meta)
        except (UndecodableError, UnicodeDecodeError):
            text = None
        self.pages[host] += 1
        kind = soft_block(response.body, text)
        checked, blocked = self.site_stats(host)
        self.crawler.stats.inc_value(checked)
        if kind is None:
            return response
        self.blocked[host] += 1
        self.crawler.stats.inc_value(blocked)
        if self.blocked[host] >= 3 and self.blocked[host] * 2 > self.pages[host]:
            if host not in self.warned:
                self.warned.add(host)
                logger.warning("%s: %d of %d pages are soft-blocked (%s); slowing down: "
                               "%.0f s pause after each further block", host,
                               self.blocked[host], self.pages[host], kind, self.block_pause)
            self.pause(host, self.block_pause)
        retry = get_retry_request(request, spider=self.crawler.spider,
                                  reason=f"soft_block/{kind}",
                                  max_retry_times=self.max_retry_times)
        if retry is None:
            raise SoftBlocked(kind, request.meta.get("retry_times", 0) + 1)
        return retry

    def site_stats(self, host: str) -> tuple[str, str]:
        """The stats of a host's site: pages checked, soft blocks among them (named once a
        host)."""
        if (keys := self.site_keys.get(host)) is None:
            figures = f"docspider/sites/{site_name(f'//{host}')}/"
            keys = self.site_keys[host] = (figures + "pages_checked", figures + "soft_blocked")
        return keys

    def with_backoff(self, result):
        if isinstance(result, Request) and self.backoff > 0:
            attempt = result.meta.get("retry_times", 1)
            wait = min(self.backoff * 2 ** (attempt - 1), self.backoff_max)
            result.meta["docspider_not_before"] = time.monotonic() + wait
        return result

    def pause(self, host: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        if until > self.paused_until.get(host, 0.0):
            self.paused_until[host] = until

