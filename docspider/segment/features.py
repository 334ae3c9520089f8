"""What each block of a page is, looked at once (pure; no Scrapy).

`Features` holds the flags every pass asks about, computed once per block: the heading kind,
footer and notice flags and the host's learned boilerplate up front (the document span needs
them for every block), the rest on first use and kept. The predicates on single blocks that
do not depend on the page (a toolbar, a title-like line, a run of titles) live here too.
"""
from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from functools import lru_cache

from . import vocab
from .blocks import Block
from .metadata import is_meta_line
from .normalize import MEMO_SIZE, clear_memo
from .options import Options

HEADINGS = (
    ("doc_start", vocab.DOC_START_HEADINGS),
    ("desc", vocab.DESCRIPTION_HEADINGS),
    ("disclaimer", vocab.DISCLAIMER_HEADINGS),
    ("related", vocab.RELATED_HEADINGS),
    ("comment", vocab.COMMENT_HEADINGS),
    ("meta", vocab.META_HEADINGS),
)
TAIL = {"disclaimer", "related", "comment", "meta"}     # headings that end the document block
WORD = re.compile(r"[^\W_]")
SENTENCE_END = re.compile(r"[。!?！？]\s*\S")     # a sentence ends inside: not a title line
PUNCTUATED = re.compile(r"[\s,.;:!?，。；：、！？]")


# The heading vocabularies as one regex (all match the lower-cased copy from its start): the
# first that matches names the kind, as when they are tried in turn, in one call per block.
_ANY_HEADING = re.compile("|".join(f"(?P<{kind}>{headings.regex.pattern})"
                                   for kind, headings in HEADINGS))
assert all(headings.on == "lkey" and headings.find == headings.regex.match
           and not headings.regex.flags & re.IGNORECASE for _kind, headings in HEADINGS)
assert vocab.DOC_START_WITH_TITLE.regex.flags & re.IGNORECASE     # so it may read the lkey
assert vocab.FOOTER.on == vocab.FOOTER_SHORT.on == vocab.NOTICE_PHRASES.on == "lkey"


@lru_cache(maxsize=MEMO_SIZE)
def line_flags(lkey: str, long: bool) -> tuple[str | None, bool, bool]:
    """(heading kind, footer, notice) of a line by its lower-cased matching copy (`long`: over
    `Options.heading_max` characters, when only a heading that carries a title can be one).
    Memoised: a site's chrome repeats on all its pages."""
    kind = None
    if lkey and long:
        kind = "doc_start" if vocab.DOC_START_WITH_TITLE.regex.match(lkey) else None
    elif lkey and (m := _ANY_HEADING.match(lkey)):
        kind = m.lastgroup
    # A copyright mark among `|`-separated links is a footer bar, however long.
    limit = vocab.FOOTER_MAX * 2 if lkey.count("|") >= 2 else vocab.FOOTER_MAX
    footer = (len(lkey) <= limit and vocab.FOOTER.regex.search(lkey) is not None) or (
        len(lkey) <= vocab.FOOTER_SHORT_MAX and vocab.FOOTER_SHORT.regex.search(lkey) is not None)
    return kind, footer, vocab.NOTICE_PHRASES.regex.search(lkey) is not None


def clear_memos() -> None:
    """Forget every memoised line (benchmarks start each pass cold)."""
    clear_memo()
    vocab.clear_memos()
    line_flags.cache_clear()


def has_words(block: Block) -> bool:
    return WORD.search(block.key) is not None


def is_furniture(block: Block, furniture: vocab.Vocab = vocab.FURNITURE) -> bool:
    """Furniture lines are short; a paragraph is not searched (the patterns scan the line)."""
    return len(block.lkey) <= vocab.FURNITURE_MAX and furniture(block) is not None


def is_toolbar(block: Block) -> bool:
    """`书签 分享 收藏 举报 版权申诉 / 23`: a row of buttons (and a page count)."""
    words = [w for w in block.lkey.split() if not w.isdigit() and w != "/"]
    return len(words) >= 3 and \
        sum(bool(vocab.BUTTONS.match(w)) for w in words) * 3 >= len(words) * 2


def is_unpunctuated(block: Block, options: Options) -> bool:
    """A long line with no punctuation or space, which prose never is."""
    return len(block.ckey) >= options.run_min and not PUNCTUATED.search(block.key)


def is_link_run(block: Block, options: Options) -> bool:
    """Titles strung together as a line of their own (SEO anchor runs): a block of links, or
    in flattened text an unpunctuated line."""
    return block.link_run or is_unpunctuated(block, options)


def title_likeness(key: str) -> int:
    """Signals that a line names a document (a file name, 《》, a kind of document) minus
    those of a site slogan."""
    return (bool(vocab.TITLE_FILE.search(key)) + bool(vocab.TITLE_BOOK.search(key))
            + bool(vocab.DOCUMENT_KINDS.search(key)) - 2 * bool(vocab.SLOGAN.search(key)))


class Features:
    """Per-block flags of one page."""

    def __init__(self, blocks: list[Block], options: Options, boilerplate: AbstractSet[str]):
        self.blocks = blocks
        self.options = options
        flags = [line_flags(b.lkey, len(b.ckey) > options.heading_max) for b in blocks]
        self.kind = [kind for kind, _footer, _notice in flags]
        self.footer = [footer for _kind, footer, _notice in flags]
        self.notice = [notice for _kind, _footer, notice in flags]
        self.learned = [b.ckey in boilerplate for b in blocks]    # the host's own boilerplate
        self._furniture: dict[int, bool] = {}
        self._head_furniture: dict[int, bool] = {}
        self._meta_line: dict[int, bool] = {}

    def furniture(self, i: int) -> bool:
        if i not in self._furniture:
            self._furniture[i] = is_furniture(self.blocks[i])
        return self._furniture[i]

    def head_furniture(self, i: int) -> bool:
        if i not in self._head_furniture:
            self._head_furniture[i] = is_furniture(self.blocks[i], vocab.HEAD_FURNITURE)
        return self._head_furniture[i]

    def meta_line(self, i: int) -> bool:
        if i not in self._meta_line:
            self._meta_line[i] = is_meta_line(self.blocks[i].text)
        return self._meta_line[i]
