"""Pass 3: the document's own text inside the document block, its pages and parts (pure).

Inside the block, injected noise is chrome: adverts and watermarks (split off lines they are
glued to before anything else, `split_glued`), share lines, furniture, SEO runs of titles, a
summary repeating the text's start, buttons, thumbnails, page counters, reading markers, and
the host's learned boilerplate at the edges of the text. The rest is the excerpt.

Pages: `1、 2、 3、 …` prefixes only when numbered 1, 2, 3 … without a gap and page-long
(headings such as `1、施工管理机构` are never pages); `1 ` prefixes and bare numbers leniently
(PDF-line layouts), unless they form an outline with `1.1` sub-numbers; `Page N: «T»` header
lines. Pages are joined with no separator, so the words and numbers a site cut at a page
boundary come back whole.

Parts: on a page that holds several documents, a title shown twice in a row (合集) or a sample
header (`篇一`, 范文) starts a part.
"""
from __future__ import annotations

import re

from . import vocab
from .blocks import Block
from .context import Context
from .features import PUNCTUATED, WORD, has_words, is_link_run
from .metadata import apply_markers
from .normalize import compact, match_key, own_text
from .result import CHROME, EXCERPT, INTRO, METADATA, Page
from .titles import is_part_title, title_shaped

OWN_PAGE_MARKER = re.compile(r"^\s*[0-9０-９]{1,3}\s?(、|\s|$)")
_ELLIPSES = ("...", "…")


def split_glued(blocks: list[Block]) -> list[Block]:
    """A line with an advert or watermark glued to its words becomes the noise, as blocks of
    their own, and the line without it (its page number kept): the noise never takes the
    text with it."""
    out: list[Block] = []
    for b in blocks:
        if not vocab.GLUED_HINT(b):
            out.append(b)
            continue
        spans = [m.group().strip() for m in vocab.GLUED_NOISE.finditer(b.text)]
        rest = vocab.GLUED_NOISE.sub("", b.text).strip()
        if not spans or not WORD.search(OWN_PAGE_MARKER.sub("", rest, count=1)):
            out.append(b)
            continue
        out += [b.holding(span) for span in spans]
        out.append(b.holding(rest))
    return out


def injected_runs(ctx: Context, start: int, end: int) -> set[int]:
    """Runs of titles injected between the text's lines: blocks of links, and, only when the
    block holds punctuated prose besides, unpunctuated lines (a text that is nothing but such
    a line is judged whole: filler or soup, see nondocument)."""
    links, bare, prose = set(), set(), False
    for i in range(start, end):
        b = ctx.blocks[i]
        if b.link_run:
            links.add(i)
        elif len(b.ckey) >= ctx.options.run_min:
            if PUNCTUATED.search(b.key):
                prose = True
            else:
                bare.add(i)
    return links | bare if prose else links


def is_repeated_summary(ctx: Context, i: int, end: int) -> bool:
    """A summary the site made of the text's start, cut with `…`, shown above the text."""
    key, least = ctx.blocks[i].ckey, ctx.options.summary_min
    if not key.endswith(_ELLIPSES) or len(key) < least + 3:
        return False
    following = "".join(b.ckey for b in ctx.blocks[i + 1:end]
                        if not (is_link_run(b, ctx.options) or vocab.CONTENT_NOISE(b)))
    return key[:least] in following


def label_document(ctx: Context, start: int, end: int, via_desc: bool) -> None:
    """Label the document block: chrome, the intro, the excerpt and its pages."""
    blocks, f, seg = ctx.blocks, ctx.features, ctx.seg
    content: list[int] = []
    runs = injected_runs(ctx, start, end)
    for i in range(start, end):
        b = blocks[i]
        if not content and ctx.repeated_title and b.ckey == ctx.repeated_title:
            b.label = METADATA          # the title shown again above the text
        elif (not has_words(b) or vocab.CONTENT_NOISE(b) or i in runs
                or f.furniture(i)
                or is_repeated_summary(ctx, i, end)
                or vocab.SHARE_LINE(b) or vocab.BUTTONS(b)
                or vocab.THUMBNAIL(b) or vocab.PAGE_COUNTER(b)
                or (len(b.key) < ctx.options.marker_line_max and apply_markers(ctx.meta, b.key))):
            b.label = CHROME
        else:
            content.append(i)
    # The host's own boilerplate at the edges of the text is not text; inside it stays.
    while content and f.learned[content[0]]:
        blocks[content.pop(0)].label = CHROME
    while content and f.learned[content[-1]]:
        blocks[content.pop()].label = CHROME
    # A description paragraph between 资源描述 and the page excerpts is the intro.
    if via_desc and len(content) > 1 and not _starts_page_one(blocks[content[0]]) \
            and _starts_page_one(blocks[content[1]]):
        blocks[content[0]].label = INTRO
        seg.intro = ctx.clean(blocks[content[0]].text)
        content = content[1:]
    if not content:
        return
    for i in content:
        blocks[i].label = EXCERPT
    pages = find_pages(ctx, content)
    if pages:
        for n, idx in pages:
            lines = [ctx.clean(blocks[i].text) for i in idx]
            if lines and blocks[idx[0]].label == EXCERPT and not ctx.page_titles:
                lines[0] = OWN_PAGE_MARKER.sub("", lines[0], count=1)
            seg.pages.append(Page(n, "\n".join(lines)))
        ctx.meta.set("pages_shown", len(pages))
    else:
        seg.pages.append(Page(None, "\n".join(ctx.clean(blocks[i].text) for i in content)))


