"""The contract every site spider keeps, checked on its fixture pages with real crawls.

For every spider the project's spider loader lists with a site profile (except `docs`):

* (a) pages of its sites are saved under tests/fixtures/site/<host>/<path>, each a document or
  listing page by its profile's URL patterns, including the page at its first start path;
* (b) `scrapy crawl docs` over all document fixtures routes each page to its spider and gives a
  schema-valid item with a title and excerpt text;
* (c) `scrapy crawl NAME` with no arguments starts from its listing fixture and yields the
  documents on that host.

A new spider is picked up by its name alone and fails here until its fixtures are saved
(docs/adding-a-site.md). Segmentation quality is tested elsewhere: only the contract is.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from docspider.localserver import LocalServer, PageTable
from docspider.output import schema_errors
from docspider.sites.routing import route

from conftest import SITE, crawl, json_lines, site_spiders, stat, through

SPIDERS = site_spiders()
PROFILES = [cls.profile for cls in SPIDERS.values()]
TABLE = PageTable.from_directory(SITE)


def fixture_pages(name: str) -> list[str]:
    """The fixture pages `docs` would hand to spider NAME, as https URLs."""
    urls = [f"https://{host}{path}" for host, path in TABLE.pages if path != "/robots.txt"]
    return [u for u in urls if route(u, PROFILES).name == name]


def documents(name: str) -> list[str]:
    profile = SPIDERS[name].profile
    return [u for u in fixture_pages(name) if profile.is_document(u)]


def fixture_file(url: str) -> Path:
    """Where the page at `url` is saved: a trailing `/` and the `?` are percent-encoded, as
    PageTable.from_directory reads them (`/list/?page=2` -> `list%2F%3Fpage=2`, `/` -> `%2F`)."""
    parts = urlsplit(url)
    path = parts.path.lstrip("/")
    name = path[:-1] + "%2F" if parts.path.endswith("/") else path     # the home page: `%2F`
    return SITE / parts.hostname / (name + (f"%3F{parts.query}" if parts.query else ""))


@pytest.mark.parametrize("name", SPIDERS)
def test_fixtures_follow_the_profile(name):
    profile = SPIDERS[name].profile
    assert profile.name == name, f"{name}: profile.name is {profile.name!r}"
    pages = fixture_pages(name)
    assert pages, (f"{name}: no fixture pages for any of its domains {profile.domains}: save a "
                   f"document page and its first start page under {SITE}/<host>/<path> "
                   "(docs/adding-a-site.md)")
    stray = [u for u in pages if not (profile.is_document(u) or profile.is_listing(u))]
    assert not stray, f"{name}: fixtures matching neither document_paths nor listing_paths: {stray}"
    assert documents(name), f"{name}: no fixture matches its document_paths {profile.document_paths}"
    assert profile.start_paths, f"{name}: no start_paths"
    start = profile.start_paths[0]
    assert fixture_file(start).is_file(), \
        f"{name}: no fixture for its first start path {start}: save it as {fixture_file(start)}"


@pytest.fixture(scope="module")
def docs_crawl(tmp_path_factory):
    """One `scrapy crawl docs` over every site spider's document fixtures: (items by URL, log)."""
    tmp = tmp_path_factory.mktemp("docs")
    (tmp / "urls.txt").write_text("".join(f"{u}\n" for name in SPIDERS for u in documents(name)),
                                  encoding="utf-8")
    with LocalServer(TABLE) as proxy:
        proc = crawl("docs", "-a", f"urls=@{tmp / 'urls.txt'}", "-O", str(tmp / "items.jsonl"),
                     env=through(proxy))
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    return {item["url"]: item for item in json_lines((tmp / "items.jsonl").read_bytes())}, log


@pytest.mark.parametrize("name", SPIDERS)
def test_docs_routes_each_document_to_its_spider(name, docs_crawl):
    items, log = docs_crawl
    urls = documents(name)
    assert urls, f"{name}: no document fixtures (see test_fixtures_follow_the_profile)"
    assert stat(log, f"docspider/routed/{name}") == len(urls)
    for url in urls:
        assert url in items, f"{url}: no item"
        item = items[url]
        assert schema_errors(item) == [], url
        assert item["title"], f"{url}: no title"
        assert item["excerpt"]["text"].strip(), f"{url}: empty excerpt"


@pytest.mark.parametrize("name", SPIDERS)
def test_spider_starts_from_its_listing(name, tmp_path):
    profile = SPIDERS[name].profile
    assert profile.start_paths, f"{name}: no start_paths"
    host = urlsplit(profile.start_paths[0]).hostname
    out = tmp_path / "items.jsonl"
    with LocalServer(TABLE) as proxy:
        proc = crawl(name, "-O", str(out), env=through(proxy))
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    items = json_lines(out.read_bytes())
    assert all(schema_errors(item) == [] for item in items)
    expected = {u for u in documents(name) if urlsplit(u).hostname == host}
    assert expected, f"{name}: no document fixture on {host}, the host of its first start path"
    assert {item["url"] for item in items} == expected
    fetched = {seen.target for seen in proxy.requests}
    listings = {u.split("://", 1)[1] for u in fixture_pages(name)
                if urlsplit(u).hostname == host and not profile.is_document(u)}
    assert listings <= fetched, f"{name}: listing pages not reached: {listings - fetched}"
