"""Pass 4: everything outside the document block, section by section (pure; no Scrapy).

After a related heading, list items and links are related titles — or, on sites that show
items as title, snippet, `More information`, the line after each button; after a notice
heading, its items are disclaimer, and so is any sentence with a copyright or download-notice
phrase (a list with one notice item is a notice); after a keyword or uploader heading, the
values are metadata; `label:value` lines, breadcrumbs and prices are metadata; everything else
is chrome (reading and truncation markers still feed the metadata).
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from . import vocab
from .blocks import Block
from .context import Context
from .features import has_words
from .metadata import apply_markers, apply_pairs, breadcrumb, meta_pairs
from .result import CHROME, DISCLAIMER, INTRO, METADATA, RELATED

_KEYWORD_HEADING = re.compile(r"关键[词字]|标签")
_UPLOADER_HEADING = re.compile(r"^上传[者人]")
_PRICE_UNIT = re.compile(r"^(金币|元|下载券)$")
_OWN_ITEM_NUMBER = re.compile(r"^\s*([(（]?[0-9０-９]{1,2}\s?[.．、:：)）]\s*)+")


def label_sections(ctx: Context, start: int, end: int) -> None:
    blocks, f, o = ctx.blocks, ctx.features, ctx.options
    section: str | None = None
    related_style, item_start = "list", False
    keywords: list[str] = []
    for i, b in enumerate(blocks):
        if start <= i < end:
            section = None
            continue
        kind = f.kind[i]
        if kind:
            b.label = CHROME
            section = kind
            if kind == "related":
                related_style, item_start = _related_style(ctx, i), True
            if kind == "meta" and _KEYWORD_HEADING.search(b.key):
                section = "keywords"
            elif kind == "meta" and _UPLOADER_HEADING.match(b.key):
                section = "uploader"
            continue
        if not has_words(b):
            b.label = CHROME
            continue
        if f.footer[i]:
            section = None
        if f.notice[i] and not b.href:
            b.label = DISCLAIMER
            continue
        if section == "related":
            if vocab.BUTTONS(b):
                b.label = CHROME        # `More information` closes an item
                item_start = True
                continue
            if related_style == "items":
                title = item_start
            else:
                title = b.list_item or b.href or (
                    related_style == "lines" and _is_related_title(b, o.snippet_min))
            item_start = False
            if title:
                b.label = RELATED
                ctx.seg.related.append((ctx.clean(b.text), absolute(ctx, b.href)))
                continue
            if related_style == "items" or len(b.text) > o.snippet_min:
                b.label = CHROME        # an item's snippet
                continue
        if section == "disclaimer" and (b.list_item or vocab.ITEM_NUMBER(b)):
            b.label = DISCLAIMER
            continue
        if section == "keywords" and len(b.ckey) <= o.heading_max and not f.meta_line(i):
            b.label = METADATA
            keywords.append(ctx.clean(b.text))
            continue
        if section == "uploader" and not b.list_item and len(b.text) <= o.heading_max:
            b.label = METADATA
            ctx.meta.set("uploader", ctx.clean(b.text))
            section = None
            continue
        if section == "desc" and ctx.seg.intro is None:
            b.label = INTRO
            ctx.seg.intro = ctx.clean(b.text)
            section = None
            continue
        section = None
        b.label = _other_label(ctx, i)
    if keywords:
        ctx.meta.set("keywords", keywords)
    _label_notice_lists(ctx, start, end)


def _label_notice_lists(ctx: Context, start: int, end: int) -> None:
    """A list outside the text with one notice item is a notice: its other items are
    disclaimer too (`1. 1、下载文档前请自行甄别…` beside `3. 3、如文档侵犯您的权益…`)."""
    runs: list[list[int]] = []
    for i, b in enumerate(ctx.blocks):
        if start <= i < end or not (b.list_item or vocab.ITEM_NUMBER(b)) or b.href:
            if runs and runs[-1]:
                runs.append([])
            continue
        if not runs:
            runs.append([])
        runs[-1].append(i)
    for run in runs:
        if any(ctx.blocks[i].label == DISCLAIMER for i in run):
            for i in run:
                if ctx.blocks[i].label == CHROME and has_words(ctx.blocks[i]):
                    ctx.blocks[i].label = DISCLAIMER


def _section_blocks(ctx: Context, heading: int) -> list[Block]:
    """The blocks after a heading up to the next heading or footer line."""
    out = []
    for j in range(heading + 1, len(ctx.blocks)):
        if ctx.features.kind[j] or ctx.features.footer[j]:
            break
        out.append(ctx.blocks[j])
    return out


def _related_style(ctx: Context, heading: int) -> str:
    """How a related section shows its titles: `items` (title, snippet, `More information`,
    repeated: the block after each button is a title), `list` (list items or links) or
    `lines` (plain short lines)."""
    blocks = _section_blocks(ctx, heading)
    buttons = Counter(b.key for b in blocks if vocab.BUTTONS(b))
    if buttons and buttons.most_common(1)[0][1] >= ctx.options.related_item_buttons:
        return "items"
    if any((b.list_item or b.href) and len(b.text) <= ctx.options.snippet_min for b in blocks):
        return "list"
    return "lines"


def _is_related_title(b: Block, snippet_min: int) -> bool:
    return (has_words(b) and len(b.text) <= snippet_min and not vocab.BUTTONS(b)
            and not b.key.endswith((".", "。")) and not vocab.FOOTER(b))


def _other_label(ctx: Context, i: int) -> str:
    b = ctx.blocks[i]
    key = b.key
    if ctx.features.meta_line(i):
        apply_pairs(ctx.meta, meta_pairs(b.text))
        return METADATA
    if (crumbs := breadcrumb(key)) is not None:
        ctx.meta.set("category", [ctx.clean(c) for c in crumbs])
        return METADATA
    if _PRICE_UNIT.match(key) and i > 0 and re.fullmatch(r"\d+(\.\d+)?", ctx.blocks[i - 1].key):
        ctx.meta.set("price", ctx.blocks[i - 1].key + key)     # `8` / `金币`: `8金币`
        ctx.blocks[i - 1].label = METADATA
        return METADATA
    apply_markers(ctx.meta, key)        # reading/truncation markers feed the metadata
    return CHROME


def disclaimer_text(ctx: Context, b: Block) -> str:
    return _OWN_ITEM_NUMBER.sub("", ctx.clean(b.text), count=1)


def absolute(ctx: Context, href: str | None) -> str | None:
    if not href or href.startswith(("javascript:", "#")):
        return None
    if ctx.base_url:
        return join_url(ctx.base_url, href)
    return href if re.match(r"^https?://", href) else None


# A path from the site's root with nothing urljoin would rewrite: no dot segment, no empty
# query, parameters or fragment, no tab or line break.
_FROM_ROOT = re.compile(r"/(?!/)[^?#;\s]*\Z")


def join_url(base: str, href: str) -> str:
    """`urljoin(base, href)`; a related link is mostly a path from the site's root, which is
    put after the page's origin without parsing both URLs again (the urljoin calls were a
    twentieth of segmenting a page with a related list)."""
    origin = _origin(base)
    if origin and _FROM_ROOT.match(href) and "/." not in href:
        return origin + href
    return urljoin(base, href)


@lru_cache(maxsize=256)
def _origin(base: str) -> str | None:
    parts = urlsplit(base)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None
