"""Incremental crawls of the bundled demo site (real `scrapy crawl` runs, one SQLite state
store shared between them): only new and changed documents are emitted, unchanged document
pages are not fetched again, mirrors are flagged, and a killed crawl resumes without losing or
repeating a document."""
from __future__ import annotations

import hashlib
import json
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from docspider.demo.site import LISTING, demo_site, load_documents
from docspider.localserver import LocalServer, Page, PageTable
from docspider.output import schema_errors

from conftest import ROOT, crawl, finish, json_lines, start_crawl, stat, wait_for_lines

DOCS = load_documents()


def with_etags(table: PageTable) -> PageTable:
    """The demo site with an ETag on every page (a hash of its body), so conditional requests
    can be answered with 304."""
    tagged = PageTable()
    for (host, path), page in table.pages.items():
        tagged.pages[(host, path)] = replace(page, etag=f'"{hashlib.sha1(page.body).hexdigest()[:16]}"')
    return tagged


def run(server: LocalServer, work: Path, name: str, *args: str):
    out = work / f"{name}.jsonl"
    proc = crawl("renrendoc", "-a", f"base_url={server.url}", *args, "-O", str(out),
                 "-s", f"DOCSPIDER_STATE={work / 'state.sqlite'}")
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    items = json_lines(out.read_bytes())
    assert all(schema_errors(item) == [] for item in items)
    return items, log


def second_version(table: PageTable) -> tuple[PageTable, str, str]:
    """The site a while later: one document's text edited, one document added to the
    uploader list. Returns (table, changed URL path, added URL path)."""
    changed = DOCS[1].path
    page = table.pages[("", changed)]
    table.pages[("", changed)] = replace(
        page, body=page.body.replace("2、".encode(), "2、（修订）".encode(), 1), etag='"edited"')
    added = "/paper/302999999.html"
    table.pages[("", added)] = replace(table.pages[("", DOCS[0].path)],
                                       body=table.pages[("", DOCS[0].path)].body.replace(
                                           "1、".encode(), "1、新增文档。".encode(), 1),
                                       etag='"added"')
    listing = table.pages[("", LISTING)]
    table.pages[("", LISTING)] = replace(listing, body=listing.body.replace(
        b'<ul class="booklist">', f'<ul class="booklist">\n<li><a href="{added}">新增文档</a></li>'.encode()))
    return table, changed, added


def test_second_run_emits_only_added_and_changed(tmp_path):
    table = with_etags(demo_site())
    with LocalServer(table, tls=False) as server:
        first, _ = run(server, tmp_path, "first")
        assert len(first) == len(DOCS) and {i["change"] for i in first} == {"new"}
        second_version(table)
        server.requests.clear()
        second, log = run(server, tmp_path, "second", "-a", "refresh=0")
        seen = server.requests
    changed, added = DOCS[1].path, "/paper/302999999.html"
    assert sorted((i["url"].split(":", 2)[2].split("/", 1)[1], i["change"]) for i in second) == \
        sorted([(added[1:], "new"), (changed[1:], "changed")])
    # every listing page fetched in full; every unchanged document only asked about (304)
    assert {s.target for s in seen if s.status == 200 and "MCBookList" in s.target} == {
        LISTING, f"{LISTING}?page=2", f"{LISTING}?page=3"}
    full = {s.target for s in seen if s.status == 200 and s.target.startswith("/paper/")}
    assert full == {changed, added}
    assert all(s.headers.get("If-None-Match") for s in seen
               if s.target.startswith("/paper/") and s.target != added)
    # the unlisted documents too: the links of a page not fetched again come from the state
    assert stat(log, "docspider/skipped/not_modified") == len(DOCS) - 1


def test_without_refresh_known_documents_are_not_requested(tmp_path):
    table = demo_site()
    with LocalServer(table, tls=False) as server:
        run(server, tmp_path, "first")
        second_version(table)
        server.requests.clear()
        second, log = run(server, tmp_path, "second")
        documents_asked = {s.target for s in server.requests if s.target.startswith("/paper/")}
    assert [(i["change"]) for i in second] == ["new"] and documents_asked == {"/paper/302999999.html"}
    assert stat(log, "docspider/skipped/known") == len(DOCS)
    # the first run finished every document it found, though pages link to emitted ones
    assert stat(log, "docspider/resumed/documents") is None


def test_mirrors_are_flagged_not_new(tmp_path):
    page = (ROOT / "tests" / "fixtures" / "site" / "www.renrendoc.com" / "paper" / "301000001.html").read_bytes()
    table = PageTable()
    table.add("/paper/301000001.html", Page(page))
    table.add("/paper/301000011.html", Page(page))
    with LocalServer(table, tls=False) as server:
        out = tmp_path / "items.jsonl"
        proc = crawl("renrendoc", "-a", f"urls={server.url}/paper/301000001.html,"
                     f"{server.url}/paper/301000011.html", "-O", str(out),
                     "-s", "CONCURRENT_REQUESTS=1")
        assert proc.returncode == 0, proc.stderr.decode()
    first, mirror = json_lines(out.read_bytes())
    assert first["change"] == "new" and first["mirror_of"] is None
    assert mirror["change"] == "mirror" and mirror["mirror_of"] == first["url"]


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT])
def test_stopped_crawl_resumes_and_emits_every_document_once(tmp_path, stop):
    """Stopped mid-way (SIGKILL, or Ctrl-C), then started again with the same JOBDIR: the
    default feeds of both runs hold every document exactly once, and no truncated line."""
    table = demo_site()
    for key, page in list(table.pages.items()):
        table.pages[key] = replace(page, delay=0.15)
    command = ("renrendoc", "-s", "JOBDIR=job", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    with LocalServer(table, tls=False) as server:
        first = start_crawl(tmp_path, *command, "-a", f"base_url={server.url}")
        feeds = tmp_path / "output" / "renrendoc"
        wait_for_lines(feeds, "*.part", 5)
        first.send_signal(stop)
        finish(first)
        second = start_crawl(tmp_path, *command, "-a", f"base_url={server.url}")
        log = finish(second)
        assert second.returncode == 0, log
    assert not list(feeds.glob("*.part"))
    lines = [line for feed in sorted(feeds.glob("*.jsonl")) for line in json_lines(feed.read_bytes())]
    urls = [item["url"] for item in lines]
    assert sorted(urls) == sorted(f"{server.url}{doc.path}" for doc in DOCS)   # each once
    assert all(json.dumps(item) and schema_errors(item) == [] for item in lines)
