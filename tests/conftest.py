"""Shared test helpers: fixture paths, the optional ../shared reference folder, running real
`scrapy` commands in a subprocess from the project root, and the project's site spiders."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

from docspider.demo.site import demo_site
from docspider.localserver import LocalServer, PageTable
from docspider.sites.generic import GENERIC
from docspider.spiders.base import DocumentSpider

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = FIXTURES / "site"           # pages under their real URLs: SITE/<host>/<path>
RENRENDOC_PAGE = SITE / "www.renrendoc.com" / "paper" / "301000001.html"
MIRROR_TEXT = FIXTURES / "pages" / "bubsandbeans-paper-301000001.txt"   # its traditional mirror
PROXY_VARIABLES = ("http_proxy", "https_proxy", "no_proxy", "all_proxy")
SHARED = Path(os.environ.get("DOCSPIDER_SHARED", ROOT.parent / "shared"))
# REDIS_URL names the Redis server the Redis tests use; in a crawl's environment it would make
# the crawl a distributed one, so it is taken out of this process's environment (and so out of
# every subprocess's): tests that want a distributed crawl pass it themselves.
REDIS_URL_GIVEN = os.environ.pop("REDIS_URL", None)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (reference material); tests that need it skip cleanly when it is absent."""
    if not (SHARED / "corpus" / "dev").is_dir():
        pytest.skip(f"reference folder {SHARED} not present")
    return SHARED


