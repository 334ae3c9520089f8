"""The Redis state store against a real Redis server: the same answers as the SQLite store for
the same changes, its lock, and incremental crawls of the demo site kept in Redis.

The server is the one REDIS_URL names (database 13 of it, flushed before each test), else a
`redis-server` started on a free port of 127.0.0.1 (conftest's `redis_server`)."""
from __future__ import annotations

import os
import socket
import subprocess

import pytest
import redis

from docspider.demo.site import demo_site
from docspider.localserver import LocalServer
from docspider.redisstate import RedisStateStore
from docspider.sqlitestate import SqliteStateStore
from docspider.state import StateError, StateLocked

from conftest import crawl, free_port, json_lines, redis_database, stat

DATABASE = 13



@pytest.fixture
def redis_url(redis_server):
    return redis_database(redis_server, DATABASE)


def exercise(store) -> dict:
    """The same changes on a store, and what it answers."""
    store.lock()
    store.record("https://a.example/doc/1.html", "2026-01-01T00:00:00Z", "h1", etag='"e1"',
                 links=["https://a.example/doc/2.html"])
    store.record("https://a.example/doc/2.html", "2026-01-02T00:00:00Z", "h1")
    store.record("https://b.example/doc/9.html", "2026-01-01T00:00:00Z", "h2")
    store.record("https://b.example/doc/9.html", "2026-01-03T00:00:00Z", "h3")     # changed
    store.touch("https://a.example/doc/2.html", "2026-02-01T00:00:00Z")
    for url, depth in (("https://a.example/doc/5.html", 2), ("https://a.example/doc/6.html", 1),
                       ("https://a.example/doc/5.html", 0), ("https://a.example/doc/7.html", 3),
                       ("https://a.example/doc/5.html", 4)):
        store.schedule(url, depth)
    store.finish("https://a.example/doc/7.html")
    store.record("https://a.example/doc/6.html", "2026-01-05T00:00:00Z", None)
    store.keep_boilerplate("a.example", 12, {"首页": 12, "下载": 9})
    store.keep_boilerplate("a.example", 14, {"首页": 14})
    answers = {
        "known": [store.lookup(u) for u in ("https://a.example/doc/1.html",
                                            "https://a.example/doc/2.html",
                                            "https://b.example/doc/9.html",
                                            "https://a.example/doc/404.html")],
        "first_h1": store.first_with_hash("h1", "https://a.example/doc/3.html"),
        "first_h1_not_1": store.first_with_hash("h1", "https://a.example/doc/1.html"),
        "first_h2": store.first_with_hash("h2", "https://x.example/"),
        "frontier": store.unfinished(),
        "boilerplate": store.boilerplate("a.example"),
        "no_boilerplate": store.boilerplate("c.example"),
        "seen": [store.seen("k1"), store.seen("k1"), store.seen("k2")],
        "ask": [store.ask("u", 3), store.ask("u", 1), store.ask("u", 2), store.least_depth("u"),
                store.least_depth("v")],
    }
    store.keep_unfollowed("w", 1, ["x", "y"])
    answers["unfollowed"] = [store.take_unfollowed("w"), store.take_unfollowed("w"),
                             store.least_depth("w")]
    store.close()
    return answers


def test_redis_answers_as_sqlite_does(redis_url, tmp_path):
    assert exercise(RedisStateStore(redis_url)) == exercise(
        SqliteStateStore(str(tmp_path / "state.sqlite")))


def test_what_a_crawl_asked_for_is_gone_after_close_and_the_rest_stays(redis_url):
    exercise(RedisStateStore(redis_url))
    again = RedisStateStore(redis_url)
    assert again.lookup("https://a.example/doc/1.html").etag == '"e1"'
    assert again.seen("k1") is False                        # a new crawl's own requests
    keys = redis.Redis.from_url(redis_url, decode_responses=True).keys("docspider:run:*")
    assert len(keys) == 1 and keys[0].startswith(again.run)
    again.close()


def test_the_lock(redis_url):
    first = RedisStateStore(redis_url)
    first.lock()
    second = RedisStateStore(redis_url)
    with pytest.raises(StateLocked, match=rf"another crawl holds .* \({socket.gethostname()}:"
                                          rf"{os.getpid()}\)"):
        second.lock(wait=0.3)
    first.close()
    second.lock()                                           # let go at close
    # a crawl of this machine that died holding it: taken over at once
    redis.Redis.from_url(redis_url).set("docspider:lock",
                                        f"{socket.gethostname()}:{gone_pid()}")
    second.locked = False
    second.lock()
    assert redis.Redis.from_url(redis_url, decode_responses=True).get("docspider:lock") == \
        second.holder
    second.close()


def gone_pid() -> int:
    """A pid no process has (a child that has exited and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_an_unreachable_server_is_one_line_and_exit_2():
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(StateError, match=r"cannot open the state store redis://127\.0\.0\.1:"):
        RedisStateStore(url)
    proc = crawl("renrendoc", "-a", "urls=http://127.0.0.1:9/paper/1.html",
                 "-s", f"DOCSPIDER_STATE={url}")
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [
        f"crawl renrendoc: cannot open the state store {url}?prefix=docspider:renrendoc: "
        f"Error 111 connecting to 127.0.0.1:{url.split(':')[2].split('/')[0]}. Connection refused."]


def test_incremental_crawls_keep_their_state_in_redis(redis_url, tmp_path):
    """A second crawl of the same site with the state in Redis emits nothing; the spider's
    keys carry its name."""
    with LocalServer(demo_site(), tls=False) as server:
        runs = [crawl("renrendoc", "-a", f"base_url={server.url}",
                      "-O", str(tmp_path / f"{n}.jsonl"), "-s", f"DOCSPIDER_STATE={redis_url}")
                for n in (1, 2)]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr.decode()
    first, second = (json_lines((tmp_path / f"{n}.jsonl").read_bytes()) for n in (1, 2))
    assert len(first) == 26 and {i["change"] for i in first} == {"new"}
    assert second == []
    assert stat(runs[1].stderr.decode(), "docspider/skipped/known") == 26
    keys = redis.Redis.from_url(redis_url, decode_responses=True)
    assert len(keys.keys("docspider:renrendoc:doc:*")) == 26
    assert keys.get("docspider:renrendoc:lock") is None     # let go when the crawl closed
