"""Replay archived responses: a download handler that answers requests from WARC files.

`scrapy reparse` installs it for http and https, so a spider runs over its archived pages
exactly as over the live site, with no network. Each URL gets the latest archived response
for it (its status, headers and raw body; decompression and the rest happen downstream as on a
live fetch), and the request's meta gets the record's location and date, as the archive
middleware gives them on a crawl. A URL with no archived response is a counted skip.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from docspider.archive import RecordLocation, stamp


class NotArchived(IgnoreRequest):
    skip_reason = "not_archived"


@dataclass(frozen=True)
class ArchivedResponse:
    url: str
    location: RecordLocation
    date: datetime
    status: int


def archived_responses(paths: list[str]) -> list[ArchivedResponse]:
    """The response records of WARC files, in file and record order. The files are read once
    a process: `scrapy reparse` lists their pages, then its download handler indexes them."""
    return _archived_responses(tuple(paths))


@functools.lru_cache(maxsize=1)
def _archived_responses(paths: tuple[str, ...]) -> list[ArchivedResponse]:
    found = []
    for path in paths:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                record.content_stream().read()          # let the iterator measure the record
                found.append(ArchivedResponse(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    location=RecordLocation(path, records.get_record_offset(),
                                            records.get_record_length()),
                    date=datetime.fromisoformat(
                        record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00")),
                    status=int(record.http_headers.get_statuscode())))
    return found


def warcinfo(path: str) -> dict[str, str]:
    """The fields of a WARC file's warcinfo record."""
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "warcinfo":
                text = record.content_stream().read().decode("utf-8")
                return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    return {}


def read_record(location: RecordLocation) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, raw body) of the response record at `location`."""
    with open(location.file, "rb") as stream:
        stream.seek(location.offset)
        record = next(iter(ArchiveIterator(stream)))
        body = record.raw_stream.read()
        return int(record.http_headers.get_statuscode()), record.http_headers.headers, body


class WarcReplayHandler(BaseDownloadHandler):
    """Download handler for http/https answering from DOCSPIDER_REPLAY_WARCS."""

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
