"""The document spider every site spider is built on.

A new site is one small file: a subclass naming ``name`` and a ``profile``
(:class:`docspider.sites.profile.SiteProfile`: domains, document and listing URL patterns).
Everything else — arguments, listing pagination, following related documents, segmentation,
the item — lives here once.

Arguments (``scrapy crawl NAME -a KEY=VALUE``):

* ``urls=URL,URL`` or ``urls=@file`` (one URL a line): fetch exactly these, on any host;
* ``follow=N``: follow related-document links N levels deep (default 0 with ``urls``, else 1);
* ``base_url=URL``: treat another host (a mirror) as the site when starting without ``urls``;
* ``refresh=DURATION``: fetch a known document again once its last fetch is this old (`12h`,
  `7d`; default `never`). Listing pages are always fetched.

Any other argument name is an error (a typo must not silently change the crawl).

A bad argument stops the crawl before any request with a one-line error.
"""
from __future__ import annotations

import logging
import re
import secrets
import stat
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.exceptions import IgnoreRequest, UsageError
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from docspider.archive import item_time
from docspider.cluster import Cluster, seed_requests, worker_id
from docspider.crawlstate import prepare
from docspider.decode import UndecodableError, decode_response
from docspider.document import analyse_fetched
from docspider.learning import LearnedBoilerplate
from docspider.segmentpool import SegmentPool, SegmentWorkers, WorkerDied
from docspider.signals import ROUTINE_SKIPS, listing_parsed, page_failed, page_skipped
from docspider.sites.profile import SiteProfile
from docspider.state import RunRequests, StateStore, parse_duration
from docspider.writes import change_state



# A URL file is a list, not a data set: anything bigger is a mistake (a wrong path).
URL_FILE_MAX_BYTES = 16 * 1024 * 1024
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def parse_urls(value: str) -> list[str]:
    """`URL,URL` or `@FILE`. Errors name the item or line number and the reason, never the
    content (the file may not be what the user meant to give)."""
    if value.startswith("@"):
        lines = read_url_file(Path(value[1:]))
        where = "line"
    else:
        lines = value.split(",")
        where = "item"
    urls = []
    for number, line in enumerate(lines, 1):
        url = _COMMENT.sub("", line).strip()
        if url:
            urls.append(check_url(url, f"urls: {where} {number}"))
    if not urls:
        raise UsageError("urls: no URL given")
    return urls


def read_url_file(path: Path) -> list[str]:
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise UsageError(f"urls: {path}: not a regular file")
        with path.open("rb") as file:
            data = file.read(URL_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"urls: cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > URL_FILE_MAX_BYTES:
        raise UsageError(f"urls: {path}: larger than {URL_FILE_MAX_BYTES // 2**20} MiB")
    if b"\0" in data:
        raise UsageError(f"urls: {path}: binary data, not a list of URLs")
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"urls: {path}: line {line}: not UTF-8") from None


def check_url(url: str, where: str) -> str:
    if _SPACE_OR_CONTROL.search(url):
        raise UsageError(f"{where}: not an http(s) URL (spaces or control characters)")
    parts = urlsplit(url)
    try:
        parts.port
    except ValueError:
        raise UsageError(f"{where}: not a valid URL (bad port)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{where}: not an http(s) URL")
    return url


def parse_follow(value: str | int | None, default: int) -> int:
    if value is None:
        return default
    try:
        depth = int(value)
    except ValueError:
        raise UsageError(f"follow: not a whole number: {value!r}") from None
    if depth < 0:
        raise UsageError(f"follow: must be 0 or more, not {depth}")
    return depth


