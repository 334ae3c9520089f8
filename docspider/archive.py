"""WARC archiving: every fetched response (documents, listings, robots.txt) as WARC 1.1.

`WarcArchiveMiddleware` is a downloader middleware placed next to the download handler, so it
sees each response as it came off the wire (before decompression, retries or redirects are
handled) together with the request exactly as sent. For each fetch it writes a `response` and
a `request` record (each its own gzip member, with WARC-Target-URI, WARC-Date and a payload
digest) through warcio, and puts the response record's location and date in the request's
meta (`archive`, `fetched_at`), from where the spider copies them into the item.

Files are `<DOCSPIDER_ARCHIVE_DIR>/<run id>-<n>.warc.gz` (the directory is per spider by
default; the run id is unique to the crawl, so crawls sharing a directory never write to one
file), each starting with a `warcinfo` record that names the crawl. A file being written
carries an `.open` suffix and an exclusive `flock` held by the crawl; it is renamed when it
reaches DOCSPIDER_ARCHIVE_MAX_SIZE (the crawl continues in the next file) or when the crawl
closes. The records of one fetch reach the file in one write, and a failed write (disk full)
is cut off again, so the file holds whole records only.

A killed crawl leaves its last file `.open` and unlocked. The next crawl of the spider
finishes it before it starts (`finish_killed_warcs`): cut after its last whole record and
renamed to the name the items of the killed crawl give.
"""
from __future__ import annotations

import fcntl
import http
import logging
import os
import zlib
from io import BytesIO
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from warcio.statusandheaders import (StatusAndHeaders, StatusAndHeadersParser,
                                     StatusAndHeadersParserException)
from warcio.warcwriter import WARCWriter

from docspider.writes import append_whole, report

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
#: Sent when the crawl closes, once its WARC files are closed: `archive` (the WarcFiles).
archive_closed = object()
# Hop-by-hop framing already undone by the HTTP client: kept under another name so that WARC
# readers do not try to undo it a second time.
_UNDONE_FRAMING = ("transfer-encoding",)


@dataclass(frozen=True)
class RecordLocation:
    file: str           # the WARC file (as named once closed)
    offset: int         # where the response record's gzip member starts
    length: int         # its length in bytes


def stamp(request, location: RecordLocation, moment: datetime) -> None:
    """Tell the spider where the response is archived and when it was fetched (request meta
    `archive` and `fetched_at`, which it copies into the item)."""
    request.meta["archive"] = asdict(location)
    request.meta["fetched_at"] = item_time(moment)


def warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def item_time(moment: datetime) -> str:
    """The item's `fetched_at`: the WARC-Date to the second."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class WarcFiles:
    """A series of rolling WARC files under one directory, named after the crawl's run id."""

    def __init__(self, directory: Path, run_id: str, max_size: int, info: dict[str, str]):
        self.directory = directory
        self.run_id = run_id
        self.max_size = max_size
        self.info = info
        self.serial = 0
        self.path: Path | None = None
        self.out: BinaryIO | None = None      # unbuffered: nothing is left to write on close
        self.closed: list[Path] = []

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{self.run_id}-{self.serial:05d}.warc.gz"
        self.serial += 1
        try:
            if path.exists():                   # closing would replace it
                raise FileExistsError
            out = open(open_name(path), "xb", buffering=0)
        except FileExistsError:
            raise FileExistsError(f"WARC file {path} exists already: is another crawl running "
                                  f"with run id {self.run_id}?") from None
        fcntl.flock(out, fcntl.LOCK_EX | fcntl.LOCK_NB)     # in use by a live crawl
        self.path, self.out = path, out
        writer = memory_writer()
        writer.write_record(writer.create_warcinfo_record(path.name, self.info))
        try:
            self._append(writer.out.getvalue())
        except OSError:                         # no file without its warcinfo record
            self.out = None
            with out:
                os.unlink(open_name(path))
            raise

    def _append(self, records: bytes) -> int:
        """Write whole gzipped records at the end of the open file; return where they start.
        If the write fails (disk full), the file is cut back to where it was."""
        return append_whole(self.out, records)

    def _close_file(self) -> None:
        if self.out is None:
            return
        out, self.out = self.out, None
        with out:                   # closed, and so unlocked, once renamed (or if that fails)
            os.fsync(out.fileno())
            os.replace(open_name(self.path), self.path)
        self.closed.append(self.path)

    def write_exchange(self, url: str, request_head: StatusAndHeaders, response_head: StatusAndHeaders,
                       body: bytes, moment: datetime) -> RecordLocation:
        if self.out is not None and self.out.tell() >= self.max_size:
            self._close_file()
        if self.out is None:
            self._open()
        writer = memory_writer()
        date = warc_date(moment)
        response = writer.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body), http_headers=response_head,
            warc_headers_dict={"WARC-Date": date})
        request = writer.create_warc_record(
            url, "request", payload=None, http_headers=request_head,
            warc_headers_dict={"WARC-Date": date,
                               "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
        writer.write_record(response)
        length = writer.out.tell()
        writer.write_record(request)
        offset = self._append(writer.out.getvalue())
        return RecordLocation(str(self.path), offset, length)

    def close(self) -> None:
        self._close_file()


def memory_writer() -> WARCWriter:
    """A WARC 1.1 writer gzipping records into memory (its `out`), for one write to a file."""
    return WARCWriter(BytesIO(), gzip=True, warc_version="1.1")


def open_name(path: Path) -> Path:
    """The name of the WARC file `path` while it is written."""
    return path.with_name(path.name + OPEN_SUFFIX)


def finish_killed_warcs(directory: Path) -> list[Path]:
    """Finish the WARC files that killed crawls left `.open` in `directory`: each is cut after
    its last whole record and renamed to its final name. Returns the finished files.

    Files locked by a live crawl are left alone, as are empty ones (a crawl creates its file
    before locking it), and ones whose final name is taken (with a warning)."""
    finished = []
    for path in sorted(directory.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        final = path.with_name(path.name[:-len(OPEN_SUFFIX)])
        try:
            if path.stat().st_size == 0:
                continue
            stream = open(path, "r+b")
        except FileNotFoundError:
            continue                            # finished meanwhile by another crawl starting
        with stream:
            try:
                fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue                        # a live crawl is writing it
            if not path.exists():
                continue                        # finished meanwhile by another crawl starting
            if final.exists():
                logger.warning("WARC file %s left by a killed crawl is not finished: %s exists "
                               "already", path, final.name)
                continue
            size = os.fstat(stream.fileno()).st_size
            whole = whole_records_length(stream)
            stream.truncate(whole)
            os.fsync(stream.fileno())
            os.replace(path, final)
        logger.info("finished WARC file %s of a killed crawl (%d bytes of a cut last record "
                    "dropped)", final, size - whole)
        finished.append(final)
    return finished


def whole_records_length(stream: BinaryIO, chunk_size: int = 1 << 20) -> int:
    """How many bytes at the start of a gzipped WARC stream are whole records: its gzip
    members are read one after another, up to the first that is cut short, does not
    decompress, or is not exactly one WARC record."""
    whole, data = 0, b""
    while True:
        member, record, end = zlib.decompressobj(zlib.MAX_WBITS | 16), bytearray(), whole
        while not member.eof:
            data = data or stream.read(chunk_size)
            if not data:
                return whole
            try:
                record += member.decompress(data)
            except zlib.error:
                return whole
            end += len(data) - len(member.unused_data)
            data = member.unused_data
        if not is_one_record(record):
            return whole
        whole = end


def is_one_record(data: bytes) -> bool:
    """Whether `data` is exactly one WARC record: a header naming its Content-Length, that
    many bytes and the two closing line breaks."""
    stream = BytesIO(data)
    try:
        header = StatusAndHeadersParser(["WARC/1.1", "WARC/1.0"]).parse(stream)
        length = int(header.get_header("Content-Length"))
    except (EOFError, StatusAndHeadersParserException, TypeError, ValueError):
        return False
    block = stream.read()
    return len(block) == length + 4 and block.endswith(b"\r\n\r\n")


def request_head(request) -> StatusAndHeaders:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)] + [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in request.headers.items() for value in values]
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, protocol="")


