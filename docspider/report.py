"""The run report: run records (docspider.runrecord) as one self-contained HTML page.

`scrapy report` (docspider.commands.report) writes it. For each run: when and where it ran, its
exit status and what that means, pages per minute over time (from the progress samples),
responses per status, skip and failure reasons, change marks, the per-site quality figures
against the site's baseline — the median of its latest earlier finished runs in the same
folder, as the monitors judge them (docspider.monitors) — and the monitor outcomes. Several
records of one spider (the workers of one crawl, or runs to compare) are listed together.

Plain Python, no Scrapy. The page has no script and loads nothing: inline CSS, and charts as
inline SVG drawn here. Everything taken from a record is escaped.
"""
from __future__ import annotations

import glob
import html
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from docspider.crawlstats import run_counts
from docspider.runfigures import (EXCERPT_CHARS, drifted, earlier_runs, is_number,
                                  site_baseline, site_figures)

REQUIRED = ("run_id", "spider", "status", "started_at")
EXIT_MEANINGS = {
    0: "ok",
    1: "failed: pages failed after their retries, a monitor failed or a write failed",
    3: "nothing fetched: every request ended in a network error or an error status",
}
FAILED_MONITOR = ("FAIL", "ERROR")
#: the figures where a rise is worse (mean_excerpt_chars is worse when it falls)
SHARES = ("empty_excerpt_share", "no_title_share", "no_disclaimer_share", "furniture_share",
          "soft_block_rate")


class RecordError(ValueError):
    """No run record to report on, or a file that is not a readable run record."""


@dataclass(frozen=True)
class Thresholds:
    """When a quality figure is worse than its baseline: the Template drift monitor's settings
    (DOCSPIDER_MONITOR_MAX_SHARE_RISE, …_MIN_EXCERPT_RATIO, …_BASELINE_RUNS)."""
    share_rise: float = 0.2
    excerpt_ratio: float = 0.5
    baseline_runs: int = 5

    @classmethod
    def from_settings(cls, settings) -> Thresholds:
        """From a Scrapy settings object (or anything with getfloat and getint)."""
        return cls(settings.getfloat("DOCSPIDER_MONITOR_MAX_SHARE_RISE"),
                   settings.getfloat("DOCSPIDER_MONITOR_MIN_EXCERPT_RATIO"),
                   settings.getint("DOCSPIDER_MONITOR_BASELINE_RUNS"))


@dataclass
class Run:
    path: Path
    record: dict
    #: the finished records of its spider beside it that started before it, the latest first
    earlier: list[dict] = field(default_factory=list)


# -- reading records --------------------------------------------------------------------------

def read_record(path: Path) -> dict:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise RecordError(f"{path}: not JSON ({exc})") from None
    if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in REQUIRED):
        raise RecordError(f"{path}: not a run record (no {', '.join(REQUIRED)})")
    return record


def _records(paths: Iterable[Path]) -> list[tuple[Path, dict]]:
    """The readable run records among `paths`; the others are left out."""
    found = []
    for path in paths:
        try:
            found.append((path, read_record(path)))
        except RecordError:
            continue
    return found


def latest_records(runs_dir: str) -> list[Path]:
    """The latest record (by start) of every spider in DOCSPIDER_RUNS_DIR, `%(name)s` standing
    for any spider, with the records of the other workers when it is a distributed crawl's."""
    pattern = str(Path(glob.escape(runs_dir) % {"name": "*"}) / "*.json")
    latest: dict[str, tuple[str, Path]] = {}
    records = dict(_records(map(Path, sorted(glob.glob(pattern)))))
    for path, record in records.items():
        spider, started = record["spider"], record["started_at"]
        if spider not in latest or started > latest[spider][0]:
            latest[spider] = (started, path)
    if not latest:
        raise RecordError(f"no run record in {runs_dir % {'name': '*'}}")
    chosen = []
    for _started, path in sorted(latest.values()):
        chosen.append(path)
        if (crawl := crawl_id(records[path])) is not None:    # and the crawl's other workers
            chosen += [other for other, record in records.items() if other != path
                       and crawl_id(record) == crawl and record["spider"] == records[path]["spider"]]
    return chosen


def crawl_id(record: dict) -> str | None:
    """The distributed crawl a record's run was a worker of (None: a crawl of one process)."""
    crawl = record.get("crawl")
    return crawl.get("id") if isinstance(crawl, dict) else None


