"""Quality gate on the development corpus in ../shared (skipped when it is absent).

The renrendoc-family pages are segmented through `scrapy segment`, from their flattened text
and from their HTML, and scored with the project's reference scorer. The floors are the ones
Foundation I promises; a regression below them fails the suite.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from docspider.output import schema_errors

from conftest import json_lines, run_scrapy

FAMILY_PREFIX = "renrendoc-"       # renrendoc-paper, -paper-clone, -p, -p-zip templates


def family_subset(shared_dir, tmp_path):
    dev = shared_dir / "corpus" / "dev"
    subset = tmp_path / "gold"
    subset.mkdir()
    names = []
    for gold in sorted(dev.glob("*.gold.json")):
        if json.loads(gold.read_text("utf-8"))["template"].startswith(FAMILY_PREFIX):
            (subset / gold.name).symlink_to(gold)
            names.append(gold.name[: -len(".gold.json")])
    assert len(names) >= 16
    return dev, subset, names


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_renrendoc_family_scores(shared_dir, tmp_path, suffix):
    dev, subset, names = family_subset(shared_dir, tmp_path)
    out = tmp_path / "items.jsonl"
    proc = run_scrapy("segment", *(str(dev / (n + suffix)) for n in names), "-O", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    items = json_lines(out.read_bytes())
    assert len(items) == len(names)
    assert all(schema_errors(item) == [] for item in items)
    score = subprocess.run(
        [sys.executable, str(shared_dir / "tools" / "score_segmentation.py"), str(subset), str(out),
         "--json", "--min-excerpt-f1", "0.98", "--min-related-f1", "0.98",
         "--min-disclaimer-f1", "0.95", "--max-leak", "0"],
        capture_output=True, text=True)
    assert score.returncode == 0, score.stdout + score.stderr
    rows = [json.loads(line) for line in score.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == len(names)
    assert all(row["joins"] == 1.0 and row["leaks"] == 0 for row in rows), rows
    assert all(row["pages_exact"] == 1.0 for row in rows)
