"""WARC files that outlive their crawl: per-run names, the lock a live crawl holds on its
`.open` file, whole records only after a failed write, and `finish_killed_warcs` cutting a
killed crawl's file after its last whole record at the next start (also after a real SIGKILL)."""
from __future__ import annotations

import fcntl
import gzip
import json
import random
import signal
import subprocess
import sys
import time
import zlib
from dataclasses import replace
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from docspider.archive import WarcFiles, finish_killed_warcs, whole_records_length
from docspider.demo.site import demo_site
from docspider.localserver import LocalServer

from conftest import ROOT, json_lines, scrapy_command, scrapy_env, stat

MOMENT = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
BODY_SIZES = [0, 3000, 200, 70_000, 1500]      # random bytes: gzip members as long as the bodies


def write_exchange(files: WarcFiles, n: int, size: int):
    url = f"https://example.org/doc/{n}"
    return files.write_exchange(
        url, StatusAndHeaders("GET /doc HTTP/1.1", [("Host", "example.org")], protocol=""),
        StatusAndHeaders("200 OK", [("Content-Type", "application/octet-stream")],
                         protocol="HTTP/1.1"),
        random.Random(n).randbytes(size), MOMENT)


def read_records(stream) -> list[tuple[str, str]]:
    """(type, record id) of each record, every one read to its end with its block digest
    checked: a record cut short has no passing digest (an empty one has nothing to check)."""
    records = []
    for record in ArchiveIterator(stream, check_digests="raise"):
        record.content_stream().read()
        assert record.digest_checker.passed is True or record.length == 0, record.rec_headers
        records.append((record.rec_type, record.rec_headers.get_header("WARC-Record-ID")))
    return records


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> tuple[bytes, list[int]]:
    """A WARC file written by WarcFiles (a warcinfo record, then a response and a request per
    exchange): (its bytes, where each record ends)."""
    directory = tmp_path_factory.mktemp("original")
    files = WarcFiles(directory, "run", 10 ** 9, {"software": "tests"})
    for n, size in enumerate(BODY_SIZES):
        write_exchange(files, n, size)
    files.close()
    [path] = files.closed
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        ends = []
        for record in records:
            record.content_stream().read()
            ends.append(records.get_record_offset() + records.get_record_length())
    assert len(ends) == 1 + 2 * len(BODY_SIZES)
    return path.read_bytes(), ends


def member(data: bytes, ends: list[int], n: int) -> bytes:
    """Record `n` decompressed."""
    return gzip.decompress(data[(ends[n - 1] if n else 0):ends[n]])


