"""Real `scrapy crawl` runs against local servers on 127.0.0.1: a plain site (any host a user
gives in `urls`) and a replay proxy that serves the fixture site at its real URLs, reached
through Scrapy's standard `http_proxy` / `https_proxy` support."""
from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from docspider.demo.site import LISTING, _document_page, _listing_page, load_documents
from docspider.localserver import LocalServer, Page, PageTable
from docspider.output import schema_errors

from conftest import (RENRENDOC_PAGE, ROOT, SITE, crawl, json_lines, scrapy_command,
                      scrapy_env, stat, through)


@pytest.fixture(scope="module")
def server():
    """A plain server with one document page at /paper/301000001.html."""
    table = PageTable()
    table.add("/paper/301000001.html", Page(RENRENDOC_PAGE.read_bytes()))
    with LocalServer(table, tls=False) as plain:
        yield plain.url


@pytest.fixture
def replay():
    """The fixture site (tests/fixtures/site/<host>/...) behind a replay proxy."""
    with LocalServer(PageTable.from_directory(SITE)) as proxy:
        yield proxy


def test_crawl_urls_writes_valid_items_atomically(server, tmp_path):
    out = tmp_path / "feed" / "items.jsonl"
    proc = crawl("renrendoc", "-a", f"urls={server}/paper/301000001.html", "-O", str(out))
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert "WARNING" not in log and "ERROR" not in log
    (item,) = json_lines(out.read_bytes())
    assert schema_errors(item) == []
    assert item["url"] == f"{server}/paper/301000001.html" and item["doc_id"] == "301000001"
    assert item["fetched_at"].endswith("Z") and item["source"] is None
    assert [p["n"] for p in item["excerpt"]["pages"]] == [1, 2, 3]
    assert item["related"][0]["url"] == f"{server}/paper/301000002.html"
    assert "'docspider/parts/pages': 3" in log and "'item_scraped_count': 1" in log
    assert sorted(p.name for p in out.parent.iterdir()) == ["items.jsonl"]   # no .part left


def test_follow_fetches_related_documents(server, tmp_path):
    out = tmp_path / "items.jsonl"
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# seed\n{server}/paper/301000001.html\n", encoding="utf-8")
    proc = crawl("renrendoc", "-a", f"urls=@{urls}", "-a", "follow=1", "-O", str(out))
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert len(json_lines(out.read_bytes())) == 1
    # the five related links were requested on the same host (the fixture server has none)
    assert "'downloader/response_status_count/404': 5" in log


