"""The fault matrix: every fault ends with the document in a feed exactly once, or reported as
failed and fetched again by the next run. Real `scrapy crawl` runs against the fault server
(tests/faultsite.py) on 127.0.0.1; docs/reliability.md lists the rows."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from docspider.demo.site import demo_site
from docspider.localserver import LocalServer, Page, PageTable

from conftest import (crawl, finish, json_lines, run_scrapy, scrapy_env, start_crawl, stat,
                      wait_for_lines)
from faultsite import (ACCESS_DENIED, BINARY, CAPTCHA, DOCS, EMPTY, EMPTY_SHELL, FILLER, GARBLED,
                       LOGIN, NOT_FOUND, RESET, UNAVAILABLE, Fault, deep, fault_site, gzip_bomb,
                       recoded, slow, status)

TRANSIENT = [
    Fault("503 once, then the page", (UNAVAILABLE,), "emitted"),
    Fault("500 once, then the page", (status(500),), "emitted"),
    Fault("502 twice, then the page", (status(502), status(502)), "emitted"),
    Fault("504 once, then the page", (status(504),), "emitted"),
    Fault("429 with Retry-After: 1, then the page", (status(429, ("Retry-After", "1")),),
          "emitted"),
    Fault("503 with a Retry-After over the cap, then the page",
          (status(503, ("Retry-After", "3600")),), "emitted"),
    Fault("connection reset once, then the page", (RESET,), "emitted"),
    Fault("no answer within DOWNLOAD_TIMEOUT once, then the page", (slow(UNAVAILABLE, 4),),
          "emitted"),
    Fault("captcha wall (安全验证) once, then the page", (CAPTCHA,), "emitted"),
    Fault("Access Denied page once, then the page", (ACCESS_DENIED,), "emitted"),
    Fault("login wall once, then the page", (LOGIN,), "emitted"),
    Fault("empty 200 body once, then the page", (EMPTY,), "emitted"),
    Fault("empty HTML shell once, then the page", (EMPTY_SHELL,), "emitted"),
    Fault("binary body served as text/html once, then the page", (BINARY,), "emitted"),
    Fault("garbled text once, then the page", (GARBLED,), "emitted"),
    Fault("503, then a captcha, then the page", (UNAVAILABLE, CAPTCHA), "emitted"),
    Fault("503 on every attempt", (UNAVAILABLE,), "failed/http_503", real=False),
    Fault("captcha on every attempt", (CAPTCHA,), "failed/soft_block/captcha", real=False),
    Fault("connection reset on every attempt", (RESET,), "failed/DownloadFailedError",
          real=False),
    Fault("404", (NOT_FOUND,), "skipped/http_404", real=False),
    Fault("gzip body expanding past DOWNLOAD_MAXSIZE", (gzip_bomb(40),), "skipped/too_large",
          real=False),
    Fault("HTML nested deeper than the parser allows", (deep(3000),), "skipped/parse_error",
          real=False),
    Fault("anti-copy filler in the document's place", (FILLER,), "skipped/not_a_document",
          real=False),
]
ENCODED = ["GBK page declared UTF-8 in the header", "GBK page declared UTF-8 in <meta>",
           "UTF-8 page declared GBK in the header"]


def encoded_faults(base: PageTable) -> list[Fault]:
    first = len(TRANSIENT)
    return [Fault(ENCODED[0], (recoded(DOCS[first].path, base, "gbk", "utf-8", "header"),),
                  "emitted", real=False),
            Fault(ENCODED[1], (recoded(DOCS[first + 1].path, base, "gbk", "utf-8", "meta"),),
                  "emitted", real=False),
            Fault(ENCODED[2], (recoded(DOCS[first + 2].path, base, "utf-8", "gbk", "header"),),
                  "emitted", real=False)]


MATRIX = TRANSIENT + encoded_faults(demo_site())
FAST = ("-s", "DOWNLOAD_TIMEOUT=2", "-s", "DOCSPIDER_RETRY_AFTER_MAX=1.5", "-s", "RETRY_TIMES=2")


def crawl_paths(server: LocalServer, paths: list[str], work: Path, name: str, *args: str):
    urls = work / f"{name}.txt"
    urls.write_text("".join(f"{server.url}{p}\n" for p in paths), encoding="utf-8")
    out = work / f"{name}.jsonl"
    proc = crawl("renrendoc", "-a", f"urls=@{urls}", "-O", str(out),
                 "-s", f"DOCSPIDER_STATE={work / 'state.sqlite'}", *FAST, *args)
    return proc, json_lines(out.read_bytes()) if out.exists() else []


@pytest.fixture(scope="module")
def matrix_runs(tmp_path_factory):
    """Run 1 against the faulty site; run 2, same state, against the site healed, given only
    one (known) URL: whatever else it fetches comes from the state store's frontier."""
    work = tmp_path_factory.mktemp("matrix")
    table, paths = fault_site(MATRIX)
    with LocalServer(table, tls=False) as server:
        first, first_items = crawl_paths(server, list(paths.values()), work, "first")
        seen_first = list(server.requests)
        server.table, _ = fault_site(MATRIX, clean=True)
        server.requests.clear()
        second, second_items = crawl_paths(server, [paths[MATRIX[0].name]], work, "second")
        seen_second = list(server.requests)
    return {"paths": paths, "url": server.url, "first": (first, first_items, seen_first),
            "second": (second, second_items, seen_second)}


