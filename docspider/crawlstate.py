"""The crawl's state store: taken before the crawl, recorded into as documents are done.

`prepare` runs before anything is fetched (`scrapy crawl` calls it first, so a refusal is one
line and exit status 2): it opens the store named by ``DOCSPIDER_STATE`` and takes its lock
(waiting ``DOCSPIDER_LOCK_WAIT`` seconds for another crawl, 0 by default) — or, for a worker of
a distributed crawl (``REDIS_URL``), joins the crawl, whose workers share the store
(:mod:`docspider.cluster`) — then finishes what a
dead crawl of the same store left: each ``.part`` of this spider's feeds nobody holds is cut
after its last complete line and renamed (:mod:`docspider.feedstorage`), and its documents are
recorded as emitted.

`CrawlState` (extension; `NotConfigured` when ``DOCSPIDER_STATE`` is empty) keeps the books
during the crawl, in this order for a document: it enters the frontier when its request passes
the duplicate filter (:mod:`docspider.dupefilter`); the items pass validation, then the change
decision (:mod:`docspider.changes`); a document is recorded — known from now on, out of the
frontier — only once its line is in the feeds (``item_scraped`` after the feed exporter wrote
it, and no write failed), or when it was found unchanged; a page skipped for good (404,
robots.txt …) leaves the frontier; a page that failed after its retries stays there, so the next
run fetches it again.

`FrontierMiddleware` (spider middleware) starts a crawl with the documents the store's frontier
holds, before the spider's own start requests.
"""
from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from docspider.addons import feeds
from docspider.cluster import Cluster, distributed_state, redis_url
from docspider.feedstorage import killed_feeds
from docspider.signals import page_skipped
from docspider.redisstate import is_redis_url
from docspider.state import StateStore, StateWriteError, open_store
from docspider.writes import change_state, report

logger = logging.getLogger(__name__)


class Unchanged(DropItem):
    """The document's text is what it was at its last fetch: not emitted, recorded as
    fetched (raised by docspider.changes)."""


@dataclass(frozen=True)
class RecoveredFeed:
    path: Path                  # the feed file it became
    items: int                  # its complete items
    dropped_bytes: int          # the cut last line
    twice: int = 0              # lines dropped: their documents were emitted elsewhere since


@dataclass
class Prepared:
    store: StateStore
    recovered: list[RecoveredFeed] = field(default_factory=list)
    cluster: Cluster | None = None      # a distributed crawl's worker (docspider.cluster)


_prepared: dict[tuple[str, str], Prepared] = {}


def state_path(settings, spider_name: str) -> str | None:
    """DOCSPIDER_STATE for the spider: `%(name)s` filled in; a Redis URL without a `prefix`
    gets `docspider:<spider>`, so that spiders sharing a server keep apart."""
    path = settings.get("DOCSPIDER_STATE")
    if redis_url(settings):
        path = distributed_state(settings, path)
    if not path:
        return None
    path = path % {"name": spider_name}
    if is_redis_url(path) and "prefix=" not in path:
        path += f"{'&' if '?' in path else '?'}prefix=docspider:{spider_name}"
    return path


def prepare(settings, spider_name: str) -> Prepared | None:
    """Open and lock the spider's state store and recover a dead crawl's feeds; None when the
    state store is off. Raises `StateError` or `FeedNotRecoverable` with a one-line message.
    Done once per process and spider: `scrapy crawl` calls it before the crawl starts, and
    the crawl's components get the same store."""
    path = state_path(settings, spider_name)
    if path is None:
        return None
    if (path, spider_name) in _prepared:
        return _prepared[(path, spider_name)]
    store = open_store(path)
    try:
        if url := redis_url(settings):
            # the workers of a distributed crawl share the store: each joins the crawl
            cluster = Cluster(url, spider_name, settings)
            cluster.join()
            store.share_run(cluster.crawl)
            prepared = Prepared(store, cluster=cluster)
        else:
            store.lock(wait=settings.getfloat("DOCSPIDER_LOCK_WAIT"))
            prepared = Prepared(store)
        for uri, options in feeds(settings).items():
            for feed in killed_feeds(str(uri), spider_name, options):
                kept, twice = [], 0
                for line in feed.complete.splitlines(keepends=True):
                    item = json.loads(line)
                    url = item.get("url")
                    if url and store.emitted_elsewhere(url, item.get("fetched_at") or ""):
                        twice += 1          # another worker emitted it after this one died
                        continue
                    if url and store.lookup(url) is None:
                        record(store, ItemAdapter(item))
                    kept.append(line)
                # recorded for good before the feed is final: a kill in between recovers it
                # again (its documents are known then and not recorded twice)
                store.commit()
                dropped = feed.dropped_bytes
                replace(feed, complete=b"".join(kept)).finish()
                prepared.recovered.append(RecoveredFeed(feed.path, len(kept), dropped, twice))
    except Exception:
        store.close()
        raise
    _prepared[(path, spider_name)] = prepared
    return prepared


