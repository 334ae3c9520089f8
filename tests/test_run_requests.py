"""What a crawl asked for (`RunRequests`): the same answers in memory and in the SQLite store's
temporary tables, which are the crawl's own (another connection to the file does not see them)
and gone when it closes."""
from __future__ import annotations

import sqlite3

import pytest

from docspider.sqlitestate import SqliteStateStore
from docspider.state import RunRequests


@pytest.fixture(params=["memory", "sqlite"])
def asked(request, tmp_path):
    if request.param == "memory":
        yield RunRequests()
        return
    store = SqliteStateStore(str(tmp_path / "state.sqlite"))
    yield store
    store.close()


def test_seen_marks_a_request_once(asked):
    assert [asked.seen(k) for k in ("a", "b", "a", "b", "c")] == [False, False, True, True, False]


def test_ask_keeps_the_least_depth_and_says_the_one_before(asked):
    assert asked.least_depth("http://h/p.html") is None
    assert asked.ask("http://h/p.html", 2) is None
    assert asked.ask("http://h/p.html", 3) == 2
    assert asked.least_depth("http://h/p.html") == 2
    assert asked.ask("http://h/p.html", 1) == 2
    assert asked.ask("http://h/p.html", 2) == 1
    assert asked.least_depth("http://h/p.html") == 1


def test_unfollowed_links_are_taken_once_and_record_the_depth(asked):
    links = ["http://h/a.html", "http://h/文档.html"]
    asked.keep_unfollowed("http://h/p.html", 2, links)        # reached by a redirect, say
    assert asked.least_depth("http://h/p.html") == 2
    assert asked.take_unfollowed("http://h/q.html") is None
    assert asked.take_unfollowed("http://h/p.html") == links
    assert asked.take_unfollowed("http://h/p.html") is None


def test_the_store_keeps_none_of_it_in_its_file(tmp_path):
    path = tmp_path / "state.sqlite"
    store = SqliteStateStore(str(path))
    store.ask("http://h/p.html", 0)
    store.seen("key")
    store.commit()
    tables = {row[0] for row in sqlite3.connect(path).execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"documents", "frontier", "hosts", "boilerplate"}
    store.close()
    again = SqliteStateStore(str(path))
    assert again.ask("http://h/p.html", 1) is None and not again.seen("key")
    again.close()
