"""What the passes of segmentation share about one page (pure; no Scrapy)."""
from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property

from .blocks import Block
from .features import Features
from .metadata import PageMetadata, apply_markers, apply_pairs, meta_pairs
from .normalize import NOISY_PAGE_HITS, clean_text, compact, count_pinyin, detect_script, match_key
from .options import Options
from .result import Segmentation


@dataclass
class Context:
    blocks: list[Block]
    features: Features
    options: Options
    seg: Segmentation
    noisy: bool                     # traditional mirror with inline pinyin noise
    title_hint: str | None          # the <h1> (or <title>), HTML only
    hint_key: str | None
    base_url: str | None
    page_titles: list[str] = field(default_factory=list)    # in `Page N: «T»` headers
    repeated: tuple[str, str] | None = None     # a title line the page repeats: (text, key)
    repeated_title: str | None = None           # the key of the title copies above the text
    button_title: str | None = None             # the line above a download button
    top_title: int | None = None                # the first-line title that starts the text
    span: tuple[int, int] = (0, 0)              # the document block, once it is known

    @classmethod
    def of(cls, blocks: list[Block], title_hint: str | None, base_url: str | None,
           boilerplate: AbstractSet[str], options: Options) -> Context:
        whole = "\n".join(b.text for b in blocks)
        # Inline pinyin is mirror noise on traditional clones; on a simplified page it is the
        # document's own (a language exam), so it is kept there.
        noisy = count_pinyin(whole) >= NOISY_PAGE_HITS and detect_script(whole) == "traditional"
        return cls(blocks=blocks, features=Features(blocks, options, boilerplate),
                   options=options, seg=Segmentation(blocks=blocks, metadata=PageMetadata()),
                   noisy=noisy, title_hint=title_hint,
                   hint_key=compact(match_key(title_hint)) if title_hint else None,
                   base_url=base_url)

    @cached_property
    def shown_pages(self) -> tuple[int | None, int | None]:
        """(pages the document has, pages the page shows), from the page's metadata lines and
        reading markers outside the text (`页数:43`, `已阅读5页,还剩38页`), read before the
        text is labelled."""
        scratch = PageMetadata()
        start, end = self.span
        for i, b in enumerate(self.blocks):
            if start <= i < end or "页" not in b.key:
                continue                # the text itself, or a line that counts no pages
            if self.features.meta_line(i):
                apply_pairs(scratch, meta_pairs(b.text))
            elif len(b.key) < self.options.marker_line_max:
                apply_markers(scratch, b.key)
        return scratch.pages_total, scratch.pages_shown

    @property
    def meta(self) -> PageMetadata:
        return self.seg.metadata

    def clean(self, text: str) -> str:
        return clean_text(text, self.noisy)