class DocumentSpider(scrapy.Spider):
    profile: SiteProfile
    #: A document page of the site, saved as a fixture under tests/fixtures/site/<host>/<path>:
    #: `scrapy check` parses it (the contracts of `parse_page`, docspider.contracts).
    sample_url: str

    def __init__(self, *args, urls: str | None = None, follow: str | None = None,
                 base_url: str | None = None, refresh: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.seed_urls, self.follow_depth, self.base_url, self.refresh = self.check_arguments(
            urls=urls, follow=follow, base_url=base_url, refresh=refresh, **kwargs)
        self.refresh_given = refresh is not None        # else DOCSPIDER_REFRESH decides
        self.arguments = {name: value for name, value in {
            "urls": urls, "follow": follow, "base_url": base_url, "refresh": refresh, **kwargs,
        }.items() if value is not None}                 # as given, for the run record
        # Names this crawl's feed (`%(run_id)s`) and WARC files: unique, so that two crawls
        # sharing a folder never write to one file. A distributed crawl's worker puts its id
        # in instead (from_crawler).
        self.started_at = f"{datetime.now(timezone.utc):%Y-%m-%dT%H-%M-%S}"
        self.run_id = f"{self.started_at}-{secrets.token_hex(3)}"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.check_seeds(crawler.settings, spider.seed_urls)
        if spider.cluster is not None:
            spider.run_id = f"{spider.started_at}-{worker_id()}"
        return spider

    @classmethod
    def check_seeds(cls, settings, urls) -> None:
        """Raise UsageError when the spider has nothing to start from (see `docs`)."""

    @classmethod
    def check_arguments(cls, urls: str | None = None, follow: str | None = None,
                        base_url: str | None = None, refresh: str | None = None, **other):
        """Parse the spider arguments; raises UsageError naming the bad one. Names starting
        with `_` are left to the scheduler that passes them (scrapyd's `_job`)."""
        if unknown := sorted(name for name in other if not name.startswith("_")):
            raise UsageError(f"unknown argument {unknown[0]!r} "
                             "(known: urls, follow, base_url, refresh)")
        try:
            refresh_after = parse_duration(refresh) if refresh is not None else None
        except ValueError as exc:
            raise UsageError(f"refresh: {exc}") from None
        return (parse_urls(urls) if urls is not None else [],
                parse_follow(follow, default=0 if urls else 1),
                check_url(base_url, "base_url") if base_url else None,
                refresh_after)

    def default_start_urls(self) -> list[str]:
        if not self.base_url:
            return list(self.profile.start_paths)
        base = urlsplit(self.base_url)
        return [urlunsplit((base.scheme, base.netloc, urlsplit(u).path, urlsplit(u).query, ""))
                for u in self.profile.start_paths]

    def profile_for(self, url: str) -> SiteProfile:
        """The site rules for a URL; a site spider applies its own to every host it is given."""
        return self.profile

    @cached_property
    def asked(self) -> RunRequests | StateStore:
        """What this crawl asked for (`RunRequests`): the least depth of each page, the links of
        pages parsed too deep to follow them. The state store's, out of memory; without a
        store, in memory."""
        prepared = prepare(self.settings, self.name)
        return prepared.store if prepared else RunRequests()

    def request(self, url: str, depth: int) -> scrapy.Request:
        """The request for a page reached at `depth`. A listing page goes before documents:
        it leads to the next listing page and to more documents (a queue in Redis would
        otherwise hold it behind the documents it found, one listing at a time)."""
        kind = self.profile_for(url).page_kind(url)
        return scrapy.Request(url, callback=self.parse_page, errback=self.skip_failed,
                              cb_kwargs={"depth": depth}, meta={"docspider_kind": kind},
                              priority=1 if kind == "listing" else 0)

    def requests(self, urls, depth: int):
        """Requests for the pages at `urls` reached at `depth`, each page once. A page reached
        again by a shorter path is not asked for again: if it is still on its way, it is parsed
        at the shorter depth (`depth_of`); if it was parsed too deep to follow its links, they
        are followed from here."""
        limit = self.settings.getint("URLLENGTH_LIMIT")
        for url in urls:
            if limit and len(url) > limit:
                self.skip(f"{url[:100]}…", "url_too_long", f"URL longer than {limit} characters")
                continue
            before = change_state(self.crawler, self.asked.ask, url, depth)
            if before is None:
                yield self.request(url, depth)
            elif depth < before and (links := change_state(
                    self.crawler, self.asked.take_unfollowed, url)) is not None:
                yield from self.follow(url, links, depth)

    def follow(self, url: str, links: list[str], depth: int):
        """Requests for a document's related links on its own host, if `depth` allows."""
        if depth >= self.follow_depth:
            if depth > 0:
                change_state(self.crawler, self.asked.keep_unfollowed, url, depth, links)
            return
        host = urlsplit(url).hostname
        yield from self.requests((link for link in links if urlsplit(link).hostname == host),
                                 depth + 1)

    @cached_property
    def cluster(self) -> Cluster | None:
        """This worker's place in a distributed crawl (REDIS_URL), else None."""
        prepared = prepare(self.settings, self.name)
        return prepared.cluster if prepared else None

    async def start(self):
        """The `urls` given, else the site's start pages — in a distributed crawl only by the
        worker that started it and only when no seeds wait in Redis, whose seeds come next."""
        urls = self.seed_urls
        cluster = self.cluster
        if not urls and (cluster is None or cluster.started and not cluster.has_seeds()):
            urls = self.default_start_urls()
        for request in self.requests(urls, depth=0):
            yield request
        if cluster is not None:
            for request in seed_requests(self, cluster):
                yield request

    def skip(self, url: str, reason: str, detail: str, level: int = logging.WARNING,
             status: int | None = None) -> None:
        """Count a page that gave no item and needs no other try under
        `docspider/skipped/<reason>` and log why."""
        self.crawler.stats.inc_value(f"docspider/skipped/{reason}")
        self.logger.log(level, "skipped %s: %s", url, detail)
        self.crawler.signals.send_catch_log(page_skipped, url=url, reason=reason, status=status)

    def fail(self, request, reason: str, detail: str, status: int | None = None) -> None:
        """Count a page that failed after its retries under `docspider/failed/<reason>`: it
        stays in the frontier, so the next run fetches it again."""
        attempts = request.meta.get("retry_times", 0) + 1
        self.crawler.stats.inc_value(f"docspider/failed/{reason}")
        self.logger.warning("failed %s after %d attempt%s: %s", request.url, attempts,
                            "s" * (attempts > 1), detail)
        self.crawler.signals.send_catch_log(page_failed, url=request.url, reason=reason,
                                            status=status, attempts=attempts)

    def skip_failed(self, failure: Failure):
        request = failure.request
        if failure.check(HttpError):
            status = failure.value.response.status
            if status in {int(c) for c in self.settings.getlist("RETRY_HTTP_CODES")}:
                self.fail(request, f"http_{status}", f"HTTP status {status}", status)
            else:
                self.skip(request.url, f"http_{status}", f"HTTP status {status}",
                          status=status)
        elif failure.check(IgnoreRequest):
            detail = str(failure.value) or "request ignored"
            reason = getattr(failure.value, "skip_reason", None) or _ignored_reason(detail)
            if getattr(failure.value, "failed", False):
                self.fail(request, reason, detail)
                return
            level = logging.DEBUG if reason in ROUTINE_SKIPS else logging.INFO
            self.skip(request.url, reason, detail, level)
            if known := getattr(failure.value, "known", None):
                # not fetched again, but the links it showed still lead on
                yield from self.follow(request.url, known.links,
                                       self.depth_of(request.url, request.cb_kwargs["depth"]))
        else:
            name = failure.type.__name__
            detail = f"{name}: {failure.getErrorMessage()}"
            if failure.check(*self.retried_exceptions):      # retried, and failed each time
                self.fail(request, name, detail)
            else:
                self.skip(request.url, name, detail)

    @cached_property
    def retried_exceptions(self) -> tuple[type, ...]:
        return tuple(load_object(e) if isinstance(e, str) else e
                     for e in self.settings.getlist("RETRY_EXCEPTIONS"))

    def depth_of(self, url: str, depth: int) -> int:
        least = change_state(self.crawler, self.asked.least_depth, url)
        return depth if least is None else min(depth, least)

    async def parse_page(self, response, depth: int = 0):
        """A page reached at `depth` (0: a start page): a listing gives requests for its
        documents and its next page, a document its item and requests for its related links.

        @sample_url
        @returns items 1 1
        @document
        """
        depth = self.depth_of(response.url, depth)
        if not isinstance(response, TextResponse):
            self.skip(response.url, "not_text", "not a text response")
            return
        profile = self.profile_for(response.url)
        self.crawler.stats.inc_value(f"docspider/routed/{profile.name}")
        if profile.page_kind(response.url) == "listing":
            for request in self.parse_listing(response, profile, depth):
                yield request
            self.crawler.signals.send_catch_log(listing_parsed, url=response.request.url)
        else:
            async for output in self.parse_document(response, depth):
                yield output

    def parse_listing(self, response, profile: SiteProfile, depth: int):
        host = urlsplit(response.url).hostname
        links = (response.urljoin(href) for href in response.css("a::attr(href)").getall())
        yield from self.requests((url for url in links
                                  if urlsplit(url).hostname == host and profile.is_document(url)),
                                 depth)
        pager = next(filter(None, (response.xpath("//a[normalize-space()=$t]/@href", t=text).get()
                                   for text in profile.next_page_texts)), None)
        if pager and (next_url := urlsplit(response.urljoin(pager))).scheme in ("http", "https") \
                and next_url.hostname == host:
            yield from self.requests([next_url.geturl()], depth)

    async def parse_document(self, response, depth: int = 0):
        host = urlsplit(response.url).hostname or ""
        learning = self.crawler.get_extension(LearnedBoilerplate)
        try:
            text = decode_response(response, response.meta)
        except UndecodableError as exc:
            self.skip(response.url, "not_text", f"cannot decode the page: {exc}")
            return
        # The archive middleware stamps the fetch time it wrote to the WARC record.
        fetched = response.meta.get("fetched_at") or item_time(datetime.now(timezone.utc))
        pool = self.segment_pool
        learned = learning.learned(host) if learning else frozenset()
        page = {"url": response.url, "fetched_at": fetched,
                "archive": response.meta.get("archive"),
                # a worker gets a copy; in this process the live set is read
                "boilerplate": learned if pool is None else frozenset(learned)}
        done = None
        try:
            try:
                if pool is None:
                    result = analyse_fetched(text, **page)
                else:
                    result, done = await pool.in_order(analyse_fetched, text, **page)
            except WorkerDied as exc:          # not the page's fault, as far as we know
                self.fail(response.request, "worker_died", str(exc))
                return
            except Exception as exc:        # one unparseable page must not end the crawl
                self.skip(response.url, "parse_error", f"segmentation failed: {exc!r}",
                          logging.ERROR)
                return
            if result.not_a_document:
                self.skip(response.url, "not_a_document", result.not_a_document)
                return
            if learning:
                learning.observe(host, result.line_keys)
            self.count_furniture(result)
            # Links first: once the item is recorded as emitted, the page is not fetched again,
            # so the documents it links to must already be scheduled (and in the frontier). The
            # depth is read again: a shorter path may have come while the page was segmented.
            for request in self.follow(response.url, list(result.links),
                                       self.depth_of(response.url, depth)):
                yield request
            yield result.item
        finally:
            if done is not None:
                done()

    def count_furniture(self, result) -> None:
        """Per site, documents parsed and those with furniture in their excerpt (the run
        record's furniture share: a jump is a template change)."""
        figures = f"docspider/sites/{result.item.site or 'unknown'}/"
        self.crawler.stats.inc_value(figures + "documents_parsed")
        if result.furniture:
            self.crawler.stats.inc_value(figures + "furniture")

    @cached_property
    def segment_pool(self) -> SegmentPool | None:
        workers = self.crawler.get_extension(SegmentWorkers)
        return workers.pool if workers else None


def _ignored_reason(detail: str) -> str:
    """The skip reason of a request Scrapy's own middlewares ignored."""
    if "robots.txt" in detail:
        return "robots_txt"
    if "max size" in detail or "DOWNLOAD_MAXSIZE" in detail or "larger than" in detail:
        return "too_large"
    return "ignored"
