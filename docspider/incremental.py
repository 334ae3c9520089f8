"""Incremental crawls: fetch only what is new, emit only what changed, survive being killed.

Three components share one :class:`~docspider.state.StateStore` (``DOCSPIDER_STATE``, one
SQLite file per spider; empty turns all of this off):

* `CrawlState` (extension) opens the store and, before the first request, recovers what a
  stopped run left: each `<feed>.part` of this spider's feeds is cut after its last complete
  line and renamed to its final name, the documents in it are recorded as emitted, and the
  documents it had scheduled but not finished (the store's frontier) are scheduled again.
* `IncrementalMiddleware` (downloader) skips document requests for known documents unless the
  spider's ``refresh`` says they are due, sends ``If-None-Match`` / ``If-Modified-Since`` when
  it refetches, and turns a 304 into a counted skip. Listing pages always pass.
* `IncrementalPipeline` marks each item `new`, `changed` (same URL, other `content_hash`) or
  `mirror` (a new URL whose text another document already has, named in `mirror_of`), drops
  unchanged ones, and records a document only once its line is in the feed (on
  ``item_scraped``), so a kill between the two never marks an unwritten item as emitted.
"""
from __future__ import annotations

import glob
import json
import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, IgnoreRequest

from docspider.archive import item_time
from docspider.feedstorage import PART_SUFFIX
from docspider.signals import page_skipped
from docspider.state import StateStore, document_key

logger = logging.getLogger(__name__)


def record_emitted(store: StateStore, adapter: ItemAdapter, etag: str | None = None,
                   last_modified: str | None = None) -> None:
    """Record a document whose item is in a feed: known from now on, no longer unfinished."""
    url = adapter["url"]
    links = [link for related in adapter.get("related") or []
             if (link := ItemAdapter(related).get("url"))]
    store.record(url, adapter["fetched_at"], adapter.get("content_hash"), etag, last_modified,
                 links)
    store.finish(url)


class KnownDocument(IgnoreRequest):
    """Not fetched: known already. Carries the links the document showed when it was."""
    skip_reason = "known"

    def __init__(self, message: str, links: list[str] | None = None):
        super().__init__(message)
        self.links = links or []


class NotModified(KnownDocument):
    skip_reason = "not_modified"


class CrawlState:
    """Extension: the crawl's state store, and recovery of a killed run's feeds."""

    def __init__(self, crawler):
        self.crawler = crawler
        path = crawler.settings.get("DOCSPIDER_STATE")
        self.store = StateStore(path % {"name": crawler.spidercls.name}) if path else None
        self.running_mark: Path | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        if self.store is None:
            return
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.finished, signal=page_skipped)
        for uri, options in crawler.settings.getdict("FEEDS").items():   # before the feeds open
            for part in self.killed_parts(str(uri), crawler.spidercls.name, options):
                self.recover(Path(part))
        if jobdir := crawler.settings.get("JOBDIR"):
            self.running_mark = Path(jobdir, "docspider.running")
            if self.running_mark.exists():
                # Scrapy's disk queues are only consistent after a clean close; a killed run's
                # queue can crash the scheduler. The frontier above holds its documents.
                shutil.rmtree(Path(jobdir, "requests.queue"), ignore_errors=True)
                logger.info("the last crawl in %s did not close: its request queue is "
                            "dropped, its unfinished documents come from the state store", jobdir)
            self.running_mark.parent.mkdir(parents=True, exist_ok=True)
            self.running_mark.touch()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        """Schedule the documents an earlier run scheduled but never finished with."""
        unfinished = self.store.unfinished()
        for url, depth in unfinished:
            if (request := spider.request(url, depth)) is not None:
                self.crawler.engine.crawl(request)
        if unfinished:
            self.crawler.stats.set_value("docspider/resumed/documents", len(unfinished))

    def request_scheduled(self, request, spider) -> None:
        if request.meta.get("docspider_kind") == "document":
            self.store.schedule(request.url, request.cb_kwargs.get("depth", 0))

    def finished(self, url: str, **_details) -> None:
        self.store.finish(url)

    def spider_closed(self, spider) -> None:
        if self.store is not None:
            self.store.close()
        if self.running_mark is not None:
            self.running_mark.unlink(missing_ok=True)

    @staticmethod
    def killed_parts(uri: str, name: str, options: dict) -> list[str]:
        """`.part` files a killed crawl left for this feed URI (local files only)."""
        if uri.startswith("file://"):
            uri = uri[len("file://"):]
        elif "://" in uri:
            return []
        if "%(time)s" not in uri and options.get("overwrite"):
            return []       # one fixed file each run replaces (-O): nothing to resume
        pattern = uri.replace("%(name)s", name)
        for field in ("%(time)s", "%(batch_time)s", "%(batch_id)d", "%(batch_id)s"):
            pattern = pattern.replace(field, "*")
        return sorted(glob.glob(glob.escape(pattern).replace(glob.escape("*"), "*") + PART_SUFFIX))

    def recover(self, part: Path) -> None:
        data = part.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        final = part.with_name(part.name[: -len(PART_SUFFIX)])
        tmp = part.with_name(part.name + ".recovering")
        tmp.write_bytes(complete)
        os.replace(tmp, final)
        part.unlink()
        items = [json.loads(line) for line in complete.splitlines()]
        for item in items:
            if item.get("url") and self.store.lookup(item["url"]) is None:
                record_emitted(self.store, ItemAdapter(item))
        stats = self.crawler.stats
        stats.inc_value("docspider/recovered/feeds")
        stats.inc_value("docspider/recovered/items", len(items))
        logger.info("recovered %d complete items of a killed crawl into %s "
                    "(%d bytes of a cut last line dropped)", len(items), final,
                    len(data) - len(complete))


