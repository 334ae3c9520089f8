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
keeps at most `MAX_KEYS` lines: when it is full, the half seen most stay.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Set

MAX_LINE = 120
MAX_KEYS = 20_000
PRUNE_EVERY = 64        # pages of a host between two prunings of its candidate lines


class Learned(Set):
    """The lines learned of a host: a set read from the host's live counts (a line is in it
    when counted on at least `least` pages), so a page asks without a copy being made. Only
    the host's `frequent` lines can be in it: iterating (to copy it for a worker process)
    reads those, not every line counted."""

    def __init__(self, counts: Counter[str], frequent: set[str], least: float):
        self.counts, self.frequent, self.least = counts, frequent, least

    def __contains__(self, key) -> bool:
        return self.counts.get(key, 0) >= self.least

    def __iter__(self) -> Iterator[str]:
        return (k for k in self.frequent if self.counts[k] >= self.least)

    def __len__(self) -> int:
        return sum(1 for _key in self)


class HostLines:
    def __init__(self, min_pages: int = 3, min_share: float = 0.5):
        self.min_pages = min_pages
        self.min_share = min_share
        self.pages: Counter[str] = Counter()                # host -> pages observed
        self.lines: dict[str, Counter[str]] = {}            # host -> line key -> pages
        # host -> every line counted often enough to be learned now, and (until the next
        # pruning) some that were once: a line is added when a page brings its count to the
        # bar, and the bar only rises, so no line that is over it now is missing.
        self.frequent: dict[str, set[str]] = {}

    def least(self, host: str) -> float:
        """The pages a line of `host` must be on to be learned (it rises with the pages)."""
        return max(self.min_pages, self.min_share * self.pages[host])

    def observe(self, host: str, keys: Iterable[str]) -> None:
        """Count one page of `host` with these line keys (compact matching copies)."""
        counter = self.lines.setdefault(host, Counter())
        frequent = self.frequent.setdefault(host, set())
        least = self.least(host)
        for key in {k for k in keys if k and len(k) <= MAX_LINE}:
            counter[key] += 1
            if counter[key] >= least:
                frequent.add(key)
        self.pages[host] += 1
        if self.pages[host] % PRUNE_EVERY == 0:     # lines the rising bar has left behind
            least = self.least(host)
            frequent -= {k for k in frequent if counter[k] < least}     # in place: shared
        if len(counter) > MAX_KEYS:
            # keep the lines seen most (the learned ones): half, so that pruning is rare
            kept = dict(counter.most_common(MAX_KEYS // 2))
            counter.clear()
            counter.update(kept)
            frequent.intersection_update(kept)

    def learned(self, host: str) -> Set[str]:
        pages = self.pages[host]
        if pages < self.min_pages:
            return frozenset()
        return Learned(self.lines.setdefault(host, Counter()),
                       self.frequent.setdefault(host, set()), self.least(host))

    def load(self, host: str, pages: int, counts: dict[str, int]) -> None:
        """Start from what earlier crawls learned of `host`."""
        self.pages[host] += pages
        counter = self.lines.setdefault(host, Counter())
        counter.update(counts)
        least = self.least(host)
        self.frequent.setdefault(host, set()).update(k for k in counts if counter[k] >= least)

    def snapshot(self, host: str) -> tuple[int, dict[str, int]]:
        """(pages, line counts) of `host`, to keep for the next crawl: lines seen twice or more."""
        return self.pages[host], {k: n for k, n in self.lines.get(host, {}).items() if n >= 2}
