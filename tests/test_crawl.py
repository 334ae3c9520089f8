"""Real `scrapy crawl` runs against the local fixture server."""
from __future__ import annotations

import subprocess
import sys

import pytest

from docspider.output import schema_errors

from conftest import ROOT, json_lines, run_scrapy


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fixture_server.py")],
                            stdout=subprocess.PIPE, text=True)
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_crawl_urls_writes_valid_items_atomically(server, tmp_path):
    out = tmp_path / "feed" / "items.jsonl"
    proc = run_scrapy("crawl", "renrendoc", "-a", f"urls={server}/paper/301000001.html",
                      "-O", str(out), "-s", "STATS_DUMP=True")
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
    proc = run_scrapy("crawl", "renrendoc", "-a", f"urls=@{urls}", "-a", "follow=1",
                      "-O", str(out), "-s", "STATS_DUMP=True")
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert len(json_lines(out.read_bytes())) == 1
    # the five related links were requested on the same host (the fixture server has none)
    assert "'downloader/response_status_count/404': 5" in log


@pytest.mark.parametrize("arg, message", [
    ("follow=x", "follow: not a whole number"),
    ("follow=-1", "follow: must be 0 or more"),
    ("urls=@/nonexistent/urls.txt", "urls: cannot read"),
    ("urls=ftp://example.org/x", "urls: not an http(s) URL"),
    ("base_url=not a url", "base_url: not an http(s) URL"),
])
def test_bad_arguments_stop_before_the_crawl(tmp_path, arg, message):
    out = tmp_path / "items.jsonl"
    proc = run_scrapy("crawl", "renrendoc", "-a", arg, "-O", str(out))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.decode().splitlines() if line.startswith("crawl ")]
    assert errors == [f"crawl renrendoc: {errors[0].split(': ', 1)[1]}"] and message in errors[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []
