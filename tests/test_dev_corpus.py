"""Quality gate on the development corpus in ../shared (skipped when it is absent).

The renrendoc-family pages are segmented through `scrapy segment`, from their flattened text
and from their HTML, and scored with the project's reference scorer; the floors are the ones
Foundation I promises. Then the same pages are served at their real URLs by a local replay proxy
and crawled through `http_proxy` by the `docs` router: the crawl must score exactly as
`scrapy segment` did on the files.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from docspider.localserver import LocalServer, Page, PageTable
from docspider.output import schema_errors

from conftest import json_lines, run_scrapy

FAMILY_PREFIX = "renrendoc-"       # renrendoc-paper, -paper-clone, -p, -p-zip templates
FLOORS = ["--min-excerpt-f1", "0.98", "--min-related-f1", "0.98",
          "--min-disclaimer-f1", "0.95", "--max-leak", "0"]


def family_subset(shared_dir, tmp_path) -> tuple:
    dev = shared_dir / "corpus" / "dev"
    subset = tmp_path / "gold"
    subset.mkdir()
    golds = {}
    for gold in sorted(dev.glob("*.gold.json")):
        label = json.loads(gold.read_text("utf-8"))
        if label["template"].startswith(FAMILY_PREFIX):
            (subset / gold.name).symlink_to(gold)
            golds[gold.name[: -len(".gold.json")]] = label
    assert len(golds) >= 16
    return dev, subset, golds


def scores(shared_dir, subset, feed, floors=FLOORS) -> dict[str, dict]:
    score = subprocess.run(
        [sys.executable, str(shared_dir / "tools" / "score_segmentation.py"), str(subset),
         str(feed), "--json", *floors], capture_output=True, text=True)
    assert score.returncode == 0, score.stdout + score.stderr
    rows = [json.loads(line) for line in score.stdout.splitlines() if line.startswith("{")]
    return {row.pop("page"): row for row in rows}


def segment(dev, names, suffix, out):
    proc = run_scrapy("segment", *(str(dev / (n + suffix)) for n in names), "-O", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    items = json_lines(out.read_bytes())
    assert len(items) == len(names)
    assert all(schema_errors(item) == [] for item in items)


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_renrendoc_family_scores(shared_dir, tmp_path, suffix):
    dev, subset, golds = family_subset(shared_dir, tmp_path)
    out = tmp_path / "items.jsonl"
    segment(dev, golds, suffix, out)
    rows = scores(shared_dir, subset, out)
    assert len(rows) == len(golds)
    assert all(row["joins"] == 1.0 and row["leaks"] == 0 for row in rows.values()), rows
    assert all(row["pages_exact"] == 1.0 for row in rows.values())


def test_crawl_at_real_urls_scores_like_segment(shared_dir, tmp_path):
    dev, subset, golds = family_subset(shared_dir, tmp_path)
    segmented = tmp_path / "segmented.jsonl"
    segment(dev, golds, ".html", segmented)

    table = PageTable()
    for name, label in golds.items():
        table.add(label["url"], Page((dev / f"{name}.html").read_bytes(),
                                     label.get("http_content_type") or "text/html"))
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(label["url"] + "\n" for label in golds.values()), encoding="utf-8")
    crawled = tmp_path / "crawled.jsonl"
    with LocalServer(table) as server:
        proc = run_scrapy("crawl", "docs", "-a", f"urls=@{urls}", "-O", str(crawled),
                          "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "STATS_DUMP=True",
                          env={"http_proxy": server.url, "https_proxy": server.url})
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert "WARNING" not in log and "ERROR" not in log, log
    assert f"'docspider/routed/renrendoc': {len(golds)}" in log
    fetched = {seen.target for seen in server.requests}
    assert {label["url"].split("://", 1)[1] for label in golds.values()} <= fetched
    items = json_lines(crawled.read_bytes())
    assert sorted(item["url"] for item in items) == sorted(label["url"] for label in golds.values())
    assert scores(shared_dir, subset, crawled, floors=[]) == scores(shared_dir, subset, segmented)
