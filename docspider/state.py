"""The crawl state: what docspider knows about each document between runs (pure; no Scrapy).

`StateStore` is the one interface every component uses; nothing outside a backend touches its
storage. Documents are keyed by the canonical URL (w3lib's `canonicalize_url`: scheme and host
lower-cased, query arguments sorted, fragment dropped). A store keeps, per document, when it was
last fetched, the HTTP validators it came with (ETag, Last-Modified), the `content_hash` of its
text and the related links it showed; the *frontier*, the documents a crawl scheduled but did
not finish with, so that the next crawl picks them up; for the running crawl only, what it
asked for (`RunRequests`: the duplicate filter's requests, the least depth of each page); and
the lines learned as each host's own
boilerplate (:mod:`docspider.segment.boilerplate`). A store is held by one crawl at a time
(`lock`).

`open_store` opens a store from the ``DOCSPIDER_STATE`` value: a file path (SQLite, the
embedded default, :mod:`docspider.sqlitestate`) or ``:memory:``.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta

from w3lib.url import canonicalize_url

_DURATION = re.compile(r"^(\d+)\s*([smhdw]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class StateError(Exception):
    """The state store cannot be used; the message is one line for the user."""


class StateLocked(StateError):
    """Another crawl holds the store."""


class CorruptState(StateError):
    """The store's file is damaged."""


class StateWriteError(StateError):
    """A change could not be written (disk full, read-only file system …)."""

    def __init__(self, path: str, error: Exception):
        super().__init__(f"{path}: {error}")
        self.path, self.error = path, error


@lru_cache(maxsize=8192)
def document_key(url: str) -> str:
    """The canonical form of a document URL (a page asks for it several times)."""
    return canonicalize_url(url)


def parse_duration(value: str) -> timedelta | None:
    """`30m`, `12h`, `7d`, `2w`, seconds as a bare number; `never` is None (no refresh)."""
    text = value.strip().lower()
    if text == "never":
        return None
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"not a duration (like 12h, 7d or never): {value!r}")
    return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])


@dataclass(frozen=True)
class Known:
    url: str
    fetched_at: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    links: list[str]

    def due(self, refresh: timedelta | None, now: datetime) -> bool:
        """Whether the document should be fetched again."""
        if refresh is None:
            return False
        fetched = datetime.fromisoformat(self.fetched_at.replace("Z", "+00:00"))
        return now - fetched >= refresh


class RunRequests:
    """What one crawl asked for, forgotten when it ends: the requests it saw (the duplicate
    filter's fingerprints), the least depth each page was asked for at, and the links of pages
    parsed too deep to follow them (in case a shorter path reaches them later). Kept in memory
    here, for a crawl without a state store; the SQLite store keeps them in temporary tables,
    so that a long crawl's memory stays flat."""

    def __init__(self):
        self.keys: set[str] = set()
        self.depths: dict[str, int] = {}
        self.unfollowed: dict[str, list[str]] = {}

    def seen(self, key: str) -> bool:
        """Whether the request `key` was seen before; marks it seen."""
        if key in self.keys:
            return True
        self.keys.add(key)
        return False

    def ask(self, url: str, depth: int) -> int | None:
        """Note `url` asked for at `depth`; the least depth it was asked at before (None the
        first time). The least depth is kept."""
        before = self.depths.get(url)
        if before is None or depth < before:
            self.depths[url] = depth
        return before

    def least_depth(self, url: str) -> int | None:
        return self.depths.get(url)

    def keep_unfollowed(self, url: str, depth: int, links: list[str]) -> None:
        """`url` was parsed at `depth`, too deep to follow `links`."""
        self.ask(url, depth)
        self.unfollowed[url] = links

    def take_unfollowed(self, url: str) -> list[str] | None:
        """The links `keep_unfollowed` kept of `url`, once."""
        return self.unfollowed.pop(url, None)


class StateStore(ABC):
    """What a crawl knows about documents, kept between runs. Writes may be batched: they are
    durable once committed (at the latest when the store is closed); a failed write or commit
    raises `StateWriteError`, and nothing of its batch is kept."""

    path: str

    @abstractmethod
    def lock(self, wait: float = 0) -> None:
        """Hold the store for this crawl, waiting up to `wait` seconds for another crawl to
        let go; raises `StateLocked` naming the holder. A dead holder's lock is taken over."""

    @abstractmethod
    def lookup(self, url: str) -> Known | None: ...

    @abstractmethod
    def first_with_hash(self, content_hash: str, other_than: str) -> str | None:
        """The first document recorded with this text, other than `other_than`."""

    @abstractmethod
    def record(self, url: str, fetched_at: str, content_hash: str | None,
               etag: str | None = None, last_modified: str | None = None,
               links: list[str] | None = None) -> None:
        """The document's item is in a feed (or it was unchanged): known from now on, and no
        longer in the frontier."""

    def emitting(self, url: str, fetched_at: str) -> None:
        """The line of the document fetched at `fetched_at` is about to be written. A store
        that several crawls share keeps a note of it until `record`, so that recovering a
        killed crawl's feed can tell a line nobody recorded from one whose document another
        crawl emitted since (`emitted_elsewhere`). A store of one crawl at a time needs none:
        the crawl after a killed one recovers its feed before it fetches anything."""

    def emitted_elsewhere(self, url: str, fetched_at: str) -> bool:
        """Whether the line of `url` fetched at `fetched_at`, found in a killed crawl's feed,
        was never recorded because its crawl died, and another crawl has emitted the document
        since: a second line of it, to be dropped."""
        return False

    @abstractmethod
    def touch(self, url: str, fetched_at: str) -> None:
        """A known document was confirmed unchanged (304) at `fetched_at`."""

    @abstractmethod
    def schedule(self, url: str, depth: int) -> None:
        """Put a document in the frontier (kept at the least depth it was reached at)."""

    @abstractmethod
    def finish(self, url: str) -> None:
        """Take a document out of the frontier: it gave no item and needs no other try."""

    @abstractmethod
    def unfinished(self) -> list[tuple[str, int]]:
        """The frontier: (url, depth) in the order they were scheduled."""

    @abstractmethod
    def boilerplate(self, host: str) -> tuple[int, dict[str, int]]:
        """What earlier crawls learned of a host's own boilerplate: (pages observed, line key
        -> pages it was on)."""

    @abstractmethod
    def keep_boilerplate(self, host: str, pages: int, counts: dict[str, int]) -> None:
        """Replace what is kept of a host's boilerplate."""

    # What the running crawl asked for: as RunRequests, forgotten at close.
    @abstractmethod
    def seen(self, key: str) -> bool: ...

    @abstractmethod
    def ask(self, url: str, depth: int) -> int | None: ...

    @abstractmethod
    def least_depth(self, url: str) -> int | None: ...

    @abstractmethod
    def keep_unfollowed(self, url: str, depth: int, links: list[str]) -> None: ...

    @abstractmethod
    def take_unfollowed(self, url: str) -> list[str] | None: ...

    @abstractmethod
    def commit(self) -> None:
        """Make the changes so far durable now."""

    @abstractmethod
    def close(self) -> None:
        """Commit, and let go of the store (and its lock)."""


def open_store(path: str) -> StateStore:
    """The store at `path`: a Redis URL (`redis://host:port/db?prefix=P`), an SQLite file
    (created with its directory) or `:memory:`; raises `StateError` when it cannot be opened,
    `CorruptState` for a damaged file."""
    from docspider.redisstate import RedisStateStore, is_redis_url
    if is_redis_url(path):
        return RedisStateStore(path)
    from docspider.sqlitestate import SqliteStateStore
    return SqliteStateStore(path)