def by_path(items: list[dict], url: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for item in items:
        found.setdefault(item["url"][len(url):], []).append(item)
    return found


@pytest.mark.parametrize("fault", MATRIX, ids=[f.name for f in MATRIX])
def test_fault_matrix(matrix_runs, fault):
    path, url = matrix_runs["paths"][fault.name], matrix_runs["url"]
    first, first_items, _seen = matrix_runs["first"]
    second, second_items, seen_second = matrix_runs["second"]
    log = first.stderr.decode()
    emitted_first = by_path(first_items, url).get(path, [])
    emitted_second = by_path(second_items, url).get(path, [])
    if fault.outcome == "emitted":
        assert len(emitted_first) == 1, log
        item = emitted_first[0]
        assert item["excerpt"]["text"] and "\ufffd" not in json.dumps(item, ensure_ascii=False)
        assert item["script"] == "simplified" and item["title"]
        assert emitted_second == []                         # known now: not fetched again
        assert path not in {s.target for s in seen_second}
    elif fault.outcome.startswith("failed/"):
        assert emitted_first == []
        assert f"failed {url}{path} after" in log           # a WARNING naming the page
        assert stat(log, f"docspider/{fault.outcome}") >= 1
        assert len(emitted_second) == 1                     # the next run fetches it again
        assert emitted_second[0]["change"] == "new"
    else:
        assert emitted_first == [] and stat(log, f"docspider/{fault.outcome}") >= 1
        assert path not in {s.target for s in seen_second}  # a skip for good: not retried


def test_matrix_runs_exit_status(matrix_runs):
    first, _items, seen = matrix_runs["first"]
    second = matrix_runs["second"][0]
    assert first.returncode == 1, "pages failed after their retries: exit status 1"
    assert second.returncode == 0, second.stderr.decode()
    assert "Traceback" not in first.stderr.decode() + second.stderr.decode()


def test_retry_after_is_honoured_and_capped(matrix_runs):
    paths, (_, _, seen) = matrix_runs["paths"], matrix_runs["first"]
    for name, least, most in (("429 with Retry-After: 1, then the page", 0.95, 10),
                              ("503 with a Retry-After over the cap, then the page", 1.4, 10)):
        times = [s.at for s in seen if s.target == paths[name]]
        assert len(times) == 2 and least <= times[1] - times[0] <= most, (name, times)


def test_soft_blocks_never_reach_feed_or_state(matrix_runs):
    _, first_items, _ = matrix_runs["first"]
    for item in first_items:
        assert "安全验证" not in item["excerpt"]["text"] and "Access Denied" not in (item["title"] or "")


SOFT_BLOCKED_SITE = 40


def test_a_site_serving_503_then_captcha_then_pages(tmp_path):
    """The field case: every page answers 503, then a captcha, then the real page. With one
    retry a page fails in run 1 (never emitted nor recorded); run 2 emits every real page;
    run 3 fetches no document."""
    base = demo_site()
    table = PageTable()
    paths = [f"/paper/{303000000 + n}.html" for n in range(SOFT_BLOCKED_SITE)]
    for n, path in enumerate(paths):
        table.add(path, (UNAVAILABLE, CAPTCHA, base.pages[("", DOCS[n % len(DOCS)].path)]))
    with LocalServer(table, tls=False) as server:
        runs = []
        for n in range(3):
            proc, items = crawl_paths(server, paths, tmp_path, f"run{n}", "-s", "RETRY_TIMES=1")
            runs.append((proc, items, [s for s in server.requests]))
            server.requests.clear()
    (p1, items1, _), (p2, items2, _), (p3, items3, seen3) = runs
    log1 = p1.stderr.decode()
    assert items1 == [] and p1.returncode == 1
    assert stat(log1, "docspider/failed/soft_block/captcha") == SOFT_BLOCKED_SITE
    assert "pages are soft-blocked (captcha); slowing down" in log1
    assert len(items2) == SOFT_BLOCKED_SITE and p2.returncode == 0
    assert sorted(i["url"] for i in items2) == sorted(f"{server.url}{p}" for p in paths)
    assert all("安全验证" not in i["excerpt"]["text"] for i in items2)
    assert items3 == [] and not [s for s in seen3 if s.target.startswith("/paper/")]
    assert stat(p3.stderr.decode(), "docspider/skipped/known") == SOFT_BLOCKED_SITE


def refusal(proc) -> list[str]:
    """The crawl command's own lines (after Scrapy's start-up lines), with no traceback."""
    err = proc.stderr.decode()
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("crawl ")]


