"""WARC archiving of real crawls, read back with warcio's tools and with FastWARC, and
`scrapy reparse` rebuilding the crawl's items from the files alone."""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType

from docspider.localserver import LocalServer, PageTable
from docspider.output import schema_errors

from conftest import (ROOT, SITE, crawl, json_lines, run_scrapy, scrapy_command, scrapy_env,
                      stat, through)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """renrendoc crawled from its listing through the replay proxy, archive on:
    (work dir, items, log)."""
    work = tmp_path_factory.mktemp("archive")
    with LocalServer(PageTable.from_directory(SITE)) as proxy:
        proc = crawl("renrendoc", "-O", str(work / "items.jsonl"),
                     "-s", f"DOCSPIDER_ARCHIVE_DIR={work / 'warc'}",
                     "-s", "DOCSPIDER_ARCHIVE_MAX_SIZE=6000", env=through(proxy))
        fetched = len(proxy.requests)
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    return work, json_lines((work / "items.jsonl").read_bytes()), log, fetched


def warc_files(work: Path) -> list[Path]:
    return sorted((work / "warc").iterdir())


# `<run id>-<n>.warc.gz`; for now the run id is the start time and the process id
RUN_FILE = re.compile(r"(?P<run>\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-[0-9a-f]+)-\d{5}\.warc\.gz")


def test_every_fetch_is_archived_and_files_roll_over(crawled):
    work, items, log, fetched = crawled
    files = warc_files(work)
    assert len(files) >= 2                             # rolled over at 6000 bytes
    assert all(RUN_FILE.fullmatch(f.name) for f in files)    # none left `.open`
    assert len({RUN_FILE.fullmatch(f.name)["run"] for f in files}) == 1
    records = []
    for path in files:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, parse_http=True):
                if record.record_type == WarcRecordType.response:
                    assert record.verify_payload_digest(), record.headers["WARC-Target-URI"]
                records.append((record.record_type, record.headers.get("WARC-Target-URI"),
                                record.headers.status_line))
    kinds = [kind for kind, _url, _version in records]
    assert kinds.count(WarcRecordType.warcinfo) == len(files)
    assert kinds.count(WarcRecordType.response) == kinds.count(WarcRecordType.request) == fetched
    urls = {url for kind, url, _ in records if kind == WarcRecordType.response}
    assert "https://www.renrendoc.com/robots.txt" in urls                     # robots.txt
    assert "https://www.renrendoc.com/renrendoc_v1/MCBookList/published.html?page=2" in urls
    assert "https://www.renrendoc.com/paper/301000004.html" in urls           # a 404 too
    assert all(version == "WARC/1.1" for *_rest, version in records)
    assert stat(log, "docspider/archive/records") == fetched


def test_warcio_tools_accept_the_files(crawled):
    work, *_ = crawled
    for path in warc_files(work):
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
                               capture_output=True, text=True)
        assert check.returncode == 0 and "digest pass" in check.stdout, check.stdout + check.stderr
        index = subprocess.run([sys.executable, "-m", "warcio.cli", "index", str(path)],
                               capture_output=True, text=True)
        assert index.returncode == 0 and '"warc-type": "warcinfo"' in index.stdout


def test_items_point_at_their_response_records(crawled):
    work, items, *_ = crawled
    assert len(items) == 3
    for item in items:
        assert schema_errors(item) == []
        assert_points_at_response(item)


def assert_points_at_response(item: dict) -> None:
    where = item["archive"]
    with open(where["file"], "rb") as stream:
        stream.seek(where["offset"])
        member = stream.read(where["length"])
    record = gzip.decompress(member).decode("utf-8", "replace")   # exactly one gzip member
    head = record.split("\r\n\r\n", 1)[0]
    assert "WARC-Type: response" in head and f"WARC-Target-URI: {item['url']}" in head
    assert f"WARC-Date: {item['fetched_at'][:-1]}." in head          # the same instant


def test_crawls_sharing_an_archive_directory_write_their_own_files(tmp_path):
    """Two crawls of one spider at once, archiving to one directory: each writes its own files
    and each item points at its own response record."""
    archive = tmp_path / "warc"
    with LocalServer(PageTable.from_directory(SITE)) as proxy:
        crawls = []
        for n in (1, 2):
            with (tmp_path / f"crawl{n}.log").open("wb") as log:
                crawls.append(subprocess.Popen(
                    scrapy_command("crawl", "renrendoc", "-O", str(tmp_path / f"items{n}.jsonl"),
                                   "-s", f"DOCSPIDER_ARCHIVE_DIR={archive}",
                                   "-s", f"DOCSPIDER_STATE={tmp_path / f'state{n}.sqlite'}",
                                   "-s", "DOCSPIDER_ARCHIVE_MAX_SIZE=6000",
                                   "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "DOWNLOAD_DELAY=0"),
                    cwd=ROOT, env=scrapy_env(through(proxy)), stdout=subprocess.DEVNULL,
                    stderr=log))
        returncodes = [proc.wait(timeout=300) for proc in crawls]
    assert returncodes == [0, 0], [(tmp_path / f"crawl{n}.log").read_text() for n in (1, 2)]
    runs = []
    for n in (1, 2):
        items = json_lines((tmp_path / f"items{n}.jsonl").read_bytes())
        assert len(items) == 3
        for item in items:
            assert_points_at_response(item)
        runs.append({RUN_FILE.fullmatch(Path(item["archive"]["file"]).name)["run"] for item in items})
    assert len(runs[0]) == len(runs[1]) == 1 and runs[0] != runs[1]
    assert all(RUN_FILE.fullmatch(f.name) for f in archive.iterdir())     # none left `.open`


def test_reparse_rebuilds_the_crawl_items_offline(crawled, tmp_path):
    work, items, *_ = crawled
    out = tmp_path / "reparsed.jsonl"
    proc = run_scrapy("reparse", *map(str, warc_files(work)), "-O", str(out),
                      "-s", f"DOCSPIDER_STATE={tmp_path / 'unused.sqlite'}",
                      "-s", f"DOCSPIDER_RUNS_DIR={tmp_path / 'runs'}",
                      env={"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"})
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    reparsed = json_lines(out.read_bytes())
    by_url = {item["url"]: item for item in items}
    assert {item["url"]: item for item in reparsed} == by_url     # equal, field for field
    assert not (tmp_path / "unused.sqlite").exists()               # the user's state untouched
    (record,) = (tmp_path / "runs").glob("*.json")                 # a run record of its own
    record = json.loads(record.read_text(encoding="utf-8"))
    assert (record["command"], record["exit_status"], record["counts"]["items"]) == \
        ("reparse", 0, len(items))


def test_reparse_needs_warc_files(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a warc\n", encoding="utf-8")
    proc = run_scrapy("reparse", str(tmp_path / "missing.warc.gz"))
    assert proc.returncode == 2 and b"not a file" in proc.stderr
    proc = run_scrapy("reparse", str(text))
    assert proc.returncode == 2 and b"not a WARC file" in proc.stderr
