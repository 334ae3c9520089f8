"""The redirect guard (docspider.addressguard): an outside site must not redirect the crawler to
an internal address.

Real `scrapy crawl docs` runs against two LocalServers on 127.0.0.1: an *internal* plain server
with a secret page, and a replay proxy serving the *outside* site www.outside-site.test, whose
pages redirect (302 or meta refresh) to the internal server. The outside pages are fetched over
https through the proxy and redirect to http URLs: the scheme change makes Scrapy drop the
source's proxy, and with `no_proxy` naming the internal hosts the redirect goes straight to the
internal server, which is the real attack (without the guard the internal server answers and its
page is archived and emitted; `test_allowed_internal_host_is_followed` shows that path works).
Plus fast unit tests of the address predicate and of the guard's decisions (no network)."""
from __future__ import annotations

import asyncio
import gzip
import ipaddress
import json

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list

from docspider.addressguard import (BlockedAddress, InternalAddressGuard, internal_kind,
                                    literal_address)
from docspider.localserver import LocalServer, Page, PageTable

from conftest import crawl, json_lines, stat, through

SECRET = "STAFF-ONLY 内部工资表 7f3a9c21"
OUTSIDE = "www.outside-site.test"
DIRECT_TO_INTERNAL = {"no_proxy": "127.0.0.1,localhost"}


def html(body: str, head: str = "") -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head>"
            f"<body>{body}</body></html>").encode("utf-8")


@pytest.fixture
def internal():
    """The internal server: a secret page (at two URLs, so that a crawl does not drop the
    second redirect to it as a duplicate), and /a.html redirecting to /b.html."""
    table = PageTable()
    for url in ("/secret.html", "/secret.html?from=refresh"):
        table.add(url, Page(html(f"<h1>Staff only</h1><p>{SECRET}</p>")))
    table.add("/a.html", Page(b"", status=302, headers=(("Location", "/b.html"),)))
    table.add("/b.html", Page(html("<h1>Internal handbook</h1><p>Page b of the intranet.</p>")))
    with LocalServer(table, tls=False) as server:
        yield server


@pytest.fixture
def outside(internal):
    """The outside site behind the replay proxy; every page leads to the internal server."""
    port = internal.server_address[1]
    secret = f"http://127.0.0.1:{port}/secret.html"
    table = PageTable()
    table.add(f"http://{OUTSIDE}/d/1.html", Page(b"", status=302, headers=(("Location", secret),)))
    table.add(f"http://{OUTSIDE}/d/2.html", Page(html(
        "<p>This document has moved.</p>",
        head=f'<meta http-equiv="refresh" content="0;url={secret}?from=refresh">')))
    table.add(f"http://{OUTSIDE}/d/3.html", Page(b"", status=302, headers=(
        ("Location", f"http://localhost:{port}/secret.html"),)))
    with LocalServer(table) as proxy:
        yield proxy


def run(tmp_path, *args, env):
    """`scrapy crawl docs ARGS` writing its feed and archive into tmp_path; the state store is
    off (it plays no part here), and no delay between requests (the servers are local).
    Returns (log, items, archived bytes)."""
    feed = tmp_path / "items.jsonl"
    proc = crawl("docs", *args, "-O", str(feed), "-s", "DOCSPIDER_STATE=",
                 "-s", "DOWNLOAD_DELAY=0", "-s", f"DOCSPIDER_ARCHIVE_DIR={tmp_path / 'archive'}",
                 env=env)
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    archived = b"".join(gzip.open(path).read() for path in (tmp_path / "archive").iterdir())
    return log, json_lines(feed.read_bytes()), archived


def mentions_secret(items: list[dict]) -> bool:
    return any(SECRET in json.dumps(item, ensure_ascii=False) for item in items)


def test_redirect_and_meta_refresh_to_loopback_are_blocked(internal, outside, tmp_path):
    log, items, archived = run(
        tmp_path, "-a", f"urls=https://{OUTSIDE}/d/1.html,https://{OUTSIDE}/d/2.html",
        env=through(outside) | DIRECT_TO_INTERNAL)
    assert internal.requests == []                  # not even its robots.txt
    assert not mentions_secret(items) and SECRET.encode() not in archived
    assert stat(log, "docspider/skipped/blocked_address") == 2
    port = internal.server_address[1]
    for page, query in ((1, ""), (2, "?from=refresh")):
        url = f"http://127.0.0.1:{port}/secret.html{query}"
        assert (f"skipped {url}: redirect from https://{OUTSIDE}/d/{page}.html to {url} "
                "blocked: 127.0.0.1 is a loopback address") in log
    # the outside pages themselves were fetched (through the proxy)
    assert {seen.target for seen in outside.requests} >= {f"{OUTSIDE}/d/1.html",
                                                          f"{OUTSIDE}/d/2.html"}


