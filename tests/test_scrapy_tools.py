"""Scrapy's own tools in this project, as real `scrapy` processes: `check` runs every spider's
contract on its fixture page and fails when the parse breaks, `parse --spider NAME URL` prints
the item, `shell -c` and `fetch` look at a page, `bench` runs, `genspider` writes from the
project's template and from Scrapy's own. All traffic goes to servers on 127.0.0.1.

Each command runs in a folder of its own, a project root (scrapy.cfg naming docspider.settings,
tests/fixtures linked in) where a crawl would write output/: none of them writes anything there.
"""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docspider.localserver import LocalServer, Page, PageTable
from docspider.output import schema_errors

from conftest import (FIXTURES, LOCAL_SETTINGS, RENRENDOC_PAGE, ROOT, SITE, run_scrapy,
                      scrapy_env, site_spiders, through)

SAMPLE = "https://www.renrendoc.com/paper/301000001.html"      # renrendoc's sample_url
TITLE = "社区垃圾分类工作实施方案(2024版)"                         # its title


@pytest.fixture
def project(tmp_path) -> Path:
    """A project root using the installed docspider, with the fixtures linked in."""
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "scrapy.cfg").write_text("[settings]\ndefault = docspider.settings\n")
    (root / "tests" / "fixtures").symlink_to(FIXTURES)
    return root


def left_behind(root: Path) -> list[str]:
    """Files in `root` besides the project's own (scrapy.cfg, the fixtures link)."""
    return sorted(str(Path(folder, name).relative_to(root))
                  for folder, _dirs, files in os.walk(root) for name in files
                  if Path(folder, name) != root / "scrapy.cfg")


@pytest.fixture(scope="module")
def replay():
    """The fixture site behind a replay proxy on 127.0.0.1."""
    with LocalServer(PageTable.from_directory(SITE)) as proxy:
        yield proxy


def scraped(stdout: bytes) -> tuple[list[dict], list[str]]:
    """The items and request URLs `scrapy parse --nocolour` printed."""
    text = stdout.decode()
    items = text.split("# Scraped Items ", 1)[1].split("\n", 1)[1].split("# Requests ", 1)[0]
    return ast.literal_eval(items), re.findall(r"<GET (\S+)>", text.split("# Requests ", 1)[1])


def test_check_runs_every_spiders_contract(project):
    proc = run_scrapy("check", "-v", cwd=project)
    out = proc.stderr.decode()
    assert proc.returncode == 0, out
    for name in [*site_spiders(), "docs"]:
        for contract in ("returns", "document"):
            assert f"[{name}] parse_page (@{contract} post-hook) ... ok" in out, out
    assert out.rstrip().endswith("OK")
    assert left_behind(project) == []