# --- one crawl per state store -------------------------------------------------------------

def slow_demo(delay: float = 0.1) -> PageTable:
    table = demo_site()
    for key, page in list(table.pages.items()):
        table.pages[key] = Page(page.body, page.content_type, page.status, delay=delay)
    return table


def start(server: LocalServer, cwd: Path, *args: str) -> subprocess.Popen:
    """`scrapy crawl renrendoc` of the demo site at `server` in `cwd`, in the background."""
    return start_crawl(cwd, "renrendoc", "-a", f"base_url={server.url}",
                       "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", *args)


def feed_items(folder: Path) -> list[dict]:
    assert not list(folder.glob("*.part")), "a .part feed was left"
    return [item for feed in sorted(folder.glob("*.jsonl")) for item in json_lines(feed.read_bytes())]


def test_a_second_crawl_of_the_same_state_refuses_at_once(tmp_path):
    with LocalServer(slow_demo(), tls=False) as server:
        first = start(server, tmp_path)
        wait_for_lines(tmp_path / "output" / "renrendoc", "*.part", 1)
        began = time.monotonic()
        second = subprocess.run(first.args, cwd=tmp_path, env=scrapy_env(
            {"SCRAPY_SETTINGS_MODULE": "docspider.settings"}), capture_output=True, timeout=60)
        refused_in = time.monotonic() - began
        err = finish(first)
    assert first.returncode == 0, err
    assert second.returncode == 2 and refused_in < 10
    assert refusal(second) == [
        f"crawl renrendoc: another crawl holds output/state/renrendoc.sqlite (pid {first.pid})"]
    assert len(feed_items(tmp_path / "output" / "renrendoc")) == len(DOCS)


def test_a_second_crawl_waits_for_the_lock_when_told(tmp_path):
    with LocalServer(slow_demo(0.05), tls=False) as server:
        first = start(server, tmp_path)
        wait_for_lines(tmp_path / "output" / "renrendoc", "*.part", 1)
        second = start(server, tmp_path, "-s", "DOCSPIDER_LOCK_WAIT=120", "-s", "STATS_DUMP=True")
        finish(first)
        err = finish(second)
    assert first.returncode == 0 and second.returncode == 0, err
    # the second ran after the first: everything known, nothing emitted twice
    assert stat(err, "docspider/skipped/known") == len(DOCS)
    items = feed_items(tmp_path / "output" / "renrendoc")
    assert sorted(i["url"] for i in items) == sorted(f"{server.url}{d.path}" for d in DOCS)


def test_a_dead_crawls_lock_is_taken_over(tmp_path):
    with LocalServer(slow_demo(), tls=False) as server:
        first = start(server, tmp_path)
        wait_for_lines(tmp_path / "output" / "renrendoc", "*.part", 3)
        first.kill()
        finish(first)
        second = start(server, tmp_path)
        err = finish(second)
    assert second.returncode == 0, err
    items = feed_items(tmp_path / "output" / "renrendoc")
    assert sorted(i["url"] for i in items) == sorted(f"{server.url}{d.path}" for d in DOCS)


