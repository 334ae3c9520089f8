"""What run records say about sites, and what earlier records say (pure: no Scrapy).

`site_figures` turns a crawl's stats into the run record's per-site figures; `earlier_runs`
reads the finished records of a folder; `site_baseline` and `drifted` judge a site's figures
against its own earlier runs — the Template drift monitor (docspider.monitors) and the report
(docspider.report) both judge with them.
"""
from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

EXCERPT_CHARS = "mean_excerpt_chars"    # the site figure that drifts when it falls


def site_figures(stats: dict) -> dict[str, dict]:
    """Per site: items and the quality figures a template change moves."""
    sites: dict[str, dict] = {}
    for key, count in stats.items():
        if key.startswith("docspider/items/"):
            sites.setdefault(key[len("docspider/items/"):], {})["items"] = count
        elif key.startswith("docspider/sites/"):
            site, _, figure = key[len("docspider/sites/"):].rpartition("/")
            sites.setdefault(site, {})[figure] = count
    for counts in sites.values():
        items = counts.setdefault("items", 0)
        for figure in ("empty_excerpt", "no_title", "no_disclaimer"):
            counts[f"{figure}_share"] = round(counts.get(figure, 0) / items, 4) if items else None
        counts["mean_excerpt_chars"] = round(counts.get("excerpt_chars", 0) / items, 1) \
            if items else None
        parsed = counts.get("documents_parsed", 0)
        counts["furniture_share"] = round(counts.get("furniture", 0) / parsed, 4) \
            if parsed else None
        checked = counts.get("pages_checked", 0)
        counts["soft_block_rate"] = round(counts.get("soft_blocked", 0) / checked, 4) \
            if checked else None
    return dict(sorted(sites.items()))


def is_number(value) -> bool:
    """A finite int or float, not a bool: a figure a record may hold."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def site_baseline(earlier: list[dict], site: str, runs: int, least_items: int = 0
                  ) -> dict[str, float]:
    """A site's baseline: per figure, the median over the latest `runs` of the `earlier`
    records (latest first) in which the site had at least `least_items` items. A record with
    no excerpt text gives no excerpt-length baseline. Records of any shape are read: what is
    not a figure is left out."""
    having = []
    for record in earlier:
        sites = record.get("sites") if isinstance(record, dict) else None
        figures = sites.get(site) if isinstance(sites, dict) else None
        if not (isinstance(figures, dict) and figures):
            continue
        items = figures.get("items")
        if (items if is_number(items) else 0) >= least_items:
            having.append(figures)
            if len(having) == runs:
                break
    baseline = {}
    for figure in sorted({name for figures in having for name in figures}):
        values = [f[figure] for f in having
                  if is_number(f.get(figure)) and (f[figure] or figure != EXCERPT_CHARS)]
        if values:
            baseline[figure] = statistics.median(values)
    return baseline


def drifted(figure: str, value, baseline, share_rise: float, excerpt_ratio: float) -> bool:
    """Whether a site's `figure` is worse than its `baseline` by more than the thresholds: its
    mean excerpt length below `excerpt_ratio` of it, a share or rate more than `share_rise`
    above it. The Template drift monitor and the report judge with this."""
    if not (is_number(value) and is_number(baseline)):
        return False
    if figure == EXCERPT_CHARS:
        return value < excerpt_ratio * baseline
    return value > baseline + share_rise


def earlier_runs(folder: Path, run_id: str) -> list[dict]:
    """The finished run records in `folder` other than `run_id`'s, the latest first. A file
    that is not a readable record is left out."""
    runs = []
    for path in folder.glob("*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("status") == "finished" and \
                record.get("run_id") != run_id:
            runs.append(record)
    return sorted(runs, key=lambda run: run.get("started_at") or "", reverse=True)
