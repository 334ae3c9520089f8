"""Operating scheduled crawls: exit statuses, a log without item dumps, the progress line and
the terminal bar, the run record and its list of skipped pages — real crawls of local sites."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from docspider.demo.site import demo_site
from docspider.localserver import LocalServer

from conftest import ROOT, crawl, free_port, json_lines, scrapy_command, scrapy_env, stat
from faultsite import CAPTCHA, NOT_FOUND, UNAVAILABLE, Fault, fault_site

FAULTS = [Fault("missing", (NOT_FOUND,), "skipped/http_404", real=False),
          Fault("down", (UNAVAILABLE,), "failed/http_503", real=False),
          Fault("captcha", (CAPTCHA,), "failed/soft_block", real=False),
          *(Fault(f"fine-{n}", (), "emitted") for n in range(3))]
RETRIES = 1


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((ROOT / "docspider" / "schema" / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def url_file(folder: Path, urls: list[str]) -> Path:
    path = folder / "urls.txt"
    path.write_text("".join(f"{url}\n" for url in urls), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory):
    """A crawl of three good documents, one gone (404), one down (503) and one behind a
    captcha, with a progress line every 0.1 s."""
    work = tmp_path_factory.mktemp("operating")
    table, paths = fault_site(FAULTS)
    with LocalServer(table, tls=False) as server:
        urls = url_file(work, [server.url + path for path in paths.values()])
        proc = crawl("renrendoc", "-a", f"urls=@{urls}", "-O", str(work / "out.jsonl"),
                     "-s", f"DOCSPIDER_RUNS_DIR={work / 'runs'}", "-s", f"RETRY_TIMES={RETRIES}",
                     "-s", "DOCSPIDER_PROGRESS_INTERVAL=0.1")
    (record_file,) = (work / "runs").glob("*.json")
    record = json.loads(record_file.read_text(encoding="utf-8"))
    skipped = json_lines((work / "runs" / record["skipped_file"]).read_bytes())
    return {"proc": proc, "log": proc.stderr.decode(), "record": record, "skipped": skipped,
            "urls": urls, "paths": paths, "base": server.url,
            "items": json_lines((work / "out.jsonl").read_bytes())}


def test_run_record_says_what_the_run_did(faulty_run):
    record = faulty_run["record"]
    assert list(validator("run.schema.json").iter_errors(record)) == []
    assert faulty_run["proc"].returncode == record["exit_status"] == 1   # pages failed
    assert record["status"] == "finished" and record["finish_reason"] == "finished"
    assert record["command"] == "crawl" and record["spider"] == "renrendoc"
    assert record["arguments"] == {"urls": f"@{faulty_run['urls']}"}
    assert record["settings"]["RETRY_TIMES"] == RETRIES
    counts = record["counts"]
    assert counts["items"] == len(faulty_run["items"]) == 3
    assert counts["skipped"] == {"http_404": 1}
    assert counts["failed"]["http_503"] == 1
    assert [k for k in counts["failed"] if k.startswith("soft_block/")] != []
    assert counts["status_codes"]["503"] == 1 + RETRIES
    (site,) = record["sites"].values()
    assert site["items"] == 3 and site["empty_excerpt_share"] == site["no_title_share"] == 0
    # the captcha page, checked on each attempt, and the three good pages
    assert (site["soft_blocked"], site["pages_checked"]) == (1 + RETRIES, 4 + RETRIES)
    assert site["mean_excerpt_chars"] == round(sum(len(i["excerpt"]["text"])
                                                   for i in faulty_run["items"]) / 3, 1)
    assert record["progress"][-1]["items"] == 3 and len(record["progress"]) >= 2
    assert record["stats"]["item_scraped_count"] == 3


def test_skipped_pages_are_listed_with_reason_status_and_attempts(faulty_run):
    check = validator("skipped.schema.json")
    for line in faulty_run["skipped"]:
        assert list(check.iter_errors(line)) == []
    base, paths = faulty_run["base"], faulty_run["paths"]
    found = {line["url"][len(base):]: line for line in faulty_run["skipped"]}
    assert set(found) == {paths["missing"], paths["down"], paths["captcha"]}
    assert (found[paths["missing"]]["outcome"], found[paths["missing"]]["status"],
            found[paths["missing"]]["attempts"]) == ("skipped", 404, None)
    assert (found[paths["down"]]["outcome"], found[paths["down"]]["reason"],
            found[paths["down"]]["status"], found[paths["down"]]["attempts"]) == \
        ("failed", "http_503", 503, 1 + RETRIES)
    assert found[paths["captcha"]]["reason"].startswith("soft_block/")
    assert found[paths["captcha"]]["attempts"] == 1 + RETRIES


def test_log_has_progress_lines_and_no_item_dumps(faulty_run):
    log = faulty_run["log"]
    assert " DEBUG: " not in log                    # INFO by default
    assert "Scraped from" not in log and "'excerpt'" not in log and '"excerpt"' not in log
    progress = [line for line in log.splitlines() if "[docspider.progress] INFO: progress:" in line]
    assert progress and all("pages fetched" in line and "ETA" in line for line in progress)
    assert "page/s" not in log                      # no bar in a log that is not a terminal
    assert "Crawled 0 pages" not in log             # Scrapy's own LogStats line is replaced
    # one WARNING line per problem, naming the page
    warnings = [line for line in log.splitlines() if " WARNING: " in line]
    assert len([w for w in warnings if faulty_run["paths"]["down"] in w]) == 1


def test_items_are_one_debug_line_each(tmp_path):
    with LocalServer(demo_site(), tls=False) as server:
        proc = crawl("renrendoc", "-a", f"base_url={server.url}", "-O", str(tmp_path / "o.jsonl"),
                     "-s", "LOG_LEVEL=DEBUG", "-s", f"DOCSPIDER_RUNS_DIR={tmp_path / 'runs'}")
    log = proc.stderr.decode()
    items = json_lines((tmp_path / "o.jsonl").read_bytes())
    item_urls = re.findall(r"\[scrapy\.core\.scraper\] DEBUG: item (\S+): '.+', \d+ excerpt "
                           r"pages, (?:new|changed|mirror)$", log, re.MULTILINE)
    assert len(item_urls) == len(items) == stat(log, "item_scraped_count") > 0
    assert set(item_urls) == {item["url"] for item in items}
    assert "Scraped from" not in log and "'excerpt'" not in log



def test_nothing_fetched_exits_3(tmp_path):
    urls = url_file(tmp_path, [f"http://127.0.0.1:{free_port()}/paper/1.html"])  # nobody listens
    proc = crawl("renrendoc", "-a", f"urls=@{urls}", "-O", str(tmp_path / "o.jsonl"),
                 "-s", "RETRY_TIMES=0", "-s", f"DOCSPIDER_RUNS_DIR={tmp_path / 'runs'}")
    assert proc.returncode == 3, proc.stderr.decode()
    (record,) = (tmp_path / "runs").glob("*.json")
    assert json.loads(record.read_text(encoding="utf-8"))["exit_status"] == 3


def test_an_unknown_spider_is_one_line_and_exit_2(tmp_path):
    proc = subprocess.run(scrapy_command("crawl", "nosuch"), cwd=ROOT, env=scrapy_env(),
                          capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [
        "crawl nosuch: no such spider (known: 360docs, docplayer, docs, doczj, renrendoc, "
        "shareline, vdocuments, wenkud)"]
    assert not (tmp_path / "output").exists()


def test_a_terminal_gets_a_live_bar(tmp_path):
    """Under a pseudo-terminal of 100 columns, the bar is drawn and the log lines still come."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    with LocalServer(demo_site(), tls=False) as server:
        proc = subprocess.Popen(
            scrapy_command("crawl", "renrendoc", "-a", f"base_url={server.url}",
                           "-O", str(tmp_path / "o.jsonl"), "-s", "DOWNLOAD_DELAY=0",
                           "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "DOCSPIDER_STATE=",
                           "-s", f"DOCSPIDER_ARCHIVE_DIR={tmp_path / 'archive'}",
                           "-s", f"DOCSPIDER_RUNS_DIR={tmp_path / 'runs'}"),
            cwd=ROOT, env=scrapy_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=follower)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:                     # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
        proc.wait(timeout=120)
    os.close(leader)
    text = shown.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert "page/s" in text and "items," in text and "queued" in text
    assert "Spider closed (finished)" in text
