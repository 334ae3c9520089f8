"""The `docspider` console script, run from folders that are not the project: a bare temporary
folder, and another Scrapy project's folder."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MIRROR_TEXT, RENRENDOC_PAGE, json_lines, scrapy_env

DOCSPIDER = Path(sys.executable).with_name("docspider")


def docspider(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(DOCSPIDER), *args], cwd=cwd, env=scrapy_env(),
                          capture_output=True, timeout=300)


@pytest.fixture(params=["bare folder", "another project"])
def elsewhere(request, tmp_path) -> Path:
    if request.param == "another project":
        (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = theirs.settings\n",
                                             encoding="utf-8")
    return tmp_path


def test_segment_takes_folders_and_jobs(elsewhere):
    pages = elsewhere / "pages"
    (pages / "sub").mkdir(parents=True)
    shutil.copy(RENRENDOC_PAGE, pages / "sub" / "page.html")
    shutil.copy(MIRROR_TEXT, pages / "mirror.txt")
    proc = docspider("segment", "pages", "--jobs", "2", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr.decode()
    items = json_lines(proc.stdout)
    assert [i["source"] for i in items] == ["pages/mirror.txt", "pages/sub/page.html"]
    assert all(i["excerpt"]["text"] for i in items)


def test_demo_writes_under_the_current_folder(elsewhere):
    proc = docspider("demo", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr.decode()
    (record,) = (elsewhere / "output" / "demo" / "runs").rglob("*.json")
    assert json.loads(record.read_text(encoding="utf-8"))["exit_status"] == 0


def test_usage():
    shown = docspider("--help", cwd=Path("/"))
    assert shown.returncode == 0 and b"segment" in shown.stdout and b"report" in shown.stdout
    unknown = docspider("crawl", "renrendoc", cwd=Path("/"))
    assert unknown.returncode == 2
    assert unknown.stderr.decode().splitlines()[0] == "docspider: unknown command 'crawl'"