@pytest.mark.parametrize("scheme, env, how", [
    # redirected straight to the internal server: the guard resolves `localhost` itself
    ("https", DIRECT_TO_INTERNAL, "localhost resolves to 127.0.0.1, a loopback address"),
    # https -> http drops the source's proxy and HttpProxyMiddleware (after the guard) gives
    # the environment's again: the guard must foresee that and check the name only
    ("https", {}, "checked by name: the request goes through a proxy"),
    # http -> http keeps the source's proxy
    ("http", DIRECT_TO_INTERNAL, "checked by name: the request goes through a proxy"),
])
def test_redirect_to_localhost_is_blocked(internal, outside, tmp_path, scheme, env, how):
    log, items, archived = run(tmp_path, "-a", f"urls={scheme}://{OUTSIDE}/d/3.html",
                               env=through(outside) | env)
    assert internal.requests == []
    assert not any(seen.target.startswith("localhost") for seen in outside.requests)
    assert not mentions_secret(items) and SECRET.encode() not in archived
    assert stat(log, "docspider/skipped/blocked_address") == 1
    port = internal.server_address[1]
    assert f"to http://localhost:{port}/secret.html blocked: " in log and how in log


def test_allowed_internal_host_is_followed(internal, outside, tmp_path):
    log, items, archived = run(tmp_path, "-a", f"urls=https://{OUTSIDE}/d/3.html",
                               "-s", "DOCSPIDER_ALLOWED_INTERNAL_HOSTS=127.0.0.1",
                               env=through(outside) | DIRECT_TO_INTERNAL)
    assert stat(log, "docspider/skipped/blocked_address") is None
    assert [seen.target for seen in internal.requests] == ["/robots.txt", "/secret.html"]
    (item,) = items
    assert item["url"] == f"http://localhost:{internal.server_address[1]}/secret.html"
    assert mentions_secret(items) and SECRET.encode() in archived


def test_crawl_of_an_internal_site_follows_its_redirects(internal, tmp_path):
    log, items, _archived = run(tmp_path, "-a", f"urls={internal.url}/a.html", env={})
    assert stat(log, "docspider/skipped/blocked_address") is None
    assert [item["url"] for item in items] == [f"{internal.url}/b.html"]
    assert [seen.target for seen in internal.requests] == ["/robots.txt", "/a.html", "/b.html"]


# --- unit tests: no network -------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "127.0.0.1", "::1", "fe80::1",
    "::ffff:127.0.0.1", "::ffff:10.1.2.3", "0.0.0.0", "::", "224.0.0.1", "ff02::1",
    "100.64.0.1", "240.0.0.1", "fc00::1", "255.255.255.255"])
