"""Distributed crawls against a real Redis server (conftest's `redis_server`, database 14): two
and three `scrapy crawl` workers of the demo site sharing one queue, duplicate filter and state
store; a worker SIGKILLed mid-crawl and started again; a second pass; `scrapy seed`; `scrapy
report` merging the workers' run records.

The workers run in one folder, as workers sharing an output volume do: each writes its own
feed, WARC files and run record, named with its worker id."""
from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from docspider.demo.site import demo_site
from docspider.localserver import LocalServer, Page
from docspider.report import load_runs

from conftest import (crawl, finish, free_port, json_lines, redis_database, run_scrapy,
                      slow_demo_site, start_crawl, stat, wait_for_lines)

DATABASE = 14
DOCUMENTS = 26              # the demo site's
HOST = re.sub(r"[^A-Za-z0-9.]+", "-", socket.gethostname())


@pytest.fixture
def redis_url(redis_server):
    return redis_database(redis_server, DATABASE)


def start_worker(folder: Path, redis_url: str, *args: str):
    """A worker: `scrapy crawl` in `folder` with REDIS_URL in its environment."""
    return start_crawl(folder, *args, "-s", f"DOCSPIDER_RUNS_DIR={folder / 'runs'}",
                       "-s", "MAX_IDLE_TIME_BEFORE_CLOSE=1", "-s", "DOCSPIDER_WORKER_TIMEOUT=4",
                       "-s", "STATS_DUMP=True", env={"REDIS_URL": redis_url})


def feed_items(folder: Path) -> list[dict]:
    return [item for feed in sorted(folder.glob("output/renrendoc/*.jsonl"))
            for item in json_lines(feed.read_bytes())]


def crawl_keys(redis_url: str) -> list[str]:
    """What is left of a crawl in Redis: its queue, filter, workers, leases, seeds."""
    keys = redis.Redis.from_url(redis_url, decode_responses=True).keys("docspider:renrendoc:*")
    return sorted(k for k in keys if k.split(":")[2] in
                  ("requests", "dupefilter", "crawl", "workers", "taken", "start_urls", "run"))


def test_three_workers_emit_each_document_once_and_a_second_pass_nothing(redis_url, tmp_path):
    """Three documents answer 503 before their page: their retries go back to the shared queue
    (and their leases with them)."""
    site = slow_demo_site(0.05)
    for key in [key for key in site.pages if key[1].startswith("/paper/")][:3]:
        site.pages[key] = (Page(b"busy", "text/plain", status=503), site.pages[key])
    with LocalServer(site, tls=False) as server:
        base = f"base_url={server.url}"
        workers = [start_worker(tmp_path, redis_url, "renrendoc", "-a", base) for _ in range(3)]
        logs = [finish(worker) for worker in workers]
        assert [w.returncode for w in workers] == [0, 0, 0], logs
        first = feed_items(tmp_path)
        feeds = sorted((tmp_path / "output" / "renrendoc").glob("*.jsonl"))
        warcs = list((tmp_path / "output" / "archive" / "renrendoc").glob("*.warc.gz"))
        second_workers = [start_worker(tmp_path, redis_url, "renrendoc", "-a", base)
                          for _ in range(2)]
        second_logs = [finish(worker) for worker in second_workers]
        alone = crawl("renrendoc", "-a", base, "-O", str(tmp_path / "alone.jsonl"))
    assert alone.returncode == 0

    urls = [item["url"] for item in first]
    assert len(urls) == len(set(urls)) == DOCUMENTS                 # each document once
    assert set(urls) == {item["url"] for item in json_lines((tmp_path / "alone.jsonl").read_bytes())}
    assert sum("(started it)" in log for log in logs) == 1          # one worker seeded the crawl
    assert crawl_keys(redis_url) == []          # the last one ended it, no lease was left
    assert sum(stat(log, "retry/count") or 0 for log in logs) == 3

    # each worker's own files, named with its worker id
    ids = {f"{HOST}-{worker.pid}" for worker in workers}
    assert {re.sub(r"^[\dT-]{19}-", "", feed.stem) for feed in feeds} == ids
    assert warcs and all(any(f"-{i}-" in warc.name for i in ids) for warc in warcs)
    records = sorted(tmp_path / "runs" / f"{feed.stem}.json" for feed in feeds)
    (merged,) = load_runs(records)
    assert merged.record["counts"]["items"] == DOCUMENTS
    assert sorted(merged.record["workers"]) == sorted(p.stem for p in records)
    assert merged.record["status"] == "finished" and merged.record["exit_status"] == 0

    # a second pass over the same seeds: every document known, nothing emitted by anybody
    assert [w.returncode for w in second_workers] == [0, 0], second_logs
    assert feed_items(tmp_path) == first
    assert sum(stat(log, "docspider/skipped/known") or 0 for log in second_logs) == DOCUMENTS


