"""Label every block of a page as excerpt, intro, disclaimer, related, metadata or chrome.

The rules are structural and work on any page of the families docspider knows:

1. Section headings (`文档简介`, `温馨提示`, `最新文档`, `评论` …, see ``vocab``) split the page.
2. The *document block* runs from the heading that introduces the document text to the next
   tail heading or the footer. Inside it, injected noise (uploader adverts, watermarks) is
   chrome; the rest is the excerpt.
3. `1、 2、 3、 …` starts page excerpts only inside the document block, only when the numbers
   run from 1 without a gap and the numbered lines are page-long; headings such as
   `1、施工管理机构` or notice items are never pages. Pages are joined with no separator, so
   the words and numbers the site cut at a page boundary come back whole.
4. Outside the document block, a list after a related heading is related titles, a list after
   a notice heading (or any sentence with a copyright/download-notice phrase) is disclaimer,
   `label:value` lines, breadcrumbs and the title are metadata, and everything else is chrome.
"""
from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urljoin
from dataclasses import dataclass, field, replace

from . import vocab
from .blocks import Block
from .metadata import PageMetadata, apply_markers, apply_pairs, breadcrumb, is_meta_line, meta_pairs
from .normalize import (
    NOISY_PAGE_HITS, clean_text, compact, content_hash, count_pinyin, detect_language,
    detect_script, match_key, own_text,
)

EXCERPT, INTRO, DISCLAIMER, RELATED, METADATA, CHROME = (
    "excerpt", "intro", "disclaimer", "related", "metadata", "chrome")
LABELS = (EXCERPT, INTRO, DISCLAIMER, RELATED, METADATA, CHROME)

_HEADINGS = (
    ("doc_start", vocab.DOC_START_HEADINGS),
    ("desc", vocab.DESCRIPTION_HEADINGS),
    ("disclaimer", vocab.DISCLAIMER_HEADINGS),
    ("related", vocab.RELATED_HEADINGS),
    ("comment", vocab.COMMENT_HEADINGS),
    ("meta", vocab.META_HEADINGS),
)
_KEYWORD_HEADING = re.compile(r"关键[词字]|标签")
_UPLOADER_HEADING = re.compile(r"^上传[者人]")
_TAIL = {"disclaimer", "related", "comment", "meta"}
_HEADING_MAX = 20          # a heading is short: at most this many characters
_PAGE_MIN_MEDIAN = 40      # page excerpts are page-long; numbered headings are not
_WORD = re.compile(r"[^\W_]")
_OWN_PAGE_MARKER = re.compile(r"^\s*[0-9０-９]{1,3}\s?(、|\s|$)")
_OWN_ITEM_NUMBER = re.compile(r"^\s*([(（]?[0-9０-９]{1,2}\s?[.．、:：)）]\s*)+")
_TITLE_SUFFIX = re.compile(r"\s*[-_|–—]\s*[^-_|–—]{2,16}$")
_SITEISH = re.compile(r"文库|文档|网|文阁|办公|docs?|wenku", re.I)
_PRICE_UNIT = re.compile(r"^(金币|元|下载券)$")
_SNIPPET_MIN = 150         # a related item's excerpt snippet is longer than a title
_TITLE_CHARS = (4, 100)
_RUN_MIN = 30              # an unpunctuated run of titles is at least this long
_PART_TITLE_MAX = 30       # a sample's own title line is short
_TOP_LINES = 6             # a first-line title stands among the first lines of the page
_SENTENCE_END = re.compile(r"[。!?！？]\s*\S")    # a sentence ends inside: not a title line
_SUMMARY_MIN = 50          # a summary repeating the text's start: at least this long
_ELLIPSES = ("...", "…")
_PUNCTUATED = re.compile(r"[\s,.;:!?，。；：、！？]")    # a title line: this many characters (compact) at least / at most


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

    @property
    def excerpt_text(self) -> str:
        return "".join(p.text for p in self.pages)

    @property
    def content_hash(self) -> str | None:
        return content_hash(self.excerpt_text)

    def part(self, label: str) -> list[Block]:
        return [b for b in self.blocks if b.label == label]


