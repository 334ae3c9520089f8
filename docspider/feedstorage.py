"""Atomic, confirmed file feeds, and the recovery of a killed crawl's feed.

A feed is written as ``<name>.part`` and renamed into place when it closes, so consumers that
read ``*.jsonl`` see complete feeds only. While a crawl writes a ``.part`` it holds an exclusive
``flock`` on it: a ``.part`` nobody holds was left by a dead crawl, one that is held belongs to
a live crawl and is never touched (two crawls can never write one feed). Files are opened
exclusively, never overwriting another crawl's.

Every line is written whole and unbuffered, so a killed crawl's ``.part`` holds every item it
emitted. A write that fails (disk full, read-only file system) is cut back to the last whole
line, reported through the `write_failed` signal (the crawl then stops, see
:mod:`docspider.writes`) and nothing more is written to that feed; such a feed is renamed into
place only when it is JSON lines (whole up to its last line), any other format stays a
``.part``. That is how the feed
confirms an item: the write happens while the feed exporter handles ``item_scraped``, and the
state store records the document right after, only if no write failed.

`killed_feeds` finds the ``.part`` files a dead crawl left; once their documents are recorded,
`KilledFeed.finish` cuts each after its last complete line and renames it. Only JSON lines can
be cut safely: other formats refuse with `FeedNotRecoverable`.
"""
from __future__ import annotations

import fcntl
import glob
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scrapy.extensions.feedexport import FileFeedStorage

from docspider.writes import append_whole, report

PART_SUFFIX = ".part"
_RECOVERABLE_FORMATS = ("jsonlines", "jsonl", "jl")


class FeedNotRecoverable(Exception):
    """A dead crawl's feed in a format that cannot be cut at a complete item."""


class ConfirmedFile(io.RawIOBase):
    """The ``.part`` file a feed exporter writes to: whole writes or none, failures reported."""

    def __init__(self, path: Path, fd: int, report):
        self.path, self.report = path, report
        self.out = os.fdopen(fd, "wb", buffering=0)
        self.error: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.error is None:                  # else the crawl is stopping: the feed ends here
            try:
                append_whole(self.out, data)    # no cut line, even when the disk is full
            except OSError as exc:
                self.error = exc
                self.report(str(self.path), exc)
        return len(data)

    def fileno(self) -> int:
        return self.out.fileno()

    def close(self) -> None:
        self.out.close()
        super().close()


class AtomicFileFeedStorage(FileFeedStorage):
    def __init__(self, uri: str, *, feed_options: dict | None = None, crawler=None):
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler
        self.format = (feed_options or {}).get("format")

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options: dict | None = None):
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def _paths(self) -> tuple[Path, Path]:
        final = Path(self.path)
        return final, final.with_name(final.name + PART_SUFFIX)

    def report(self, path: str, error: OSError) -> None:
        if self.crawler is not None:
            report(self.crawler, path, error)

    def open(self, spider) -> IO[bytes]:
        final, part = self._paths()
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            if part.exists():
                if held(part):
                    raise FileExistsError(f"another crawl is writing {part}")
                part.unlink()                   # a dead crawl's: recovered already, or stale
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if self.write_mode == "ab" and final.exists():
                # append: continue from the last complete feed
                with final.open("rb") as previous, os.fdopen(os.dup(fd), "wb") as out:
                    shutil.copyfileobj(previous, out)
        except OSError as exc:
            self.report(str(part), exc)
            return io.BytesIO()                 # nothing reaches a file; the crawl stops
        return ConfirmedFile(part, fd, self.report)

    def store(self, file: IO[bytes]) -> None:
        if not isinstance(file, ConfirmedFile):
            return                              # the feed could not be opened
        final, part = self._paths()
        try:
            os.fsync(file.fileno())
            file.close()
            if file.error is not None and self.format not in _RECOVERABLE_FORMATS:
                # a Parquet or CSV feed stopped mid-way is no file a reader can trust: it stays
                # a `.part`, which the next crawl refuses to start over (move it aside)
                return
            os.replace(part, final)
        except OSError as exc:
            self.report(str(part), exc)


def held(path: Path) -> bool:
    """Whether a live process holds the `flock` of `path`."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)                            # also lets go of a lock taken just now


@dataclass(frozen=True)
class KilledFeed:
    part: Path                  # the `.part` a dead crawl left
    complete: bytes             # its content up to the last complete line

    @property
    def path(self) -> Path:
        """The final feed file it becomes."""
        return self.part.with_name(self.part.name[: -len(PART_SUFFIX)])

    @property
    def dropped_bytes(self) -> int:
        """The cut last line."""
        return self.part.stat().st_size - len(self.complete) if self.part.exists() else 0

    def finish(self) -> None:
        """Cut after the last complete line and rename into place."""
        tmp = self.part.with_name(self.part.name + ".recovering")
        tmp.write_bytes(self.complete)
        os.replace(tmp, self.path)
        self.part.unlink()


def killed_parts(uri: str, name: str, options: dict) -> list[Path]:
    """`.part` files dead crawls left for this feed URI (local files only)."""
    if uri.startswith("file://"):
        uri = uri[len("file://"):]
    elif "://" in uri:
        return []
    pattern = uri.replace("%(name)s", name)
    for field in ("%(time)s", "%(batch_time)s", "%(batch_id)d", "%(batch_id)s", "%(run_id)s"):
        pattern = pattern.replace(field, "*")
    if "*" not in pattern and options.get("overwrite"):
        return []       # one fixed file each run replaces (-O): nothing to resume
    found = glob.glob(glob.escape(pattern).replace(glob.escape("*"), "*") + PART_SUFFIX)
    return [Path(p) for p in sorted(found) if not held(Path(p))]


def killed_feeds(uri: str, name: str, options: dict) -> list[KilledFeed]:
    """The `.part` files dead crawls left for a feed, to be recorded and then finished
    (`KilledFeed.finish`). Raises `FeedNotRecoverable` for a format other than JSON lines."""
    found = []
    for part in killed_parts(uri, name, options):
        if options.get("format") not in _RECOVERABLE_FORMATS:
            raise FeedNotRecoverable(
                f"{part}: a stopped crawl's {options.get('format')} feed cannot be recovered "
                "(only JSON lines feeds can); move it aside")
        data = part.read_bytes()
        found.append(KilledFeed(part, data[: data.rfind(b"\n") + 1]))
    return found