def test_a_killed_worker_loses_nothing(redis_url, tmp_path):
    """Worker A is SIGKILLed with requests taken; B gives them back to the queue, A is started
    again and recovers its feed: every document once over all the feeds."""
    with LocalServer(slow_demo_site(0.4), tls=False) as server:
        base = f"base_url={server.url}"
        a = start_worker(tmp_path, redis_url, "renrendoc", "-a", base)
        b = start_worker(tmp_path, redis_url, "renrendoc", "-a", base)
        wait_for_lines(tmp_path / "output" / "renrendoc", f"*-{a.pid}.jsonl.part", 2)
        taken = redis.Redis.from_url(redis_url).zcard(f"docspider:renrendoc:taken:{HOST}-{a.pid}")
        a.send_signal(signal.SIGKILL)
        finish(a)
        again = start_worker(tmp_path, redis_url, "renrendoc", "-a", base)
        logs = [finish(b), finish(again)]
    assert taken > 0                        # it died holding requests
    assert [b.returncode, again.returncode] == [0, 0], logs
    assert not list(tmp_path.glob("output/renrendoc/*.part"))        # A's feed recovered
    urls = [item["url"] for item in feed_items(tmp_path)]
    assert len(urls) == len(set(urls)) == DOCUMENTS
    assert sum(stat(log, "docspider/cluster/reclaimed") or 0 for log in logs) >= taken
    assert crawl_keys(redis_url) == []


def test_seeds_pushed_with_scrapy_seed(redis_url, tmp_path):
    """`scrapy seed` checks its URLs as `-a urls=` does; a `docs` worker without urls crawls
    the seeds."""
    env = {"REDIS_URL": redis_url}
    bad = run_scrapy("seed", "docs", "http://127.0.0.1/a.html", "ftp://127.0.0.1/b", env=env)
    assert bad.returncode == 2
    assert bad.stderr.decode() == "seed docs: urls: item 2: not an http(s) URL\n"
    assert crawl_keys(redis_url) == []                  # nothing pushed
    with LocalServer(demo_site(), tls=False) as server:
        paths = [path for _host, path in demo_site().pages if path.startswith("/paper/")][:3]
        (tmp_path / "seeds.txt").write_text(
            "".join(f"{server.url}{path}\n" for path in paths), encoding="utf-8")
        pushed = run_scrapy("seed", "docs", f"@{tmp_path / 'seeds.txt'}", env=env)
        assert pushed.returncode == 0, pushed.stderr.decode()
        assert pushed.stdout.decode() == "3 seeds for docs in docspider:docs:start_urls\n"
        worker = start_crawl(tmp_path, "docs", "-s", "MAX_IDLE_TIME_BEFORE_CLOSE=1",
                             "-s", f"DOCSPIDER_RUNS_DIR={tmp_path / 'runs'}", env=env)
        log = finish(worker)
    assert worker.returncode == 0, log
    (feed,) = (tmp_path / "output" / "docs").glob("*.jsonl")
    assert sorted(item["url"] for item in json_lines(feed.read_bytes())) == \
        sorted(f"{server.url}{path}" for path in paths)
    assert json.loads(next((tmp_path / "runs").glob("*.json")).read_text())["crawl"]["worker"] \
        == f"{HOST}-{worker.pid}"


def test_a_worker_refuses_a_state_store_it_cannot_share(redis_url):
    proc = run_scrapy("crawl", "renrendoc", "-s", "DOCSPIDER_STATE=output/state/x.sqlite",
                      env={"REDIS_URL": redis_url})
    assert proc.returncode == 2
    assert proc.stderr.decode() == (
        "crawl renrendoc: a distributed crawl (REDIS_URL) keeps its state in Redis: "
        "DOCSPIDER_STATE must be a redis:// URL, not 'output/state/x.sqlite'\n")


