"""The run record: what one crawl, reparse or demo did, as JSON for operators and their tools.

Extension (``DOCSPIDER_RUNS_DIR``, empty turns it off). For a run with id RUN of spider NAME:

* ``<DOCSPIDER_RUNS_DIR>/RUN.json`` — written when the spider opens (``"status":
  "running"``), so a run that died shows up, and replaced when it closes (``"finished"``):
  times, arguments, the settings that shape a run, counts per skip and failure reason, per-site
  counts and quality figures, the progress samples, the exit status and all Scrapy stats.
  Described field by field in ``docspider/schema/run.schema.json``.
* ``RUN.skipped.jsonl`` — one line per page that gave no item, as it happens: ``url``,
  ``outcome`` (``skipped``: no other try; ``failed``: after its retries, fetched again by the
  next run), ``reason``, ``status``, ``attempts``, ``at``. Skips that are an incremental run
  working as meant (``known``, ``not_modified``, ``unchanged``) are only counted
  (``docspider/schema/skipped.schema.json``).

A record that cannot be written stops the crawl like any failed write (docspider.writes).
"""
from __future__ import annotations

import json
import os
import re
import socket
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.settings import default_settings as scrapy_defaults

from docspider import settings as project_defaults
from docspider.crawlstats import exit_status, run_counts
from docspider.progress import Progress
from docspider.runfigures import site_figures
from docspider.signals import ROUTINE_SKIPS, monitors_finished, page_failed, page_skipped
from docspider.writes import append_whole, report

RECORD_VERSION = 1
_CREDENTIALS = re.compile(r"^([a-z]+://[^/@]*?:)[^/@]*@")
#: The settings a run record keeps: the ones that change what a run fetches and writes.
RECORDED_SETTINGS = (
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED", "ROBOTSTXT_OBEY", "RETRY_TIMES", "DOWNLOAD_MAXSIZE", "USER_AGENT",
    "JOBDIR", "CLOSESPIDER_TIMEOUT", "CLOSESPIDER_ITEMCOUNT", "CLOSESPIDER_PAGECOUNT",
    "DOCSPIDER_STATE", "DOCSPIDER_REFRESH", "DOCSPIDER_ARCHIVE", "DOCSPIDER_ARCHIVE_DIR",
    "DOCSPIDER_SEGMENT_WORKERS", "DOCSPIDER_LEARN_BOILERPLATE", "DOCSPIDER_RUN_COMMAND",
)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def jsonable(value):
    """Scrapy stats and settings as JSON: times as ISO 8601, anything else unknown as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def typed_setting(settings, name: str):
    """A setting as its default's type (`-s RETRY_TIMES=1` gives the string "1"); a URL's
    password (a Redis state store's) is not written down."""
    default = getattr(project_defaults, name, getattr(scrapy_defaults, name, None))
    for kind, getter in ((bool, settings.getbool), (int, settings.getint),
                         (float, settings.getfloat)):
        if isinstance(default, kind):
            return getter(name)
    value = jsonable(settings.get(name))
    return _CREDENTIALS.sub(r"\1***@", value) if isinstance(value, str) else value


class RunRecord:
    def __init__(self, crawler, folder: Path):
        self.crawler = crawler
        self.folder = folder
        self.record: dict = {}
        self.skipped = None
        self.monitors: list[dict] = []
        connect = crawler.signals.connect
        connect(self.spider_opened, signal=signals.spider_opened)
        connect(self.spider_closed, signal=signals.spider_closed)
        connect(self.page_skipped, signal=page_skipped)
        connect(self.page_failed, signal=page_failed)
        connect(self.monitors_finished, signal=monitors_finished)

    @classmethod
    def from_crawler(cls, crawler):
        folder = crawler.settings.get("DOCSPIDER_RUNS_DIR")
        if not folder:
            raise NotConfigured
        return cls(crawler, Path(folder % {"name": crawler.spidercls.name}))

    @property
    def path(self) -> Path:
        return self.folder / f"{self.record['run_id']}.json"

    def spider_opened(self, spider) -> None:
        settings = self.crawler.settings
        run_id = getattr(spider, "run_id", None) or \
            f"{datetime.now(timezone.utc):%Y-%m-%dT%H-%M-%S}-{os.getpid()}"
        arguments = getattr(spider, "arguments", {})
        self.record = {
            "record_version": RECORD_VERSION,
            "run_id": run_id,
            "spider": spider.name,
            "command": settings.get("DOCSPIDER_RUN_COMMAND"),
            "job": arguments.get("_job"),             # scrapyd's job id
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "status": "running",
            "started_at": now_iso(),
            "finished_at": None,
            "elapsed_seconds": None,
            "finish_reason": None,
            "exit_status": None,
            "arguments": jsonable(arguments),
            "settings": {name: typed_setting(settings, name) for name in RECORDED_SETTINGS},
            "feeds": [str(uri) for uri in settings.getdict("FEEDS")],
            "skipped_file": f"{run_id}.skipped.jsonl",
            "crawl": {"id": cluster.crawl, "worker": cluster.worker}
            if (cluster := getattr(spider, "cluster", None)) else None,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.skipped = open(self.folder / self.record["skipped_file"], "ab", buffering=0)
        except OSError as exc:
            report(self.crawler, str(self.folder / self.record["skipped_file"]), exc)
            return
        self.write()

    def note(self, url: str, outcome: str, reason: str, status: int | None,
             attempts: int | None) -> None:
        if self.skipped is None or reason in ROUTINE_SKIPS:
            return
        line = {"url": url, "outcome": outcome, "reason": reason, "status": status,
                "attempts": attempts, "at": now_iso()}
        try:
            append_whole(self.skipped, json.dumps(line, ensure_ascii=False).encode() + b"\n")
        except OSError as exc:
            report(self.crawler, self.skipped.name, exc)

    def page_skipped(self, url: str, reason: str, status: int | None = None) -> None:
        self.note(url, "skipped", reason, status, None)

    def page_failed(self, url: str, reason: str, status: int | None = None,
                    attempts: int | None = None) -> None:
        self.note(url, "failed", reason, status, attempts)

    def monitors_finished(self, outcomes: list[dict]) -> None:
        self.monitors = outcomes

    def spider_closed(self, spider, reason: str) -> None:
        if not self.record:
            return
        stats = self.crawler.stats.get_stats()
        progress = self.crawler.get_extension(Progress)
        self.record.update({
            "status": "finished",
            "finished_at": now_iso(),
            "elapsed_seconds": stats.get("elapsed_time_seconds"),
            "finish_reason": reason,
            "exit_status": exit_status(stats),
            "counts": run_counts(stats),
            "sites": site_figures(stats),
            "monitors": self.monitors,
            "progress": [{"seconds": round(s.seconds, 1), "pages": s.pages, "items": s.items,
                          "queued": s.queued} for s in progress.samples] if progress else [],
            "stats": jsonable(stats),
        })
        if self.skipped is not None:
            self.skipped.close()
        self.write()

    def write(self) -> None:
        """Replace the record file whole (a reader never sees half a record)."""
        path = self.path
        partial = path.with_name(path.name + ".part")
        try:
            partial.write_text(json.dumps(self.record, ensure_ascii=False, indent=1) + "\n",
                               encoding="utf-8")
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            report(self.crawler, str(path), exc)
