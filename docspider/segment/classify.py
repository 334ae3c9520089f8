"""Label every block of a page as excerpt, intro, disclaimer, related, metadata or chrome.

The rules are structural and work on any page; they run as passes over the page's blocks,
each in a module of its own, sharing a `Context`:

0. glued adverts and watermarks are split off the lines they are glued to (`text.split_glued`);
1. features: what each block is, looked at once (`features`: heading kind, footer, notice,
   furniture, the host's learned boilerplate …);
2. the document span: where the document's own text runs (`span`);
3. the text: chrome inside it, the intro, the excerpt and its pages (`text`), and the parts of
   a collection page;
4. the sections outside it: related titles, disclaimer, metadata, chrome (`sections`);
5. the title chain (`titles`), two of whose strategies act before the text is labelled;
6. metadata: the disclaimer's items, the language and script, truncation.

Thresholds live in one `Options` object (`options`); vocabularies know which copy of a line
they match (`vocab`).
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet

from .blocks import Block
from .context import Context
from .normalize import detect_language, detect_script
from .options import DEFAULT, Options
from .result import DISCLAIMER, LABELS, Page, Segmentation
from .sections import disclaimer_text, label_sections
from .span import document_span
from .text import find_parts, label_document, split_glued
from .titles import (find_repeated_title, find_title, start_at_top_title, strip_site_suffix,
                     title_before_button)

__all__ = ["LABELS", "Page", "Segmentation", "segment_blocks", "strip_site_suffix"]


def segment_blocks(blocks: list[Block], *, title_hint: str | None = None,
                   base_url: str | None = None, boilerplate: AbstractSet[str] = frozenset(),
                   options: Options = DEFAULT) -> Segmentation:
    """Label ``blocks`` and return the parts of the page (its blocks, glued noise split off).
    ``boilerplate``: the compact matching keys of lines learned as the host's own boilerplate
    (:mod:`docspider.segment.boilerplate`)."""
    ctx = Context.of(split_glued(blocks), title_hint, base_url, boilerplate, options)
    start, end, via_desc = document_span(ctx)
    ctx.repeated = find_repeated_title(ctx, start)
    # Copies of the title right above the text are dropped from it: the page's <h1> when
    # known, else the title-shaped line the page repeats.
    ctx.repeated_title = ctx.hint_key or (ctx.repeated[1] if ctx.repeated else None)
    ctx.button_title = title_before_button(ctx, start)
    if not (ctx.repeated_title or ctx.button_title):
        start = start_at_top_title(ctx, start, end)
    ctx.span = (start, end)
    label_document(ctx, start, end, via_desc)
    find_parts(ctx, start, end)
    label_sections(ctx, start, end)
    find_title(ctx, start)
    seg = ctx.seg
    seg.disclaimer = [disclaimer_text(ctx, b) for b in ctx.blocks if b.label == DISCLAIMER]
    sample = seg.excerpt_text or "\n".join(b.text for b in ctx.blocks)
    seg.language = detect_language(sample)
    seg.script = detect_script(sample) if seg.language == "zh" else None
    meta = seg.metadata
    if meta.pages_total and meta.pages_shown and meta.pages_shown < meta.pages_total:
        meta.truncated = True
    return seg
