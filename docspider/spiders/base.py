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
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.exceptions import IgnoreRequest, UsageError
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from docspider.archive import item_time
from docspider.document import build_item, segment_page
from docspider.signals import page_skipped
from docspider.sites.profile import SiteProfile
from docspider.state import parse_duration

# Skips that are how an incremental crawl works, not problems: logged at DEBUG.
_ROUTINE_SKIPS = {"known", "not_modified"}


def parse_urls(value: str) -> list[str]:
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            lines = path.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"urls: cannot read {path}: {exc}") from None
        urls = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    else:
        urls = [u.strip() for u in value.split(",") if u.strip()]
    if not urls:
        raise UsageError("urls: no URL given")
    return [check_url(u, "urls") for u in urls]


def check_url(url: str, arg: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{arg}: not an http(s) URL: {url!r}")
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

    def __init__(self, *args, urls: str | None = None, follow: str | None = None,
                 base_url: str | None = None, refresh: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.seed_urls, self.follow_depth, self.base_url, self.refresh = self.check_arguments(
            urls=urls, follow=follow, base_url=base_url, refresh=refresh, **kwargs)
        self.requested: dict[str, int] = {}     # URL -> the least depth it was reached at
        self.unfollowed: dict[str, list[str]] = {}  # parsed too deep to follow: URL -> links

    @classmethod
    def check_arguments(cls, urls: str | None = None, follow: str | None = None,
                        base_url: str | None = None, refresh: str | None = None, **other):
        """Parse the spider arguments; raises UsageError naming the bad one. Names starting
        with `_` are left to the scheduler that passes them (scrapyd's `_job`)."""
        if unknown := sorted(name for name in other if not name.startswith("_")):
            raise UsageError(f"unknown argument {unknown[0]!r} "
                             "(known: urls, follow, base_url, refresh)")
        try:
            refresh_after = parse_duration(refresh) if refresh else None
        except ValueError as exc:
            raise UsageError(f"refresh: {exc}") from None
        return (parse_urls(urls) if urls else [],
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

    def request(self, url: str, depth: int) -> scrapy.Request | None:
        """A request for a page, or None if this run already asked for it. Duplicates are
        tracked per run instead of by Scrapy's dupefilter, whose record persists in a JOBDIR
        and would hide, after a kill, pages that were requested but never fetched; what is
        known across runs is the state store's business (docspider.incremental)."""
        if url in self.requested:
            self.requested[url] = min(self.requested[url], depth)
            return None
        self.requested[url] = depth
        return scrapy.Request(url, callback=self.parse_page, errback=self.skip_failed,
                              cb_kwargs={"depth": depth}, dont_filter=True,
                              meta={"docspider_kind": self.profile_for(url).page_kind(url)})

    def requests(self, urls, depth: int):
        for url in urls:
            before = self.requested.get(url)
            if (request := self.request(url, depth)) is not None:
                yield request
            elif before > depth and url in self.unfollowed:
                # parsed already, reached too deep to follow its links; now reached by a
                # shorter path, so they are followed from here
                yield from self.follow(url, self.unfollowed.pop(url), depth)

    def follow(self, url: str, links: list[str], depth: int):
        """Requests for a document's related links on its own host, if `depth` allows."""
        if depth >= self.follow_depth:
            self.unfollowed[url] = links
            return
        host = urlsplit(url).hostname
        yield from self.requests((link for link in links if urlsplit(link).hostname == host),
                                 depth + 1)

    async def start(self):
        for request in self.requests(self.seed_urls or self.default_start_urls(), depth=0):
            yield request

    def skip(self, url: str, reason: str, detail: str, level: int = logging.WARNING) -> None:
        """Count a page that gave no item under `docspider/skipped/<reason>` and log why."""
        self.crawler.stats.inc_value(f"docspider/skipped/{reason}")
        self.logger.log(level, "skipped %s: %s", url, detail)
        self.crawler.signals.send_catch_log(page_skipped, url=url, reason=reason)

    def skip_failed(self, failure: Failure):
        request = failure.request
        if failure.check(HttpError):
            status = failure.value.response.status
            self.skip(request.url, f"http_{status}", f"HTTP status {status}")
        elif failure.check(IgnoreRequest):
            detail = str(failure.value) or "request ignored"
            reason = getattr(failure.value, "skip_reason", None) or (
                "robots_txt" if "robots.txt" in detail else "ignored")
            level = logging.DEBUG if reason in _ROUTINE_SKIPS else logging.INFO
            self.skip(request.url, reason, detail, level)
            # a known document is not fetched again, but the links it showed still lead on
            yield from self.follow(request.url, getattr(failure.value, "links", []),
                                   self.requested.get(request.url, request.cb_kwargs["depth"]))
        else:
            name = failure.type.__name__
            self.skip(request.url, name, f"{name}: {failure.getErrorMessage()}")

    def parse_page(self, response, depth: int):
        depth = min(depth, self.requested.get(response.url, depth))
        if not isinstance(response, TextResponse):
            self.skip(response.url, "not_text", "not a text response")
            return
        profile = self.profile_for(response.url)
        self.crawler.stats.inc_value(f"docspider/routed/{profile.name}")
        if profile.page_kind(response.url) == "listing":
            yield from self.parse_listing(response, profile, depth)
        else:
            yield from self.parse_document(response, depth)

    def parse_listing(self, response, profile: SiteProfile, depth: int):
        host = urlsplit(response.url).hostname
        links = (response.urljoin(href) for href in response.css("a::attr(href)").getall())
        yield from self.requests((url for url in links
                                  if urlsplit(url).hostname == host and profile.is_document(url)),
                                 depth)
        pager = next(filter(None, (response.xpath("//a[normalize-space()=$t]/@href", t=text).get()
                                   for text in profile.next_page_texts)), None)
        if pager and urlsplit(next_url := response.urljoin(pager)).scheme in ("http", "https"):
            yield from self.requests([next_url], depth)

    def parse_document(self, response, depth: int):
        try:
            seg = segment_page(response.text, is_html=True, base_url=response.url)
        except Exception as exc:            # one unparseable page must not end the crawl
            self.skip(response.url, "parse_error", f"segmentation failed: {exc!r}", logging.ERROR)
            return
        # Links first: once the item is recorded as emitted, the page is not fetched again, so
        # the documents it links to must already be scheduled (and in the state's frontier).
        yield from self.follow(response.url, [href for _title, href in seg.related if href],
                               depth)
        # The archive middleware stamps the fetch time it wrote to the WARC record.
        fetched = response.meta.get("fetched_at") or item_time(datetime.now(timezone.utc))
        yield build_item(seg, url=response.url, fetched_at=fetched,
                         archive=response.meta.get("archive"))
