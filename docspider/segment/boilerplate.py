"""Boilerplate learned from a site's own pages (pure; no Scrapy).

A line a host shows on many of its pages — a slogan, a notice no vocabulary knows, an editor's
sign-off — is that host's boilerplate. `HostLines` counts, per host, on how many pages each
short line appeared; `learned` gives the lines seen on at least `min_pages` pages and on at
least `min_share` of the host's pages. Segmentation (`segment_html(..., boilerplate=…)`) then
treats them like known furniture: before the text they mark where it starts, they are never
the title, and at the edges of the text (before its first or after its last line of its own)
they are not text. Inside the text they stay: a document's own line may recur on its host
(`一、选择题` on every exam sheet).

Memory stays bounded: only lines up to `MAX_LINE` characters are counted, and a host's counter
keeps at most `MAX_KEYS` lines, dropping those seen once when it is full.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

MAX_LINE = 120
MAX_KEYS = 20_000


class HostLines:
    def __init__(self, min_pages: int = 3, min_share: float = 0.5):
        self.min_pages = min_pages
        self.min_share = min_share
        self.pages: Counter[str] = Counter()                # host -> pages observed
        self.lines: dict[str, Counter[str]] = {}            # host -> line key -> pages

    def observe(self, host: str, keys: Iterable[str]) -> None:
        """Count one page of `host` with these line keys (compact matching copies)."""
        counter = self.lines.setdefault(host, Counter())
        counter.update({k for k in keys if k and len(k) <= MAX_LINE})
        self.pages[host] += 1
        if len(counter) > MAX_KEYS:
            for key in [k for k, n in counter.items() if n == 1]:
                del counter[key]

    def learned(self, host: str) -> frozenset[str]:
        pages = self.pages[host]
        if pages < self.min_pages:
            return frozenset()
        least = max(self.min_pages, self.min_share * pages)
        return frozenset(k for k, n in self.lines.get(host, {}).items() if n >= least)

    def load(self, host: str, pages: int, counts: dict[str, int]) -> None:
        """Start from what earlier crawls learned of `host`."""
        self.pages[host] += pages
        self.lines.setdefault(host, Counter()).update(counts)

    def snapshot(self, host: str) -> tuple[int, dict[str, int]]:
        """(pages, line counts) of `host`, to keep for the next crawl: lines seen twice or more."""
        return self.pages[host], {k: n for k, n in self.lines.get(host, {}).items() if n >= 2}