def test_crawls_with_separate_states_never_share_a_file(tmp_path):
    """Two crawls in one folder with two state stores (or none): their feeds and WARC files
    have names of their own, and neither touches the other's open `.part`."""
    with LocalServer(slow_demo(0.05), tls=False) as server:
        first = start(server, tmp_path, "-s", "DOCSPIDER_STATE=output/state/a.sqlite")
        wait_for_lines(tmp_path / "output" / "renrendoc", "*.part", 2)
        second = start(server, tmp_path, "-s", "DOCSPIDER_STATE=")
        for proc in (first, second):
            err = finish(proc)
            assert proc.returncode == 0, err
    feeds = sorted((tmp_path / "output" / "renrendoc").glob("*.jsonl"))
    assert len(feeds) == 2
    for feed in feeds:
        assert sorted(i["url"] for i in json_lines(feed.read_bytes())) == sorted(
            f"{server.url}{d.path}" for d in DOCS)
    warcs = list((tmp_path / "output" / "archive" / "renrendoc").iterdir())
    assert len(warcs) == 2 and all(w.name.endswith(".warc.gz") for w in warcs)


# --- killed, again and again ---------------------------------------------------------------

def test_repeated_kills_lose_and_repeat_nothing(tmp_path):
    """SIGKILL at random moments, four times, then a run to the end: every document is in the
    feeds exactly once, no cut line, no `.part` or `.open` left, every archive pointer reads
    back its record."""
    import random
    from warcio.archiveiterator import ArchiveIterator
    rng = random.Random(9)
    feeds = tmp_path / "output" / "renrendoc"
    with LocalServer(slow_demo(0.08), tls=False) as server:
        for _ in range(4):
            proc = start(server, tmp_path)
            time.sleep(rng.uniform(0.8, 2.5))
            proc.send_signal(signal.SIGKILL)
            finish(proc)
        last = start(server, tmp_path)
        err = finish(last)
    assert last.returncode == 0, err
    items = feed_items(feeds)
    assert sorted(i["url"] for i in items) == sorted(f"{server.url}{d.path}" for d in DOCS)
    archive = tmp_path / "output" / "archive" / "renrendoc"
    assert not list(archive.glob("*.open"))
    for item in items:
        pointer = item["archive"]
        with open(tmp_path / pointer["file"], "rb") as stream:
            stream.seek(pointer["offset"])
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Target-URI") == item["url"]


# --- writes that fail ----------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path, request):
    """A tiny tmpfs, 64 KiB unless the test's `disk_size` mark says otherwise (root only;
    skipped where mounting is not allowed)."""
    mark = request.node.get_closest_marker("disk_size")
    size = mark.args[0] if mark else "64k"
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def demo_run(server: LocalServer, tmp_path: Path, out: Path, *args: str):
    return crawl("renrendoc", "-a", f"base_url={server.url}", "-o", str(out),
                 "-s", f"DOCSPIDER_STATE={tmp_path / 'state.sqlite'}", *args)


def test_a_full_disk_stops_the_crawl_and_loses_nothing(tmp_path, small_disk):
    with LocalServer(demo_site(), tls=False) as server:
        full = demo_run(server, tmp_path, small_disk / "items.jsonl")
        log = full.stderr.decode()
        assert full.returncode == 1
        errors = [line for line in log.splitlines() if "cannot write" in line]
        assert len(errors) == 1 and f"{small_disk}/items.jsonl.part" in errors[0] \
            and "No space left on device" in errors[0]
        written = json_lines((small_disk / "items.jsonl").read_bytes())   # no cut line
        assert 0 < len(written) < len(DOCS)
        rest = demo_run(server, tmp_path, tmp_path / "rest.jsonl")
        assert rest.returncode == 0, rest.stderr.decode()
    later = json_lines((tmp_path / "rest.jsonl").read_bytes())
    urls = [i["url"] for i in written + later]
    assert sorted(urls) == sorted(f"{server.url}{d.path}" for d in DOCS)   # each once


