"""What docspider knows about one site family: its hosts and URL shapes (pure; no Scrapy)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SiteProfile:
    name: str
    domains: tuple[str, ...]                    # registered domains; subdomains match too
    document_paths: tuple[str, ...]             # regexes on the URL path of document pages
    listing_paths: tuple[str, ...] = ()         # regexes on the path of listing pages
    start_paths: tuple[str, ...] = ()           # where a crawl without `urls` starts
    next_page_texts: tuple[str, ...] = ("下一页",)   # pager link texts, tried in order

    def owns_host(self, host: str) -> bool:
        return self.host_match(host) > 0

    def host_match(self, host: str) -> int:
        """How specifically this profile owns `host`: the length of the longest of its domains
        that is the host or a parent of it (`m.taowenge.com` beats `taowenge.com`); 0 if none."""
        host = host.lower()
        return max((len(d) for d in self.domains if host == d or host.endswith("." + d)),
                   default=0)

    def is_document(self, url: str) -> bool:
        return any(re.search(p, urlsplit(url).path) for p in self.document_paths)

    def is_listing(self, url: str) -> bool:
        return any(re.search(p, urlsplit(url).path) for p in self.listing_paths)

    def page_kind(self, url: str) -> str:
        """`listing` for a page matching only a listing pattern, else `document`."""
        return "listing" if self.is_listing(url) and not self.is_document(url) else "document"
