"""The document spider every site spider is built on.

A new site is one small file: a subclass naming ``name`` and a ``profile``
(:class:`docspider.sites.profile.SiteProfile`: domains, document and listing URL patterns).
Everything else — arguments, listing pagination, following related documents, segmentation,
the item — lives here once.

Arguments (``scrapy crawl NAME -a KEY=VALUE``):

* ``urls=URL,URL`` or ``urls=@file`` (one URL a line): fetch exactly these, on any host;
* ``follow=N``: follow related-document links N levels deep (default 0 with ``urls``, else 1);
* ``base_url=URL``: treat another host (a mirror) as the site when starting without ``urls``.

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

from docspider.document import build_item, segment_page
from docspider.sites.profile import SiteProfile


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
                 base_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.seed_urls, self.follow_depth, self.base_url = self.check_arguments(
            urls=urls, follow=follow, base_url=base_url, **kwargs)

    @classmethod
    def check_arguments(cls, urls: str | None = None, follow: str | None = None,
                        base_url: str | None = None, **other):
        """Parse the spider arguments; raises UsageError naming the bad one. Names starting
        with `_` are left to the scheduler that passes them (scrapyd's `_job`)."""
        if unknown := sorted(name for name in other if not name.startswith("_")):
            raise UsageError(f"unknown argument {unknown[0]!r} "
                             "(known: urls, follow, base_url)")
        return (parse_urls(urls) if urls else [],
                parse_follow(follow, default=0 if urls else 1),
                check_url(base_url, "base_url") if base_url else None)

    def default_start_urls(self) -> list[str]:
        if not self.base_url:
            return list(self.profile.start_paths)
        base = urlsplit(self.base_url)
        return [urlunsplit((base.scheme, base.netloc, urlsplit(u).path, urlsplit(u).query, ""))
                for u in self.profile.start_paths]

    def profile_for(self, url: str) -> SiteProfile:
        """The site rules for a URL; a site spider applies its own to every host it is given."""
        return self.profile

    def request(self, url: str, depth: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.skip_failed,
                              cb_kwargs={"depth": depth})

    async def start(self):
        for url in self.seed_urls or self.default_start_urls():
            yield self.request(url, depth=0)

    def skip(self, url: str, reason: str, detail: str, level: int = logging.WARNING) -> None:
        """Count a page that gave no item under `docspider/skipped/<reason>` and log why."""
        self.crawler.stats.inc_value(f"docspider/skipped/{reason}")
        self.logger.log(level, "skipped %s: %s", url, detail)

    def skip_failed(self, failure: Failure) -> None:
        request = failure.request
        if failure.check(HttpError):
            status = failure.value.response.status
            self.skip(request.url, f"http_{status}", f"HTTP status {status}")
        elif failure.check(IgnoreRequest):
            detail = str(failure.value) or "request ignored"
            reason = "robots_txt" if "robots.txt" in detail else "ignored"
            self.skip(request.url, reason, detail, logging.INFO)
        else:
            name = failure.type.__name__
            self.skip(request.url, name, f"{name}: {failure.getErrorMessage()}")

    def parse_page(self, response, depth: int):
        if not isinstance(response, TextResponse):
            self.skip(response.url, "not_text", "not a text response")
            return
        profile = self.profile_for(response.url)
        if profile.is_listing(response.url) and not profile.is_document(response.url):
            yield from self.parse_listing(response, profile, depth)
        else:
            yield from self.parse_document(response, depth)

    def parse_listing(self, response, profile: SiteProfile, depth: int):
        host = urlsplit(response.url).hostname
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).hostname == host and profile.is_document(url):
                yield self.request(url, depth)
        pager = next(filter(None, (response.xpath("//a[normalize-space()=$t]/@href", t=text).get()
                                   for text in profile.next_page_texts)), None)
        if pager and urlsplit(next_url := response.urljoin(pager)).scheme in ("http", "https"):
            yield self.request(next_url, depth)

    def parse_document(self, response, depth: int):
        try:
            seg = segment_page(response.text, is_html=True, base_url=response.url)
        except Exception as exc:            # one unparseable page must not end the crawl
            self.skip(response.url, "parse_error", f"segmentation failed: {exc!r}", logging.ERROR)
            return
        fetched = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        yield build_item(seg, url=response.url, fetched_at=fetched)
        if depth >= self.follow_depth:
            return
        host = urlsplit(response.url).hostname
        for _title, href in seg.related:
            if href and urlsplit(href).hostname == host:
                yield self.request(href, depth + 1)