def response_head(response) -> StatusAndHeaders:
    try:
        reason = http.HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    headers = []
    for name, values in response.headers.items():
        name = name.decode("latin-1")
        if name.lower() in _UNDONE_FRAMING:
            name = f"X-Archive-Orig-{name}"
        headers += [(name, value.decode("latin-1")) for value in values]
    return StatusAndHeaders(f"{response.status} {reason}".strip(), headers, protocol="HTTP/1.1")


class ArchiveWriteFailed(IgnoreRequest):
    """The response could not be archived: the page fails (fetched again by the next run)."""
    failed = True
    skip_reason = "archive_write"

    def __init__(self):
        super().__init__("not archived: the archive cannot be written")


class WarcArchiveMiddleware:
    """Downloader middleware writing every response to WARC (`NotConfigured` when
    DOCSPIDER_ARCHIVE is off). A failed write stops the crawl (docspider.writes); the page
    is then not parsed, so no item points at a record that is not there."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.files: WarcFiles | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("DOCSPIDER_ARCHIVE"):
            raise NotConfigured
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider) -> None:
        settings = self.crawler.settings
        started = datetime.now(timezone.utc)
        # the crawl's run id (DocumentSpider.run_id), so feed and WARC files share it
        run_id = getattr(spider, "run_id", None) or f"{started:%Y-%m-%dT%H-%M-%S}-{os.getpid()}"
        directory = Path(settings.get("DOCSPIDER_ARCHIVE_DIR") % {"name": spider.name})
        try:
            if recovered := finish_killed_warcs(directory):
                self.crawler.stats.set_value("docspider/archive/recovered_files", len(recovered))
        except OSError as exc:
            self.failed(str(directory), exc)
            return
        self.files = WarcFiles(
            directory, run_id, settings.getint("DOCSPIDER_ARCHIVE_MAX_SIZE"),
            {"software": settings.get("USER_AGENT"), "format": "WARC File Format 1.1",
             "conformsTo": "https://iso.org/standard/68004.html",
             "isPartOf": f"{spider.name} crawl started {warc_date(started)}",
             "docspider-spider": spider.name,
             "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore"})

    def spider_closed(self, spider) -> None:
        if self.files is not None:
            try:
                self.files.close()
            except OSError as exc:
                self.failed(str(self.files.path), exc)
            self.crawler.stats.set_value("docspider/archive/files", len(self.files.closed))
            self.crawler.signals.send_catch_log(archive_closed, archive=self.files)

    def failed(self, path: str, error: OSError) -> None:
        report(self.crawler, path, error)

    def process_response(self, request, response):
        if self.files is None:
            raise ArchiveWriteFailed()
        moment = datetime.now(timezone.utc)
        try:
            location = self.files.write_exchange(request.url, request_head(request),
                                                 response_head(response), response.body, moment)
        except OSError as exc:
            self.failed(str(getattr(exc, "filename", None) or self.files.path or
                            self.files.directory), exc)
            raise ArchiveWriteFailed() from None
        stamp(request, location, moment)
        self.crawler.stats.inc_value("docspider/archive/records")
        return response