def test_a_dead_workers_line_of_a_document_emitted_since_is_dropped(redis_url, tmp_path):
    """A worker killed between writing two lines and recording them in Redis: one of the two
    documents was fetched again and emitted by another worker meanwhile. The next worker in the
    folder recovers the dead one's feed without that line and records the other."""
    from scrapy.settings import Settings
    from docspider import crawlstate
    from docspider.redisstate import RedisStateStore

    state = f"{redis_url}?prefix=docspider:renrendoc"
    again, alone = "http://example.org/paper/1.html", "http://example.org/paper/2.html"
    dead = RedisStateStore(state)
    for url in (again, alone):
        dead.emitting(url, "2026-01-01T00:00:00Z")
    dead.close()
    other = RedisStateStore(state)
    other.record(again, "2026-01-01T00:00:05Z", "h1")      # emitted by another worker
    other.close()
    feeds = tmp_path / "output" / "renrendoc"
    feeds.mkdir(parents=True)
    lines = [json.dumps({"url": url, "fetched_at": "2026-01-01T00:00:00Z", "content_hash": h})
             for url, h in ((again, "h1"), (alone, "h2"))]
    (feeds / "2026-01-01T00-00-00-host-1.jsonl.part").write_text("\n".join(lines) + "\n{\"cut")

    settings = Settings({"DOCSPIDER_STATE": state, "DOCSPIDER_LOCK_WAIT": 0,
                         "DOCSPIDER_DEFAULT_FEED": str(feeds / "%(run_id)s.jsonl")})
    prepared = crawlstate.prepare(settings, "renrendoc")
    try:
        (recovered,) = prepared.recovered
        assert (recovered.items, recovered.twice) == (1, 1)
        assert json_lines(recovered.path.read_bytes()) == [json.loads(lines[1])]
        assert prepared.store.lookup(alone).fetched_at == "2026-01-01T00:00:00Z"
        assert prepared.store.lookup(again).fetched_at == "2026-01-01T00:00:05Z"
        assert redis.Redis.from_url(redis_url).hlen("docspider:renrendoc:emitting") == 0
    finally:
        prepared.store.close()
        crawlstate._prepared.clear()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server on PATH")
def test_a_worker_whose_redis_goes_away_stops_with_exit_1(tmp_path):
    """A Redis server of the test's own, stopped mid-crawl: the worker stops at once (a failed
    write, exit status 1), one line saying why, rather than hanging on."""
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        with LocalServer(slow_demo_site(0.4), tls=False) as site:
            worker = start_worker(tmp_path, url, "renrendoc", "-a", f"base_url={site.url}")
            wait_for_lines(tmp_path / "output" / "renrendoc", "*.jsonl.part", 1)
            server.kill()
            log = finish(worker, timeout=60)
    finally:
        server.kill()
        server.wait()
    assert worker.returncode == 1
    # whichever meets the dead server first says so, the queue's side or the state store's
    errors = [line for line in log.splitlines() if "ERROR: cannot write " in line]
    assert len(errors) == 1, log
    assert ("cannot write the distributed crawl's Redis: " in errors[0]
            or f"cannot write {url}: " in errors[0]), errors
    assert "Spider closed (write_failed)" in log


def test_download_delay_holds_between_any_two_workers_requests_to_a_host(redis_url, tmp_path):
    """Two workers, DOWNLOAD_DELAY 0.3 s: the site sees its requests 0.3 s apart, not two
    streams each 0.3 s apart."""
    polite = ("-s", "DOWNLOAD_DELAY=0.3", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
              "-s", "AUTOTHROTTLE_ENABLED=False")
    with LocalServer(demo_site(), tls=False) as server:
        workers = [start_worker(tmp_path, redis_url, "renrendoc", "-a", f"base_url={server.url}",
                                *polite) for _ in range(2)]
        logs = [finish(worker) for worker in workers]
        arrivals = sorted(seen.at for seen in server.requests)
    assert [w.returncode for w in workers] == [0, 0], logs
    assert len(feed_items(tmp_path)) == DOCUMENTS
    assert all((stat(log, "response_received_count") or 0) >= 3 for log in logs)  # both worked
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:])]
    assert min(gaps) >= 0.25, gaps
