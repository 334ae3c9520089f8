"""Segmentation in worker processes (`DOCSPIDER_SEGMENT_WORKERS`, `scrapy segment --jobs`,
`scrapy reparse --jobs`): the same items as in-process, in the same order where the input has
one, and a worker that dies costs only the pages it held, which the next run fetches again."""
from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from docspider.demo.site import demo_site, load_documents
from docspider.localserver import LocalServer
from docspider.segmentpool import SegmentPool, WorkerDied

from conftest import (RENRENDOC_PAGE, ROOT, SITE, crawl, finish, json_lines, run_scrapy,
                      scrapy_command, scrapy_env, start_crawl, stat, wait_for_lines)

DEMO_DOCUMENTS = len(load_documents())


def comparable(items: list[dict]) -> dict[str, dict]:
    """Items by URL without what differs between two fetches of one page."""
    return {item["url"]: {k: v for k, v in item.items() if k not in ("fetched_at", "archive")}
            for item in items}


@pytest.fixture(scope="module")
def demo_server():
    with LocalServer(demo_site(load_documents())) as server:
        yield server


def crawl_demo(server: LocalServer, out: Path, *settings: str):
    proc = crawl("renrendoc", "-a", f"base_url={server.url}", "-O", str(out), *settings)
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert not re.search(r"ERROR|Traceback|Deprecat", log), log
    return json_lines(out.read_bytes()), log


def test_a_crawl_with_workers_gives_the_items_of_one_in_process(demo_server, tmp_path):
    inline, inline_log = crawl_demo(demo_server, tmp_path / "inline.jsonl",
                                    "-s", "DOCSPIDER_SEGMENT_WORKERS=0")
    pooled, pooled_log = crawl_demo(demo_server, tmp_path / "pooled.jsonl",
                                    "-s", "DOCSPIDER_SEGMENT_WORKERS=2")
    assert stat(inline_log, "docspider/segment_workers") is None
    assert stat(pooled_log, "docspider/segment_workers") == 2
    assert len(inline) == DEMO_DOCUMENTS
    assert comparable(pooled) == comparable(inline)


def test_reparse_with_jobs_writes_the_same_lines_in_the_same_order(demo_server, tmp_path):
    archive = tmp_path / "warc"
    crawl_demo(demo_server, tmp_path / "crawl.jsonl", "-s", f"DOCSPIDER_ARCHIVE_DIR={archive}")
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"reparse-{jobs}.jsonl"
        proc = run_scrapy("reparse", *map(str, sorted(archive.iterdir())), "--jobs", jobs,
                          "-O", str(out), "-s", "STATS_DUMP=True")
        log = proc.stderr.decode()
        assert proc.returncode == 0, log
        assert stat(log, "docspider/segment_workers") == (2 if jobs == "2" else None)
        outputs.append(out.read_bytes())
    assert len(json_lines(outputs[0])) == DEMO_DOCUMENTS
    assert outputs[1] == outputs[0]


