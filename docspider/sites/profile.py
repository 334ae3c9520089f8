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
    next_page_text: str = "下一页"

    def owns_host(self, host: str) -> bool:
        host = host.lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def is_document(self, url: str) -> bool:
        return any(re.search(p, urlsplit(url).path) for p in self.document_paths)

    def is_listing(self, url: str) -> bool:
        return any(re.search(p, urlsplit(url).path) for p in self.listing_paths)