def load_runs(paths: list[Path]) -> list[Run]:
    """The records at `paths`, each with the earlier records of its spider beside it; the
    records of one distributed crawl's workers merged into one (`merge_workers`)."""
    runs = [Run(path, read_record(path)) for path in paths]
    if not runs:
        raise RecordError("no run record given")
    beside: dict[Path, list[dict]] = {}         # a folder's finished records, latest first
    for run in runs:
        folder = run.path.parent
        if folder not in beside:
            beside[folder] = earlier_runs(folder, run_id="")
        run.earlier = [other for other in beside[folder]
                       if other.get("spider") == run.record["spider"]
                       and (other.get("started_at") or "") < run.record["started_at"]]
    return merge_workers(runs)


def merge_workers(runs: list[Run]) -> list[Run]:
    """Runs with the records of each distributed crawl's workers merged into one run, in the
    place of its first worker."""
    order: list[Run | tuple[str, str]] = []
    crawls: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        if (crawl := crawl_id(run.record)) is None:
            order.append(run)
            continue
        key = (run.record["spider"], crawl)
        if key not in crawls:
            crawls[key] = []
            order.append(key)
        crawls[key].append(run)
    return [entry if isinstance(entry, Run) else merged_run(crawls[entry]) for entry in order]


def merged_run(workers: list[Run]) -> Run:
    """One run of a distributed crawl's workers: their stats summed, the counts and per-site
    figures computed from the sum as a worker computes its own; started with the first,
    finished with the last (running while one is); the monitors of every worker."""
    if len(workers) == 1:
        return workers[0]
    records = [run.record for run in workers]
    stats: dict = {}
    for record in records:
        for key, value in _part(record, "stats").items():
            if is_number(value) and is_number(stats.get(key, 0)):
                stats[key] = stats.get(key, 0) + value
            else:
                stats.setdefault(key, value)
    running = any(r.get("status") != "finished" for r in records)
    started = min(r["started_at"] for r in records)
    finished = None if running else max(r.get("finished_at") or "" for r in records)
    reasons = sorted({str(r.get("finish_reason")) for r in records})
    codes = {r.get("exit_status") for r in records}
    first = records[0]
    record = {
        **first,
        "run_id": f"crawl {crawl_id(first)}",
        "host": ", ".join(sorted({str(r.get("host")) for r in records})),
        "pid": None,
        "workers": [r["run_id"] for r in records],
        "job": ", ".join(r["job"] for r in records if r.get("job")) or None,
        "status": "running" if running else "finished",
        "started_at": started,
        "finished_at": finished,
        "elapsed_seconds": None if running else (
            _parse_time(finished) - _parse_time(started)).total_seconds(),
        "finish_reason": reasons[0] if len(reasons) == 1 else "mixed: " + ", ".join(reasons),
        "exit_status": None if running else codes.pop() if len(codes) == 1 else 1,
        "counts": run_counts(stats),
        "sites": site_figures(stats),
        "monitors": [{**m, "monitor": f'{m.get("monitor")} ({r["run_id"]})'}
                     for r in records for m in _list(r.get("monitors"))],
        "progress": [],
        "stats": stats,
    }
    return Run(workers[0].path, record, workers[0].earlier)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def worse(figure: str, value, baseline, thresholds: Thresholds) -> bool:
    return (figure == EXCERPT_CHARS or figure in SHARES) and drifted(
        figure, value, baseline, thresholds.share_rise, thresholds.excerpt_ratio)


def _part(mapping, key: str):
    """`mapping[key]` when it is a dict, else {}: a running record has no counts or sites."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, dict) else {}


def _list(value) -> list[dict]:
    """The dicts in `value` when it is a list, else []."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# -- formatting -------------------------------------------------------------------------------

def _e(value) -> str:
    return html.escape(str(value))


