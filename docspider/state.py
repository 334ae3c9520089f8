"""The crawl state: what docspider knows about each document between runs (pure; no Scrapy).

One SQLite file. `documents` is keyed by the canonical document URL (w3lib's
`canonicalize_url`: scheme and host lower-cased, query arguments sorted, fragment dropped):
when the document was last fetched, the HTTP validators it came with (ETag, Last-Modified) and
the `content_hash` of its text. `frontier` holds the documents a crawl has scheduled but not
yet finished with, so that a crawl stopped in between can pick them up. Every change is
committed at once, so a killed crawl loses nothing it recorded.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from w3lib.url import canonicalize_url

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    url           TEXT PRIMARY KEY,
    fetched_at    TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    content_hash  TEXT,
    links         TEXT
);
CREATE INDEX IF NOT EXISTS documents_by_hash ON documents (content_hash);
CREATE TABLE IF NOT EXISTS frontier (
    url   TEXT PRIMARY KEY,
    depth INTEGER NOT NULL
);
"""
_DURATION = re.compile(r"^(\d+)\s*([smhdw]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def document_key(url: str) -> str:
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


class StateStore:
    def __init__(self, path: str):
        """`path`: an SQLite file (its directory is created) or `:memory:`."""
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)     # autocommit
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}
        if "links" not in columns:          # a store written before links were kept
            self.db.execute("ALTER TABLE documents ADD COLUMN links TEXT")

    def lookup(self, url: str) -> Known | None:
        row = self.db.execute("SELECT url, fetched_at, etag, last_modified, content_hash, links "
                              "FROM documents WHERE url = ?", (document_key(url),)).fetchone()
        return Known(*row[:5], json.loads(row[5] or "[]")) if row else None

    def first_with_hash(self, content_hash: str, other_than: str) -> str | None:
        row = self.db.execute("SELECT url FROM documents WHERE content_hash = ? AND url != ? "
                              "ORDER BY fetched_at, url LIMIT 1",
                              (content_hash, document_key(other_than))).fetchone()
        return row[0] if row else None

    def record(self, url: str, fetched_at: str, content_hash: str | None,
               etag: str | None = None, last_modified: str | None = None,
               links: list[str] | None = None) -> None:
        self.db.execute(
            "INSERT INTO documents (url, fetched_at, etag, last_modified, content_hash, links) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "fetched_at = excluded.fetched_at, etag = excluded.etag, "
            "last_modified = excluded.last_modified, content_hash = excluded.content_hash, "
            "links = excluded.links",
            (document_key(url), fetched_at, etag, last_modified, content_hash,
             json.dumps(links or [])))

    def touch(self, url: str, fetched_at: str) -> None:
        self.db.execute("UPDATE documents SET fetched_at = ? WHERE url = ?",
                        (fetched_at, document_key(url)))

    def schedule(self, url: str, depth: int) -> None:
        self.db.execute("INSERT INTO frontier (url, depth) VALUES (?, ?) ON CONFLICT (url) "
                        "DO UPDATE SET depth = min(depth, excluded.depth)", (url, depth))

    def finish(self, url: str) -> None:
        self.db.execute("DELETE FROM frontier WHERE url = ?", (url,))

    def unfinished(self) -> list[tuple[str, int]]:
        return self.db.execute("SELECT url, depth FROM frontier ORDER BY rowid").fetchall()

    def close(self) -> None:
        self.db.close()
