"""The refresh policy of incremental crawls: which known documents are fetched again, and how.

``DOCSPIDER_REFRESH`` (a duration: `30m`, `12h`, `7d`, `2w`, seconds, `0` for always, `never`,
the default) says when a known document is due again; the spider argument ``-a refresh=``
overrides it for one run. `RefreshMiddleware` (downloader; `NotConfigured` when the state store
is off) lets listing pages through, skips a known document that is not due with `KnownDocument`
(which carries what is known, so the spider can follow the links the document showed), asks for
a due one with ``If-None-Match`` / ``If-Modified-Since`` when the site gave validators, turns
a ``304`` into `NotModified`, and keeps the validators of a ``200`` in the request meta
(``docspider_validators``) for the state store.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cached_property

from scrapy.exceptions import IgnoreRequest

from docspider.archive import item_time
from docspider.crawlstate import state_store
from docspider.state import Known, parse_duration
from docspider.writes import change_state


class KnownDocument(IgnoreRequest):
    """Not fetched: known already, and not due."""
    skip_reason = "known"

    def __init__(self, message: str, known: Known):
        super().__init__(message)
        self.known = known


class NotModified(KnownDocument):
    skip_reason = "not_modified"


def refresh_after(settings, spider) -> timedelta | None:
    """The spider's `refresh` argument if given, else DOCSPIDER_REFRESH."""
    if getattr(spider, "refresh_given", False):
        return spider.refresh
    return parse_duration(settings.get("DOCSPIDER_REFRESH") or "never")


class RefreshMiddleware:
    def __init__(self, crawler, store):
        self.crawler = crawler
        self.store = store

    @cached_property
    def refresh(self) -> timedelta | None:
        """Known once the spider is (its `refresh` argument wins over the setting)."""
        return refresh_after(self.crawler.settings, self.crawler.spider)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, state_store(crawler))

    def process_request(self, request):
        if request.meta.get("docspider_kind") != "document":
            return None
        known = self.store.lookup(request.url)
        if known is None:
            return None
        if not known.due(self.refresh, datetime.now(timezone.utc)):
            raise KnownDocument(f"known document, fetched {known.fetched_at}", known)
        if known.etag:
            request.headers["If-None-Match"] = known.etag
        if known.last_modified:
            request.headers["If-Modified-Since"] = known.last_modified
        return None

    def process_response(self, request, response):
        if request.meta.get("docspider_kind") != "document":
            return response
        if response.status == 304 and (known := self.store.lookup(request.url)):
            fetched = request.meta.get("fetched_at") or item_time(datetime.now(timezone.utc))
            change_state(self.crawler, self.store.touch, request.url, fetched)
            raise NotModified("not modified since the last fetch", known)
        if response.status == 200:
            header = response.headers.get
            request.meta["docspider_validators"] = (
                header("ETag", b"").decode("latin-1") or None,
                header("Last-Modified", b"").decode("latin-1") or None)
        return response