def test_internal_addresses(address):
    assert internal_kind(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860::8888", "::ffff:8.8.8.8"])
def test_global_addresses(address):
    assert internal_kind(ipaddress.ip_address(address)) is None


def test_kinds_are_named():
    kinds = {a: internal_kind(ipaddress.ip_address(a))
             for a in ("127.0.0.1", "::ffff:127.0.0.1", "10.0.0.1", "169.254.169.254",
                       "224.0.0.1", "0.0.0.0")}
    assert kinds == {"127.0.0.1": "loopback", "::ffff:127.0.0.1": "loopback",
                     "10.0.0.1": "private", "169.254.169.254": "link-local",
                     "224.0.0.1": "multicast", "0.0.0.0": "unspecified"}


@pytest.mark.parametrize("host, address", [
    ("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("127.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("example.org", None),
    ("cafe.beef", None), ("localhost", None)])
def test_literal_addresses(host, address):
    assert literal_address(host) == (ipaddress.ip_address(address) if address else None)


class _Crawler:
    """What the guard uses of a crawler, with the given HttpProxyMiddleware (or none)."""

    def __init__(self, http_proxy=None, **settings):
        self.settings = Settings(settings)
        self.http_proxy = http_proxy

    def get_downloader_middleware(self, cls):
        return self.http_proxy if cls is HttpProxyMiddleware else None


def guard_with(names: dict[str, list[str]], crawler=None) -> tuple[InternalAddressGuard, list]:
    """A guard whose resolver answers from `names` (anything else does not resolve)."""
    guard = InternalAddressGuard(crawler or _Crawler())
    asked: list[str] = []

    async def resolve(host):
        asked.append(host)
        return [ipaddress.ip_address(a) for a in names.get(host, [])]

    guard.resolve = resolve
    return guard, asked


def redirected(url, origin="https://www.outside-site.test/d/1.html", **meta):
    return Request(url, meta={"redirect_urls": [origin], **meta})


def decide(guard, request) -> str | None:
    """None if the guard lets the request through, else its refusal message."""
    try:
        assert asyncio.run(guard.process_request(request)) is None
    except BlockedAddress as exc:
        assert exc.skip_reason == "blocked_address"
        return str(exc)
    return None


def test_names_are_checked_by_what_they_resolve_to():
    guard, asked = guard_with({"www.outside-site.test": ["93.184.216.35"],
                               "intranet.example": ["10.1.2.3"],
                               "mixed.example": ["93.184.216.34", "192.168.0.7"],
                               "public.example": ["93.184.216.34", "2606:2800::1"]})
    assert "intranet.example resolves to 10.1.2.3, a private address" in decide(
        guard, redirected("http://intranet.example/x"))
    assert "192.168.0.7" in decide(guard, redirected("http://mixed.example/x"))
    assert decide(guard, redirected("http://public.example/x")) is None
    assert decide(guard, redirected("http://nowhere.example/x")) is None     # fails on its own
    assert decide(guard, redirected("http://[fe80::1]:8080/x")).endswith(
        "fe80::1 is a link-local address")
    assert decide(guard, Request("http://10.1.2.3/x")) is None               # not a redirect
    assert "nowhere.example" in asked


def test_proxied_requests_are_checked_by_name_only():
    guard, asked = guard_with({"intranet.example": ["10.1.2.3"]})
    proxy = {"proxy": "http://proxy.example:3128"}
    assert decide(guard, redirected("http://intranet.example/x", **proxy)) is None
    assert decide(guard, redirected("http://10.1.2.3/x", **proxy)) is not None
    assert "checked by name" in decide(guard, redirected("http://a.b.localhost./x", **proxy))
    assert asked == []
    assert decide(guard, redirected("http://intranet.example/x", proxy=None)) is not None


def test_the_proxy_middleware_decision_is_foreseen(monkeypatch):
    for name in ("http_proxy", "https_proxy", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("http_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", "direct.example")
    crawler = _Crawler(http_proxy=HttpProxyMiddleware())
    names = {"intranet.example": ["10.1.2.3"], "direct.example": ["10.1.2.4"]}
    guard, asked = guard_with(names, crawler)
    assert decide(guard, redirected("http://intranet.example/x")) is None    # via the proxy
    assert decide(guard, redirected("http://direct.example/x")) is not None  # no_proxy
    assert decide(guard, redirected("https://intranet.example/x")) is not None  # no https_proxy
    # the first URLs of the chains (not internal: unknown here) are asked too
    assert [host for host in asked if host != OUTSIDE] == ["direct.example", "intranet.example"]


def test_a_chain_started_on_an_internal_address_is_followed():
    guard, _asked = guard_with({"intranet.example": ["10.1.2.3"],
                                "rebound.example": ["10.9.9.9", "93.184.216.34"]})
    assert decide(guard, redirected("http://127.0.0.1:8080/b", "http://127.0.0.1:8080/a")) is None
    assert decide(guard, redirected("http://10.0.0.1/b", "http://intranet.example/a")) is None
    assert decide(guard, redirected("http://10.0.0.1/b", "http://localhost/a",
                                    proxy="http://proxy.example:3128")) is None
    # the first URL counts, not the one that redirected last; all of its addresses
    request = Request("http://10.0.0.1/c", meta={"redirect_urls": [
        "https://www.outside-site.test/a", "http://127.0.0.1/b"]})
    assert decide(guard, request) is not None
    assert decide(guard, redirected("http://10.0.0.1/b", "http://rebound.example/a")) is not None


def test_allowed_hosts_names_addresses_and_networks():
    crawler = _Crawler(
        DOCSPIDER_ALLOWED_INTERNAL_HOSTS="intranet.example, 127.0.0.1,10.2.0.0/16,[::1]")
    guard, asked = guard_with({"intranet.example": ["10.1.2.3"], "wiki.example": ["10.2.3.4"],
                               "both.example": ["10.2.3.4", "10.3.0.1"]}, crawler)
    assert decide(guard, redirected("http://INTRANET.example./x")) is None
    assert decide(guard, redirected("http://wiki.example/x")) is None
    assert decide(guard, redirected("http://127.0.0.1:8080/x")) is None
    assert decide(guard, redirected("http://[::1]:8080/x")) is None
    assert decide(guard, redirected("http://localhost:8080/x", proxy="http://p.example")) is None
    assert "10.3.0.1" in decide(guard, redirected("http://both.example/x"))
    assert "10.3.0.1 is a private" in decide(guard, redirected("http://10.3.0.1/x"))
    assert "intranet.example" not in asked          # an allowed name is not even resolved


def test_guard_runs_before_robots_txt_and_the_proxy_middleware():
    settings = Settings()
    settings.setmodule("docspider.settings")
    order = build_component_list(
        settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES"))
    names = [str(component).rsplit(".", 1)[-1] for component in order]
    guard = names.index("InternalAddressGuard")
    assert guard < names.index("RobotsTxtMiddleware") < names.index("HttpProxyMiddleware")
    assert settings.getlist("DOCSPIDER_ALLOWED_INTERNAL_HOSTS") == []
