"""Site identity from URLs: the short site name and the document id a URL carries.

Pure (no Scrapy). Per-site profiles (domains, URL patterns, selectors) live beside this module.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

_HOST_PREFIX = re.compile(r"^(www|m|wap|mip|mobile)\d*\.")
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "co", "ac"}
_DOC_ID = re.compile(
    r"/(?:paper/|p-|d-|down/|doc/|shtml/view-|article/|view/|document/)?"
    r"(?P<id>[0-9a-f]{6,}|\d+(?:-\d+)?|[0-9A-Za-z]{4,})(?:-[^/]*)?\.s?html?$"
)


def site_name(url: str) -> str | None:
    """`https://m.bubsandbeans.com/paper/1.html` -> `bubsandbeans`; `zixin.com.cn` -> `zixin`."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return None
    if re.fullmatch(r"[\d.]+|\[[0-9a-f:]+\]", host):
        return host
    labels = _HOST_PREFIX.sub("", host).split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        labels = labels[:-1]
    return labels[-2] if len(labels) >= 2 else labels[0]


def doc_id_from_url(url: str) -> str | None:
    """The document id in a document URL (`/paper/542184386.html` -> `542184386`)."""
    m = _DOC_ID.search(urlsplit(url).path)
    return m.group("id") if m else None
