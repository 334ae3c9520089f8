"""Pass 5: the title, from one ordered chain of strategies (pure; no Scrapy).

The chain: the <h1> (or the <title> without the site's suffix; on pages with `Page N: «T»`
headers, their casing), thumbnail captions (`«T»_第1页`), page headers, a heading that carries
the title (`Transcript of «T»`, `Download "«T»"`), a title-shaped line right above a download
or collection button (`合集下载`), a title-shaped line the page shows more than once above the
text, the line above the metadata, and last the most title-like line at the top. A title is
never a toolbar, a byline, a heading, a notice, furniture or a line of the host's learned
boilerplate. Copies of the title outside the text are metadata.

Two strategies act before the text is labelled: the repeated line (its copies right above the
text are not text) and, on a page whose text starts at its first line, the first-line title
(it starts the text; `start_at_top_title`).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from . import vocab
from .blocks import Block
from .context import Context
from .features import SENTENCE_END, has_words, is_toolbar, title_likeness
from .metadata import PageMetadata, apply_markers, breadcrumb, meta_pairs
from .normalize import compact, match_key, own_text
from .result import CHROME, METADATA

_TITLE_SUFFIX = re.compile(r"\s*[-_|–—]\s*[^-_|–—]{2,16}$")
_SITEISH = re.compile(r"文库|文档|网|文阁|办公|docs?|wenku", re.I)


def title_shaped(ctx: Context, i: int) -> bool:
    """A line that could be the document's title: title-long, not a sentence, and none of
    the page's furniture (headings, buttons, toolbars, notices, metadata, list items)."""
    b, f, o = ctx.blocks[i], ctx.features, ctx.options
    return (o.title_min <= len(b.ckey) <= o.title_max and has_words(b)
            and not (f.kind[i] or f.learned[i] or f.footer[i] or f.notice[i] or b.list_item
                     or f.meta_line(i) or vocab.BUTTONS(b)
                     or is_toolbar(b) or vocab.NAV_BAR(b)
                     or vocab.WELCOME(b) or f.furniture(i)
                     or vocab.CONTENT_NOISE(b) or vocab.THUMBNAIL(b)
                     or vocab.BREADCRUMB(b) or SENTENCE_END.search(b.key)))


def find_repeated_title(ctx: Context, start: int) -> tuple[str, str] | None:
    """Sites show the title more than once above the text (`«T»` … form … `«T»`): the last
    line at or before the document start that occurs again on the page, if it is shaped like
    a title, as (text, compact matching key)."""
    blocks, f, o = ctx.blocks, ctx.features, ctx.options
    counts = Counter(b.ckey for b in blocks)
    for b in blocks:                    # `当前位置:X › «T»` shows the title too
        if crumbs := breadcrumb(b.key):
            counts[compact(crumbs[-1])] += 1
    for i in range(min(start, len(blocks) - 1), -1, -1):
        b = blocks[i]
        key = b.ckey
        if (counts[key] >= 2 and o.title_min <= len(key) <= o.title_max
                and not (f.kind[i] or b.list_item or b.href or f.meta_line(i)
                         or vocab.BUTTONS(b) or vocab.WELCOME(b) or vocab.CONTENT_NOISE(b)
                         or f.furniture(i) or is_toolbar(b)
                         or f.learned[i] or f.footer[i] or f.notice[i])):
            return b.text, key
    return None


def title_before_button(ctx: Context, start: int) -> str | None:
    """The title a page shows right above its download or collection button (`«T»`,
    `合集下载`): on pages without a site header it is the first line."""
    blocks = ctx.blocks
    for i in range(min(start, len(blocks) - 1)):
        if vocab.DOWNLOAD_BUTTON(blocks[i + 1]) and title_shaped(ctx, i):
            return blocks[i].text
    return None


def top_title_line(ctx: Context, start: int) -> int | None:
    """The most title-like line at the top of a page (above the text, or among the first
    lines when the text starts the page): a line naming a file or a kind of document beats a
    site slogan; the first line wins a tie."""
    top_lines = ctx.options.top_lines
    top = range(min(start if start > 0 else top_lines, top_lines, len(ctx.blocks)))
    candidates = [i for i in top if title_shaped(ctx, i)]
    if not candidates:
        return None
    best = max(candidates, key=lambda i: (title_likeness(ctx.blocks[i].key), -i))
    return best if title_likeness(ctx.blocks[best].key) >= 0 else None


