"""`scrapy wacz [WARC ...]`: package WARC files as a WACZ (:mod:`docspider.waczfile`).

Without paths, packages the latest run (by start) in ``DOCSPIDER_RUNS_DIR`` (of ``--spider
NAME``, else of any spider): its WARC files ``<run id>-NNNNN.warc.gz`` in the archive directory
its run record names, listing the documents of its JSON-lines feeds. Given WARC files, lists
the documents of ``--items FEED.jsonl``, or without it the archived pages, untitled. The
package goes to ``-o FILE``, by default ``<run id>.wacz`` beside the WARC files of one run; its
path is printed. A usage error is one line ``wacz: <reason>`` on stderr and exit status 2; a
package that cannot be made, exit status 1.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from warcio.exceptions import ArchiveLoadFailed

from docspider.crawlstats import EXIT_FAILED, EXIT_USAGE
from docspider.report import RecordError, latest_records
from docspider.waczfile import WaczError, feed_pages, require_wacz, write_wacz

RUN_FILE = re.compile(r"(?P<run>.+)-\d{5}\.warc\.gz")


class UsageProblem(Exception):
    pass


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] [WARC ...]"

    def short_desc(self) -> str:
        return "Package WARC files as a WACZ (default: the latest run's)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE",
                            help="write the WACZ to FILE (default: <run id>.wacz beside the "
                                 "WARC files of one run)")
        parser.add_argument("--items", metavar="FEED", action="append", default=[],
                            help="list the documents of this JSON-lines feed as the pages "
                                 "(default: the run's feeds; with WARC paths, the archived "
                                 "pages, untitled); repeatable")
        parser.add_argument("--spider", metavar="NAME",
                            help="without WARC paths: the latest run of this spider")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            require_wacz()
            if args and opts.spider is not None:
                raise UsageProblem("--spider chooses a run when no WARC file is given")
            if args:
                warcs, feeds = [Path(p) for p in args], []
                title = ", ".join(p.name for p in warcs)
            else:
                warcs, feeds, title = self.latest_run(opts.spider)
            feeds = [Path(p) for p in opts.items] or feeds
            for path in [*warcs, *feeds]:
                if not path.is_file():
                    raise UsageProblem(f"not a file: {path}")
            output = Path(opts.output) if opts.output else default_output(warcs)
        except (UsageProblem, RecordError, WaczError) as exc:
            self.fail(str(exc), EXIT_USAGE)
            return
        pages = (page for feed in feeds for page in feed_pages(feed))
        try:
            write_wacz([str(p) for p in warcs], output, pages, title)
        except ValueError as exc:           # a feed that is not JSON lines (UTF-8)
            self.fail(f"not a JSON-lines feed: {exc}", EXIT_USAGE)
        except ArchiveLoadFailed as exc:
            self.fail(f"not a WARC file: {exc}", EXIT_USAGE)
        except (OSError, WaczError) as exc:
            self.fail(f"cannot write {output}: {getattr(exc, 'strerror', None) or exc}",
                      EXIT_FAILED)
        else:
            print(output)

    def latest_run(self, spider: str | None) -> tuple[list[Path], list[Path], str]:
        """The WARC files and JSON-lines feeds of the latest run (of `spider`)."""
        runs_dir = self.settings.get("DOCSPIDER_RUNS_DIR")
        if not runs_dir:
            raise UsageProblem("DOCSPIDER_RUNS_DIR is empty: give the WARC files to package")
        records = [json.loads(path.read_text(encoding="utf-8"))
                   for path in latest_records(runs_dir)]
        records = [r for r in records if spider in (None, r["spider"])]
        if not records:
            raise UsageProblem(f"no run record of spider {spider} in "
                               f"{runs_dir % {'name': spider}}")
        run = records[-1]
        directory = Path(run.get("settings", {}).get("DOCSPIDER_ARCHIVE_DIR") or "")
        warcs = sorted(directory.glob(f"{run['run_id']}-[0-9][0-9][0-9][0-9][0-9].warc.gz"))
        if not warcs:
            raise UsageProblem(f"the latest run, {run['run_id']} of {run['spider']}, left no "
                               f"WARC file in {directory}: give the WARC files to package")
        feeds = [Path(feed) for feed in run.get("feeds") or []
                 if feed.endswith(".jsonl") and Path(feed).is_file()]
        return warcs, feeds, f"{run['spider']} {run['command']} {run['run_id']}"

    def fail(self, reason: str, status: int) -> None:
        print(f"wacz: {reason}", file=sys.stderr)
        self.exitcode = status


def default_output(warcs: list[Path]) -> Path:
    """`<run id>.wacz` beside the WARC files, when they are the files of one run in one
    directory."""
    runs = {(p.parent, match["run"]) for p in warcs if (match := RUN_FILE.fullmatch(p.name))}
    if len(runs) != 1 or not all(RUN_FILE.fullmatch(p.name) for p in warcs):
        raise UsageProblem("the WARC files are not those of one run: give -o FILE.wacz")
    directory, run_id = runs.pop()
    return directory / f"{run_id}.wacz"