@pytest.mark.disk_size("16k")
def test_a_parquet_feed_cut_by_a_full_disk_is_never_renamed_into_place(tmp_path, small_disk):
    """A Parquet file without its footer is no file a reader can use: it stays a `.part`."""
    out = small_disk / "items.parquet"
    with LocalServer(demo_site(), tls=False) as server:
        full = crawl("renrendoc", "-a", f"base_url={server.url}", "-O", str(out),
                     "-s", "DOCSPIDER_PARQUET_ROW_GROUP_SIZE=2", "-s", "DOCSPIDER_STATE=")
    log = full.stderr.decode()
    assert full.returncode == 1, log
    assert any(f"cannot write {out}.part" in line and "No space left on device" in line
               for line in log.splitlines())
    assert [p.name for p in small_disk.iterdir()] == ["items.parquet.part"]


def test_a_read_only_feed_folder_stops_the_crawl_before_it_records(tmp_path, small_disk):
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with LocalServer(demo_site(), tls=False) as server:
        failed = demo_run(server, tmp_path, small_disk / "items.jsonl")
        log = failed.stderr.decode()
        assert failed.returncode == 1
        assert [line for line in log.splitlines() if "cannot write" in line][0].endswith(
            "Read-only file system; the crawl stops (nothing unwritten is recorded)")
        again = demo_run(server, tmp_path, tmp_path / "items.jsonl")
    assert again.returncode == 0
    assert len(json_lines((tmp_path / "items.jsonl").read_bytes())) == len(DOCS)


@pytest.mark.parametrize("what", [
    pytest.param("archive", marks=pytest.mark.disk_size("48k")),
    pytest.param("state", marks=pytest.mark.disk_size("128k")),   # opens, cannot grow
])
def test_a_full_archive_or_state_disk_stops_the_crawl(tmp_path, small_disk, what):
    setting = {"archive": f"DOCSPIDER_ARCHIVE_DIR={small_disk}",
               "state": f"DOCSPIDER_STATE={small_disk / 'state.sqlite'}"}[what]
    with LocalServer(demo_site(), tls=False) as server:
        out = tmp_path / "items.jsonl"
        proc = crawl("renrendoc", "-a", f"base_url={server.url}", "-o", str(out), "-s", setting)
    log = proc.stderr.decode()
    assert proc.returncode == 1, log
    errors = [line for line in log.splitlines() if "cannot write" in line]
    assert len(errors) == 1 and str(small_disk) in errors[0], log
    assert "Traceback" not in log
    if what == "state":     # nothing recorded that is not in the feed
        db = sqlite3.connect(small_disk / "state.sqlite")
        recorded = {row[0] for row in db.execute("SELECT url FROM documents")}
        db.close()
        assert recorded <= {i["url"] for i in json_lines(out.read_bytes())}


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("value, message", [
    ("@/etc/passwd", "urls: line 1: not an http(s) URL"),
    ("@/proc/self/environ", "urls: /proc/self/environ: binary data, not a list of URLs"),
    ("@/dev/zero", "urls: /dev/zero: not a regular file"),
    ("@/tmp", "urls: /tmp: not a regular file"),
    ("", "urls: no URL given"),
    (" , ", "urls: no URL given"),
    ("http://a.example/1.html,http://bad host/",
     "urls: item 2: not an http(s) URL (spaces or control characters)"),
    ("http://a.example:99999/", "urls: item 1: not a valid URL (bad port)"),
])
def test_bad_url_lists_stop_the_crawl_without_echoing_content(tmp_path, value, message):
    proc = crawl("renrendoc", "-a", f"urls={value}", "-O", str(tmp_path / "x.jsonl"),
                 env={"DOCSPIDER_SECRET": "s3cret-value"})
    err = proc.stderr.decode()
    assert proc.returncode == 2 and refusal(proc) == [f"crawl renrendoc: {message}"]
    assert "root:" not in err and "s3cret" not in err