def start_at_top_title(ctx: Context, start: int, end: int) -> int:
    """On a page whose text starts at its first lines (no header, no heading), the title line
    found there starts the text: the lines above it (a slogan) are not text, and it is not text
    either when the next line repeats it (`«T»(可编辑)` over `«T»`)."""
    if start > 0 or (top := top_title_line(ctx, start)) is None:
        return start
    ctx.top_title = top
    blocks = ctx.blocks
    following = next((j for j in range(top + 1, end) if has_words(blocks[j])), None)
    if following is not None and near_copy(blocks[top].ckey, blocks[following].ckey,
                                           ctx.options.title_min,
                                           ctx.options.near_copy_slack):
        blocks[top].label = METADATA
        return top + 1
    return top


def near_copy(title: str, line: str, least: int, slack: int) -> bool:
    """`«T».doc` / `«T»(可编辑)` over `«T»` (or a button glued to it): the line repeats the
    title without its file decoration."""
    stem = vocab.TITLE_FILE.sub("", title)
    return len(stem) >= least and (line == stem or line.endswith(stem)
                                   and len(line) - len(stem) <= slack)


def find_title(ctx: Context, start: int) -> None:
    """Run the chain, set the title and mark its copies outside the text as metadata."""
    blocks = ctx.blocks
    title = ctx.title_hint
    if title and ctx.page_titles:
        # an <h1> that lower-cases the title the page headers show
        title = next((t for t in ctx.page_titles if t.casefold() == title.casefold()), title)
    if not title:
        thumbs = Counter(m.group("title") for b in blocks
                         if vocab.THUMBNAIL(b) and (m := vocab.THUMBNAIL.match(own_text(b.text))))
        if thumbs:
            title = thumbs.most_common(1)[0][0]
    if not title and ctx.page_titles:
        title = Counter(ctx.page_titles).most_common(1)[0][0]
    if not title:
        title = next((m.group("title") for b in blocks
                      if (vocab.DOC_START_WITH_TITLE(b) or vocab.DOWNLOAD_TITLE(b))
                      and (m := vocab.DOC_START_WITH_TITLE.match(own_text(b.text))
                           or vocab.DOWNLOAD_TITLE.match(own_text(b.text)))), None)
    if not title:
        title = ctx.button_title
    if not title and ctx.repeated:
        title = ctx.repeated[0]
    if not title:
        title = title_before_metadata(ctx, start)
    if not title and ctx.top_title is not None:
        title = blocks[ctx.top_title].text
    if not title and (top := top_title_line(ctx, start)) is not None:
        title = blocks[top].text
    if not title:
        return
    title = ctx.clean(title)
    ctx.seg.title = title
    title_key = compact(match_key(title))
    for b in blocks:
        if b.label == CHROME and b.ckey == title_key:
            b.label = METADATA


def title_before_metadata(ctx: Context, start: int) -> str | None:
    """The top line of the run of plain lines right above the page's first metadata line."""
    blocks, f = ctx.blocks, ctx.features
    first_meta = next((i for i, b in enumerate(blocks[:start])
                       if b.label == METADATA and meta_pairs(b.text)), None)
    if first_meta is None:
        return None
    site_names = " ".join(b.key for i, b in enumerate(blocks) if f.footer[i] or vocab.WELCOME(b))
    run: list[str] = []
    for i in range(first_meta - 1, -1, -1):
        b = blocks[i]
        if f.kind[i] or vocab.BUTTONS(b) or (
                b.label == CHROME and apply_markers(PageMetadata(), b.key)):
            if run:
                break
            continue
        if (b.list_item or b.label != CHROME or len(b.text) > ctx.options.title_run_max
                or f.meta_line(i) or b.key in site_names or is_toolbar(b)):
            break
        run.append(b.text)
    return run[-1] if run else None


def strip_site_suffix(title: str, blocks: Sequence[Block] = ()) -> str:
    """`T-人人文库` -> `T`: drop a trailing site name from a <title> — one that looks like a
    site's name, or any suffix when a line of the page shows the title without it."""
    m = _TITLE_SUFFIX.search(title)
    if m and (_SITEISH.search(m.group())
              or (stem := compact(match_key(title[: m.start()])))
              and any(stem in b.ckey for b in blocks)):
        return title[: m.start()].strip()
    return title


def is_part_title(block: Block, longest: int) -> bool:
    """The line under a sample header that names the sample (`请假条`): short, no sentence."""
    return 2 <= len(block.ckey) <= longest and not SENTENCE_END.search(block.key) \
        and not block.key.endswith((":", "。", ".", ",", ";"))

