"""Site identity from URLs: the short site name and the document id a URL carries.

Pure (no Scrapy). Per-site profiles (domains, URL patterns, selectors) live beside this module.
"""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

# The public suffix list as bundled with tldextract: no download at run time.
_PUBLIC_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

_DOC_ID = re.compile(
    r"/(?:paper/|p-|d-|down/|doc/|shtml/view-|article/|view/|document/)?"
    r"(?P<id>[0-9a-f]{6,}|\d+(?:-\d+)?|[0-9A-Za-z]{4,})(?:-[^/]*)?\.s?html?$"
)


def site_name(url: str) -> str | None:
    """The registered domain without its public suffix: `https://m.bubsandbeans.com/paper/1.html`
    -> `bubsandbeans`, `zixin.com.cn` -> `zixin`, `foo.bar.example.ne.jp` -> `example`. An IP
    host is named by its address, a host with no registered domain (`localhost`) by itself."""
    host = (urlsplit(url).hostname or "").lower()
    return _site_of_host(host) if host else None


@lru_cache(maxsize=4096)
def _site_of_host(host: str) -> str:
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        return _PUBLIC_SUFFIXES(host).domain or host


def doc_id_from_url(url: str) -> str | None:
    """The document id in a document URL (`/paper/542184386.html` -> `542184386`)."""
    m = _DOC_ID.search(urlsplit(url).path)
    return m.group("id") if m else None