def test_url_file_bom_comments_and_bad_lines(tmp_path):
    good = tmp_path / "urls.txt"
    good.write_bytes("\ufeffhttp://a.example/1.html  # the first\n# a comment\n\n"
                     "http://a.example/2.html#frag\t# another\n".encode("utf-8"))
    from docspider.spiders.base import parse_urls
    assert parse_urls(f"@{good}") == ["http://a.example/1.html", "http://a.example/2.html#frag"]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"http://a.example/1.html\nhttp://a.example/\xff\xfe.html\n")
    proc = crawl("renrendoc", "-a", f"urls=@{bad}")
    assert proc.returncode == 2
    assert refusal(proc) == [f"crawl renrendoc: urls: {bad}: line 2: not UTF-8"]
    secret = tmp_path / "secret.txt"
    secret.write_text("http://a.example/1.html\npassword=hunter2\n", encoding="utf-8")
    proc = crawl("renrendoc", "-a", f"urls=@{secret}")
    assert refusal(proc) == ["crawl renrendoc: urls: line 2: not an http(s) URL"]
    assert "hunter2" not in proc.stderr.decode()


def test_over_long_urls_are_skipped_and_counted(tmp_path):
    with LocalServer(demo_site(), tls=False) as server:
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{server.url}{DOCS[0].path}\n{server.url}/paper/{'9' * 3000}.html\n",
                        encoding="utf-8")
        out = tmp_path / "items.jsonl"
        proc = crawl("renrendoc", "-a", f"urls=@{urls}", "-O", str(out))
    assert proc.returncode == 0
    assert stat(proc.stderr.decode(), "docspider/skipped/url_too_long") == 1
    assert len(json_lines(out.read_bytes())) == 1


# --- a damaged state store, an unrecoverable feed ------------------------------------------

def damaged_copy(tmp_path: Path, how: str) -> Path:
    state = tmp_path / "state.sqlite"
    if how == "garbage":
        state.write_bytes(b"this is not a database at all\n" * 200)
        return state
    db = sqlite3.connect(state)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("CREATE TABLE documents (url TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, "
               "etag TEXT, last_modified TEXT, content_hash TEXT, links TEXT)")
    db.executemany("INSERT INTO documents VALUES (?, '2026-01-01T00:00:00Z', NULL, NULL, ?, '[]')",
                   [(f"http://a.example/{n}.html", "x" * 200) for n in range(300)])
    db.commit()
    db.close()
    data = bytearray(state.read_bytes())
    data[4096 * 2: 4096 * 3] = bytes(4096)          # one zeroed page
    state.write_bytes(bytes(data))
    return state


@pytest.mark.parametrize("how", ["garbage", "zeroed page"])
def test_a_damaged_state_store_stops_the_crawl_with_one_line(tmp_path, how):
    state = damaged_copy(tmp_path, how)
    proc = crawl("renrendoc", "-a", "urls=http://a.example/1.html", "-s", f"DOCSPIDER_STATE={state}")
    lines = refusal(proc)
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr.decode()
    assert lines[0].startswith(f"crawl renrendoc: the state store {state} is damaged")
    assert lines[0].endswith("move it aside to start afresh (the next crawl then fetches "
                             "every document again)")


def test_a_stopped_crawls_csv_feed_is_not_recovered_but_kept(tmp_path):
    part = tmp_path / "items.csv.part"
    part.write_text("url,title\nhttp://a.example/1.html,cut", encoding="utf-8")
    proc = crawl("renrendoc", "-a", "urls=http://a.example/1.html", "-o", str(tmp_path / "items.csv"))
    assert proc.returncode == 2
    assert refusal(proc) == [(
        f"crawl renrendoc: {part}: a stopped crawl's csv feed cannot be recovered "
        "(only JSON lines feeds can); move it aside")]
    assert part.exists()


# --- politeness ----------------------------------------------------------------------------

def test_default_delay_spaces_requests_to_one_host(tmp_path):
    with LocalServer(demo_site(), tls=False) as server:
        urls = ",".join(f"{server.url}{d.path}" for d in DOCS[:4])
        proc = run_scrapy("crawl", "renrendoc", "-a", f"urls={urls}", "-s", "DOCSPIDER_STATE=",
                          "-s", f"DOCSPIDER_ARCHIVE_DIR={tmp_path}", "-s",
                          "AUTOTHROTTLE_START_DELAY=0", "-O", str(tmp_path / "x.jsonl"))
        times = sorted(s.at for s in server.requests if s.target.startswith("/paper/"))
    assert proc.returncode == 0
    assert len(times) == 4 and min(b - a for a, b in zip(times, times[1:])) >= 0.45
