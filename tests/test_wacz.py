"""WACZ packages of real crawls of the demo site: made by the crawl (DOCSPIDER_WACZ) and by
`scrapy wacz`, checked with `wacz validate`, replayed in pywb, reparsed like their WARC files,
and the items' `archive` pointers resolved in the WARC files and inside the package."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import asdict
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from docspider.archive import RecordLocation
from docspider.demo.site import demo_site
from docspider.localserver import LocalServer
from docspider.replay import MEMBER, read_bytes, read_record

from conftest import ROOT, crawl, free_port, json_lines, run_scrapy

RUN_FILE = re.compile(r"(?P<run>.+)-\d{5}\.warc\.gz")
# pywb pins old libraries (brotlipy shadows the `brotli` module Scrapy decompresses with,
# pyOpenSSL<26.2): it lives in a virtualenv of its own, made here once when missing.
PYWB_VENV = Path(os.environ.get("DOCSPIDER_PYWB_VENV", ROOT / ".venv-pywb"))
PYWB = "pywb==2.10.0"


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """The demo site crawled with DOCSPIDER_WACZ on, its WARC files rolling over:
    (work dir, items, WARC files, the crawl's WACZ)."""
    work = tmp_path_factory.mktemp("wacz")
    with LocalServer(demo_site(), tls=False) as server:
        proc = crawl("renrendoc", "-a", f"base_url={server.url}", "-O", str(work / "items.jsonl"),
                     "-s", f"DOCSPIDER_ARCHIVE_DIR={work / 'warc'}",
                     "-s", f"DOCSPIDER_RUNS_DIR={work / 'runs'}",
                     "-s", "DOCSPIDER_ARCHIVE_MAX_SIZE=40000", "-s", "DOCSPIDER_WACZ=True")
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert not re.search(r"WARNING|ERROR|Deprecat", log), log
    warcs = sorted((work / "warc").glob("*.warc.gz"))
    (wacz,) = (work / "warc").glob("*.wacz")
    assert len(warcs) >= 2 and wacz.name == RUN_FILE.fullmatch(warcs[0].name)["run"] + ".wacz"
    return work, json_lines((work / "items.jsonl").read_bytes()), warcs, wacz


def validate(wacz: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(wacz)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Validation succeeded" in proc.stdout, proc.stdout + proc.stderr


def pages_of(wacz: Path) -> list[dict]:
    with zipfile.ZipFile(wacz) as package:
        header, *pages = json_lines(package.read("pages/pages.jsonl"))
    assert header["format"] == "json-pages-1.0"
    return pages


def test_the_crawl_packages_its_warc_files_unchanged(packaged):
    work, items, warcs, wacz = packaged
    validate(wacz)
    with zipfile.ZipFile(wacz) as package:
        names = set(package.namelist())
        assert {"datapackage.json", "indexes/index.cdx.gz", "indexes/index.idx",
                "pages/pages.jsonl"} <= names
        for warc in warcs:
            member = package.getinfo(f"archive/{warc.name}")
            assert member.compress_type == zipfile.ZIP_STORED
            assert package.read(member) == warc.read_bytes()
    assert len(items) == 26
    assert sorted((p["url"], p["ts"], p["title"]) for p in pages_of(wacz)) == \
        sorted((i["url"], i["fetched_at"], i["title"]) for i in items)


def resolve(location: RecordLocation) -> str:
    """The target URI of the response record at `location`, read as docs/archives.md says."""
    package, _, member = location.file.rpartition(MEMBER)
    if package:
        with zipfile.ZipFile(package) as archive, archive.open(member) as stream:
            stream.seek(location.offset)
            data = stream.read(location.length)
    else:
        with open(location.file, "rb") as stream:
            stream.seek(location.offset)
            data = stream.read(location.length)
    assert data == read_bytes(location)             # as reparse reads it
    records = list(ArchiveIterator(BytesIO(data)))
    assert len(records) == 1 and records[0].rec_type == "response"
    return records[0].rec_headers.get_header("WARC-Target-URI")


def in_package(wacz: Path, location: dict) -> RecordLocation:
    return RecordLocation(f"{wacz}{MEMBER}archive/{Path(location['file']).name}",
                          location["offset"], location["length"])


def test_item_pointers_resolve_in_the_warc_files_and_in_the_package(packaged):
    work, items, warcs, wacz = packaged
    for item in items:
        assert resolve(RecordLocation(**item["archive"])) == item["url"]
        assert resolve(in_package(wacz, item["archive"])) == item["url"]


def reparse(tmp_path: Path, name: str, *files: Path) -> list[dict]:
    out = tmp_path / f"{name}.jsonl"
    proc = run_scrapy("reparse", *map(str, files), "-O", str(out),
                      "-s", f"DOCSPIDER_STATE={tmp_path / 'unused.sqlite'}",
                      env={"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"})
    assert proc.returncode == 0, proc.stderr.decode()
    return json_lines(out.read_bytes())


def test_reparse_of_the_package_equals_reparse_of_the_warc_files(packaged, tmp_path):
    """Only `archive.file` differs: the WARC file inside the package."""
    work, items, warcs, wacz = packaged
    from_warcs = reparse(tmp_path, "warcs", *warcs)
    from_wacz = reparse(tmp_path, "wacz", wacz)
    assert len(from_wacz) == len(items)
    assert [dict(item, archive=asdict(in_package(wacz, item["archive"])))
            for item in from_warcs] == from_wacz
    for item in from_wacz:
        assert resolve(RecordLocation(**item["archive"])) == item["url"]
        assert read_record(RecordLocation(**item["archive"]))[0] == 200


def package(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return run_scrapy("wacz", *args, cwd=tmp_path, env={"SCRAPY_SETTINGS_MODULE": "docspider.settings"})


def test_scrapy_wacz_packages_given_warc_files_or_the_latest_run(packaged, tmp_path):
    work, items, warcs, wacz = packaged
    titles = sorted((i["url"], i["title"]) for i in items)
    # the latest run in DOCSPIDER_RUNS_DIR: its WARC files, titles from its feed
    proc = package(tmp_path, "-s", f"DOCSPIDER_RUNS_DIR={work / 'runs'}", "-o", "latest.wacz")
    assert proc.returncode == 0 and proc.stdout.decode() == "latest.wacz\n", proc.stderr.decode()
    validate(tmp_path / "latest.wacz")
    assert sorted((p["url"], p["title"]) for p in pages_of(tmp_path / "latest.wacz")) == titles
    # given WARC files of one run: `<run id>.wacz` beside them; pages from --items
    copies = [Path(shutil.copy(warc, tmp_path)) for warc in warcs]
    proc = package(tmp_path, *map(str, copies), "--items", str(work / "items.jsonl"))
    assert proc.returncode == 0 and proc.stdout.decode() == f"{tmp_path / wacz.name}\n"
    assert sorted((p["url"], p["title"]) for p in pages_of(tmp_path / wacz.name)) == titles
    # without items: every page reparse would parse, untitled (listings too)
    proc = package(tmp_path, *map(str, copies), "-o", "untitled.wacz")
    assert proc.returncode == 0, proc.stderr.decode()
    pages = pages_of(tmp_path / "untitled.wacz")
    assert {p["url"] for p in pages} > {i["url"] for i in items}
    assert all(p["title"] == p["url"] for p in pages)          # py-wacz's stand-in
    # usage errors: one line, exit status 2
    for args, reason in [((str(copies[0]), str(tmp_path / "latest.wacz")), "not those of one run"),
                         ((str(tmp_path / "missing.warc.gz"), "-o", "x.wacz"), "not a file")]:
        proc = package(tmp_path, *args)
        assert proc.returncode == 2 and reason in proc.stderr.decode(), proc.stderr.decode()


@pytest.fixture(scope="session")
def pywb_bin() -> Path:
    """The bin folder of pywb's own virtualenv, made with pip when missing."""
    bin_dir = PYWB_VENV / "bin"
    if not (bin_dir / "wayback").exists():
        proc = subprocess.run(f"{sys.executable} -m venv {PYWB_VENV} && "
                              f"{bin_dir / 'pip'} install -q '{PYWB}'", shell=True,
                              capture_output=True, timeout=900)
        if proc.returncode != 0:
            pytest.skip("cannot install pywb: " + proc.stderr.decode()[-500:])
    return bin_dir



def test_pywb_replays_a_document_from_the_package(packaged, pywb_bin, tmp_path):
    work, items, warcs, wacz = packaged
    for step in (["init", "docs"], ["add", "--unpack-wacz", "docs", str(wacz)]):
        proc = subprocess.run([pywb_bin / "wb-manager", *step], cwd=tmp_path,
                              capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode()
    port = free_port()
    item = items[0]
    _status, _headers, body = read_record(RecordLocation(**item["archive"]))
    timestamp = re.sub(r"\D", "", item["fetched_at"])
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with (tmp_path / "wayback.log").open("wb") as log:
        server = subprocess.Popen([pywb_bin / "wayback", "-b", "127.0.0.1", "-p", str(port)],
                                  cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with no_proxy.open(f"http://127.0.0.1:{port}/docs/{timestamp}id_/{item['url']}",
                                   timeout=10) as response:
                    assert response.status == 200
                    assert response.read() == body                 # the page as archived
                    break
            except OSError:                 # not listening yet
                assert time.monotonic() < deadline and server.poll() is None, \
                    (tmp_path / "wayback.log").read_text()
                time.sleep(0.2)
        # as a browser gets it: rewritten, its links pointing into the archive
        with no_proxy.open(f"http://127.0.0.1:{port}/docs/{timestamp}mp_/{item['url']}",
                           timeout=10) as page:
            text = page.read().decode("utf-8")
        assert f"<h1>{item['title']}</h1>" in text and f"/docs/{timestamp}mp_/" in text
    finally:
        server.terminate()
        server.wait(timeout=10)
