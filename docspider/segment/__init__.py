"""Segmentation of document-sharing pages: pure functions, no Scrapy.

``segment_text`` takes a page flattened to text, ``segment_html`` takes the HTML as served; both
return a :class:`Segmentation` in which every block carries exactly one label (excerpt, intro,
disclaimer, related, metadata, chrome) and the parts are parsed out. Both take the lines learned
as the host's own boilerplate (:mod:`.boilerplate`), if any.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet

from .blocks import Block, blocks_from_html, blocks_from_text, html_canonical, html_title, parse_html
from .classify import LABELS, Page, Segmentation, segment_blocks, strip_site_suffix
from .nondocument import not_a_document

__all__ = ["LABELS", "Block", "Page", "Segmentation", "not_a_document", "parse_html",
           "segment_html", "segment_text", "segment_tree"]


def segment_text(text: str, boilerplate: AbstractSet[str] = frozenset()) -> Segmentation:
    return segment_blocks(blocks_from_text(text), boilerplate=boilerplate)


def segment_html(html: str, base_url: str | None = None,
                 boilerplate: AbstractSet[str] = frozenset()) -> Segmentation:
    return segment_tree(parse_html(html), base_url=base_url, boilerplate=boilerplate)


def segment_tree(root, base_url: str | None = None,
                 boilerplate: AbstractSet[str] = frozenset()) -> Segmentation:
    """`segment_html` of a page parsed already (`parse_html`); the tree is only read."""
    hint = html_title(root)
    blocks = blocks_from_html(root)
    if hint and not root.xpath("//h1"):
        hint = strip_site_suffix(hint, blocks)
    canonical = html_canonical(root)
    seg = segment_blocks(blocks, title_hint=hint, base_url=base_url or canonical,
                         boilerplate=boilerplate)
    seg.canonical = canonical
    return seg
