"""`scrapy report`: the HTML report of real run records (two `scrapy demo` runs) and of copies
of them made hostile, drifted, still running or nearly empty; its usage errors; and the page
in headless Chromium (a screenshot that is not blank, no console message)."""
from __future__ import annotations

import copy
import html
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from docspider.report import rate_steps

from conftest import run_scrapy

ENV = {"SCRAPY_SETTINGS_MODULE": "docspider.settings"}
HOSTILE = "<script>alert(1)</script>"
# No network for the browser: any http(s) request would go to a closed local port.
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-extensions", "--proxy-server=127.0.0.1:9",
                  "--enable-logging=stderr", "--v=0")


def report(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run_scrapy("report", *args, cwd=cwd, env=ENV, timeout=60)


@pytest.fixture(scope="module")
def demo_records(tmp_path_factory) -> list[Path]:
    """The run records of two `scrapy demo` runs, the earlier first; progress sampled every
    quarter second so that the chart has steps."""
    work = tmp_path_factory.mktemp("demo")
    for _run in range(2):
        proc = run_scrapy("demo", "-s", "DOCSPIDER_PROGRESS_INTERVAL=0.25", cwd=work, env=ENV)
        assert proc.returncode == 0, proc.stderr.decode()
    records = sorted(work.glob("output/demo/runs/**/*.json"), key=lambda p: read(p)["started_at"])
    assert len(records) == 2
    return records


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write(folder: Path, record: dict) -> Path:
    path = folder / f"{len(list(folder.glob('*.json')))}.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


def later(record: dict, minutes: int, run_id: str, **changes) -> dict:
    """A copy of `record` that started `minutes` after it, with `changes`."""
    started = datetime.fromisoformat(record["started_at"]) + timedelta(minutes=minutes)
    return copy.deepcopy(record) | {"run_id": run_id, "started_at": started.isoformat()} | changes


@pytest.fixture(scope="module")
def crafted(demo_records, tmp_path_factory) -> dict[str, Path]:
    """In one folder: the two demo records (the baseline), then copies of the later one:
    drifted (empty excerpts, short ones, a failed monitor, a hostile skip reason and site),
    still running (no counts, sites or progress), and one that fetched nothing (one progress
    sample, no site)."""
    folder = tmp_path_factory.mktemp("crafted")
    first, second = (read(path) for path in demo_records)
    paths = {"first": write(folder, first), "second": write(folder, second)}
    site, figures = next(iter(second["sites"].items()))
    drifted = later(second, 1, 'drifted-<b>&"', sites={
        site: figures | {"empty_excerpt_share": 0.9, "mean_excerpt_chars": 10},
        f"<img src=x onerror=alert(1)>{site}": figures})
    drifted["counts"]["skipped"] = {HOSTILE: 3}
    drifted["monitors"] = second["monitors"] + [
        {"monitor": "Template drift/quality figures", "status": "FAIL", "reason": HOSTILE}]
    paths["drifted"] = write(folder, drifted)
    running = later(second, 2, "running-<i>", status="running", finished_at=None,
                    elapsed_seconds=None, finish_reason=None, exit_status=None)
    for part in ("counts", "sites", "monitors", "progress", "stats"):
        del running[part]
    paths["running"] = write(folder, running)
    paths["nothing"] = write(folder, later(second, 3, "nothing-fetched", exit_status=3, sites={},
                                           progress=second["progress"][-1:]))
    return paths


def sections(page: str) -> dict[str, str]:
    """Each run's part of the page by run id (as escaped on the page)."""
    parts = page.split('<article class="run"')[1:]
    return {re.search(r'· (.*?) <span class="badge', part).group(1): part for part in parts}


def test_report_of_demo_runs(demo_records, tmp_path):
    proc = report(tmp_path, *map(str, demo_records), "-o", "out/report.html")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().strip() == "out/report.html"
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    runs = sections(page)
    for path in demo_records:
        record = read(path)
        part = runs[record["run_id"]]
        counts = record["counts"]
        assert f"<b>{counts['items']:,}</b>items" in part
        assert f"<b>{counts['pages_fetched']:,}</b>pages fetched" in part
        assert f"<title>200: {counts['status_codes']['200']:,}</title>" in part
        assert part.count("<svg") == 2 and 'class="line"' in part
        for outcome in record["monitors"]:
            assert html.escape(outcome["monitor"]) in part
    # the later run is judged against the earlier one beside it
    assert "(1 found beside this record)" in runs[read(demo_records[1])["run_id"]]
    assert "(0 found beside this record)" in runs[read(demo_records[0])["run_id"]]
    assert "▲ worse" not in page
    assert_self_contained(page)


def assert_self_contained(page: str) -> None:
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?//""", page, re.I)
    assert not re.search(r"<script|<link|<iframe|<img|@import|url\(", page, re.I)


def test_default_input_is_each_spiders_latest_record(demo_records, tmp_path):
    proc = report(tmp_path, "-s", f"DOCSPIDER_RUNS_DIR={demo_records[0].parent}")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().strip() == "output/report.html"
    page = (tmp_path / "output" / "report.html").read_text(encoding="utf-8")
    earlier, latest = (read(path)["run_id"] for path in demo_records)
    assert latest in page and earlier not in page


def test_escaping_drift_running_and_empty_records(crafted, tmp_path):
    proc = report(tmp_path, *map(str, crafted.values()), "-o", "report.html")
    assert proc.returncode == 0, proc.stderr.decode()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert_self_contained(page)                 # the hostile texts came out as text
    assert html.escape(HOSTILE) in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    runs = sections(page)
    assert set(runs) == {html.escape(read(path)["run_id"]) for path in crafted.values()}
    drifted = runs[html.escape('drifted-<b>&"')]
    assert drifted.count("▲ worse") == 2       # empty excerpts up, excerpt length down
    assert re.search(r'<tr class="bad"><td><span class="badge mFAIL">FAIL</span>', drifted)
    assert "(2 found beside this record)" in drifted
    assert "▲ worse" not in page.replace(drifted, "")
    running = runs[html.escape("running-<i>")]
    assert '<span class="badge running">running</span>' in running
    assert "No end recorded" in running and "No progress samples." in running
    nothing = runs["nothing-fetched"]
    assert "3: nothing fetched" in nothing and "No site figures." in nothing
    assert nothing.count("<svg") == 2           # one progress sample is one step


@pytest.mark.parametrize("content", [None, "{not json", '["a list"]', '{"run_id": "x"}'],
                         ids=["missing", "not_json", "not_an_object", "not_a_record"])
def test_usage_error_is_one_line_and_status_2(tmp_path, content):
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    proc = report(tmp_path, str(path))
    assert proc.returncode == 2
    assert re.fullmatch(rf"report: {re.escape(str(path))}: [^\n]+\n", proc.stderr.decode())
    assert not (tmp_path / "output" / "report.html").exists()


def test_no_record_in_runs_dir_is_a_usage_error(tmp_path):
    proc = report(tmp_path, "-s", f"DOCSPIDER_RUNS_DIR={tmp_path / 'runs' / '%(name)s'}")
    assert proc.returncode == 2
    assert re.fullmatch(r"report: no run record in [^\n]+\n", proc.stderr.decode())


# -- in a browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed with apt-get when missing and we are root."""
    if found := shutil.which("chromium"):
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and cannot be installed (not root, no apt-get)")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    proc = subprocess.run("apt-get update -qq && apt-get install -y -qq chromium", shell=True,
                          env=env, capture_output=True, timeout=1200)
    if proc.returncode != 0 or not (found := shutil.which("chromium")):
        pytest.skip("cannot install chromium: " + proc.stderr.decode()[-500:])
    return found


