"""The document item: one per document page, in JSONL key order (schema_version 4).

The JSON Schema in ``docspider/schema/document.schema.json`` describes the same structure and
is what feeds are validated against; docs/schema.md, made from it, documents every field and
CHANGELOG.md every change.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = 4


@dataclass
class ExcerptPage:
    n: int | None          # page number the site shows; None for continuous text
    text: str


@dataclass
class Excerpt:
    pages: list[ExcerptPage] = field(default_factory=list)
    text: str = ""         # the pages joined with no separator (sites cut pages mid-word)
    truncated: bool = False


@dataclass
class RelatedDocument:
    title: str
    url: str | None = None


@dataclass
class Price:
    amount: int | float    # as the page gives it: 8, 6.99
    unit: str | None       # what follows the number: 金币, 积分, 元; None when nothing does


@dataclass
class RawMetadata:
    """The typed metadata's values as the page shows them."""
    size: str | None = None
    uploaded_at: str | None = None
    price: str | None = None


@dataclass
class Metadata:
    pages_total: int | None = None
    pages_shown: int | None = None
    format: str | None = None
    size_bytes: int | None = None
    uploaded_at: str | None = None       # ISO 8601: a date, or a date and time with no zone
    uploader: str | None = None
    price: Price | None = None
    keywords: list[str] | None = None
    category: list[str] | None = None
    raw: RawMetadata = field(default_factory=RawMetadata)


@dataclass
class ArchiveRecord:
    file: str              # the WARC file holding the page's response record
    offset: int            # where the record (a gzip member) starts
    length: int            # its length in bytes


@dataclass
class Part:
    title: str | None      # the part's own title as the page shows it
    text: str              # its text, as in the excerpt


@dataclass
class DocumentItem:
    schema_version: int = SCHEMA_VERSION
    url: str | None = None
    source: str | None = None
    site: str | None = None
    doc_id: str | None = None
    title: str | None = None
    language: str = "zh"
    script: str | None = None
    fetched_at: str | None = None
    metadata: Metadata = field(default_factory=Metadata)
    intro: str | None = None
    excerpt: Excerpt = field(default_factory=Excerpt)
    disclaimer: list[str] = field(default_factory=list)
    related: list[RelatedDocument] = field(default_factory=list)
    content_hash: str | None = None
    change: str | None = None            # new / changed / mirror (incremental crawls)
    mirror_of: str | None = None         # for a mirror: the document first seen with its text
    archive: ArchiveRecord | None = None
    parts: list[Part] = field(default_factory=list)   # documents a collection page holds