def test_check_fails_when_the_parse_breaks(project, tmp_path):
    """renrendoc's sample page without its text fails @document; shareline's, not saved, fails
    as a download error."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(SITE / "www.renrendoc.com", fixtures / "www.renrendoc.com")
    page = fixtures / "www.renrendoc.com" / "paper" / "301000001.html"
    page.write_text(re.sub(r'<div class="pagetxt">.*?</div>\n', "", page.read_text()))
    proc = run_scrapy("check", "--fixtures", str(fixtures), "renrendoc", "shareline",
                      cwd=project)
    out = proc.stderr.decode()
    assert proc.returncode == 1, out
    assert "FAIL: [renrendoc] parse_page (@document post-hook)" in out, out
    assert "ERROR: [shareline] parse_page (errback)" in out, out
    assert "FAILED (failures=1, errors=1)" in out
    assert left_behind(project) == []


@pytest.mark.parametrize("args, site, links", [
    (("--spider", "renrendoc", SAMPLE), "renrendoc", []),
    (("--spider", "renrendoc", "-c", "parse_page", SAMPLE), "renrendoc",
     ["https://www.renrendoc.com/paper/301000002.html"]),         # no urls=: follow=1
    (("--spider", "docs", SAMPLE), "renrendoc", []),
], ids=["own-request", "callback", "docs"])
def test_parse_prints_the_item(project, replay, args, site, links):
    proc = run_scrapy("parse", "--nocolour", *LOCAL_SETTINGS, *args, cwd=project,
                      env=through(replay))
    assert proc.returncode == 0, proc.stderr.decode()
    items, requests = scraped(proc.stdout)
    (item,) = items
    assert schema_errors(item) == []
    assert (item["url"], item["title"], item["site"]) == (SAMPLE, TITLE, site)
    assert item["excerpt"]["text"]
    assert set(links) <= set(requests)
    assert left_behind(project) == []


def test_parse_prints_a_listings_requests(project, replay):
    listing = "https://www.renrendoc.com/renrendoc_v1/MCBookList/published.html"
    proc = run_scrapy("parse", "--nocolour", *LOCAL_SETTINGS, "--spider", "renrendoc", listing,
                      cwd=project, env=through(replay))
    assert proc.returncode == 0, proc.stderr.decode()
    items, requests = scraped(proc.stdout)
    assert items == []
    assert SAMPLE in requests and f"{listing}?page=2" in requests
    assert left_behind(project) == []


@pytest.fixture(scope="module")
def plain_site():
    table = PageTable()
    table.add("/paper/1.html", Page(RENRENDOC_PAGE.read_bytes()))
    with LocalServer(table, tls=False) as server:
        yield server.url


@pytest.mark.parametrize("command", [
    ("shell", "-c", "response.css('h1::text').get()"),
    ("shell", "--spider", "renrendoc", "-c", "(spider.name, response.css('h1::text').get())"),
    ("fetch", "--nolog"),
], ids=["shell", "shell-spider", "fetch"])
def test_looking_at_a_page_leaves_nothing(project, plain_site, command):
    proc = run_scrapy(*command, *LOCAL_SETTINGS, f"{plain_site}/paper/1.html", cwd=project)
    assert proc.returncode == 0, proc.stderr.decode()
    assert TITLE in proc.stdout.decode()
    assert left_behind(project) == []


def test_bench_leaves_nothing(project):
    proc = run_scrapy("bench", "-s", "CLOSESPIDER_TIMEOUT=1", cwd=project, timeout=60)
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert "(closespider_timeout)" in log
    assert re.search(r"'response_received_count': [1-9]", log), log
    assert left_behind(project) == []


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project (its package and scrapy.cfg) in which genspider may write."""
    root = tmp_path / "copy"
    shutil.copytree(ROOT / "docspider", root / "docspider",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "scrapy.cfg", root)
    return root


def test_genspider_templates(project_copy):
    repo_spiders = sorted(p.name for p in (ROOT / "docspider" / "spiders").iterdir())
    listed = run_scrapy("genspider", "--list", cwd=project_copy).stdout.decode().split()
    assert {"docsite", "basic", "crawl", "csvfeed", "xmlfeed"} <= set(listed)

    assert run_scrapy("genspider", "exampledocs", "docs.example.org",
                      cwd=project_copy).returncode == 0
    assert run_scrapy("genspider", "-t", "basic", "plainsite", "plain.example.org",
                      cwd=project_copy).returncode == 0
    spiders = project_copy / "docspider" / "spiders"
    assert "class ExampledocsSpider(DocumentSpider):" in (spiders / "exampledocs.py").read_text()
    assert "class PlainsiteSpider(scrapy.Spider):" in (spiders / "plainsite.py").read_text()
    assert sorted(p.name for p in (ROOT / "docspider" / "spiders").iterdir()) == repo_spiders

    # the generated spider's contract fails until its fixtures are saved, then passes
    site = project_copy / "tests" / "fixtures" / "site" / "docs.example.org"
    (site / "doc").mkdir(parents=True)
    failed = run_scrapy("check", "exampledocs", cwd=project_copy)
    assert failed.returncode == 1 and "[exampledocs] parse_page (errback)" in \
        failed.stderr.decode()
    (site / "doc" / "1.html").write_bytes(RENRENDOC_PAGE.read_bytes())    # its sample_url
    # the page at its first start path, the home page (tests/test_contract.py wants it)
    (site / "%2F").write_text('<html><body><a href="/doc/1.html">文档</a></body></html>')
    passed = run_scrapy("check", "-v", "exampledocs", cwd=project_copy)
    assert passed.returncode == 0, passed.stderr.decode()
    assert "[exampledocs] parse_page (@document post-hook) ... ok" in passed.stderr.decode()
    assert not (project_copy / "output").exists()
    # and the contract test every site spider keeps, run in the copy on its fixtures alone
    for name in ("conftest.py", "faultsite.py", "test_contract.py"):
        shutil.copy(ROOT / "tests" / name, project_copy / "tests" / name)
    contract = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "exampledocs",
         "tests/test_contract.py"], cwd=project_copy, env=scrapy_env(), capture_output=True,
        timeout=300)
    assert contract.returncode == 0, contract.stdout.decode()
    assert re.search(r"\b3 passed", contract.stdout.decode()), contract.stdout.decode()
