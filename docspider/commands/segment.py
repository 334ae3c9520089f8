"""`scrapy segment PATH...`: segment saved pages (.txt or .html) into JSON lines.

Each readable file becomes one item on stdout (or in the ``-O`` / ``-o`` file), ``source`` set to
the path as given. A folder stands for the .txt and .html files under it, at any depth, in path
order (a folder with none is an error line). A file that cannot be read, is empty or cannot be decoded gets a one-line
error on stderr; the others are still processed and the exit status is 1 at the end. A page
that holds no document (a captcha or login wall, anti-copy filler, character soup, a grid of
single characters) gives no item and a line `segment: PATH: not_a_document: <reason>`; it is
an answer, not an error, and leaves the exit status alone.
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from docspider.decode import UndecodableError, decode_page
from docspider.document import build_item
from docspider.output import item_data, schema_errors, to_json_line
from docspider.segment import not_a_document, parse_html, segment_text, segment_tree
from docspider.segmentpool import SegmentPool, jobs_option, usable_cores
from docspider.softblock import soft_block

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
PAGE_SUFFIXES = (".txt", *HTML_SUFFIXES)
_WALLS = ("captcha", "login", "access_denied", "garbled")   # soft blocks saved as a page


class NotADocument(ValueError):
    """The page holds no document (a wall, filler, a grid): no item, a line on stderr."""


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] PATH|FOLDER [...]"

    def short_desc(self) -> str:
        return "Segment saved pages (.txt or .html) into document items as JSON lines"

    def long_desc(self) -> str:
        return (self.short_desc() + ". Writes one item per file to stdout, or to FILE with "
                "-O (overwrite) or -o (append); a FOLDER stands for the .txt and .html files "
                "under it. Unreadable files are reported on stderr and make the exit status 1; "
                "the other files are still processed.")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        out = parser.add_mutually_exclusive_group()
        out.add_argument("-O", "--overwrite-output", metavar="FILE",
                         help="write the JSON lines to FILE, replacing it")
        out.add_argument("-o", "--output", metavar="FILE", help="append the JSON lines to FILE")
        cores = usable_cores()
        parser.add_argument("-j", "--jobs", metavar="N", type=jobs_option, default=cores,
                            help=f"segment in N worker processes (default: one a core, {cores} "
                                 f"here; no more than one per {BATCH} files; 1: in this "
                                 "process); lines keep the order of the files")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one .txt or .html file or a folder of them")
        paths = list(pages(args))
        jobs = min(opts.jobs, -(-len(paths) // BATCH))     # no worker without a batch to do
        pool = SegmentPool(jobs, fork=True) if jobs > 1 else None
        try:
            failed = self.write(paths, pool, opts)
        finally:
            if pool is not None:
                pool.close()
        if failed:
            self.exitcode = 1

    @staticmethod
    def write(paths: list[str], pool: SegmentPool | None, opts: argparse.Namespace) -> int:
        """Write the lines of `paths` in order; the number of files that failed."""
        if pool is None:
            outcomes = map(outcome, paths)
        else:
            outcomes = itertools.chain.from_iterable(
                batch_outcomes(batch, call)
                for batch, call in pool.ordered(outcome_batch, batches(paths)))
        failed = 0
        with output(opts) as out:
            for kind, text in outcomes:
                if kind == LINE:
                    out.write(text)                 # each line as it is made: memory stays flat
                else:
                    failed += kind == FAILED
                    print(text, file=sys.stderr)
        return failed


LINE, NO_DOCUMENT, FAILED = "line", "not_a_document", "failed"
BATCH = 8       # files a worker is handed at a time: one hand-over, not eight


def outcome(path: str) -> tuple[str, str]:
    """(LINE, the JSON line) of a page, or (NO_DOCUMENT | FAILED, the line for stderr)."""
    try:
        return LINE, segment_file(path)
    except NotADocument as exc:         # an answer, not an error: no item
        return NO_DOCUMENT, f"segment: {path}: not_a_document: {exc}"
    except (OSError, UndecodableError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return FAILED, f"segment: {path}: {reason}"
    except Exception as exc:  # noqa: BLE001 - one bad page must not lose the others
        return internal_error(path, exc)


def internal_error(path: str, exc: Exception) -> tuple[str, str]:
    return FAILED, f"segment: {path}: internal error ({type(exc).__name__}: {exc})"


def outcome_batch(paths: list[str]) -> list[tuple[str, str]]:
    """The outcomes of a batch of files, in a worker."""
    return [outcome(path) for path in paths]


def batch_outcomes(paths: list[str], call) -> list[tuple[str, str]]:
    """A batch's outcomes from its pool call; each file fails with the worker if it died."""
    try:
        return SegmentPool.result(call)
    except Exception as exc:  # noqa: BLE001 - WorkerDied, or a result that could not come back
        return [internal_error(path, exc) for path in paths]


def batches(paths: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(paths), BATCH):
        yield paths[start:start + BATCH]


@contextmanager
def output(opts: argparse.Namespace) -> Iterator[IO[str]]:
    """Where the lines go: -O FILE (a temporary file beside it, renamed at the end, so readers
    never see half), -o FILE (appended), or stdout."""
    if opts.overwrite_output:
        path = opts.overwrite_output
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)),
                                   prefix=".segment-", suffix=".jsonl.part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                yield f
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    elif opts.output:
        with open(opts.output, "a", encoding="utf-8") as f:
            yield f
    else:
        sys.stdout.reconfigure(encoding="utf-8")
        yield sys.stdout
        sys.stdout.flush()


def pages(paths: list[str]) -> Iterator[str]:
    """The files to segment: each path given, a folder replaced by its pages at any depth."""
    for path in paths:
        if not os.path.isdir(path):
            yield path
            continue
        found = sorted(str(p) for p in Path(path).rglob("*")
                       if p.suffix.lower() in PAGE_SUFFIXES and p.is_file())
        # a folder with no page goes on as itself: segment_file reports it
        yield from found or [path]


def segment_file(path: str) -> str:
    """The JSON line of one saved page; raises on unreadable or invalid input."""
    if os.path.isdir(path):
        raise ValueError("a folder with no .txt or .html page in it")
    with open(path, "rb") as f:
        data = f.read()
    is_html = path.lower().endswith(HTML_SUFFIXES) or data.lstrip()[:15].lower().startswith(
        (b"<!doctype html", b"<html"))
    text, _encoding = decode_page(data, is_html=is_html)
    if is_html:     # one parse for both: the soft-block check strips the tree, so it goes last
        root = parse_html(text)
        seg = segment_tree(root)
        wall = soft_block(data, text, root)
    else:
        wall = soft_block(data, text)
        seg = segment_text(text)
    if wall in _WALLS:
        raise NotADocument(f"a {wall.replace('_', ' ')} page")
    if reason := not_a_document(seg):
        raise NotADocument(reason)
    data = item_data(build_item(seg, source=path, canonical=seg.canonical))    # made once
    if errors := schema_errors(data):
        raise ValueError("item fails the schema: " + "; ".join(errors))
    return to_json_line(data)