class IncrementalMiddleware:
    """Downloader middleware: skip known documents, ask for changes with validators."""

    def __init__(self, crawler, state: CrawlState):
        self.crawler = crawler
        self.store = state.store
        self.validators: dict[str, tuple[str | None, str | None]] = {}   # taken by the pipeline
        # A resumed crawl can hold one document twice (restored from JOBDIR and rescheduled
        # from the frontier): the second is skipped before it is fetched.
        self.this_run: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.get_extension(CrawlState))

    def process_request(self, request):
        if self.store is None or request.meta.get("docspider_kind") != "document":
            return None
        key = document_key(request.url)
        if key in self.this_run:
            raise KnownDocument("already requested in this run")
        self.this_run.add(key)
        known = self.store.lookup(request.url)
        if known is None:
            return None
        refresh = getattr(self.crawler.spider, "refresh", None)
        if not known.due(refresh, datetime.now(timezone.utc)):
            raise KnownDocument(f"known document, fetched {known.fetched_at}", known.links)
        if known.etag:
            request.headers["If-None-Match"] = known.etag
        if known.last_modified:
            request.headers["If-Modified-Since"] = known.last_modified
        return None

    def process_response(self, request, response):
        if self.store is None or request.meta.get("docspider_kind") != "document":
            return response
        if response.status == 304:
            fetched = request.meta.get("fetched_at") or item_time(datetime.now(timezone.utc))
            self.store.touch(request.url, fetched)
            known = self.store.lookup(request.url)
            raise NotModified("not modified since the last fetch", known.links if known else [])
        if response.status == 200:
            header = response.headers.get
            self.validators[document_key(request.url)] = (
                header("ETag", b"").decode("latin-1") or None,
                header("Last-Modified", b"").decode("latin-1") or None)
        return response


class IncrementalPipeline:
    """Item pipeline: set `change` / `mirror_of`, drop unchanged documents, record emitted ones."""

    def __init__(self, crawler, state: CrawlState):
        self.crawler = crawler
        self.store = state.store
        self.middleware: IncrementalMiddleware | None = None
        self.pending_hashes: dict[str, str] = {}      # decided, not yet written: hash -> url
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.get_extension(CrawlState))

    def open_spider(self) -> None:
        self.middleware = self.crawler.get_downloader_middleware(IncrementalMiddleware)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        url, digest = adapter.get("url"), adapter.get("content_hash")
        if self.store is None or not url:
            return item
        known = self.store.lookup(url)
        stats = self.crawler.stats
        if known is not None and known.content_hash == digest:
            self.remember(adapter)
            stats.inc_value("docspider/skipped/unchanged")
            raise DropItem(f"unchanged since {known.fetched_at}: {url}", log_level="DEBUG")
        if known is not None:
            change, original = "changed", None
        else:
            original = digest and (self.pending_hashes.get(digest)
                                   or self.store.first_with_hash(digest, url))
            change = "mirror" if original else "new"
        adapter["change"], adapter["mirror_of"] = change, original or None
        if digest and change == "new":
            self.pending_hashes[digest] = url
        stats.inc_value(f"docspider/change/{change}")
        return item

    def item_scraped(self, item, response, spider) -> None:
        """The item's line is in the feed now: record the document as emitted."""
        adapter = ItemAdapter(item)
        if self.store is not None and adapter.get("url"):
            self.remember(adapter)
            self.pending_hashes.pop(adapter.get("content_hash") or "", None)

    def remember(self, adapter: ItemAdapter) -> None:
        url = adapter["url"]
        etag, last_modified = (self.middleware.validators.pop(document_key(url), (None, None))
                               if self.middleware else (None, None))
        record_emitted(self.store, adapter, etag, last_modified)
