"""`scrapy report [RUN.json ...]`: run records as one self-contained HTML page.

Without paths, reports the latest run record (by start) of every spider in
``DOCSPIDER_RUNS_DIR``. Each site's quality figures are set against its baseline from the
earlier records beside each record, marked worse with the Template drift monitor's thresholds
(``DOCSPIDER_MONITOR_*``). The page (:mod:`docspider.report`) goes to ``output/report.html`` or
``-o FILE``, written whole; its path is printed. No record found, or a file that is not a
readable run record, is one line ``report: <reason>`` on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand

from docspider.crawlstats import EXIT_FAILED, EXIT_USAGE
from docspider.report import RecordError, Thresholds, latest_records, load_runs, render

DEFAULT_OUTPUT = "output/report.html"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] [RUN.json ...]"

    def short_desc(self) -> str:
        return "Write an HTML report of run records (default: every spider's latest run)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", default=DEFAULT_OUTPUT,
                            help=f"write the report to FILE (default: {DEFAULT_OUTPUT})")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        thresholds = Thresholds.from_settings(self.settings)
        try:
            runs = load_runs([Path(p) for p in args] or self.latest())
        except RecordError as exc:
            self.fail(str(exc), EXIT_USAGE)
            return
        try:
            write_whole(Path(opts.output), render(runs, thresholds))
        except OSError as exc:
            self.fail(f"cannot write {opts.output}: {exc.strerror or exc}", EXIT_FAILED)
            return
        print(opts.output)

    def latest(self) -> list[Path]:
        runs_dir = self.settings.get("DOCSPIDER_RUNS_DIR")
        if not runs_dir:
            raise RecordError("DOCSPIDER_RUNS_DIR is empty: give the run records to report on")
        return latest_records(runs_dir)

    def fail(self, reason: str, status: int) -> None:
        print(f"report: {reason}", file=sys.stderr)
        self.exitcode = status


def write_whole(path: Path, text: str) -> None:
    """Write `path` through a file beside it, renamed at the end: a reader never sees half a
    page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