def heading_kind(block: Block) -> str | None:
    key = block.lkey
    if not key:
        return None
    if len(block.ckey) > _HEADING_MAX:
        return "doc_start" if vocab.DOC_START_WITH_TITLE.match(key) else None
    for kind, pattern in _HEADINGS:
        if pattern.match(key):
            return kind
    return None


def _is_notice(block: Block) -> bool:
    return vocab.NOTICE_PHRASES.search(block.lkey) is not None


def _is_footer(block: Block) -> bool:
    key = block.lkey
    # A copyright mark among `|`-separated links is a footer bar, however long.
    limit = vocab.FOOTER_MAX * 2 if key.count("|") >= 2 else vocab.FOOTER_MAX
    return (len(key) <= limit and vocab.FOOTER.search(key) is not None) or (
        len(key) <= vocab.FOOTER_SHORT_MAX and vocab.FOOTER_SHORT.search(key) is not None)


def _has_words(block: Block) -> bool:
    return _WORD.search(block.key) is not None


def _is_furniture(block: Block, vocabulary=vocab.FURNITURE) -> bool:
    """Furniture lines are short; a paragraph is not searched (the patterns scan the line)."""
    return len(block.lkey) <= vocab.FURNITURE_MAX and vocabulary.match(block.lkey) is not None


def _is_toolbar(block: Block) -> bool:
    """`书签 分享 收藏 举报 版权申诉 / 23`: a row of buttons (and a page count)."""
    words = [w for w in block.lkey.split() if not w.isdigit() and w != "/"]
    return len(words) >= 3 and sum(bool(vocab.BUTTONS.match(w)) for w in words) * 3 >= len(words) * 2


def _is_part_title(block: Block) -> bool:
    """The line under a sample header that names the sample (`请假条`): short, no sentence."""
    return 2 <= len(block.ckey) <= _PART_TITLE_MAX and not _SENTENCE_END.search(block.key) \
        and not block.key.endswith((":", "。", ".", ",", ";"))


def _near_copy(title: str, line: str) -> bool:
    """`«T».doc` / `«T»(可编辑)` over `«T»` (or a button glued to it): the line repeats the
    title without its file decoration."""
    stem = vocab.TITLE_FILE.sub("", title)
    return len(stem) >= _TITLE_CHARS[0] and (line == stem or line.endswith(stem)
                                             and len(line) - len(stem) <= 4)


def _title_likeness(key: str) -> int:
    """Signals that a line names a document (a file name, 《》, a kind of document) minus
    those of a site slogan."""
    return (bool(vocab.TITLE_FILE.search(key)) + bool(vocab.TITLE_BOOK.search(key))
            + bool(vocab.DOCUMENT_KINDS.search(key)) - 2 * bool(vocab.SLOGAN.search(key)))


def _is_link_run(block: Block) -> bool:
    """Titles strung together as a line of their own (SEO anchor runs injected into the
    text): a block of links, or in flattened text a long line with no punctuation or space,
    which prose never is (see `_Segmenter.injected_runs`)."""
    return block.link_run or _is_unpunctuated(block)


def _is_unpunctuated(block: Block) -> bool:
    return len(block.ckey) >= _RUN_MIN and not _PUNCTUATED.search(block.key)