def _starts_page_one(block: Block) -> bool:
    m = vocab.PAGE_MARKER(block)
    return bool(m and m.group("n") == "1")


def find_pages(ctx: Context, content: list[int]) -> list[tuple[int, list[int]]] | None:
    """Split the text into the pages the site numbered, or None for continuous text.

    Three numbering styles: `1、` prefixes (strict: a number out of sequence means this is a
    list, not pages), `1 ` prefixes or bare `1` lines (lenient: a line that merely starts with
    another number is text), and `Page 1: «T»` header lines (chrome)."""
    blocks = ctx.blocks
    if vocab.PAGE_HEADER(blocks[content[0]]):
        return pages_by_header(ctx, content)
    first = vocab.PAGE_MARKER(blocks[content[0]])
    if not first or first.group("n") != "1":
        return None
    spaced = first.group("sep") != "、"
    pages: list[tuple[int, list[int]]] = []
    for i in content:
        m = vocab.PAGE_MARKER(blocks[i])
        if m and (m.group("sep") != "、") == spaced:
            if int(m.group("n")) == len(pages) + 1:
                pages.append((len(pages) + 1, [i]))
                continue
            if not spaced:
                return None     # numbering that skips or restarts is not page numbering
        pages[-1][1].append(i)
    evidence = page_count_evidence(ctx, len(pages))
    if evidence is False:
        return None             # more numbered items than the document has pages
    if spaced:
        # PDF-line layouts start a page with a short line; judge the whole page, and tell
        # pages from an outline (`1 总则` over `1.1 编制目的`) by its sub-numbers.
        if is_outline(ctx, content, len(pages)):
            return None
        lengths = sorted(sum(len(blocks[i].text) for i in idx) for _, idx in pages)
    else:
        lengths = sorted(len(blocks[idx[0]].text) for _, idx in pages)
    if evidence is None and lengths[len(lengths) // 2] < ctx.options.page_min_median \
            or (spaced and len(pages) < 2):
        return None
    return pages


def page_count_evidence(ctx: Context, count: int) -> bool | None:
    """What the page says of its page counts, for `count` numbered items starting the text:
    False when the document has fewer pages (`页数:3` under six `N、` clauses), True when the page
    says it shows exactly that many (`已阅读6页`), else None (then the items must be page-long)."""
    total, shown = ctx.shown_pages
    if total and count > total:
        return False
    if shown and count == shown:
        return True
    return None


def is_outline(ctx: Context, content: list[int], count: int) -> bool:
    keys = [ctx.blocks[i].key for i in content]
    return sum(any(k.startswith(f"{n}.1") for k in keys) for n in range(1, count + 1)) \
        > count // 2


def pages_by_header(ctx: Context, content: list[int]) -> list[tuple[int, list[int]]]:
    pages: list[tuple[int, list[int]]] = []
    for i in content:
        b = ctx.blocks[i]
        m = vocab.PAGE_HEADER(b)
        if m and int(m.group("n")) == len(pages) + 1:
            b.label = CHROME
            own = vocab.PAGE_HEADER.match(own_text(b.text))
            ctx.page_titles.append(own.group("title") if own else m.group("title"))
            pages.append((len(pages) + 1, []))
        else:
            pages[-1][1].append(i)
    return pages


def find_parts(ctx: Context, start: int, end: int) -> None:
    """A page that holds several documents shows each under a title of its own: on a 合集
    page a title-shaped line shown twice in a row, on a 范文 page a sample header (`篇一`,
    its title the line after it when that is title-shaped). Two or more make parts; the
    excerpt keeps all their text in order."""
    blocks = ctx.blocks
    heads: list[tuple[int, str | None]] = []       # (first text block, title)
    i = start
    while i < end:
        b = blocks[i]
        if (b.label in (EXCERPT, METADATA) and i + 1 < end
                and blocks[i + 1].ckey == b.ckey and title_shaped(ctx, i)):
            heads.append((i, ctx.clean(b.text)))
            i += 2
            continue
        if b.label == CHROME and vocab.SAMPLE_HEADER(b):
            after = next((j for j in range(i + 1, end) if blocks[j].label == EXCERPT), None)
            title = (ctx.clean(blocks[after].text) if after is not None
                     and is_part_title(blocks[after], ctx.options.part_title_max)
                     else ctx.clean(b.text))
            heads.append((i + 1, title))
        i += 1
    if len(heads) < 2:
        return
    bounds = [first for first, _title in heads[1:]] + [end]
    for (first, title), stop in zip(heads, bounds):
        lines = [ctx.clean(blocks[j].text) for j in range(first, stop)
                 if blocks[j].label == EXCERPT and blocks[j].ckey != compact(match_key(title or ""))]
        ctx.seg.parts.append((title, "\n".join(lines)))