def prepared_state(crawler) -> Prepared:
    """The crawl's prepared state store, for a component's `from_crawler`; `NotConfigured`
    when it is off (DOCSPIDER_STATE empty)."""
    prepared = prepare(crawler.settings, crawler.spidercls.name)
    if prepared is None:
        raise NotConfigured
    return prepared


def state_store(crawler) -> StateStore:
    return prepared_state(crawler).store


def record(store: StateStore, adapter: ItemAdapter, etag: str | None = None,
           last_modified: str | None = None) -> None:
    """Record a document whose item is in a feed: known from now on, no longer unfinished."""
    links = [link for related in adapter.get("related") or []
             if (link := ItemAdapter(related).get("url"))]
    store.record(adapter["url"], adapter["fetched_at"], adapter.get("content_hash"), etag,
                 last_modified, links)


class CrawlState:
    """Extension: the state store during the crawl (see the module docstring)."""

    def __init__(self, crawler, prepared: Prepared):
        self.crawler = crawler
        self.store = prepared.store
        stats = crawler.stats
        for feed in prepared.recovered:
            stats.inc_value("docspider/recovered/feeds")
            stats.inc_value("docspider/recovered/items", feed.items)
            logger.info("recovered %d complete items of a stopped crawl into %s "
                        "(%d bytes of a cut last line dropped)", feed.items, feed.path,
                        feed.dropped_bytes)
            if feed.twice:
                stats.inc_value("docspider/recovered/dropped_twice", feed.twice)
                logger.warning("%s: dropped %d lines of documents another worker emitted "
                               "after this one died", feed.path, feed.twice)
        if jobdir := crawler.settings.get("JOBDIR"):
            # The frontier holds every unfinished document and listings are fetched again:
            # Scrapy's own queue would only repeat them (and is inconsistent after a kill).
            shutil.rmtree(Path(jobdir, "requests.queue"), ignore_errors=True)
        connect = crawler.signals.connect
        connect(self.item_scraped, signal=signals.item_scraped)
        connect(self.item_dropped, signal=signals.item_dropped)
        connect(self.page_skipped, signal=page_skipped)
        connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, prepared_state(crawler))

    def write(self, change, *args) -> None:
        change_state(self.crawler, change, *args)

    def item_scraped(self, item, response, spider) -> None:
        """Connected after the feed exporter: the line is written, unless a write failed."""
        self.remember(ItemAdapter(item), response)

    def item_dropped(self, item, response, exception, spider) -> None:
        if isinstance(exception, Unchanged):
            self.remember(ItemAdapter(item), response)

    def remember(self, adapter: ItemAdapter, response) -> None:
        if not adapter.get("url"):
            return
        etag, last_modified = response.meta.get("docspider_validators", (None, None))
        self.write(record, self.store, adapter, etag, last_modified)
        for earlier in response.meta.get("redirect_urls", ()):
            self.write(self.store.finish, earlier)

    def page_skipped(self, url: str, **_details) -> None:
        self.write(self.store.finish, url)

    def spider_closed(self, spider) -> None:
        try:
            self.store.close()              # commits the last batch
        except StateWriteError as exc:
            report(self.crawler, exc.path, exc.error)
        _prepared.clear()


class FrontierMiddleware:
    """Spider middleware: the documents a stopped crawl left unfinished come first."""

    def __init__(self, crawler, store: StateStore):
        self.crawler = crawler
        self.store = store

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, state_store(crawler))

    async def process_start(self, start):
        cluster = prepared_state(self.crawler).cluster
        # in a distributed crawl, the worker that started it resumes the frontier
        unfinished = self.store.unfinished() if cluster is None or cluster.started else []
        if unfinished:
            self.crawler.stats.set_value("docspider/resumed/documents", len(unfinished))
            logger.info("resuming %d documents a stopped crawl left unfinished", len(unfinished))
        for url, depth in unfinished:
            for request in self.crawler.spider.requests([url], depth):
                yield request
        async for request in start:
            yield request