@pytest.mark.parametrize("arg, message", [
    ("follow=x", "follow: not a whole number"),
    ("follow=-1", "follow: must be 0 or more"),
    ("urls=@/nonexistent/urls.txt", "urls: cannot read"),
    ("urls=ftp://example.org/x", "urls: item 1: not an http(s) URL"),
    ("base_url=not a url", "base_url: not an http(s) URL"),
    ("folow=1", "unknown argument 'folow'"),
    ("refresh=soon", "refresh: not a duration"),
])
def test_bad_arguments_stop_before_the_crawl(tmp_path, arg, message):
    out = tmp_path / "items.jsonl"
    proc = crawl("renrendoc", "-a", arg, "-O", str(out))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.decode().splitlines() if line.startswith("crawl ")]
    assert errors == [f"crawl renrendoc: {errors[0].split(': ', 1)[1]}"] and message in errors[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_site_spider_crawls_its_listing_at_real_urls(replay, tmp_path):
    out = tmp_path / "items.jsonl"
    proc = crawl("renrendoc", "-O", str(out), "-s", "DOCSPIDER_CONTACT_URL=https://example.org/ops",
                 env=through(replay))
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    items = json_lines(out.read_bytes())
    assert sorted(i["url"] for i in items) == [
        f"https://www.renrendoc.com/paper/30100000{n}.html" for n in (1, 2, 3)]
    assert all(schema_errors(i) == [] and i["excerpt"]["pages"] for i in items)
    fetched = [seen.target for seen in replay.requests]
    # both listing pages (the second through 下一页), never the robots-forbidden document,
    # the non-document link or the other host's page
    assert "www.renrendoc.com/renrendoc_v1/MCBookList/published.html?page=2" in fetched
    assert not any(t.endswith(("301000009.html", "help.html")) or "example.com" in t
                   for t in fetched)
    assert len(fetched) == len(set(fetched))
    agents = {seen.headers.get("User-Agent") for seen in replay.requests}
    assert agents == {"docspider/0.1.0 (+https://example.org/ops)"}
    # related links of the first document (followed one level by default) that do not exist
    assert stat(log, "docspider/skipped/http_404") == 3
    assert stat(log, "docspider/skipped/robots_txt") == 1
    assert stat(log, "docspider/items/renrendoc") == 3
    assert "items: 3 (renrendoc 3)" in log
    assert "skipped pages: 4 (http_404 3, robots_txt 1)" in log
    assert log.count("Stored jsonl feed") == 1          # -O replaces the default feed


def test_docs_routes_each_url_by_host_and_path(replay, tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("https://www.renrendoc.com/paper/301000001.html\n"
                    "http://wenku.example.net/doc/7f3a9c21.html\n"
                    "https://www.renrendoc.com/paper/301000404.html\n"
                    "http://wenku.example.net/doc/7f3a9c21.pdf\n", encoding="utf-8")
    out = tmp_path / "items.jsonl"
    proc = crawl("docs", "-a", f"urls=@{urls}", "-O", str(out), env=through(replay))
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    items = {i["site"]: i for i in json_lines(out.read_bytes())}
    assert sorted(items) == ["example", "renrendoc"]
    generic = items["example"]
    assert generic["title"] == "校园运动会志愿者培训手册"
    assert [p["n"] for p in generic["excerpt"]["pages"]] == [1, 2]
    assert [r["url"] for r in generic["related"]] == [
        "http://wenku.example.net/doc/8e1b2d44.html", "http://wenku.example.net/doc/9c0d3e55.html"]
    assert stat(log, "docspider/routed/renrendoc") == 1
    assert stat(log, "docspider/routed/generic") == 1
    assert stat(log, "docspider/skipped/http_404") == 1
    assert stat(log, "docspider/skipped/not_text") == 1
    assert "skipped https://www.renrendoc.com/paper/301000404.html: HTTP status 404" in log


NEW_SITE = '''
from docspider.sites.profile import SiteProfile
from docspider.spiders.base import DocumentSpider


class ExampleWenkuSpider(DocumentSpider):
    name = "examplewenku"
    profile = SiteProfile(name="examplewenku", domains=("example.net",),
                          document_paths=(r"^/doc/[0-9a-f]+\\\\.html$",))
'''


def test_docs_picks_up_a_new_site_spider_without_change(replay, tmp_path):
    (tmp_path / "extra_spiders").mkdir()
    (tmp_path / "extra_spiders" / "__init__.py").write_text("")
    (tmp_path / "extra_spiders" / "examplewenku.py").write_text(NEW_SITE)
    proc = crawl("docs", "-a", "urls=http://wenku.example.net/doc/7f3a9c21.html",
                 "-O", str(tmp_path / "items.jsonl"),
                 "-s", "SPIDER_MODULES=docspider.spiders,extra_spiders",
                 env=through(replay) | {"PYTHONPATH": str(tmp_path)})
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert stat(log, "docspider/routed/examplewenku") == 1
    assert stat(log, "docspider/routed/generic") is None


def test_default_feed_is_written_atomically_under_output(server, tmp_path):
    proc = crawl("renrendoc", "-a", f"urls={server}/paper/301000001.html", cwd=tmp_path,
                 env={"SCRAPY_SETTINGS_MODULE": "docspider.settings"})
    assert proc.returncode == 0, proc.stderr.decode()
    (feed,) = (tmp_path / "output" / "renrendoc").iterdir()
    assert feed.suffix == ".jsonl"
    (item,) = json_lines(feed.read_bytes())
    assert item["doc_id"] == "301000001"
    text = feed.read_text("utf-8")
    assert "社区垃圾分类" in text and "\\u" not in text                # Chinese unescaped


def test_killed_crawl_leaves_no_truncated_jsonl(tmp_path):
    table = PageTable()
    for n in range(30):
        table.add(f"/paper/3020000{n:02d}.html", Page(RENRENDOC_PAGE.read_bytes(), delay=0.2))
    feed = tmp_path / "items.jsonl"
    part = tmp_path / "items.jsonl.part"
    with LocalServer(table, tls=False) as slow:
        urls = ",".join(f"{slow.url}{path}" for _host, path in table.pages)
        proc = subprocess.Popen(
            scrapy_command("crawl", "renrendoc", "-a", f"urls={urls}",
             "-O", str(feed), "-s", "AUTOTHROTTLE_START_DELAY=0",
             "-s", f"DOCSPIDER_STATE={tmp_path / 'state.sqlite'}",
             "-s", f"DOCSPIDER_ARCHIVE_DIR={tmp_path / 'warc'}"),
            cwd=ROOT, env=scrapy_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not (part.exists() and part.stat().st_size) and time.monotonic() < deadline:
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
    assert not feed.exists()                    # only the recognisable partial file is left
    assert [p.name.endswith(".warc.gz.open") for p in (tmp_path / "warc").iterdir()] == [True]
    lines = part.read_bytes().split(b"\n")
    assert len(lines) >= 2
    assert all(json.loads(line)["doc_id"] for line in lines[:-1])   # complete lines are valid


def test_a_page_reached_by_a_shorter_path_while_in_flight_follows_its_links(tmp_path):
    """X (listed first) links A; A is listed again on the next listing page, which arrives while
    A's request from X is still on its way (A is slow): A counts at the listing's depth, so with
    `follow=1` the document B that only A links to is fetched too."""
    x, a, b = load_documents()[:3]
    table = PageTable()
    table.add(LISTING, Page(_listing_page([x], 1, 2).encode("utf-8")))
    table.add(f"{LISTING}?page=2", Page(_listing_page([a], 2, 2).encode("utf-8"), delay=0.4))
    table.add(x.path, Page(_document_page(x, [a]).encode("utf-8")))
    table.add(a.path, Page(_document_page(a, [b]).encode("utf-8"), delay=1.5))
    table.add(b.path, Page(_document_page(b, []).encode("utf-8")))
    out = tmp_path / "items.jsonl"
    with LocalServer(table, tls=False) as server:
        proc = crawl("renrendoc", "-a", f"base_url={server.url}", "-O", str(out),
                     "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4")
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(i["url"] for i in json_lines(out.read_bytes())) == sorted(
        f"{server.url}{d.path}" for d in (x, a, b))
