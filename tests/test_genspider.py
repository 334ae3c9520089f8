"""`scrapy genspider -t docsite NAME DOMAIN` writes a working site spider. It runs in a copy of
the project in a temporary folder, so the repository stays as it is."""
from __future__ import annotations

import importlib.util
import shutil

from docspider.localserver import LocalServer, Page, PageTable
from docspider.output import schema_errors
from docspider.spiders.base import DocumentSpider

from conftest import RENRENDOC_PAGE, ROOT, crawl, json_lines, run_scrapy


def test_genspider_docsite_writes_a_working_spider(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docspider", project / "docspider",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "scrapy.cfg", project)
    repo_spiders = sorted(p.name for p in (ROOT / "docspider" / "spiders").iterdir())

    proc = run_scrapy("genspider", "-t", "docsite", "examplewiki", "wiki.example.org",
                      cwd=project)
    assert proc.returncode == 0, proc.stderr.decode()
    generated = project / "docspider" / "spiders" / "examplewiki.py"
    assert generated.is_file(), proc.stdout.decode()
    assert sorted(p.name for p in (ROOT / "docspider" / "spiders").iterdir()) == repo_spiders

    spec = importlib.util.spec_from_file_location("generated_examplewiki", generated)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    spider = module.ExamplewikiSpider
    assert issubclass(spider, DocumentSpider) and spider.name == "examplewiki"
    assert spider.profile.name == "examplewiki"
    assert spider.profile.domains == ("wiki.example.org",)
    assert "docs/adding-a-site.md" in module.__doc__ and "tests/test_contract.py" in module.__doc__

    listed = run_scrapy("list", cwd=project)
    assert "examplewiki" in listed.stdout.decode().split()

    table = PageTable()
    table.add("/doc/1.html", Page(RENRENDOC_PAGE.read_bytes()))
    out = tmp_path / "items.jsonl"
    with LocalServer(table, tls=False) as server:
        proc = crawl("examplewiki", "-a", f"urls={server.url}/doc/1.html", "-O", str(out),
                     cwd=project)
    assert proc.returncode == 0, proc.stderr.decode()
    (item,) = json_lines(out.read_bytes())
    assert schema_errors(item) == [] and item["excerpt"]["text"]
