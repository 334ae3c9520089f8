"""The SQLite state store, docspider's embedded default (see :mod:`docspider.state`).

One file: `documents` (per canonical URL: last fetch, validators, content hash, links),
`frontier` (documents scheduled, not finished), and `hosts` / `boilerplate` (the lines learned
as each host's own boilerplate, with the pages they were counted on). The write-ahead log with ``synchronous=NORMAL``
makes each committed change survive the crawl being killed (not a power cut: that may lose the
last changes, never the file). Changes are committed in batches (`BATCH_CHANGES`,
`BATCH_SECONDS`): a killed crawl loses its last uncommitted batch, and loses nothing by it —
the documents of that batch are in the killed crawl's feed, which the next crawl recovers and
records, and what else a batch holds (frontier entries, touches) is found again. The lock is an exclusive ``flock`` on ``<file>.lock``, which
holds the holder's pid for the message; the kernel drops it when the holder dies, so a dead
crawl's lock is simply taken over. What the running crawl asked for (`RunRequests`) is kept in
temporary tables (SQLite's temporary file, not the store's; in memory only as its page cache),
gone when the crawl closes: a crawl that stops keeps its unfinished documents in the frontier.
"""
from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import time
from pathlib import Path

from docspider.state import (CorruptState, Known, StateError, StateLocked,
                             StateStore, StateWriteError, document_key)

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
CREATE TABLE IF NOT EXISTS hosts (
    host  TEXT PRIMARY KEY,
    pages INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS boilerplate (
    host  TEXT NOT NULL,
    line  TEXT NOT NULL,
    pages INTEGER NOT NULL,
    PRIMARY KEY (host, line)
);
"""
_RUN_SCHEMA = """
PRAGMA temp_store = FILE;
CREATE TEMP TABLE run_seen (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TEMP TABLE run_asked (
    url   TEXT PRIMARY KEY,
    depth INTEGER NOT NULL,
    links TEXT                          -- JSON, while parsed too deep to follow them
) WITHOUT ROWID;
"""
# Changes are committed in batches, off the per-item path: every BATCH_CHANGES changes, when a
# change comes BATCH_SECONDS after the batch began, and at close.
BATCH_CHANGES = 200
BATCH_SECONDS = 1.0
_MOVE_ASIDE = ("move it aside to start afresh (the next crawl then fetches every document "
               "again)")


class SqliteStateStore(StateStore):
    def __init__(self, path: str):
        self.path = path
        self.lock_file: int | None = None
        self.batched = 0                        # changes in the open transaction
        self.batch_began = 0.0
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, isolation_level=None)     # autocommit
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            check = self.db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(check)
            self.db.executescript(_SCHEMA)
            self.db.executescript(_RUN_SCHEMA)
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}
            if "links" not in columns:          # a store written before links were kept
                self.db.execute("ALTER TABLE documents ADD COLUMN links TEXT")
        except sqlite3.OperationalError as exc:      # the file system, not the file
            raise StateError(f"cannot open the state store {path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            detail = " ".join(str(exc).replace("*", "").split())[:100]
            raise CorruptState(f"the state store {path} is damaged ({detail}): {_MOVE_ASIDE}") \
                from None

    def lock(self, wait: float = 0) -> None:
        if self.path == ":memory:" or self.lock_file is not None:
            return
        fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                    os.close(fd)
                    raise StateLocked(f"another crawl holds {self.path} (pid {holder})") \
                        from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.lock_file = fd

    def _write(self, *statements: tuple[str, tuple]) -> None:
        """Apply one change inside the open batch; commit the batch when it is full or old."""
        try:
            if not self.db.in_transaction:
                self.db.execute("BEGIN")
                self.batch_began = time.monotonic()
            for statement in statements:
                self.db.execute(*statement)
            self.batched += 1
            if self.batched >= BATCH_CHANGES or time.monotonic() - self.batch_began >= BATCH_SECONDS:
                self.commit()
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            self.batched = 0
            raise StateWriteError(self.path, exc) from None

    def commit(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self.batched = 0

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
        key = document_key(url)
        self._write(
            ("INSERT INTO documents (url, fetched_at, etag, last_modified, content_hash, links) "
             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
             "fetched_at = excluded.fetched_at, etag = excluded.etag, "
             "last_modified = excluded.last_modified, content_hash = excluded.content_hash, "
             "links = excluded.links",
             (key, fetched_at, etag, last_modified, content_hash, json.dumps(links or []))),
            ("DELETE FROM frontier WHERE url = ?", (key,)))

    def touch(self, url: str, fetched_at: str) -> None:
        key = document_key(url)
        self._write(("UPDATE documents SET fetched_at = ? WHERE url = ?", (fetched_at, key)),
                    ("DELETE FROM frontier WHERE url = ?", (key,)))

    def schedule(self, url: str, depth: int) -> None:
        self._write(("INSERT INTO frontier (url, depth) VALUES (?, ?) ON CONFLICT (url) "
                     "DO UPDATE SET depth = min(depth, excluded.depth)",
                     (document_key(url), depth)))

    def finish(self, url: str) -> None:
        self._write(("DELETE FROM frontier WHERE url = ?", (document_key(url),)))

    def unfinished(self) -> list[tuple[str, int]]:
        return self.db.execute("SELECT url, depth FROM frontier ORDER BY rowid").fetchall()

    def boilerplate(self, host: str) -> tuple[int, dict[str, int]]:
        row = self.db.execute("SELECT pages FROM hosts WHERE host = ?", (host,)).fetchone()
        lines = self.db.execute("SELECT line, pages FROM boilerplate WHERE host = ?", (host,))
        return (row[0] if row else 0), dict(lines.fetchall())

    def keep_boilerplate(self, host: str, pages: int, counts: dict[str, int]) -> None:
        self._write(("INSERT INTO hosts (host, pages) VALUES (?, ?) ON CONFLICT (host) "
                     "DO UPDATE SET pages = excluded.pages", (host, pages)),
                    ("DELETE FROM boilerplate WHERE host = ?", (host,)),
                    *(("INSERT INTO boilerplate (host, line, pages) VALUES (?, ?, ?)",
                       (host, line, n)) for line, n in counts.items()))

    def _run(self, statement: str, args: tuple) -> sqlite3.Cursor:
        try:
            return self.db.execute(statement, args)
        except sqlite3.Error as exc:
            raise StateWriteError(f"{self.path} (its temporary tables)", exc) from None

    def seen(self, key: str) -> bool:
        return not self._run("INSERT OR IGNORE INTO run_seen VALUES (?)", (key,)).rowcount

    def ask(self, url: str, depth: int) -> int | None:
        before = self.least_depth(url)
        if before is None:
            self._run("INSERT INTO run_asked (url, depth) VALUES (?, ?)", (url, depth))
        elif depth < before:
            self._run("UPDATE run_asked SET depth = ? WHERE url = ?", (depth, url))
        return before

    def least_depth(self, url: str) -> int | None:
        row = self._run("SELECT depth FROM run_asked WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def keep_unfollowed(self, url: str, depth: int, links: list[str]) -> None:
        self._run("INSERT INTO run_asked (url, depth, links) VALUES (?, ?, ?) ON CONFLICT (url) "
                  "DO UPDATE SET depth = min(depth, excluded.depth), links = excluded.links",
                  (url, depth, json.dumps(links)))

    def take_unfollowed(self, url: str) -> list[str] | None:
        row = self._run("SELECT links FROM run_asked WHERE url = ? AND links IS NOT NULL",
                        (url,)).fetchone()
        if row is None:
            return None
        self._run("UPDATE run_asked SET links = NULL WHERE url = ?", (url,))
        return json.loads(row[0])

    def close(self) -> None:
        try:
            self.commit()
        except sqlite3.Error as exc:
            raise StateWriteError(self.path, exc) from None
        finally:
            self.db.close()
        if self.lock_file is not None:
            os.close(self.lock_file)            # releases the flock
            self.lock_file = None
