"""The result of segmenting a page: labelled blocks and the parts parsed out (pure)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .blocks import Block
from .metadata import PageMetadata
from .normalize import comparable_copy, content_hash

EXCERPT, INTRO, DISCLAIMER, RELATED, METADATA, CHROME = (
    "excerpt", "intro", "disclaimer", "related", "metadata", "chrome")
LABELS = (EXCERPT, INTRO, DISCLAIMER, RELATED, METADATA, CHROME)


@dataclass
class Page:
    n: int | None
    text: str


@dataclass
class Segmentation:
    blocks: list[Block]
    title: str | None = None
    metadata: PageMetadata = field(default_factory=PageMetadata)
    intro: str | None = None
    pages: list[Page] = field(default_factory=list)
    disclaimer: list[str] = field(default_factory=list)
    related: list[tuple[str, str | None]] = field(default_factory=list)
    language: str = "zh"
    script: str | None = None
    canonical: str | None = None    # the page's own URL (<link rel=canonical>), HTML only
    # the documents a collection page holds (a 合集, a 范文 page's samples): (title, text)
    parts: list[tuple[str | None, str]] = field(default_factory=list)
    _comparable: tuple[str, str] | None = field(default=None, init=False, repr=False,
                                                compare=False)

    @property
    def excerpt_text(self) -> str:
        return "".join(p.text for p in self.pages)

    @property
    def comparable_excerpt(self) -> str:
        """The excerpt's comparable copy (normalize.comparable_copy), made once for the checks
        and the hash that read it."""
        text = self.excerpt_text
        if self._comparable is None or self._comparable[0] != text:
            self._comparable = (text, comparable_copy(text))
        return self._comparable[1]

    @property
    def content_hash(self) -> str | None:
        return content_hash(self.comparable_excerpt)

    def part(self, label: str) -> list[Block]:
        return [b for b in self.blocks if b.label == label]
