"""Furniture left in a segmented excerpt: the signal that a site changed its template.

Segmentation takes notices and list headings out of the text; on a template the rules know, an
excerpt holds none (zero on every page of the development corpora). When a site moves its
furniture into new markup, lines like `版权说明:本文档由用户提供并上传…` or `相关文档` start to
turn up inside excerpts: `furniture_lines` counts them, so a crawl can watch the share of items
that hold any (the run record's quality figures, the drift monitor). Pure; no Scrapy.
"""
from __future__ import annotations

from .normalize import match_keys
from .vocab import DISCLAIMER_HEADINGS, NOTICE_PHRASES, RELATED_HEADINGS

HEADING_MAX = 40        # a heading is a short line; a sentence naming 相关文档 is text


def furniture_lines(excerpt: str) -> int:
    """How many lines of an excerpt's text read as page furniture: a copyright or download
    notice, or the heading of a notice or of a related-documents list."""
    lines = [line for line in excerpt.splitlines() if line.strip()]
    found = 0
    for key in match_keys(lines):
        lkey = key.lower()
        if NOTICE_PHRASES.search(lkey) or (len(lkey) <= HEADING_MAX and (
                DISCLAIMER_HEADINGS.match(lkey) or RELATED_HEADINGS.match(lkey))):
            found += 1
    return found