def screenshot(chromium: str, page: Path, png: Path) -> list[str]:
    """Render `page` to `png`; the page's console messages (uncaught errors included)."""
    proc = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={png.parent / 'profile'}",
                           f"--screenshot={png}", "--window-size=1200,2000", page.as_uri()],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0 and png.is_file(), proc.stderr.decode()
    return [line for line in proc.stderr.decode(errors="replace").splitlines()
            if ":CONSOLE" in line]


def png_colours(data: bytes) -> tuple[int, float]:
    """Distinct colours and the share of pixels that are not white, over every 4th pixel of
    every 4th row of an 8-bit RGB or RGBA PNG."""
    width, colour, rows = png_rows(data)
    bpp = 3 if colour == 2 else 4
    pixels = [row[i:i + 3] for row in rows[::4] for i in range(0, width * bpp, 4 * bpp)]
    return len(set(pixels)), sum(p != b"\xff\xff\xff" for p in pixels) / len(pixels)


def png_rows(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, colour type, unfiltered rows) of a non-interlaced 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + length])
        elif kind == b"IDAT":
            chunks.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    width, height, depth, colour, _compression, _filter, interlace = header
    assert depth == 8 and colour in (2, 6) and not interlace, header
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(chunks)), width * bpp
    rows, above = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        above = unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), above, bpp)
        rows.append(above)
    return width, colour, rows


def unfilter(kind: int, line: bytearray, above: bytes, bpp: int) -> bytes:
    """One row with its PNG filter (0 none, 1 sub, 2 up, 3 average, 4 Paeth) undone."""
    if kind == 0:
        return bytes(line)
    if kind == 2:
        return bytes((a + b) & 255 for a, b in zip(line, above))
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 255
        elif kind == 3:
            line[i] = (line[i] + (left + above[i]) // 2) & 255
        else:
            corner = above[i - bpp] if i >= bpp else 0
            guess = left + above[i] - corner
            nearest = min((abs(guess - left), 0, left), (abs(guess - above[i]), 1, above[i]),
                          (abs(guess - corner), 2, corner))[2]
            line[i] = (line[i] + nearest) & 255
    return bytes(line)


def test_report_renders_in_chromium(chromium, crafted, demo_records, tmp_path):
    proc = report(tmp_path, *map(str, demo_records), *map(str, crafted.values()),
                  "-o", "report.html")
    assert proc.returncode == 0, proc.stderr.decode()
    assert screenshot(chromium, tmp_path / "report.html", tmp_path / "report.png") == []
    colours, inked = png_colours((tmp_path / "report.png").read_bytes())
    assert colours > 50 and inked > 0.1, (colours, inked)
    # the same checks catch a blank page with a script error
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><title>x</title><script>nosuch()</script>", encoding="utf-8")
    messages = screenshot(chromium, broken, tmp_path / "broken.png")
    assert any("Uncaught ReferenceError" in line for line in messages), messages
    assert png_colours((tmp_path / "broken.png").read_bytes()) == (1, 0.0)


def test_pages_per_minute_between_progress_samples():
    assert rate_steps([]) == [] and rate_steps(None) == []
    assert rate_steps([{"seconds": 2.0, "pages": 10}]) == [(0.0, 2.0, 300.0)]
    # the closing sample, rounded to the time of the one before, replaces it
    assert rate_steps([{"seconds": 1.0, "pages": 5}, {"seconds": 3.0, "pages": 9},
                       {"seconds": 3.0, "pages": 10}]) == [(0.0, 1.0, 300.0), (1.0, 3.0, 150.0)]
