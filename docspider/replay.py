"""Replay archived responses: a download handler that answers requests from WARC files.

`scrapy reparse` installs it for http and https, so a spider runs over its archived pages
exactly as over the live site, with no network. Each URL gets the latest archived response
for it (its status, headers and raw body; decompression and the rest happen downstream as on a
live fetch), and the request's meta gets the record's location and date, as the archive
middleware gives them on a crawl. A URL with no archived response is a counted skip.

A WACZ package stands for the WARC files inside it (``archive/*.warc.gz``), read in place. A
record in one is located as ``PACKAGE.wacz#archive/NAME.warc.gz``, with the offset and length
it has in that WARC file (the package stores the files unchanged, so they are the ones the
crawl gave; docs/archives.md).
"""
from __future__ import annotations

import functools
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import BinaryIO
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from docspider.archive import RecordLocation, stamp

MEMBER = "#"            # between a WACZ's path and the name of a WARC file inside it
_ZIP_MAGIC = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<4s22xHH")   # signature ... file name length, extra field length


class NotArchived(IgnoreRequest):
    skip_reason = "not_archived"


@dataclass(frozen=True)
class ArchivedResponse:
    url: str
    location: RecordLocation
    date: datetime
    status: int


def warc_files(path: str) -> list[str]:
    """The WARC files `path` stands for: itself, or the ones a WACZ package holds, each named
    `path#archive/NAME`. Raises ArchiveLoadFailed for a zip file that is not a WACZ."""
    with open(path, "rb") as stream:
        if stream.read(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
            return [path]
    try:
        with zipfile.ZipFile(path) as package:
            members = [name for name in package.namelist()
                       if name.startswith("archive/") and ".warc" in name]
    except zipfile.BadZipFile as exc:
        raise ArchiveLoadFailed(f"{path}: {exc}") from None
    if not members:
        raise ArchiveLoadFailed(f"{path}: a zip file without archive/*.warc.gz (not a WACZ)")
    return [f"{path}{MEMBER}{name}" for name in members]


@contextmanager
def open_warc(name: str) -> Iterator[BinaryIO]:
    """A WARC file named as `warc_files` names it, open for reading from its start."""
    package, _, member = name.rpartition(MEMBER)
    if not package:
        with open(name, "rb") as stream:
            yield stream
        return
    with zipfile.ZipFile(package) as archive, archive.open(member) as stream:
        yield stream


def read_bytes(location: RecordLocation) -> bytes:
    """The `length` bytes at `offset` of a WARC file, also of one inside a WACZ: there the
    member's data is found in the zip file and read in place (stored members only, as a WACZ
    keeps its WARC files; others are read through zipfile)."""
    package, _, member = location.file.rpartition(MEMBER)
    if not package:
        with open(location.file, "rb") as stream:
            stream.seek(location.offset)
            return stream.read(location.length)
    with zipfile.ZipFile(package) as archive:
        info = archive.getinfo(member)
        if info.compress_type != zipfile.ZIP_STORED:
            with archive.open(info) as stream:
                stream.seek(location.offset)
                return stream.read(location.length)
    with open(package, "rb") as stream:
        stream.seek(info.header_offset)
        _signature, name_length, extra_length = _LOCAL_HEADER.unpack(
            stream.read(_LOCAL_HEADER.size))
        stream.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
                    + location.offset)
        return stream.read(location.length)


def archived_responses(paths: list[str]) -> list[ArchivedResponse]:
    """The response records of WARC files (or WACZ packages), in file and record order. The
    files are read once a process: `scrapy reparse` lists their pages, then its download
    handler indexes them."""
    return _archived_responses(tuple(paths))


@functools.lru_cache(maxsize=1)
def _archived_responses(paths: tuple[str, ...]) -> list[ArchivedResponse]:
    found = []
    for name in (warc for path in paths for warc in warc_files(path)):
        with open_warc(name) as stream:
            records = ArchiveIterator(stream)
            for record in records:
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                record.content_stream().read()          # let the iterator measure the record
                found.append(ArchivedResponse(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    location=RecordLocation(name, records.get_record_offset(),
                                            records.get_record_length()),
                    date=datetime.fromisoformat(
                        record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00")),
                    status=int(record.http_headers.get_statuscode())))
    return found


def archived_pages(paths: list[str]) -> dict[str, ArchivedResponse]:
    """The pages `scrapy reparse` parses: every URL archived with status 200 except
    robots.txt, in the order first archived, each with its latest such record."""
    pages = {}
    for archived in archived_responses(paths):
        if archived.status == 200 and urlsplit(archived.url).path != "/robots.txt":
            pages[archived.url] = archived
    return pages


def warcinfo(name: str) -> dict[str, str]:
    """The fields of a WARC file's warcinfo record (`name` as `warc_files` gives it)."""
    with open_warc(name) as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "warcinfo":
                text = record.content_stream().read().decode("utf-8")
                return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    return {}


def read_record(location: RecordLocation) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, raw body) of the response record at `location`."""
    record = next(iter(ArchiveIterator(BytesIO(read_bytes(location)))))
    body = record.raw_stream.read()
    return int(record.http_headers.get_statuscode()), record.http_headers.headers, body


class WarcReplayHandler(BaseDownloadHandler):
    """Download handler for http/https answering from DOCSPIDER_REPLAY_WARCS (WARC files or
    WACZ packages)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.latest = {archived.url: archived for archived in
                       archived_responses(crawler.settings.getlist("DOCSPIDER_REPLAY_WARCS"))}

    async def download_request(self, request):
        archived = self.latest.get(request.url)
        if archived is None:
            raise NotArchived("no archived response for this URL")
        status, header_list, body = read_record(archived.location)
        headers = Headers()
        for name, value in header_list:
            headers.appendlist(name, value)
        stamp(request, archived.location, archived.date)
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return respcls(url=request.url, status=status, headers=headers, body=body,
                       request=request)
