"""WARC archiving: every fetched response (documents, listings, robots.txt) as WARC 1.1.

`WarcArchiveMiddleware` is a downloader middleware placed next to the download handler, so it
sees each response as it came off the wire (before decompression, retries or redirects are
handled) together with the request exactly as sent. For each fetch it writes a `response` and
a `request` record (each its own gzip member, with WARC-Target-URI, WARC-Date and a payload
digest) through warcio, and puts the response record's location and date in the request's
meta (`archive`, `fetched_at`), from where the spider copies them into the item.

Files are `<DOCSPIDER_ARCHIVE_DIR>/<time>-<n>.warc.gz` (the directory is per spider by
default), each starting with a `warcinfo` record that names the crawl. A file being written
carries an `.open` suffix; it is renamed when it reaches DOCSPIDER_ARCHIVE_MAX_SIZE (the crawl
continues in the next file) or when the crawl closes. A killed crawl leaves its last file as
`.open`, complete up to its last whole record.
"""
from __future__ import annotations

import http
import os
from io import BytesIO
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from scrapy import signals
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OPEN_SUFFIX = ".open"
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
    """A series of rolling WARC files under one directory."""

    def __init__(self, directory: Path, stamp: str, max_size: int, info: dict[str, str]):
        self.directory = directory
        self.stamp = stamp
        self.max_size = max_size
        self.info = info
        self.serial = 0
        self.path: Path | None = None
        self.out: BinaryIO | None = None
        self.writer: WARCWriter | None = None
        self.closed: list[Path] = []

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / f"{self.stamp}-{self.serial:05d}.warc.gz"
        self.serial += 1
        self.out = open(str(self.path) + OPEN_SUFFIX, "wb")
        self.writer = WARCWriter(self.out, gzip=True, warc_version="1.1")
        self.writer.write_record(self.writer.create_warcinfo_record(self.path.name, self.info))

    def _close_file(self) -> None:
        if self.out is None:
            return
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()
        os.replace(str(self.path) + OPEN_SUFFIX, self.path)
        self.closed.append(self.path)
        self.out = self.writer = None

    def write_exchange(self, url: str, request_head: StatusAndHeaders, response_head: StatusAndHeaders,
                       body: bytes, moment: datetime) -> RecordLocation:
        if self.out is not None and self.out.tell() >= self.max_size:
            self._close_file()
        if self.out is None:
            self._open()
        writer, out = self.writer, self.out
        date = warc_date(moment)
        response = writer.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body), http_headers=response_head,
            warc_headers_dict={"WARC-Date": date})
        request = writer.create_warc_record(
            url, "request", payload=None, http_headers=request_head,
            warc_headers_dict={"WARC-Date": date,
                               "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
        offset = out.tell()
        writer.write_record(response)
        location = RecordLocation(str(self.path), offset, out.tell() - offset)
        writer.write_record(request)
        out.flush()
        return location

    def close(self) -> None:
        self._close_file()


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


class WarcArchiveMiddleware:
    """Downloader middleware writing every response to WARC (enabled by DOCSPIDER_ARCHIVE)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.files: WarcFiles | None = None

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider) -> None:
        settings = self.crawler.settings
        if not settings.getbool("DOCSPIDER_ARCHIVE"):
            return
        started = datetime.now(timezone.utc)
        directory = Path(settings.get("DOCSPIDER_ARCHIVE_DIR") % {"name": spider.name})
        self.files = WarcFiles(
            directory, started.strftime("%Y-%m-%dT%H-%M-%S"),
            settings.getint("DOCSPIDER_ARCHIVE_MAX_SIZE"),
            {"software": settings.get("USER_AGENT"), "format": "WARC File Format 1.1",
             "conformsTo": "https://iso.org/standard/68004.html",
             "isPartOf": f"{spider.name} crawl started {warc_date(started)}",
             "docspider-spider": spider.name,
             "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore"})

    def spider_closed(self, spider) -> None:
        if self.files is not None:
            self.files.close()
            self.crawler.stats.set_value("docspider/archive/files", len(self.files.closed))

    def process_response(self, request, response):
        if self.files is None:
            return response
        moment = datetime.now(timezone.utc)
        location = self.files.write_exchange(request.url, request_head(request),
                                             response_head(response), response.body, moment)
        stamp(request, location, moment)
        self.crawler.stats.inc_value("docspider/archive/records")
        return response
