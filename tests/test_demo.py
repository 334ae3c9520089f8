"""`scrapy demo`: the offline demo a newcomer runs first, checked against the demo site's
own source documents (docspider/demo/documents.json)."""
from __future__ import annotations

import json
import math
import re
import unicodedata

from docspider.demo.site import PAGE_CHARS, load_documents
from docspider.output import schema_errors

from conftest import json_lines, run_scrapy


def plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_demo_crawls_the_bundled_site(tmp_path):
    proc = run_scrapy("demo", cwd=tmp_path, env={"SCRAPY_SETTINGS_MODULE": "docspider.settings"})
    log, printed = proc.stderr.decode(), proc.stdout.decode()
    assert proc.returncode == 0, log
    assert not re.search(r"WARNING|ERROR|Deprecat", log + printed), log
    (feed,) = (tmp_path / "output" / "demo").glob("*.jsonl")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.jsonl", feed.name)
    items = {item["doc_id"]: item for item in json_lines(feed.read_bytes())}
    documents = load_documents()
    assert len(items) == len(documents) >= 20          # listed, paged and related-only ones
    for doc in documents:
        item = items[str(doc.id)]
        assert schema_errors(item) == []
        assert item["title"] == doc.title
        assert plain(item["excerpt"]["text"]) == plain(doc.body)
        assert len(item["excerpt"]["pages"]) == math.ceil(len(doc.body) / PAGE_CHARS)
        assert len(item["related"]) == 5 and item["disclaimer"]
        assert item["metadata"]["uploader"] == doc.uploader
    pages = sum(len(i["excerpt"]["pages"]) for i in items.values())
    related = sum(len(i["related"]) for i in items.values())
    assert f"{len(documents)} documents, {pages} excerpt pages, {related} related titles" in printed
    assert f"output: output/demo/{feed.name}" in printed
    # everything under output/demo/, no state store (its URLs change every run), and every
    # path it prints is there
    assert [p.name for p in (tmp_path / "output").iterdir()] == ["demo"]
    assert {p.name for p in (tmp_path / "output" / "demo").iterdir()} == \
        {feed.name, "archive", "runs", "report.html"}
    printed_paths = re.findall(r"\b(output/\S+)", printed)
    assert len(printed_paths) == 4
    for path in printed_paths:
        assert (tmp_path / path).exists(), path
    (record,) = (tmp_path / "output" / "demo" / "runs").rglob("*.json")
    record = json.loads(record.read_text(encoding="utf-8"))
    assert record["command"] == "demo"
    report = (tmp_path / "output" / "demo" / "report.html").read_text(encoding="utf-8")
    assert record["run_id"] in report and "<svg" in report
