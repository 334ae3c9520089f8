"""Furniture left in a segmented excerpt: the signal that a site changed its template.

Segmentation takes notices and list headings out of the text; on a template the rules know, an
excerpt holds none (zero on every page of the development corpora). When a site moves its
furniture into new markup, blocks like `版权说明:本文档由用户提供并上传…` or `相关文档` start to
turn up in excerpts: `furniture_blocks` counts them, so a crawl can watch the share of documents
that hold any (the run record's quality figures, the drift monitor). Pure; no Scrapy.
"""
from __future__ import annotations

from .result import EXCERPT, Segmentation
from .vocab import DISCLAIMER_HEADINGS, NOTICE_PHRASES, RELATED_HEADINGS

HEADING_MAX = 40        # a heading is a short line; a sentence naming 相关文档 is text
NOTICE_MAX = 200        # a notice is a block of its own; a paragraph quoting one is text


def furniture_blocks(seg: Segmentation) -> int:
    """How many blocks of the excerpt read as page furniture: a copyright or download notice,
    or the heading of a notice or of a related-documents list. Reads the blocks' matching
    copies, made during segmentation: no page text is normalised again."""
    return sum(1 for block in seg.part(EXCERPT) if len(block.lkey) <= NOTICE_MAX and (
        NOTICE_PHRASES(block) or (len(block.lkey) <= HEADING_MAX and (
            DISCLAIMER_HEADINGS(block) or RELATED_HEADINGS(block)))))