def _count(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if is_number(value) else _e(value)


def _share(value) -> str:
    return f"{value * 100:.1f} %" if is_number(value) else _count(value)


def _clock(seconds) -> str:
    if not is_number(seconds):
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds % 1 else f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _time(value) -> str:
    try:
        moment = datetime.fromisoformat(value).astimezone(timezone.utc)
    except (TypeError, ValueError):
        return _count(value)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


FIGURES: tuple[tuple[str, str, Callable], ...] = (
    ("items", "items", _count),
    ("empty_excerpt_share", "empty excerpt", _share),
    ("no_title_share", "no title", _share),
    ("no_disclaimer_share", "no disclaimer", _share),
    ("furniture_share", "furniture", _share),
    ("mean_excerpt_chars", "mean excerpt chars", _count),
    ("soft_block_rate", "soft blocks", _share),
)


# -- charts (inline SVG) ----------------------------------------------------------------------

WIDTH, HEIGHT = 520, 210
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 12, 34


def _step(span: float, parts: int) -> float:
    """A round step (1, 2 or 5 × 10^k) that cuts `span` into about `parts` parts."""
    raw = max(span, 1e-9) / parts
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _axis(top: float, parts: int = 4) -> tuple[float, list[float]]:
    """The axis' end (a whole number of round steps at or above `top`) and its ticks."""
    step = _step(top or 1, parts)
    count = max(1, math.ceil((top or 1) / step - 1e-9))
    return step * count, [step * i for i in range(count + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def _svg(label: str, body: list[str], y_ticks: list[float], y_top: float) -> str:
    """An SVG chart's frame: horizontal grid lines with their labels, the plot's marks."""
    grid = []
    for tick in y_ticks:
        y = _y(tick, y_top)
        grid.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                    f'y2="{y:.1f}"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
                    f'text-anchor="end">{_number(tick)}</text>')
    return (f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-label="{_e(label)}">{"".join(grid + body)}</svg>')


def _y(value: float, top: float) -> float:
    return HEIGHT - BOTTOM - value / top * (HEIGHT - TOP - BOTTOM)


def rate_steps(progress) -> list[tuple[float, float, float]]:
    """(from, to, pages per minute) between consecutive progress samples, the first interval
    from the spider's opening (0 s, 0 pages). Of samples at the same time (rounded to a tenth
    of a second: the last one is taken at the close) the last counts."""
    pages_at = {sample["seconds"]: sample["pages"] for sample in _list(progress)
                if is_number(sample.get("seconds")) and is_number(sample.get("pages"))}
    steps: list[tuple[float, float, float]] = []
    seconds, pages = 0.0, 0
    for now, total in sorted(pages_at.items()):
        if now > seconds:
            steps.append((seconds, now, (total - pages) * 60 / (now - seconds)))
        seconds, pages = now, total
    return steps


def rate_chart(progress) -> str:
    steps = rate_steps(progress)
    if not steps:
        return '<p class="none">No progress samples.</p>'
    end = steps[-1][1]
    y_top, y_ticks = _axis(max(rate for _a, _b, rate in steps))
    x_top, x_ticks = _axis(end, 5)

    def x(seconds: float) -> float:
        return LEFT + seconds / x_top * (WIDTH - LEFT - RIGHT)

    line = f"M{x(0):.1f},{_y(steps[0][2], y_top):.1f}" + "".join(
        f"V{_y(rate, y_top):.1f}H{x(stop):.1f}" for _start, stop, rate in steps)
    area = f"{line}V{_y(0, y_top):.1f}H{x(0):.1f}Z"
    body = [f'<path class="area" d="{area}"/><path class="line" d="{line}"/>']
    body += [f'<text x="{x(t):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
             f'{_clock(t)}</text>' for t in x_ticks]
    body += [f'<rect class="hit" x="{x(start):.1f}" y="{TOP}" width="{x(stop) - x(start):.1f}" '
             f'height="{HEIGHT - TOP - BOTTOM}"><title>{_clock(start)}–{_clock(stop)}: '
             f'{rate:,.0f} pages/min</title></rect>' for start, stop, rate in steps]
    return _svg("pages per minute over the run", body, y_ticks, y_top)


def status_chart(codes: dict) -> str:
    bars = [(code, count) for code, count in sorted(codes.items()) if is_number(count)]
    if not bars:
        return '<p class="none">No responses.</p>'
    y_top, y_ticks = _axis(max(count for _code, count in bars))
    slot = (WIDTH - LEFT - RIGHT) / max(len(bars), 4)
    body = []
    for i, (code, count) in enumerate(bars):
        x, y = LEFT + i * slot + slot * 0.15, _y(count, y_top)
        body.append(
            f'<rect class="bar s{_e(str(code)[:1])}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{_y(0, y_top) - y:.1f}">'
            f'<title>{_e(code)}: {_count(count)}</title></rect>'
            f'<text class="value" x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" '
            f'text-anchor="middle">{_count(count)}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle">{_e(code)}</text>')
    return _svg("responses per HTTP status", body, y_ticks, y_top)


# -- the page ---------------------------------------------------------------------------------

def _badge(record: dict) -> str:
    if record.get("status") == "running":
        return '<span class="badge running">running</span>'
    code = record.get("exit_status")
    meaning = EXIT_MEANINGS.get(code, "unknown").split(":")[0]
    return f'<span class="badge {"ok" if code == 0 else "bad"}">exit {_e(code)} · {meaning}</span>'


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _failed_monitors(record: dict) -> int:
    return sum(m.get("status") in FAILED_MONITOR for m in _list(record.get("monitors")))


def _worse_figures(run: Run, thresholds: Thresholds) -> int:
    return sum(worse(figure, figures.get(figure), baseline.get(figure), thresholds)
               for _site, figures, baseline in _sites(run, thresholds) for figure, *_ in FIGURES)


def _attention(run: Run, thresholds: Thresholds) -> list[str]:
    notes = []
    if failed := _failed_monitors(run.record):
        notes.append(f"{_plural(failed, 'monitor')} failed")
    if drifted := _worse_figures(run, thresholds):
        notes.append(f"{_plural(drifted, 'figure')} worse than baseline")
    return notes


def _sites(run: Run, thresholds: Thresholds):
    for site, figures in _part(run.record, "sites").items():
        if isinstance(figures, dict):
            yield site, figures, site_baseline(run.earlier, site, thresholds.baseline_runs)


def _table(head: list[str], rows: list[str], css: str = "") -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    return (f'<table class="{css}"><thead><tr>{cells}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def overview(groups: dict[str, list[tuple[int, Run]]], thresholds: Thresholds) -> str:
    rows = []
    for spider, runs in groups.items():
        for index, run in runs:
            record, counts = run.record, _part(run.record, "counts")
            notes = _attention(run, thresholds)
            rows.append(
                f'<tr><td class="t">{_e(spider)}</td><td class="t"><a href="#run-{index}">'
                f'{_e(record["run_id"])}</a></td><td>{_e(record.get("host") or "—")}</td>'
                f'<td>{_badge(record)}</td>'
                f'<td>{_time(record["started_at"])}</td>'
                f'<td class="n">{_clock(record.get("elapsed_seconds"))}</td>'
                f'<td class="n">{_count(counts.get("pages_fetched"))}</td>'
                f'<td class="n">{_count(counts.get("items"))}</td>'
                f'<td class="{"flag" if notes else ""}">{"; ".join(notes) or "—"}</td></tr>')
        if len(runs) > 1:
            rows.append(_total_row(spider, [run for _index, run in runs]))
    return _table(["spider", "run", "host", "status", "started", "elapsed", "pages", "items",
                   "attention"], rows, "overview")


def _total_row(spider: str, runs: list[Run]) -> str:
    def total(key: str) -> str:
        values = [_part(r.record, "counts").get(key) for r in runs]
        return _count(sum(v for v in values if is_number(v)))
    return (f'<tr class="total"><td class="t">{_e(spider)}</td><td colspan="5">all '
            f'{len(runs)} records</td><td class="n">{total("pages_fetched")}</td>'
            f'<td class="n">{total("items")}</td><td></td></tr>')


def _facts(record: dict) -> str:
    code = record.get("exit_status")
    exit_text = "— (no end recorded)" if record.get("status") == "running" else \
        f"{_e(code)}: {_e(EXIT_MEANINGS.get(code, 'unknown'))}"
    arguments = _part(record, "arguments")
    facts = [       # two pairs a row
        ("command", _e(record.get("command") or "—")),
        ("host", f'{_e(record.get("host") or "—")} (pid {_e(record.get("pid") or "—")})'),
        ("started", _time(record["started_at"])),
        ("finished", _time(record.get("finished_at"))),
        ("elapsed", _clock(record.get("elapsed_seconds"))),
        ("finish reason", _e(record.get("finish_reason") or "—")),
        ("exit status", exit_text),
        ("scrapyd job", _e(record.get("job") or "—")),
        *([("workers", " ".join(f"<code>{_e(w)}</code>" for w in record["workers"]))]
          if record.get("workers") else []),
        ("arguments", " ".join(f"<code>{_e(k)}={_e(v)}</code>" for k, v in arguments.items())
         or "—"),
    ]
    return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"


def _tiles(counts: dict) -> str:
    names = (("requests", "requests"), ("responses", "responses"),
             ("pages_fetched", "pages fetched"), ("items", "items"))
    return '<div class="tiles">' + "".join(
        f'<div><b>{_count(counts.get(key))}</b>{label}</div>' for key, label in names) + "</div>"


def counts_table(title: str, counts: dict) -> str:
    """Counts per reason (or mark) with a bar each."""
    rows = [(name, count) for name, count in counts.items() if is_number(count)]
    if not rows:
        return f'<div class="counts"><h5>{title}</h5><p class="none">none</p></div>'
    most = max(count for _name, count in rows) or 1
    return f'<div class="counts"><h5>{title}</h5>' + _table(["", ""], [
        f'<tr><td class="t">{_e(name)}</td><td class="n">{_count(count)}<span class="meter">'
        f'<span style="width:{count / most * 100:.0f}%"></span></span></td></tr>'
        for name, count in sorted(rows, key=lambda row: -row[1])]) + "</div>"


def sites_table(run: Run, thresholds: Thresholds) -> str:
    rows = []
    for site, figures, baseline in _sites(run, thresholds):
        cells = []
        for figure, _label, show in FIGURES:
            value, base = figures.get(figure), baseline.get(figure)
            bad = worse(figure, value, base, thresholds)
            note = f"baseline {show(base)}" if base is not None else "no baseline"
            mark = '<span class="mark" title="worse than baseline">▲ worse</span>' if bad else ""
            cells.append(f'<td class="n{" worse" if bad else ""}">{show(value)}{mark}'
                         f'<small>{note}</small></td>')
        rows.append(f'<tr><td class="t">{_e(site)}</td>{"".join(cells)}</tr>')
    if not rows:
        return '<p class="none">No site figures.</p>'
    return _table(["site", *(label for _figure, label, _show in FIGURES)], rows, "sites")


def monitors_table(monitors) -> str:
    outcomes = _list(monitors)
    if not outcomes:
        return '<p class="none">No monitor outcomes recorded.</p>'
    rows = [f'<tr class="{"bad" if m.get("status") in FAILED_MONITOR else ""}">'
            f'<td><span class="badge m{_e(m.get("status"))}">{_e(m.get("status"))}</span></td>'
            f'<td class="t">{_e(m.get("monitor"))}</td>'
            f'<td class="t">{_e(m.get("reason") or "")}</td></tr>' for m in outcomes]
    return _table(["status", "monitor", "reason"], rows, "monitors")


def run_section(index: int, run: Run, thresholds: Thresholds) -> str:
    record = run.record
    parts = [f'<article class="run" id="run-{index}"><h3>{_e(record["spider"])} · '
             f'{_e(record["run_id"])} {_badge(record)}</h3>', _facts(record)]
    if record.get("status") == "running":
        parts.append(f'<p class="notice">No end recorded: the run is still going, or its '
                     f'process (pid {_e(record.get("pid", "—"))} on {_e(record.get("host", "—"))}'
                     f') died. Counts and figures come when it finishes.</p>')
    counts = _part(record, "counts")
    parts += [
        _tiles(counts),
        '<div class="charts"><figure><figcaption>Pages per minute</figcaption>'
        f'{rate_chart(record.get("progress"))}</figure><figure><figcaption>Responses per '
        f'status</figcaption>{status_chart(_part(counts, "status_codes"))}</figure></div>',
        '<div class="columns">' + counts_table("Skipped pages", _part(counts, "skipped"))
        + counts_table("Failed pages", _part(counts, "failed"))
        + counts_table("Change marks", _part(counts, "changes")) + "</div>",
        f'<h4>Sites <small>baseline: median of the last {thresholds.baseline_runs} earlier '
        f'finished runs ({len(run.earlier)} found beside this record); worse: a share up by '
        f'more than {thresholds.share_rise:g}, excerpts below {thresholds.excerpt_ratio:g} of '
        f'baseline</small></h4>', sites_table(run, thresholds),
        "<h4>Monitors</h4>", monitors_table(record.get("monitors")),
        f'<p class="source">record: <code>{_e(run.path)}</code></p></article>',
    ]
    return "".join(parts)


def render(runs: list[Run], thresholds: Thresholds = Thresholds(),
           generated: datetime | None = None) -> str:
    """The report page of `runs`, grouped by spider in the order given."""
    groups: dict[str, list[tuple[int, Run]]] = {}
    for index, run in enumerate(runs, 1):
        groups.setdefault(run.record["spider"], []).append((index, run))
    generated = generated or datetime.now(timezone.utc)
    sections = [f'<section><h2>{_e(spider)}</h2>'
                + "".join(run_section(i, run, thresholds) for i, run in members) + "</section>"
                for spider, members in groups.items()]
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>docspider run report</title><style>{CSS}</style></head><body>'
            f'<header><h1>docspider run report</h1><p>{_plural(len(runs), "run record")} of '
            f'{_plural(len(groups), "spider")} · '
            f'generated {generated:%Y-%m-%d %H:%M:%S} UTC</p></header><main>'
            f'{overview(groups, thresholds)}{"".join(sections)}</main></body></html>\n')


CSS = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;
--run:#0969da;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);
background:#fff}
header{padding:20px 32px;border-bottom:1px solid var(--line);background:var(--soft)}
h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:var(--muted)}
main{padding:8px 32px 32px;max-width:1280px}
h2{margin:28px 0 8px;font-size:19px;border-bottom:2px solid var(--ink);padding-bottom:4px}
h3{margin:0 0 10px;font-size:16px;word-break:break-all}
h4{margin:18px 0 6px;font-size:14px}h4 small{font-weight:normal;color:var(--muted)}
h5{margin:0 0 4px;font-size:13px}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;background:var(--soft);white-space:nowrap}
td.t{overflow-wrap:anywhere}
td.n{text-align:right;white-space:nowrap}
tr.total td{font-weight:600;background:var(--soft)}
td.flag{color:var(--bad);font-weight:600}
.run{border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:14px 0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
color:#fff;background:var(--muted);vertical-align:middle;white-space:nowrap}
.badge.ok,.badge.mOK{background:var(--ok)}
.badge.bad,.badge.mFAIL,.badge.mERROR{background:var(--bad)}
.badge.running{background:var(--run)}.badge.mSKIPPED{background:#818b98}
.facts{display:grid;grid-template-columns:max-content minmax(0,1fr) max-content minmax(0,1fr);
gap:2px 16px;margin:0 0 12px}
.facts dt{color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}
.facts dd:last-child{grid-column:2/-1}
.notice{border-left:4px solid var(--run);background:#ddf4ff;padding:8px 12px}
.tiles{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0}
.tiles div{border:1px solid var(--line);border-radius:6px;padding:6px 14px;min-width:120px;
color:var(--muted)}
.tiles b{display:block;font-size:20px;color:var(--ink)}
.charts{display:flex;gap:20px;flex-wrap:wrap}
figure{margin:8px 0}figcaption{font-weight:600;font-size:13px}
svg{max-width:100%;height:auto;display:block}
svg text{font:11px system-ui,sans-serif;fill:var(--muted)}svg text.value{fill:var(--ink)}
.grid{stroke:var(--line);stroke-width:1}
.line{fill:none;stroke:var(--run);stroke-width:2}.area{fill:#ddf4ff}
.hit{fill:transparent}.hit:hover{fill:rgba(9,105,218,.08)}
.bar{fill:#818b98}.s2{fill:var(--ok)}.s3{fill:var(--run)}.s4{fill:#bf8700}.s5{fill:var(--bad)}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:16px;
margin-top:8px}
.counts th{display:none}
.meter{display:inline-block;width:80px;height:8px;margin-left:8px;background:var(--soft);
border-radius:4px;overflow:hidden}
.meter span{display:block;height:100%;background:#818b98}
.sites small{display:block;color:var(--muted);font-size:11px}
td.worse{background:#ffebe9;color:var(--bad);font-weight:600}
.mark{display:block;font-size:11px}
tr.bad td{background:#ffebe9}
.none{color:var(--muted);font-style:italic}
.source{color:var(--muted);font-size:12px;margin:12px 0 0;word-break:break-all}
code{font:12px ui-monospace,monospace;background:var(--soft);padding:0 4px;border-radius:3px}
"""
