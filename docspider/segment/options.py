"""The thresholds of segmentation, in one place (pure; no Scrapy).

Every number a rule compares with lives here, named for what it measures; `DEFAULT` is what
docspider uses. The rules take an `Options` so that a caller can try other values on a corpus.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    heading_max: int = 20           # a heading is short: at most this many characters
    page_min_median: int = 40       # page excerpts are page-long; numbered headings are not
    snippet_min: int = 150          # a related item's snippet is longer than a title
    title_min: int = 4              # a title line: at least this many characters (compact) …
    title_max: int = 100            # … and at most this many
    run_min: int = 30               # an unpunctuated run of titles is at least this long
    part_title_max: int = 30        # a sample's own title line is short
    top_lines: int = 6              # a first-line title stands among the first lines
    summary_min: int = 50           # a summary repeating the text's start: at least this long
    marker_line_max: int = 60       # a reading/truncation marker line inside the text is short
    title_run_max: int = 150        # a line above the metadata longer than this is no title
    near_copy_slack: int = 4        # a title's copy may carry this many more characters
    related_item_buttons: int = 2   # `More information` this often: items with snippets


DEFAULT = Options()
