"""Pass 2: the document block, where the document's own text runs (pure; no Scrapy).

It runs from the heading that introduces the text (`文档简介`, `资源描述`, `Transcription` …)
— or, without one, from after the last header marker (navigation bar, breadcrumb, buttons,
notice items, head furniture, the host's learned boilerplate, a copy of the <h1>) before the
page's longest prose block — to the next tail heading, notice or footer.
"""
from __future__ import annotations

from . import vocab
from .context import Context
from .features import TAIL


def document_span(ctx: Context) -> tuple[int, int, bool]:
    """(start, end, starts_after_description) of the document block."""
    kind, f = ctx.features.kind, ctx.features
    starts = [i for i, k in enumerate(kind) if k == "doc_start"]
    descs = [i for i, k in enumerate(kind) if k == "desc"]
    if starts:
        start, via_desc = starts[0] + 1, False
    elif descs:
        start, via_desc = descs[-1] + 1, True
    else:
        start, via_desc = fallback_start(ctx), False
    end = len(ctx.blocks)
    for i in range(start, len(ctx.blocks)):
        if kind[i] in TAIL or f.footer[i] or (f.notice[i] and i > start):
            end = i
            break
    return start, end, via_desc


def fallback_start(ctx: Context) -> int:
    """No heading introduces the text: start after the last header marker before the longest
    block of the page that is not a list item or notice."""
    blocks, f = ctx.blocks, ctx.features
    if not blocks:
        return 0
    prose = [i for i, b in enumerate(blocks) if not (b.list_item or f.notice[i])]
    longest = max(prose or range(len(blocks)), key=lambda i: len(blocks[i].text))
    start = 0
    notice_items = False        # numbered items under a notice heading are its items
    for i in range(longest):
        b = blocks[i]
        numbered = bool(vocab.ITEM_NUMBER(b))
        if (f.kind[i] or f.notice[i] or f.meta_line(i) or b.list_item
                or (notice_items and numbered)
                or vocab.THUMBNAIL(b) or vocab.READ_MORE(b)
                or f.head_furniture(i) or f.learned[i]
                or vocab.BREADCRUMB(b) or vocab.BUTTONS(b)
                or vocab.NAV_BAR(b) or (ctx.hint_key and b.ckey == ctx.hint_key)):
            start = i + 1
        notice_items = f.kind[i] == "disclaimer" or (notice_items and numbered)
    return start
