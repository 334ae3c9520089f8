"""`docs`: crawl a mixed list of URLs, each with the rules of the site it belongs to.

Every spider in the project that has a site profile is a route; a URL is handled with the
profile that owns its host and matches its path, or with the generic rules when no profile owns
the host. A new site spider is picked up by its profile alone: nothing here changes.
"""
from __future__ import annotations

import os
from functools import cached_property

from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from docspider.cluster import redis_url
from docspider.sites.generic import GENERIC
from docspider.sites.profile import SiteProfile
from docspider.sites.routing import route
from docspider.spiders.base import DocumentSpider


class DocsSpider(DocumentSpider):
    name = "docs"
    sample_url = "https://wenku.example.net/doc/7f3a9c21.html"     # no spider's: generic rules
    profile = GENERIC

    @classmethod
    def check_arguments(cls, follow: str | None = None, **kwargs):
        # its seeds are URLs, given or pushed to Redis: not followed unless asked, as `urls=`
        return super().check_arguments(follow="0" if follow is None else follow, **kwargs)

    @classmethod
    def check_seeds(cls, settings, urls) -> None:
        # `scrapy check` (SCRAPY_CHECK set) makes its own requests, and the workers of a
        # distributed crawl take seeds from Redis: no URLs needed then
        if not urls and not os.environ.get("SCRAPY_CHECK") and not redis_url(settings):
            raise UsageError("urls: required (urls=URL,URL or urls=@file)")

    @cached_property
    def profiles(self) -> list[SiteProfile]:
        loader = get_spider_loader(self.settings)
        spiders = (loader.load(name) for name in sorted(loader.list()))
        return [cls.profile for cls in spiders
                if issubclass(cls, DocumentSpider) and cls.profile is not GENERIC]

    def profile_for(self, url: str) -> SiteProfile:
        return route(url, self.profiles)
