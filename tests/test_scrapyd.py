"""Scheduled runs through scrapyd, end to end: a real `scrapyd` on 127.0.0.1, the project deployed
to it with `scrapyd-deploy` (which builds an egg), a crawl scheduled with a POST to
/schedule.json and polled on /listjobs.json, and the job's feed and log checked; and two
scrapyd daemons running the workers of one distributed crawl on a real Redis.

The project is deployed from a temporary copy whose scrapy.cfg is the repository's with the
`[deploy]` target's URL pointed at the test's scrapyd: `scrapyd-deploy` writes a `setup.py` (and
`build/`, `*.egg-info`) into the project it packs, and the repository must stay clean."""
from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest

from docspider.localserver import LocalServer, Page, PageTable
from docspider.output import schema_errors
from docspider.report import load_runs

from conftest import (PROXY_VARIABLES, RENRENDOC_PAGE, ROOT, free_port, json_lines,
                      redis_database, slow_demo_site)

BIN = Path(sys.executable).parent
PAGE_PATH = "/paper/301000001.html"


def _env(home: Path) -> dict[str, str]:
    """No proxies (everything is on 127.0.0.1), no settings module from outside (the egg names
    its own), and a HOME of the test's so no ~/.scrapyd.conf or ~/.scrapy.cfg is read."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in PROXY_VARIABLES and k not in ("SCRAPY_SETTINGS_MODULE", "XDG_CONFIG_HOME")}
    return env | {"HOME": str(home)}



def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def _post(url: str, fields: list[tuple[str, str]]) -> dict:
    with urllib.request.urlopen(url, data=urlencode(fields).encode(), timeout=30) as response:
        return json.load(response)


class Scrapyd:
    """A `scrapyd` process in its own directory (its working directory, config, eggs, logs,
    items, dbs), in its own process group so its crawl processes end with it."""

    def __init__(self, root: Path, items_dir: bool):
        self.root = root
        self.items = root / "items" if items_dir else None
        self.output = (root / "scrapyd.out").open("wb")
        for _attempt in range(3):           # the free port may be taken before scrapyd binds it
            self.port = free_port()
            (root / "scrapyd.conf").write_text(
                "[scrapyd]\n"
                "bind_address = 127.0.0.1\n"
                f"http_port = {self.port}\n"
                f"eggs_dir = {root / 'eggs'}\n"
                f"logs_dir = {root / 'logs'}\n"
                f"items_dir = {self.items or ''}\n"
                f"dbs_dir = {root / 'dbs'}\n"
                "poll_interval = 0.2\n", encoding="utf-8")
            self.proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=root,
                                         env=_env(root), stdout=self.output,
                                         stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_until_up():
                return
            self.stop()
        log = self.log()
        self.output.close()
        raise AssertionError(f"scrapyd did not start:\n{log}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _wait_until_up(self, timeout: float = 20) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if _get(self.url + "daemonstatus.json")["status"] == "ok":
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    def log(self) -> str:
        self.output.flush()
        return (self.root / "scrapyd.out").read_text("utf-8", "replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        self.output.close()


@pytest.fixture(scope="module")
def site():
    """A plain local site with one renrendoc document page."""
    table = PageTable()
    table.add(PAGE_PATH, Page(RENRENDOC_PAGE.read_bytes()))
    with LocalServer(table, tls=False) as server:
        yield server.url


@pytest.fixture
def scrapyd(request, tmp_path):
    root = tmp_path / "scrapyd"
    root.mkdir()
    daemon = Scrapyd(root, **request.param)
    try:
        yield daemon
    finally:
        daemon.close()


def deploy(url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`scrapyd-deploy` (the default `[deploy]` target) in a copy of the project whose
    scrapy.cfg differs from the repository's only in the target's URL."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docspider", project / "docspider",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):        # README.md: the package's long description
        shutil.copy(ROOT / name, project / name)
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "scrapy.cfg", encoding="utf-8")
    assert cfg["deploy"]["project"] == "docspider"
    assert cfg["deploy"]["url"] == "http://127.0.0.1:6800/"
    cfg["deploy"]["url"] = url
    with (project / "scrapy.cfg").open("w", encoding="utf-8") as f:
        cfg.write(f)
    return subprocess.run([BIN / "scrapyd-deploy", "--version", "1"], cwd=project,
                          env=_env(tmp_path), capture_output=True, timeout=120)


def wait_for_job(scrapyd: Scrapyd, job: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = _get(scrapyd.url + "listjobs.json?project=docspider")
        finished = [j for j in jobs["finished"] if j["id"] == job]
        if finished:
            return finished[0]
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish in {timeout} s:\n{scrapyd.log()}")


@pytest.mark.parametrize("scrapyd", [{"items_dir": True}, {"items_dir": False}],
                         ids=["items_dir", "no_items_dir"], indirect=True)
def test_deploy_schedule_and_crawl_through_scrapyd(scrapyd, site, tmp_path):
    proc = deploy(scrapyd.url, tmp_path)
    assert proc.returncode == 0, proc.stderr.decode() + proc.stdout.decode()
    assert json.loads(proc.stdout)["status"] == "ok"
    # the egg scrapyd stored: the package with its data files, and the settings entry point
    # that tells scrapyd's runner which settings module to use
    with zipfile.ZipFile(scrapyd.root / "eggs" / "docspider" / "1.egg") as egg:
        names = set(egg.namelist())
        assert {"docspider/settings.py", "docspider/schema/document.schema.json"} <= names
        entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]" in entry_points and "settings = docspider.settings" in entry_points
    assert "renrendoc" in _get(scrapyd.url + "listspiders.json?project=docspider")["spiders"]

    page = site + PAGE_PATH
    scheduled = _post(scrapyd.url + "schedule.json", [
        ("project", "docspider"), ("spider", "renrendoc"), ("urls", page),
        ("setting", "AUTOTHROTTLE_START_DELAY=0")])     # the site is local: no 5 s first delay
    assert scheduled["status"] == "ok", scheduled
    job = wait_for_job(scrapyd, scheduled["jobid"])

    assert f"Process finished: project='docspider' spider='renrendoc' job='{job['id']}'" in scrapyd.log()
    assert "Process died" not in scrapyd.log()
    log_file = scrapyd.root / "logs" / "docspider" / "renrendoc" / f"{job['id']}.log"
    assert job["log_url"] == f"/logs/docspider/renrendoc/{job['id']}.log"
    log = log_file.read_text("utf-8")
    assert "ERROR" not in log and "Traceback" not in log, log
    assert "'item_scraped_count': 1" in log

    runs = scrapyd.root / "output" / "runs" / "renrendoc"
    feeds = sorted(p.relative_to(scrapyd.root) for p in scrapyd.root.rglob("*")
                   if p.suffix in (".jl", ".jsonl", ".part") and p.parent != runs)
    (record,) = [json.loads(p.read_text("utf-8")) for p in runs.glob("*.json")]
    assert record["job"] == job["id"] and record["exit_status"] == 0    # scrapyd's job id
    if scrapyd.items:
        # items_dir set: scrapyd passes -s FEEDS={"file:///<items_dir>/<project>/<spider>/<job>.jl":
        # {"format": "jsonlines"}}, which replaces docspider's default feed
        feed = scrapyd.items / "docspider" / "renrendoc" / f"{job['id']}.jl"
        assert job["items_url"] == f"/items/docspider/renrendoc/{job['id']}.jl"
    else:
        # no items_dir (scrapyd's default): no FEEDS, so docspider's default feed is written
        # under the directory scrapyd runs in
        assert job["items_url"] is None
        (feed,) = (scrapyd.root / "output" / "renrendoc").glob("*.jsonl")
    assert feeds == [feed.relative_to(scrapyd.root)], log      # one complete feed, no .part
    (item,) = json_lines(feed.read_bytes())
    assert schema_errors(item) == []
    assert item["url"] == page and item["doc_id"] == "301000001"
    assert item["excerpt"]["pages"]

    if not scrapyd.items:
        # a job whose monitor fails: the failure and its reason are in the job's own log
        scheduled = _post(scrapyd.url + "schedule.json", [
            ("project", "docspider"), ("spider", "renrendoc"), ("urls", page),
            ("setting", "AUTOTHROTTLE_START_DELAY=0"),
            ("setting", "SPIDERMON_EXPECTED_FINISH_REASONS=shutdown")])
        failed = wait_for_job(scrapyd, scheduled["jobid"])
        log = (scrapyd.root / "logs" / "docspider" / "renrendoc" / f"{failed['id']}.log"
               ).read_text("utf-8")
        assert re.search(r" ERROR: monitor failed: Finish Reason Monitor/.*finished", log), log


def test_two_scrapyd_instances_crawl_one_site_together_through_redis(redis_server, tmp_path):
    """A cluster: two scrapyd daemons, the same egg, the same spider scheduled on each with one
    REDIS_URL. The two jobs are workers of one crawl: every document once over their feeds, and
    their run records merge into one."""
    redis_url = redis_database(redis_server, 15)
    daemons = []
    try:
        for n in (1, 2):
            (tmp_path / f"scrapyd{n}" / "eggs" / "docspider").mkdir(parents=True)
        daemons.append(Scrapyd(tmp_path / "scrapyd1", items_dir=False))
        proc = deploy(daemons[0].url, tmp_path)
        assert proc.returncode == 0, proc.stderr.decode() + proc.stdout.decode()
        # the second daemon starts with the same egg (what scrapyd-deploy would upload to it)
        shutil.copy(tmp_path / "scrapyd1" / "eggs" / "docspider" / "1.egg",
                    tmp_path / "scrapyd2" / "eggs" / "docspider" / "1.egg")
        daemons.append(Scrapyd(tmp_path / "scrapyd2", items_dir=False))
        with LocalServer(slow_demo_site(0.05), tls=False) as server:
            scheduled = [_post(daemon.url + "schedule.json", [
                ("project", "docspider"), ("spider", "renrendoc"), ("base_url", server.url),
                ("setting", f"REDIS_URL={redis_url}"), ("setting", "MAX_IDLE_TIME_BEFORE_CLOSE=1"),
                ("setting", "DOWNLOAD_DELAY=0"), ("setting", "AUTOTHROTTLE_START_DELAY=0")])
                for daemon in daemons]
            assert [job["status"] for job in scheduled] == ["ok", "ok"], scheduled
            jobs = [wait_for_job(daemon, job["jobid"]) for daemon, job in zip(daemons, scheduled)]
        for daemon, job in zip(daemons, jobs):
            log = (daemon.root / "logs" / "docspider" / "renrendoc" / f"{job['id']}.log"
                   ).read_text("utf-8")
            assert "ERROR" not in log and "Traceback" not in log, log
        urls = [item["url"] for daemon in daemons
                for feed in (daemon.root / "output" / "renrendoc").glob("*.jsonl")
                for item in json_lines(feed.read_bytes())]
        assert len(urls) == len(set(urls)) == 26
        records = [path for daemon in daemons
                   for path in (daemon.root / "output" / "runs" / "renrendoc").glob("*.json")]
        assert sorted(json.loads(p.read_text("utf-8"))["job"] for p in records) == \
            sorted(job["id"] for job in jobs)
        (merged,) = load_runs(records)
        assert merged.record["counts"]["items"] == 26
        assert merged.record["exit_status"] == 0
    finally:
        for daemon in daemons:
            daemon.close()