# damaged file and the length of its whole records, from (original bytes, record ends)
DAMAGES = {
    "intact": lambda data, ends: (data, len(data)),
    "cut at a record boundary": lambda data, ends: (data[:ends[4]], ends[4]),
    "cut mid-record": lambda data, ends: (data[:(ends[6] + ends[7]) // 2], ends[6]),
    "cut in a gzip header": lambda data, ends: (data[:ends[4] + 5], ends[4]),
    "cut in a gzip trailer": lambda data, ends: (data[:ends[5] - 4], ends[4]),
    "cut one byte short": lambda data, ends: (data[:-1], ends[-2]),
    "cut in the warcinfo record": lambda data, ends: (data[:ends[0] // 2], 0),
    "garbage after": lambda data, ends: (data + random.Random(1).randbytes(500), len(data)),
    "gzip magic then garbage": lambda data, ends: (data + b"\x1f\x8b\x08" + bytes(100), len(data)),
    "gzip member of no record": lambda data, ends: (data + gzip.compress(b"no record"), len(data)),
    "gzip member of a cut record": lambda data, ends: (
        data[:ends[2]] + gzip.compress(member(data, ends, 3)[:-10]), ends[2]),
    "gzip member of a record and more": lambda data, ends: (
        data[:ends[2]] + gzip.compress(member(data, ends, 3) + b"WARC/1.1\r\n"), ends[2]),
    "garbage between records": lambda data, ends: (
        data[:ends[2]] + b"garbage" + data[ends[2]:], ends[2]),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_killed_file_is_cut_after_its_last_whole_record(original, tmp_path, caplog, damage):
    data, ends = original
    damaged, whole = damage(data, ends)
    left = tmp_path / "run-00000.warc.gz.open"
    left.write_bytes(damaged)
    caplog.set_level("INFO", logger="docspider.archive")
    final = tmp_path / "run-00000.warc.gz"
    assert finish_killed_warcs(tmp_path) == [final]
    assert not left.exists()
    assert final.read_bytes() == data[:whole]                 # the original up to a record end
    with final.open("rb") as stream:
        kept = read_records(stream)
    with BytesIO(data) as stream:
        assert kept == read_records(stream)[:ends.index(whole) + 1 if whole else 0]
    assert f"({len(damaged) - whole} bytes of a cut last record dropped)" in caplog.text


def test_every_cut_keeps_the_whole_records_before_it(original):
    data, ends = original
    data, ends = data[:ends[4]], ends[:5]           # keep it small: every byte is a cut
    for cut in range(len(data) + 1):
        expected = max([end for end in ends if end <= cut], default=0)
        assert whole_records_length(BytesIO(data[:cut]), chunk_size=97) == expected, cut


def test_file_locked_by_another_handle_is_left_alone(original, tmp_path):
    data, ends = original
    left = tmp_path / "run-00000.warc.gz.open"
    left.write_bytes(data[:ends[3] + 10])
    with left.open("rb") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert finish_killed_warcs(tmp_path) == []
        assert left.read_bytes() == data[:ends[3] + 10]
    assert finish_killed_warcs(tmp_path) == [tmp_path / "run-00000.warc.gz"]   # lock gone


def test_file_of_a_live_crawl_is_left_alone(tmp_path):
    files = WarcFiles(tmp_path, "live", 10 ** 9, {})
    write_exchange(files, 1, 100)
    left = tmp_path / "live-00000.warc.gz.open"
    written = left.read_bytes()
    assert finish_killed_warcs(tmp_path) == []
    assert left.read_bytes() == written
    write_exchange(files, 2, 100)                   # still writing where it was
    files.close()
    with (tmp_path / "live-00000.warc.gz").open("rb") as stream:
        assert [kind for kind, _id in read_records(stream)] == ["warcinfo"] + ["response", "request"] * 2


def test_file_whose_final_name_is_taken_is_left_alone(original, tmp_path, caplog):
    data, ends = original
    left = tmp_path / "run-00000.warc.gz.open"
    left.write_bytes(data[:ends[3] + 10])
    taken = tmp_path / "run-00000.warc.gz"
    taken.write_bytes(b"another file")
    assert finish_killed_warcs(tmp_path) == []
    assert left.read_bytes() == data[:ends[3] + 10] and taken.read_bytes() == b"another file"
    assert "run-00000.warc.gz exists already" in caplog.text


def test_empty_file_is_left_alone(tmp_path):
    """A crawl creates its file, then locks it: an empty one may be about to be locked."""
    (tmp_path / "run-00000.warc.gz.open").touch()
    assert finish_killed_warcs(tmp_path) == []
    assert (tmp_path / "run-00000.warc.gz.open").exists()


def test_files_are_named_after_the_run_and_locked_while_written(tmp_path):
    runs = [WarcFiles(tmp_path, run_id, 10 ** 9, {}) for run_id in ("a-1", "a-2")]
    for n, files in enumerate(runs):
        write_exchange(files, n, 100)
    written = tmp_path / "a-1-00000.warc.gz.open"
    with written.open("rb") as other:
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    for files in runs:
        files.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-1-00000.warc.gz", "a-2-00000.warc.gz"]
    with (tmp_path / "a-1-00000.warc.gz").open("rb") as closed:
        fcntl.flock(closed, fcntl.LOCK_EX | fcntl.LOCK_NB)       # unlocked once closed


@pytest.mark.parametrize("existing", ["run-00000.warc.gz", "run-00000.warc.gz.open"])
def test_existing_file_is_never_overwritten(tmp_path, existing):
    (tmp_path / existing).write_bytes(b"another crawl's")
    files = WarcFiles(tmp_path, "run", 10 ** 9, {})
    with pytest.raises(FileExistsError, match="run-00000.warc.gz exists already.*run id run"):
        write_exchange(files, 1, 100)
    files.close()
    assert [p.name for p in tmp_path.iterdir()] == [existing]
    assert (tmp_path / existing).read_bytes() == b"another crawl's"


# Writes WARC exchanges with the file size limited (RLIMIT_FSIZE, its signal ignored): a write
# past the limit stops part-way, then fails like on a full disk.
FULL_DISK = """
import json, random, resource, signal, sys
from datetime import datetime, timezone
from pathlib import Path
from warcio.statusandheaders import StatusAndHeaders
from docspider.archive import WarcFiles

directory, limit, sizes = Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
files = WarcFiles(directory, "full", 10 ** 9, {})
written, failed = [], []
for n, size in enumerate(sizes):
    url = f"https://example.org/doc/{n}"
    try:
        location = files.write_exchange(
            url, StatusAndHeaders("GET /doc HTTP/1.1", [("Host", "example.org")], protocol=""),
            StatusAndHeaders("200 OK", [], protocol="HTTP/1.1"),
            random.Random(n).randbytes(size), datetime.now(timezone.utc))
        written.append([url, location.file, location.offset, location.length])
    except OSError as exc:
        failed.append(exc.strerror)
files.close()
files.close()
print(json.dumps({"written": written, "failed": failed}))
"""


def write_with_limit(directory: Path, limit: int, sizes: list[int]) -> dict:
    proc = subprocess.run([sys.executable, "-c", FULL_DISK, str(directory), str(limit),
                           json.dumps(sizes)], cwd=ROOT, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()       # close() after the failure too
    return json.loads(proc.stdout)


def test_failed_write_leaves_whole_records_only(tmp_path):
    result = write_with_limit(tmp_path, 5000, [3000, 3000, 100])
    assert result["failed"] == ["File too large"]        # the second exchange did not fit
    assert [url for url, *_ in result["written"]] == ["https://example.org/doc/0",
                                                     "https://example.org/doc/2"]
    [path] = tmp_path.iterdir()
    assert path.name == "full-00000.warc.gz"
    data = path.read_bytes()
    assert whole_records_length(BytesIO(data)) == len(data)
    with path.open("rb") as stream:
        assert [kind for kind, _id in read_records(stream)] == ["warcinfo"] + ["response", "request"] * 2
    for url, file, offset, length in result["written"]:
        assert file == str(path)
        assert response_url(data[offset:offset + length]) == url


def test_failed_first_write_leaves_no_file(tmp_path):
    result = write_with_limit(tmp_path, 100, [100])       # not even the warcinfo record fits
    assert result == {"written": [], "failed": ["File too large"]}
    assert list(tmp_path.iterdir()) == []


def response_url(member: bytes) -> str:
    """The target URI of `member`, which must be exactly one gzip member holding one whole
    WARC response record."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    decompressor.decompress(member)
    assert decompressor.eof and decompressor.unused_data == b""
    urls = []
    for record in ArchiveIterator(BytesIO(member), check_digests="raise"):
        record.content_stream().read()
        assert record.rec_type == "response" and record.digest_checker.passed is True
        urls.append(record.rec_headers.get_header("WARC-Target-URI"))
    [url] = urls
    return url


def test_killed_crawl_warc_is_finished_at_the_next_start(tmp_path):
    """A crawl SIGKILLed mid-way leaves its WARC `.open`; the next crawl of the spider finishes
    it, and then every item of both runs points at its own archived response."""
    table = demo_site()
    for key, page in list(table.pages.items()):
        table.pages[key] = replace(page, delay=0.15)
    env = scrapy_env({"SCRAPY_SETTINGS_MODULE": "docspider.settings"})
    feeds = tmp_path / "output" / "renrendoc"
    archive = tmp_path / "output" / "archive" / "renrendoc"
    with LocalServer(table, tls=False) as server:
        command = scrapy_command("crawl", "renrendoc", "-a", f"base_url={server.url}",
                                 "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
                                 "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "STATS_DUMP=True")
        with (tmp_path / "first.log").open("wb") as first_log:   # a pipe not read would fill
            first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                     stderr=first_log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sum(
                p.read_bytes().count(b"\n") for p in feeds.glob("*.part")) < 5:
            time.sleep(0.05)
        first.kill()
        assert first.wait(timeout=60) == -signal.SIGKILL           # killed mid-way
        [killed] = archive.glob("*.warc.gz.open")
        second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    log = second.stderr.decode()
    assert second.returncode == 0, log
    assert not list(archive.glob("*.open"))
    assert stat(log, "docspider/archive/recovered_files") == 1
    assert f"finished WARC file {killed.relative_to(tmp_path).with_suffix('')} of a killed crawl" in log
    items = [item for feed in sorted(feeds.glob("*.jsonl")) for item in json_lines(feed.read_bytes())]
    pointed_at = {item["archive"]["file"] for item in items}
    assert str(killed.relative_to(tmp_path).with_suffix("")) in pointed_at   # the killed run's items
    assert len(items) >= 5 and len(pointed_at) == 2                          # and the second's
    for item in items:
        where = item["archive"]
        with open(tmp_path / where["file"], "rb") as stream:
            stream.seek(where["offset"])
            assert response_url(stream.read(where["length"])) == item["url"]