class _Segmenter:
    def __init__(self, blocks: list[Block], title_hint: str | None, base_url: str | None,
                 boilerplate: frozenset[str] = frozenset()):
        self.blocks = blocks
        # the host's own boilerplate (keys computed here only when there is any)
        self.learned = [b.ckey in boilerplate for b in blocks] if boilerplate \
            else [False] * len(blocks)
        self.title_hint = title_hint
        self.hint_key = compact(match_key(title_hint)) if title_hint else None    # the <h1>
        self.base_url = base_url
        self.kinds = [heading_kind(b) for b in blocks]
        self.footer = [_is_footer(b) for b in blocks]
        self.notice = [_is_notice(b) for b in blocks]
        self.meta = PageMetadata()
        whole = "\n".join(b.text for b in blocks)
        # Inline pinyin is mirror noise on traditional clones; on a simplified page it is the
        # document's own (a language exam), so it is kept there.
        self.noisy = count_pinyin(whole) >= NOISY_PAGE_HITS and detect_script(whole) == "traditional"
        self.seg = Segmentation(blocks=blocks, metadata=self.meta)
        self.page_titles: list[str] = []     # titles in `Page N: «T»` headers

    def clean(self, text: str) -> str:
        return clean_text(text, self.noisy)

    # ------------------------------------------------------------------ document block -----
    def document_span(self) -> tuple[int, int, bool]:
        """(start, end, starts_after_description) of the document block."""
        starts = [i for i, k in enumerate(self.kinds) if k == "doc_start"]
        descs = [i for i, k in enumerate(self.kinds) if k == "desc"]
        if starts:
            start, via_desc = starts[0] + 1, False
        elif descs:
            start, via_desc = descs[-1] + 1, True
        else:
            start, via_desc = self.fallback_start(), False
        end = len(self.blocks)
        for i in range(start, len(self.blocks)):
            if self.kinds[i] in _TAIL or self.footer[i] or (self.notice[i] and i > start):
                end = i
                break
        return start, end, via_desc

    def fallback_start(self) -> int:
        """No heading introduces the text: start after the last chrome marker (or copy of
        the <h1>) before the longest block of the page that is not a list item or notice."""
        if not self.blocks:
            return 0
        prose = [i for i, b in enumerate(self.blocks) if not (b.list_item or self.notice[i])]
        longest = max(prose or range(len(self.blocks)), key=lambda i: len(self.blocks[i].text))
        start = 0
        notice_items = False        # numbered items under a notice heading are its items
        for i in range(longest):
            b = self.blocks[i]
            numbered = bool(vocab.ITEM_NUMBER.match(b.key))
            if (self.kinds[i] or self.notice[i] or is_meta_line(b.text) or b.list_item
                    or (notice_items and numbered)
                    or vocab.THUMBNAIL.match(b.key) or vocab.READ_MORE.search(b.key)
                    or _is_furniture(b, vocab.HEAD_FURNITURE) or self.learned[i]
                    or vocab.BREADCRUMB.match(b.key) or vocab.BUTTONS.match(b.lkey)
                    or vocab.NAV_BAR.match(b.key) or (self.hint_key and b.ckey == self.hint_key)):
                start = i + 1
            notice_items = self.kinds[i] == "disclaimer" or (notice_items and numbered)
        return start

    def injected_runs(self, start: int, end: int) -> set[int]:
        """Runs of titles injected between the text's lines: blocks of links, and, only when
        the block holds punctuated prose besides, unpunctuated lines (a text that is nothing
        but such a line is judged whole: filler or soup, see nondocument)."""
        links, bare, prose = set(), set(), False
        for i in range(start, end):
            b = self.blocks[i]
            if b.link_run:
                links.add(i)
            elif len(b.ckey) >= _RUN_MIN:
                if _PUNCTUATED.search(b.key):
                    prose = True
                else:
                    bare.add(i)
        return links | bare if prose else links

    def label_document(self, start: int, end: int, via_desc: bool) -> None:
        content: list[int] = []
        runs = self.injected_runs(start, end)
        for i in range(start, end):
            b = self.blocks[i]
            if not content and self.repeated_title and b.ckey == self.repeated_title:
                b.label = METADATA          # the title shown again above the text
            elif (not _has_words(b) or vocab.CONTENT_NOISE.search(b.lkey) or i in runs
                    or _is_furniture(b)
                    or self.is_repeated_summary(i, end)
                    or vocab.SHARE_LINE.search(b.key) or vocab.BUTTONS.match(b.lkey)
                    or vocab.THUMBNAIL.match(b.key) or vocab.PAGE_COUNTER.match(b.key)
                    or (len(b.key) < 60 and apply_markers(self.meta, b.key))):
                b.label = CHROME
            else:
                content.append(i)
        # The host's own boilerplate at the edges of the text is not text; inside it stays.
        while content and self.learned[content[0]]:
            self.blocks[content.pop(0)].label = CHROME
        while content and self.learned[content[-1]]:
            self.blocks[content.pop()].label = CHROME
        # A description paragraph between 资源描述 and the page excerpts is the intro.
        if via_desc and len(content) > 1 and not self._starts_page_one(content[0]) \
                and self._starts_page_one(content[1]):
            self.blocks[content[0]].label = INTRO
            self.seg.intro = self.clean(self.blocks[content[0]].text)
            content = content[1:]
        if not content:
            return
        for i in content:
            self.blocks[i].label = EXCERPT
        pages = self.find_pages(content)
        if pages:
            for n, idx in pages:
                lines = [self.clean(self.blocks[i].text) for i in idx]
                if lines and self.blocks[idx[0]].label == EXCERPT and not self.page_titles:
                    lines[0] = _OWN_PAGE_MARKER.sub("", lines[0], count=1)
                self.seg.pages.append(Page(n, "\n".join(lines)))
            self.meta.set("pages_shown", len(pages))
        else:
            text = "\n".join(self.clean(self.blocks[i].text) for i in content)
            self.seg.pages.append(Page(None, text))

    def find_parts(self, start: int, end: int) -> None:
        """A page that holds several documents shows each under a title of its own: on a 合集
        page a title-shaped line shown twice in a row, on a 范文 page a sample header (`篇一`,
        its title the line after it when that is title-shaped). Two or more make parts; the
        excerpt keeps all their text in order."""
        heads: list[tuple[int, str | None]] = []       # (first text block, title)
        i = start
        while i < end:
            b = self.blocks[i]
            if (b.label in (EXCERPT, METADATA) and i + 1 < end
                    and self.blocks[i + 1].ckey == b.ckey and self.title_shaped(i)):
                heads.append((i, self.clean(b.text)))
                i += 2
                continue
            if b.label == CHROME and vocab.SAMPLE_HEADER.match(b.key):
                after = next((j for j in range(i + 1, end) if self.blocks[j].label == EXCERPT),
                             None)
                title = (self.clean(self.blocks[after].text) if after is not None
                         and _is_part_title(self.blocks[after]) else self.clean(b.text))
                heads.append((i + 1, title))
            i += 1
        if len(heads) < 2:
            return
        bounds = [first for first, _title in heads[1:]] + [end]
        for (first, title), stop in zip(heads, bounds):
            lines = [self.clean(self.blocks[j].text) for j in range(first, stop)
                     if self.blocks[j].label == EXCERPT and self.blocks[j].ckey
                     != compact(match_key(title or ""))]
            self.seg.parts.append((title, "\n".join(lines)))

    def is_repeated_summary(self, i: int, end: int) -> bool:
        """A summary the site made of the text's start, cut with `…`, shown above the text."""
        key = self.blocks[i].ckey
        if not key.endswith(_ELLIPSES) or len(key) < _SUMMARY_MIN + 3:
            return False
        following = "".join(b.ckey for b in self.blocks[i + 1:end]
                            if not (_is_link_run(b) or vocab.CONTENT_NOISE.search(b.lkey)))
        return key[:_SUMMARY_MIN] in following

    def _starts_page_one(self, i: int) -> bool:
        m = vocab.PAGE_MARKER.match(self.blocks[i].key)
        return bool(m and m.group("n") == "1")

    def find_pages(self, content: list[int]) -> list[tuple[int, list[int]]] | None:
        """Split the text into the pages the site numbered, or None for continuous text.

        Three numbering styles: `1、` prefixes (strict: a number out of sequence means this
        is a list, not pages), `1 ` prefixes or bare `1` lines (lenient: a line that merely
        starts with another number is text), and `Page 1: «T»` header lines (chrome)."""
        if vocab.PAGE_HEADER.match(self.blocks[content[0]].key):
            return self.pages_by_header(content)
        first = vocab.PAGE_MARKER.match(self.blocks[content[0]].key)
        if not first or first.group("n") != "1":
            return None
        spaced = first.group("sep") != "、"
        pages: list[tuple[int, list[int]]] = []
        for i in content:
            m = vocab.PAGE_MARKER.match(self.blocks[i].key)
            if m and (m.group("sep") != "、") == spaced:
                if int(m.group("n")) == len(pages) + 1:
                    pages.append((len(pages) + 1, [i]))
                    continue
                if not spaced:
                    return None     # numbering that skips or restarts is not page numbering
            pages[-1][1].append(i)
        if spaced:
            # PDF-line layouts start a page with a short line; judge the whole page, and tell
            # pages from an outline (`1 总则` over `1.1 编制目的`) by its sub-numbers.
            if self.is_outline(content, len(pages)):
                return None
            lengths = sorted(sum(len(self.blocks[i].text) for i in idx) for _, idx in pages)
        else:
            lengths = sorted(len(self.blocks[idx[0]].text) for _, idx in pages)
        if lengths[len(lengths) // 2] < _PAGE_MIN_MEDIAN or (spaced and len(pages) < 2):
            return None
        return pages

    def is_outline(self, content: list[int], count: int) -> bool:
        keys = [self.blocks[i].key for i in content]
        return sum(any(k.startswith(f"{n}.1") for k in keys) for n in range(1, count + 1)) \
            > count // 2

    def pages_by_header(self, content: list[int]) -> list[tuple[int, list[int]]] | None:
        pages: list[tuple[int, list[int]]] = []
        for i in content:
            m = vocab.PAGE_HEADER.match(self.blocks[i].key)
            if m and int(m.group("n")) == len(pages) + 1:
                self.blocks[i].label = CHROME
                own = vocab.PAGE_HEADER.match(own_text(self.blocks[i].text))
                self.page_titles.append(own.group("title") if own else m.group("title"))
                pages.append((len(pages) + 1, []))
            else:
                pages[-1][1].append(i)
        return pages

    # ------------------------------------------------------------------ everything else -----
    def label_rest(self, start: int, end: int) -> None:
        section: str | None = None
        related_style, item_start = "list", False
        keywords: list[str] = []
        blocks = self.blocks
        for i, b in enumerate(blocks):
            if start <= i < end:
                section = None
                continue
            kind = self.kinds[i]
            if kind:
                b.label = CHROME
                section = kind
                if kind == "related":
                    related_style, item_start = self.related_style(i), True
                if kind == "meta" and _KEYWORD_HEADING.search(b.key):
                    section = "keywords"
                elif kind == "meta" and _UPLOADER_HEADING.match(b.key):
                    section = "uploader"
                continue
            if not _has_words(b):
                b.label = CHROME
                continue
            if self.footer[i]:
                section = None
            if self.notice[i] and not b.href:
                self.add_disclaimer(b)
                continue
            if section == "related":
                if vocab.BUTTONS.match(b.lkey):
                    b.label = CHROME        # `More information` closes an item
                    item_start = True
                    continue
                if related_style == "items":
                    title = item_start
                else:
                    title = b.list_item or b.href or (
                        related_style == "lines" and self.is_related_title(b))
                item_start = False
                if title:
                    b.label = RELATED
                    self.seg.related.append((self.clean(b.text), self.absolute(b.href)))
                    continue
                if related_style == "items" or len(b.text) > _SNIPPET_MIN:
                    b.label = CHROME        # an item's snippet
                    continue
            if section == "disclaimer" and (b.list_item or vocab.ITEM_NUMBER.match(b.key)):
                self.add_disclaimer(b)
                continue
            if section == "keywords" and len(b.ckey) <= _HEADING_MAX and not is_meta_line(b.text):
                b.label = METADATA
                keywords.append(self.clean(b.text))
                continue
            if section == "uploader" and not b.list_item and len(b.text) <= _HEADING_MAX:
                b.label = METADATA
                self.meta.set("uploader", self.clean(b.text))
                section = None
                continue
            if section == "desc" and self.seg.intro is None:
                b.label = INTRO
                self.seg.intro = self.clean(b.text)
                section = None
                continue
            section = None
            b.label = self.other_label(i)
        if keywords:
            self.meta.set("keywords", keywords)
        self.label_notice_lists(start, end)

    def label_notice_lists(self, start: int, end: int) -> None:
        """A list outside the text with one notice item is a notice: its other items are
        disclaimer too (`1. 1、下载文档前请自行甄别…` beside `3. 3、如文档侵犯您的权益…`)."""
        runs: list[list[int]] = []
        for i, b in enumerate(self.blocks):
            if start <= i < end or not (b.list_item or vocab.ITEM_NUMBER.match(b.key)) or b.href:
                if runs and runs[-1]:
                    runs.append([])
                continue
            if not runs:
                runs.append([])
            runs[-1].append(i)
        for run in runs:
            if any(self.blocks[i].label == DISCLAIMER for i in run):
                for i in run:
                    if self.blocks[i].label == CHROME and _has_words(self.blocks[i]):
                        self.add_disclaimer(self.blocks[i])

    def section_blocks(self, heading: int) -> list[Block]:
        """The blocks after a heading up to the next heading or footer line."""
        out = []
        for j in range(heading + 1, len(self.blocks)):
            if self.kinds[j] or self.footer[j]:
                break
            out.append(self.blocks[j])
        return out

    def related_style(self, heading: int) -> str:
        """How a related section shows its titles: `items` (title, snippet, `More
        information`, repeated: the block after each button is a title), `list` (list items
        or links) or `lines` (plain short lines)."""
        blocks = self.section_blocks(heading)
        buttons = Counter(b.key for b in blocks if vocab.BUTTONS.match(b.lkey))
        if buttons and buttons.most_common(1)[0][1] >= 2:
            return "items"
        if any((b.list_item or b.href) and len(b.text) <= _SNIPPET_MIN for b in blocks):
            return "list"
        return "lines"

    @staticmethod
    def is_related_title(b: Block) -> bool:
        return (_has_words(b) and len(b.text) <= _SNIPPET_MIN and not vocab.BUTTONS.match(b.lkey)
                and not b.key.endswith((".", "。")) and not vocab.FOOTER.search(b.lkey))

    def other_label(self, i: int) -> str:
        b = self.blocks[i]
        key = b.key
        if is_meta_line(b.text):
            apply_pairs(self.meta, meta_pairs(b.text))
            return METADATA
        if (crumbs := breadcrumb(key)) is not None:
            self.meta.set("category", [self.clean(c) for c in crumbs])
            return METADATA
        if _PRICE_UNIT.match(key) and i > 0 and re.fullmatch(r"\d+(\.\d+)?", self.blocks[i - 1].key):
            self.meta.set("price", self.blocks[i - 1].key)
            self.blocks[i - 1].label = METADATA
            return METADATA
        apply_markers(self.meta, key)       # reading/truncation markers feed the metadata
        return CHROME

    def add_disclaimer(self, b: Block) -> None:
        b.label = DISCLAIMER        # the texts are collected in page order at the end

    def disclaimer_text(self, b: Block) -> str:
        return _OWN_ITEM_NUMBER.sub("", self.clean(b.text), count=1)

    def absolute(self, href: str | None) -> str | None:
        if not href or href.startswith(("javascript:", "#")):
            return None
        if self.base_url:
            return urljoin(self.base_url, href)
        return href if re.match(r"^https?://", href) else None

    # ------------------------------------------------------------------ title ---------------
    def find_repeated_title(self, start: int) -> tuple[str, str] | None:
        """Sites show the title more than once above the text (`«T»` … form … `«T»`): the
        last line at or before the document start that occurs again on the page, if it is
        shaped like a title, as (text, compact matching key)."""
        counts = Counter(b.ckey for b in self.blocks)
        for b in self.blocks:               # `当前位置:X › «T»` shows the title too
            if crumbs := breadcrumb(b.key):
                counts[compact(crumbs[-1])] += 1
        for i in range(min(start, len(self.blocks) - 1), -1, -1):
            b = self.blocks[i]
            key = b.ckey
            if (counts[key] >= 2 and _TITLE_CHARS[0] <= len(key) <= _TITLE_CHARS[1]
                    and not (self.kinds[i] or b.list_item or b.href or is_meta_line(b.text)
                             or vocab.BUTTONS.match(b.lkey) or vocab.WELCOME.match(b.key)
                             or vocab.CONTENT_NOISE.search(b.lkey)
                             or _is_furniture(b) or _is_toolbar(b)
                             or self.learned[i] or self.footer[i] or self.notice[i])):
                return b.text, key
        return None

    def find_title(self, start: int) -> None:
        title = self.title_hint
        if title and self.page_titles:
            # an <h1> that lower-cases the title the page headers show
            title = next((t for t in self.page_titles if t.casefold() == title.casefold()), title)
        if not title:
            thumbs = Counter(m.group("title") for b in self.blocks
                             if vocab.THUMBNAIL.match(b.key)
                             and (m := vocab.THUMBNAIL.match(own_text(b.text))))
            if thumbs:
                title = thumbs.most_common(1)[0][0]
        if not title and self.page_titles:
            title = Counter(self.page_titles).most_common(1)[0][0]
        if not title:
            title = next((m.group("title") for b in self.blocks
                          if (vocab.DOC_START_WITH_TITLE.match(b.key)
                              or vocab.DOWNLOAD_TITLE.match(b.key))
                          and (m := vocab.DOC_START_WITH_TITLE.match(own_text(b.text))
                               or vocab.DOWNLOAD_TITLE.match(own_text(b.text)))), None)
        if not title:
            title = self.button_title
        if not title and self.repeated:
            title = self.repeated[0]
        if not title:
            title = self.title_before_metadata(start)
        if not title and self.top_title is not None:
            title = self.blocks[self.top_title].text
        if not title:
            title = self.title_at_top(start)
        if not title:
            return
        title = self.clean(title)
        self.seg.title = title
        title_key = compact(match_key(title))
        for i, b in enumerate(self.blocks):
            if b.label == CHROME and b.ckey == title_key:
                b.label = METADATA

    def title_shaped(self, i: int) -> bool:
        """A line that could be the document's title: title-long, not a sentence, and none of
        the page's furniture (headings, buttons, toolbars, notices, metadata, list items)."""
        b = self.blocks[i]
        return (_TITLE_CHARS[0] <= len(b.ckey) <= _TITLE_CHARS[1] and _has_words(b)
                and not (self.kinds[i] or self.learned[i] or self.footer[i] or self.notice[i] or b.list_item
                         or is_meta_line(b.text) or vocab.BUTTONS.match(b.lkey)
                         or _is_toolbar(b) or vocab.NAV_BAR.match(b.key)
                         or vocab.WELCOME.match(b.key) or _is_furniture(b)
                         or vocab.CONTENT_NOISE.search(b.lkey) or vocab.THUMBNAIL.match(b.key)
                         or vocab.BREADCRUMB.match(b.key) or _SENTENCE_END.search(b.key)))

    def title_before_button(self, start: int) -> str | None:
        """The title a page shows right above its download or collection button (`«T»`,
        `合集下载`): on pages without a site header it is the first line."""
        for i in range(min(start, len(self.blocks) - 1)):
            if vocab.DOWNLOAD_BUTTON.match(self.blocks[i + 1].lkey) and self.title_shaped(i):
                return self.blocks[i].text
        return None

    def title_at_top(self, start: int) -> str | None:
        """The most title-like line at the top of a page with no other title signal: above
        the text, or among the first lines when the text starts the page."""
        best = self.top_title_line(start)
        return None if best is None else self.blocks[best].text

    def top_title_line(self, start: int) -> int | None:
        """A line naming a file or a kind of document beats a site slogan; the first line
        wins a tie."""
        top = range(min(start if start > 0 else _TOP_LINES, _TOP_LINES, len(self.blocks)))
        candidates = [i for i in top if self.title_shaped(i)]
        if not candidates:
            return None
        best = max(candidates, key=lambda i: (_title_likeness(self.blocks[i].key), -i))
        return best if _title_likeness(self.blocks[best].key) >= 0 else None

    def start_at_top_title(self, start: int, end: int) -> int:
        """On a page whose text starts at its first lines (no header, no heading), the title
        line found there starts the text: the lines above it (a slogan) are not text, and it
        is not text either when the next line repeats it (`«T»(可编辑)` over `«T»`)."""
        if start > 0 or (top := self.top_title_line(start)) is None:
            return start
        self.top_title = top
        following = next((j for j in range(top + 1, end) if _has_words(self.blocks[j])), None)
        if following is not None and _near_copy(self.blocks[top].ckey,
                                                self.blocks[following].ckey):
            self.blocks[top].label = METADATA
            return top + 1
        return top

    def title_before_metadata(self, start: int) -> str | None:
        first_meta = next((i for i, b in enumerate(self.blocks[:start])
                           if b.label == METADATA and meta_pairs(b.text)), None)
        if first_meta is None:
            return None
        site_names = " ".join(b.key for i, b in enumerate(self.blocks)
                              if self.footer[i] or vocab.WELCOME.match(b.key))
        run: list[str] = []
        for i in range(first_meta - 1, -1, -1):
            b = self.blocks[i]
            if self.kinds[i] or vocab.BUTTONS.match(b.lkey) or (
                    b.label == CHROME and apply_markers(PageMetadata(), b.key)):
                if run:
                    break
                continue
            if (b.list_item or b.label != CHROME or len(b.text) > 150 or is_meta_line(b.text)
                    or b.key in site_names or _is_toolbar(b)):
                break
            run.append(b.text)
        return run[-1] if run else None

    # ------------------------------------------------------------------ run ----------------
    def run(self) -> Segmentation:
        start, end, via_desc = self.document_span()
        self.repeated = self.find_repeated_title(start)
        # Copies of the title right above the text are dropped from it: the page's <h1> when
        # known, else the title-shaped line the page repeats.
        self.repeated_title = self.hint_key or (self.repeated[1] if self.repeated else None)
        self.top_title = None
        self.button_title = self.title_before_button(start)
        if not (self.repeated_title or self.button_title):
            start = self.start_at_top_title(start, end)
        self.label_document(start, end, via_desc)
        self.find_parts(start, end)
        self.label_rest(start, end)
        self.find_title(start)
        seg = self.seg
        seg.disclaimer = [self.disclaimer_text(b) for b in self.blocks if b.label == DISCLAIMER]
        sample = seg.excerpt_text or "\n".join(b.text for b in self.blocks)
        seg.language = detect_language(sample)
        seg.script = detect_script(sample) if seg.language == "zh" else None
        meta = self.meta
        if meta.pages_total and meta.pages_shown and meta.pages_shown < meta.pages_total:
            meta.truncated = True
        return seg


def segment_blocks(blocks: list[Block], *, title_hint: str | None = None,
                   base_url: str | None = None,
                   boilerplate: frozenset[str] = frozenset()) -> Segmentation:
    """Label ``blocks`` and return the parts of the page (its blocks, glued noise split off).
    ``boilerplate``: the compact matching keys of lines learned as the host's own boilerplate
    (:mod:`docspider.segment.boilerplate`)."""
    return _Segmenter(split_glued(blocks), title_hint, base_url, boilerplate).run()


def split_glued(blocks: list[Block]) -> list[Block]:
    """A line with an advert or watermark glued to its words becomes the noise, as blocks of
    their own, and the line without it (its page number kept): the noise never takes the
    text with it."""
    out: list[Block] = []
    for b in blocks:
        if not vocab.GLUED_HINT.search(b.text):
            out.append(b)
            continue
        spans = [m.group().strip() for m in vocab.GLUED_NOISE.finditer(b.text)]
        rest = vocab.GLUED_NOISE.sub("", b.text).strip()
        if not spans or not _WORD.search(_OWN_PAGE_MARKER.sub("", rest, count=1)):
            out.append(b)
            continue
        out += [replace(b, text=span, raw=span, _key=None, _ckey=None, _lkey=None)
                for span in spans]
        out.append(replace(b, text=rest, raw=rest, _key=None, _ckey=None, _lkey=None))
    return out


def strip_site_suffix(title: str, page_text: str = "") -> str:
    """`T-人人文库` -> `T`: drop a trailing site name from a <title> — one that looks like a
    site's name, or any suffix when the page shows the title without it."""
    m = _TITLE_SUFFIX.search(title)
    if m and (_SITEISH.search(m.group())
              or compact(match_key(title[: m.start()])) in compact(match_key(page_text))):
        return title[: m.start()].strip()
    return title
