"""Pick the site rules for a URL from the registered profiles (pure; no Scrapy).

A profile that owns the URL's host and matches its path (a document or listing pattern) wins
over one that only owns the host; among those, the one naming the host most specifically
(`m.taowenge.com` over `taowenge.com`), then the first registered. A URL no profile owns gets
the generic rules.
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from .generic import GENERIC
from .profile import SiteProfile


def route(url: str, profiles: Iterable[SiteProfile]) -> SiteProfile:
    host = urlsplit(url).hostname or ""
    by_host = sorted((p for p in profiles if p.owns_host(host)), key=lambda p: -p.host_match(host))
    for profile in by_host:
        if profile.is_document(url) or profile.is_listing(url):
            return profile
    return by_host[0] if by_host else GENERIC