def test_segment_with_jobs_writes_the_same_lines_errors_and_status(tmp_path):
    wall = tmp_path / "wall.html"
    wall.write_text("<html><head><title>安全验证</title></head><body><h1>请完成安全验证</h1>"
                    "<p>拖动滑块完成拼图</p></body></html>", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    no_pages = tmp_path / "no-pages"
    no_pages.mkdir()
    pages = sorted(str(p) for p in SITE.rglob("*.html"))
    paths = [*pages[:4], str(wall), str(empty), str(tmp_path / "missing.html"), str(no_pages),
             *pages[4:]]
    runs = [run_scrapy("segment", "--jobs", jobs, *paths) for jobs in ("1", "3")]
    assert runs[0].returncode == runs[1].returncode == 1
    assert len(json_lines(runs[0].stdout)) > 4
    assert runs[1].stdout == runs[0].stdout
    assert runs[1].stderr == runs[0].stderr
    assert len(runs[0].stderr.decode().splitlines()) == 4


def test_a_segment_worker_killed_mid_run_fails_only_the_files_it_held(tmp_path):
    """`scrapy segment` hands its workers (forks of itself) batches of files: one killed mid-run
    fails the files it held, each with a line on stderr and exit status 1; every other file
    still gets its line."""
    folder = tmp_path / "pages"
    folder.mkdir()
    paths = [folder / f"{i:04d}.html" for i in range(3000)]
    for path in paths:
        shutil.copyfile(RENRENDOC_PAGE, path)
    out = tmp_path / "items.jsonl"
    with (tmp_path / "stderr.txt").open("w+b") as err:
        proc = subprocess.Popen(scrapy_command("segment", str(folder), "--jobs", "2", "-O",
                                               str(out)),
                                cwd=ROOT, env=scrapy_env(None), stdout=subprocess.DEVNULL,
                                stderr=err)
        wait_for_lines(tmp_path, ".segment-*.jsonl.part", 16)
        os.kill(children(proc.pid)[0], signal.SIGKILL)
        assert proc.wait(timeout=180) == 1
        err.seek(0)
        errors = err.read().decode().splitlines()
    assert errors and all("internal error (WorkerDied: " in line for line in errors), errors
    failed = {line.split(": ")[1] for line in errors}
    written = {item["source"] for item in json_lines(out.read_bytes())}
    assert len(failed) == len(errors) <= 4 * 8      # the batches one worker holds at most
    assert not failed & written and failed | written == {str(path) for path in paths}


def children(pid: int) -> list[int]:
    return [int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_jobs_and_workers_must_be_counts(tmp_path):
    proc = run_scrapy("segment", "--jobs", "0", str(RENRENDOC_PAGE))
    assert proc.returncode == 2 and b"--jobs: must be 1 or more, not 0" in proc.stderr
    proc = crawl("renrendoc", "-a", "urls=http://127.0.0.1:9/paper/1.html",
                 "-s", "DOCSPIDER_SEGMENT_WORKERS=many")
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines()[-1] == (
        "crawl renrendoc: DOCSPIDER_SEGMENT_WORKERS: not a whole number: 'many'")


def test_a_worker_that_dies_fails_its_page_and_the_pool_goes_on():
    async def calls():
        pool = SegmentPool(1)
        try:
            with pytest.raises(WorkerDied):
                await pool.in_order(os._exit, 3)
            result, done = await pool.in_order(len, "页面")
            done()
            return result, [SegmentPool.result(f) for _v, f in pool.ordered(len, ["a", "bb"])]
        finally:
            pool.close()
    assert asyncio.run(calls()) == (2, [1, 2])


class Unrebuildable(Exception):
    def __init__(self, first, second):      # pickles, but cannot be unpickled
        super().__init__(first)


def raise_unrebuildable(value):
    raise Unrebuildable(value, value)


def test_calls_bigger_than_a_pipe_and_errors_that_cannot_be_rebuilt_come_back():
    big = "页" * 2_000_000             # 6 MB a call: many times what a pipe holds
    async def calls():
        pool = SegmentPool(2)
        try:
            results = []
            for task in [asyncio.ensure_future(pool.in_order(len, big)) for _ in range(3)]:
                result, done = await task          # all three are in flight at once
                results.append(result)
                done()
            waited = [SegmentPool.result(call) for call in [pool.submit(len, big) for _ in "ab"]]
            with pytest.raises(RuntimeError, match="Unrebuildable.*not picklable"):
                SegmentPool.result(pool.submit(raise_unrebuildable, "x"))
            with pytest.raises(ValueError, match="invalid literal"):
                await pool.in_order(int, "页")
            return results, waited
        finally:
            pool.close()
    assert asyncio.run(calls()) == ([2_000_000] * 3, [2_000_000] * 2)


def worker_pids(pid: int) -> list[int]:
    """The segmentation workers of crawl `pid`: the children of its fork server."""
    children: dict[int, list[int]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat_file.parent.name))
    return [w for server in children.get(pid, []) for w in children.get(server, [])]


def test_killing_the_workers_mid_crawl_loses_no_document(demo_server, tmp_path):
    """SIGKILL every worker once the first documents are out: the crawl goes on with a new
    pool; a page a worker held fails (kept in the frontier) and the next run emits it."""
    settings = ("-a", f"base_url={demo_server.url}", "-s", "DOCSPIDER_SEGMENT_WORKERS=2",
                "-s", "DOWNLOAD_DELAY=0.1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4",
                "-s", "STATS_DUMP=True")
    proc = start_crawl(tmp_path, "renrendoc", *settings)
    wait_for_lines(tmp_path / "output" / "renrendoc", "*.part", 3)
    killed = 0
    for pid in worker_pids(proc.pid):
        with contextlib.suppress(ProcessLookupError):       # one may have just ended
            os.kill(pid, signal.SIGKILL)
            killed += 1
    assert killed
    log = finish(proc)
    assert re.search(r"ERROR|Traceback", log) is None, log
    failed = stat(log, "docspider/failed/worker_died") or 0
    assert proc.returncode == (1 if failed else 0), log
    time.sleep(0.1)
    second = finish(start_crawl(tmp_path, "renrendoc", *settings))
    assert stat(second, "docspider/resumed/documents") == (failed or None), second
    items = [item for feed in sorted((tmp_path / "output" / "renrendoc").glob("*.jsonl"))
             for item in json_lines(feed.read_bytes())]
    urls = [item["url"] for item in items]
    assert len(urls) == len(set(urls)) == DEMO_DOCUMENTS


def test_the_workers_of_a_killed_crawl_end_with_it(demo_server, tmp_path):
    proc = start_crawl(tmp_path, "renrendoc", "-a", f"base_url={demo_server.url}",
                       "-s", "DOCSPIDER_SEGMENT_WORKERS=2", "-s", "DOWNLOAD_DELAY=0.2")
    wait_for_lines(tmp_path / "output" / "renrendoc", "*.part", 1)
    workers = worker_pids(proc.pid)
    assert workers
    proc.kill()
    finish(proc)
    deadline = time.monotonic() + 30
    while (alive := [pid for pid in workers if Path(f"/proc/{pid}").exists()
                     and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]]) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive == []
