"""Build a :class:`~docspider.items.DocumentItem` from a page (pure; no Scrapy).

Both the ``segment`` command (saved files) and the spiders (fetched responses) go through
:func:`build_item`, so a page gives the same item however it arrived.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .items import (ArchiveRecord, DocumentItem, Excerpt, ExcerptPage, Metadata, Part, Price,
                    RawMetadata, RelatedDocument)
from .segment import Segmentation, not_a_document, segment_html, segment_text
from .segment.leaks import furniture_blocks
from .segment.metadata import iso_datetime, price, size_bytes
from .sites import doc_id_from_url, site_name


def segment_page(text: str, *, is_html: bool, base_url: str | None = None,
                 boilerplate: AbstractSet[str] = frozenset()) -> Segmentation:
    if is_html:
        return segment_html(text, base_url=base_url, boilerplate=boilerplate)
    return segment_text(text, boilerplate=boilerplate)


@dataclass(frozen=True)
class FetchedPage:
    """What a crawl makes of a fetched document page: the item, or why the page holds no
    document; a document's line keys (for learning the host's boilerplate), its related
    links (to follow, whether or not they have a title) and how many blocks of its excerpt read
    as furniture (:func:`~docspider.segment.leaks.furniture_blocks`: template drift)."""
    item: DocumentItem | None
    not_a_document: str | None
    line_keys: tuple[str, ...]
    links: tuple[str, ...]
    furniture: int = 0


def analyse_fetched(text: str, *, url: str, fetched_at: str, archive: dict | None,
                    boilerplate: AbstractSet[str] = frozenset()) -> FetchedPage:
    """Segment a fetched page's text and build its item. Runs in the crawl or in a
    segmentation worker (docspider.segmentpool); it takes and returns plain picklable data."""
    seg = segment_page(text, is_html=True, base_url=url, boilerplate=boilerplate)
    if reason := not_a_document(seg):
        return FetchedPage(None, reason, (), ())
    return FetchedPage(build_item(seg, url=url, fetched_at=fetched_at, archive=archive), None,
                       tuple(block.ckey for block in seg.blocks),
                       tuple(href for _title, href in seg.related if href),
                       furniture_blocks(seg))


def build_item(seg: Segmentation, *, url: str | None = None, source: str | None = None,
               fetched_at: str | None = None, canonical: str | None = None,
               archive: dict | None = None) -> DocumentItem:
    """``url`` is the fetched URL (None for files); ``canonical`` the page's own URL if known;
    ``archive`` the location of the page's WARC response record."""
    where = url or canonical
    meta = seg.metadata
    return DocumentItem(
        url=url,
        source=source,
        site=site_name(where) if where else None,
        doc_id=(doc_id_from_url(where) if where else None) or meta.doc_id,
        title=seg.title or None,
        language=seg.language,
        script=seg.script,
        fetched_at=fetched_at,
        metadata=Metadata(
            pages_total=meta.pages_total, pages_shown=meta.pages_shown, format=meta.format,
            size_bytes=size_bytes(meta.size), uploaded_at=iso_datetime(meta.uploaded_at),
            uploader=meta.uploader, price=Price(**p) if (p := price(meta.price)) else None,
            keywords=meta.keywords, category=meta.category,
            raw=RawMetadata(size=meta.size, uploaded_at=meta.uploaded_at, price=meta.price),
        ),
        intro=seg.intro or None,
        excerpt=Excerpt(
            pages=[ExcerptPage(p.n, p.text) for p in seg.pages if p.text],
            text=seg.excerpt_text,
            truncated=meta.truncated,
        ),
        disclaimer=[d for d in seg.disclaimer if d],
        related=[RelatedDocument(title, href) for title, href in seg.related if title],
        content_hash=seg.content_hash,
        archive=ArchiveRecord(**archive) if archive else None,
        parts=[Part(title, text) for title, text in seg.parts if text],
    )
