"""WACZ packaging: a run's WARC files as one file that web archive players and tools open as is.

A WACZ (Web Archive Collection Zipped, format 1.1.1) is a zip holding the WARC files unchanged
(stored, not recompressed, so every record keeps its offset in its WARC file and the items'
`archive` pointers stay valid inside it), a CDXJ index of their records (`indexes/`), a pages
list (`pages/pages.jsonl`) and `datapackage.json` with every file's hash. py-wacz (the `wacz`
package, the `wacz` extra) builds it, run as `python -m wacz create` in a child process: it
prints its progress as it goes, and its memory and imports stay out of the crawl.

The pages list names the documents: one page per item, with its URL, `fetched_at` as the
capture's time and its title. Without items it names the pages a reparse would parse (every
URL archived with status 200, robots.txt aside, at its latest capture), untitled: players show
the URL instead.

`WaczPackaging` (an extension, on with DOCSPIDER_WACZ) packages a crawl's WARC files into
`<DOCSPIDER_ARCHIVE_DIR>/<run id>.wacz` when the crawl closes, listing the documents it
emitted; `scrapy wacz` (:mod:`docspider.commands.wacz`) packages WARC files on demand.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from docspider.archive import WarcFiles, archive_closed, item_time
from docspider.replay import archived_pages
from docspider.writes import report

logger = logging.getLogger(__name__)


class WaczError(Exception):
    """The package cannot be made: py-wacz is missing or failed, or the input is unfit."""


@dataclass(frozen=True)
class Page:
    url: str
    ts: str                     # the capture's WARC-Date (to the second picks the record)
    title: str | None = None    # none: players show the URL

    def line(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None},
                          ensure_ascii=False) + "\n"


def item_page(item) -> Page | None:
    """The page of a document item (None for one without a URL or a fetch time)."""
    adapter = ItemAdapter(item)
    url, ts = adapter.get("url"), adapter.get("fetched_at")
    return Page(url, ts, adapter.get("title")) if url and ts else None


def feed_pages(path: Path) -> Iterator[Page]:
    """The pages of the items in a JSON-lines feed."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and (page := item_page(json.loads(line))) is not None:
                yield page


def require_wacz() -> None:
    if importlib.util.find_spec("wacz") is None:
        raise WaczError("the wacz package is not installed: pip install 'docspider[wacz]'")


def write_wacz(warcs: list[str], output: Path, pages: Iterable[Page], title: str) -> int:
    """Package the WARC files `warcs` into `output`, listing `pages` (none: the archived
    pages, untitled); `title` is the package's. Written as `output.part`, renamed when whole.
    Returns the number of pages listed."""
    names = [Path(warc).name for warc in warcs]
    if len(set(names)) != len(names):       # each is stored as archive/<its name>
        raise WaczError("two WARC files have the same name")
    partial = output.with_name(output.name + ".part")
    with tempfile.TemporaryDirectory() as scratch:
        listing = Path(scratch, "pages.jsonl")
        count = write_pages(listing, pages, "Documents") or \
            write_pages(listing, (Page(archived.url, item_time(archived.date))
                                  for archived in archived_pages(warcs).values()), "Pages")
        proc = subprocess.run([sys.executable, "-m", "wacz", "create", "-o", str(partial),
                               "--pages", str(listing), "--title", title, *warcs],
                              capture_output=True, text=True)
    if proc.returncode != 0:
        partial.unlink(missing_ok=True)
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        raise WaczError(f"wacz create failed: {lines[-1]}")
    os.replace(partial, output)
    return count


def write_pages(path: Path, pages: Iterable[Page], title: str) -> int:
    """Write a pages list (json-pages-1.0) to `path`; the number of pages in it."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": title}) + "\n")
        for page in pages:
            out.write(page.line())
            count += 1
    return count


class WaczPackaging:
    """Extension packaging the crawl's WARC files into `<run id>.wacz` beside them once they
    are closed (DOCSPIDER_WACZ; NotConfigured when it or DOCSPIDER_ARCHIVE is off). A package
    that cannot be made is a failed write: the exit status says so."""

    def __init__(self, crawler):
        self.crawler = crawler
        # the documents' pages, spooled to disk: the crawl's memory stays flat
        self.pages = tempfile.TemporaryFile("w+", encoding="utf-8")
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.archive_closed, signal=archive_closed)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not (settings.getbool("DOCSPIDER_WACZ") and settings.getbool("DOCSPIDER_ARCHIVE")):
            raise NotConfigured
        require_wacz()
        return cls(crawler)

    def item_scraped(self, item) -> None:
        if (page := item_page(item)) is not None:
            self.pages.write(page.line())

    def archive_closed(self, archive: WarcFiles) -> None:
        with self.pages:
            if not archive.closed:
                return
            self.pages.seek(0)
            output = archive.directory / f"{archive.run_id}.wacz"
            try:
                count = write_wacz([str(path) for path in archive.closed], output,
                                   (Page(**json.loads(line)) for line in self.pages),
                                   title=f"{archive.info['isPartOf']} ({archive.run_id})")
            except (OSError, WaczError) as exc:
                report(self.crawler, str(output), exc)
                return
        logger.info("packaged %d WARC files and %d pages into %s", len(archive.closed), count,
                    output)