def run_scrapy(*args: str, cwd: Path = ROOT, timeout: int = 300,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `scrapy ARGS` with this interpreter, as a user would from the project root."""
    return subprocess.run(scrapy_command(*args), cwd=cwd, env=scrapy_env(env),
                          capture_output=True, timeout=timeout)


def scrapy_command(*args: str) -> list[str]:
    """A crawl or reparse writes its run record to a fresh folder in the session's workspace,
    not the project's output/ (a test's own `-s DOCSPIDER_RUNS_DIR=…` comes later and wins)."""
    if args and args[0] in ("crawl", "reparse") and _WORKSPACE:
        runs = tempfile.mkdtemp(prefix="runs-", dir=_WORKSPACE[0])
        args = (args[0], "-s", f"DOCSPIDER_RUNS_DIR={runs}", *args[1:])
    return [sys.executable, "-m", "scrapy.cmdline", *args]


def scrapy_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a `scrapy` subprocess: proxy variables and SCRAPY_SETTINGS_MODULE
    cleared unless given in ``extra``, deprecation warnings turned into errors."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in PROXY_VARIABLES and k != "SCRAPY_SETTINGS_MODULE"} | (extra or {})
    env["PYTHONWARNINGS"] = "error::DeprecationWarning"
    return env


_WORKSPACE: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def crawl_workspace(tmp_path_factory) -> Path:
    """Where crawls keep their state store and WARC files unless a test says otherwise."""
    _WORKSPACE[:] = [tmp_path_factory.mktemp("crawls")]
    return _WORKSPACE[0]


def crawl(*args: str, **kwargs):
    """`scrapy crawl ARGS` with the stats dumped, no politeness delays (the servers are
    local, see LOCAL_SETTINGS), and a fresh state store and archive directory of its own (a
    test's own `-s DOCSPIDER_STATE=…` / `DOCSPIDER_ARCHIVE_DIR=…` come later and win)."""
    work = Path(tempfile.mkdtemp(dir=_WORKSPACE[0]))
    return run_scrapy("crawl", "-s", f"DOCSPIDER_STATE={work / 'state.sqlite'}",
                      "-s", f"DOCSPIDER_ARCHIVE_DIR={work / 'archive'}", *LOCAL_SETTINGS,
                      *args, "-s", "STATS_DUMP=True", **kwargs)


# Crawls of the local test servers: no politeness delays, retries waiting a few milliseconds.
LOCAL_SETTINGS = ("-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "DOWNLOAD_DELAY=0",
                  "-s", "DOCSPIDER_RETRY_BACKOFF=0.01", "-s", "DOCSPIDER_SOFT_BLOCK_PAUSE=0.05")


def start_crawl(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`scrapy crawl ARGS` in the background in `cwd`, as a user runs it there (default feed
    and state under `cwd/output`), with LOCAL_SETTINGS and `env` added to its environment. Its
    log goes to a file — a pipe nobody reads would fill up and stall the crawl; `finish(proc)`
    waits and returns it."""
    log = (cwd / f"crawl-{time.monotonic_ns()}.log").open("w+b")
    proc = subprocess.Popen(scrapy_command("crawl", *LOCAL_SETTINGS, *args), cwd=cwd,
                            env=scrapy_env({"SCRAPY_SETTINGS_MODULE": "docspider.settings",
                                            **(env or {})}),
                            stdout=subprocess.DEVNULL, stderr=log)
    proc.log = log
    return proc


def finish(proc: subprocess.Popen, timeout: float = 180) -> str:
    """Wait for a crawl from `start_crawl`; its log."""
    proc.wait(timeout=timeout)
    proc.log.seek(0)
    text = proc.log.read().decode()
    proc.log.close()
    return text


def wait_for_lines(folder: Path, pattern: str, count: int, timeout: float = 60) -> None:
    """Wait until the files matching `pattern` in `folder` hold `count` lines."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(p.read_bytes().count(b"\n") for p in folder.glob(pattern)) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} lines in {folder}/{pattern}")


@pytest.fixture(scope="session")
def redis_server():
    """`redis://host:port` of a Redis server: the one REDIS_URL names, else a `redis-server`
    from PATH started on a free port of 127.0.0.1 for the session. Tests use a database number
    of their own (`redis_database`) and flush only that."""
    if REDIS_URL_GIVEN:
        parts = urlsplit(REDIS_URL_GIVEN)
        yield urlunsplit(parts._replace(path="", query=""))
        return
    if shutil.which("redis-server") is None:
        pytest.skip("no REDIS_URL and no redis-server on PATH")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


def redis_database(server: str, number: int) -> str:
    """The URL of database `number` of `server`, flushed."""
    url = f"{server}/{number}"
    redis.Redis.from_url(url).flushdb()
    return url


def slow_demo_site(delay: float) -> PageTable:
    """The demo site with each document page answering after `delay` seconds: the workers of
    a distributed crawl all get a share, and a crawl is still going when one is killed."""
    table = demo_site()
    table.pages = {key: dataclasses.replace(page, delay=delay)
                   if key[1].startswith("/paper/") else page
                   for key, page in table.pages.items()}
    return table


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (for a server to start, or to fail)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def through(proxy: LocalServer) -> dict[str, str]:
    return {"http_proxy": proxy.url, "https_proxy": proxy.url}


def stat(log: str, key: str) -> int | None:
    """A counter from the stats dump (`-s STATS_DUMP=True`) in a crawl log."""
    for line in log.splitlines():
        if line.strip(" {").startswith(f"'{key}':"):
            return int(line.split(":")[1].strip().rstrip(",}"))
    return None


def json_lines(data: bytes) -> list[dict]:
    """Parse JSONL strictly: UTF-8, one object per line, a newline after the last one."""
    text = data.decode("utf-8")
    assert text == "" or text.endswith("\n"), "last line is not terminated"
    return [json.loads(line) for line in text.splitlines()]


def site_spiders() -> dict[str, type]:
    """The project's site spiders (every spider with a profile except `docs`), by name, as the
    spider loader lists them."""
    settings = Settings()
    settings.setmodule("docspider.settings")
    loader = get_spider_loader(settings)
    spiders = {name: loader.load(name) for name in sorted(loader.list())}
    return {name: cls for name, cls in spiders.items() if issubclass(cls, DocumentSpider)
            and getattr(cls, "profile", GENERIC) is not GENERIC}
