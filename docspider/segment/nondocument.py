"""Pages whose text is no document: anti-copy filler, character soup, word-search grids.

Some pages are served in a document's place but hold no document: a "content" of rare
characters strung together or repeated with a fixed period (an anti-copy filler), or grids of
single characters (word-search farms). They are not emitted: `not_a_document` says why, from
the segmented text alone (pure; no Scrapy).

Chinese text, however technical, is full of the commonest characters (的, 一, 是, 了 …: at least
17 % of the characters on every page of the development corpora); random characters from the
CJK block hit them well under 1 % of the time. A filler repeating a short run has few distinct
characters (natural text: over 38 % in its first 400 characters).
"""
from __future__ import annotations

import re

from .result import Segmentation

# The commonest characters of Chinese running text (simplified; the text is matched on its
# simplified copy, so traditional pages count too).
COMMON = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过"
    "发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前"
    "开但因只从想实")
MIN_CJK = 100               # judge only a text with this many Chinese characters
COMMON_SHARE_MIN = 0.05     # natural text: 0.17 and more
DISTINCT_SHARE_MIN = 0.12   # among the first WINDOW characters; natural text: 0.38 and more
WINDOW = 400
GRID_TOKENS = 8             # a grid row: at least this many single characters, spaced
_NOT_CJK = re.compile("[^\u4e00-\u9fff]+")
_COMMON_RUN = re.compile(f"[{''.join(sorted(COMMON))}]+")


def not_a_document(seg: Segmentation) -> str | None:
    """Why the page's text is not a document, or None when it may be one."""
    text = seg.excerpt_text
    if grid := _grid_share(text):
        return f"a grid of single characters ({grid:.0%} of the lines)"
    cjk = _NOT_CJK.sub("", seg.comparable_excerpt)
    if len(cjk) < MIN_CJK:
        return None
    window = cjk[:WINDOW]
    distinct = len(set(window)) / len(window)
    if distinct < DISTINCT_SHARE_MIN:
        return f"a filler repeating a few characters ({distinct:.0%} distinct)"
    common = (len(cjk) - len(_COMMON_RUN.sub("", cjk))) / len(cjk)
    if common < COMMON_SHARE_MIN:
        return f"character soup ({common:.1%} common characters)"
    return None


def _grid_share(text: str) -> float | None:
    """The share of lines that are grid rows, if grid rows are most of at least 4 lines."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    rows = sum(len(tokens) >= GRID_TOKENS and sum(len(t) == 1 for t in tokens) >= 0.9 * len(tokens)
               for tokens in lines)
    if rows >= 4 and rows * 2 > len(lines):
        return rows / len(lines)
    return None
