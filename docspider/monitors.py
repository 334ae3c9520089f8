"""Checks after every run, with Spidermon: did this run do what the earlier ones did?

A scheduled crawl that "succeeds" with empty excerpts is the failure nobody sees. When the
spider closes, Spidermon (``SPIDERMON_SPIDER_CLOSE_MONITORS``) runs the `RunMonitors` suite:

* Spidermon's own ``FinishReasonMonitor`` (``SPIDERMON_EXPECTED_FINISH_REASONS``) and
  ``ErrorCountMonitor`` (``SPIDERMON_MAX_ERRORS`` ERROR log lines);
* `DocumentsMonitor`: the documents this run saw (items, and known or unchanged documents
  skipped) against the latest earlier run of the spider with the same command and arguments;
* `SiteDriftMonitor`: per site, the run record's quality figures against the site's own
  baseline, the median of its earlier runs: a jump in items with an empty excerpt, without a
  title or disclaimer, with furniture in the excerpt, or a fall in the excerpt length — the
  signs of a template change;
* `SoftBlockMonitor`: per site, the share of pages that were soft blocks.

The earlier runs are the run records in ``DOCSPIDER_RUNS_DIR`` (docspider.runrecord), so the
history monitors need it on; without history they are skipped. The thresholds are settings
(README, *Monitors*). `RecordResults` hands every monitor's outcome to the run record, counts
the failures (``docspider/monitors_failed``) and logs each as an ERROR line naming the monitor
and the reason; a failure gives exit status 1 (docspider.crawlstats). When a monitor
fails, the actions in ``DOCSPIDER_MONITOR_ACTIONS`` run too: `Mail`, `Webhook` (JSON, or a
Slack message), or any Spidermon action.
"""
from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage
from pathlib import Path

from scrapy.utils.misc import load_object
from spidermon import MonitorSuite, monitors
from spidermon.contrib.scrapy.extensions import Spidermon
from spidermon.contrib.scrapy.monitors import (BaseScrapyMonitor, ErrorCountMonitor,
                                               FinishReasonMonitor)
from spidermon.contrib.scrapy.runners import SpiderMonitorResult, SpiderMonitorRunner
from spidermon.core.actions import Action
from spidermon.exceptions import SkipAction

from docspider.crawlstats import MONITORS_FAILED_STAT
from docspider.runfigures import (EXCERPT_CHARS, drifted, earlier_runs, site_baseline,
                                  site_figures)
from docspider.signals import ROUTINE_SKIPS, monitors_finished

logger = logging.getLogger(__name__)
FAILED = ("FAIL", "ERROR")
#: the figures whose rise is drift (the mean excerpt length drifts when it falls); the
#: soft-block rate has a monitor of its own
DRIFT_SHARES = ("empty_excerpt_share", "no_title_share", "no_disclaimer_share", "furniture_share")


def documents_seen(items: int, skipped: dict[str, int]) -> int:
    """Documents a run met: the ones it emitted and the ones it skipped as known or unchanged."""
    return items + sum(count for reason, count in skipped.items() if reason in ROUTINE_SKIPS)


class _RunMonitor(BaseScrapyMonitor):
    @property
    def settings(self):
        return self.crawler.settings

    def history(self) -> list[dict]:
        folder = self.settings.get("DOCSPIDER_RUNS_DIR")
        if not folder:
            self.skipTest("no run records (DOCSPIDER_RUNS_DIR is empty)")
        spider = self.crawler.spider
        return earlier_runs(Path(folder % {"name": spider.name}), getattr(spider, "run_id", ""))


@monitors.name("Documents")
class DocumentsMonitor(_RunMonitor):
    """Documents seen against the previous run with the same arguments."""

    @monitors.name("as many as the previous run")
    def test_documents_against_previous_run(self):
        if self.data.stats.get("docspider/cluster/crawl"):
            self.skipTest("a worker of a distributed crawl: its share of the documents varies")
        spider = self.crawler.spider
        arguments = {k: v for k, v in getattr(spider, "arguments", {}).items()
                     if not k.startswith("_")}
        command = self.settings.get("DOCSPIDER_RUN_COMMAND")
        previous = next((run for run in self.history()
                         if run.get("command") == command and {
                             k: v for k, v in run.get("arguments", {}).items()
                             if not k.startswith("_")} == arguments), None)
        if previous is None:
            self.skipTest("no earlier run with the same arguments")
        stats = self.data.stats
        now = documents_seen(stats.get("item_scraped_count", 0), {
            key[len("docspider/skipped/"):]: count for key, count in stats.items()
            if key.startswith("docspider/skipped/")})
        before = documents_seen(previous["counts"]["items"], previous["counts"]["skipped"])
        ratio = self.settings.getfloat("DOCSPIDER_MONITOR_MIN_DOCUMENTS_RATIO")
        self.assertGreaterEqual(
            now, ratio * before,
            msg=f"{now} documents seen, the previous run ({previous['run_id']}) {before}: "
                f"fewer than {ratio:.0%} of them")


@monitors.name("Template drift")
class SiteDriftMonitor(_RunMonitor):
    """Each site's quality figures against its baseline from earlier runs."""

    @monitors.name("quality figures near each site's baseline")
    def test_sites_against_their_baseline(self):
        least = self.settings.getint("DOCSPIDER_MONITOR_MIN_SITE_ITEMS")
        rise = self.settings.getfloat("DOCSPIDER_MONITOR_MAX_SHARE_RISE")
        shrink = self.settings.getfloat("DOCSPIDER_MONITOR_MIN_EXCERPT_RATIO")
        keep = self.settings.getint("DOCSPIDER_MONITOR_BASELINE_RUNS")
        history = self.history()
        problems, judged = [], 0
        for site, now in site_figures(self.data.stats).items():
            if now["items"] < least:
                continue
            baseline = site_baseline(history, site, keep, least)
            if not baseline:
                continue
            judged += 1
            for figure in (*DRIFT_SHARES, EXCERPT_CHARS):
                if drifted(figure, now.get(figure), baseline.get(figure), rise, shrink):
                    digits = 0 if figure == EXCERPT_CHARS else 2
                    problems.append(f"{site}: {figure} {now[figure]:.{digits}f}, "
                                    f"baseline {baseline[figure]:.{digits}f}")
        if not judged:
            self.skipTest(f"no site with {least} items in this run and an earlier one")
        self.assertFalse(problems, msg="; ".join(problems))


@monitors.name("Soft blocks")
class SoftBlockMonitor(_RunMonitor):
    """The share of each site's pages that were soft blocks (captcha, login wall …)."""

    @monitors.name("soft-block rate per site")
    def test_soft_block_rate(self):
        limit = self.settings.getfloat("DOCSPIDER_MONITOR_MAX_SOFT_BLOCK_RATE")
        high = [f"{site}: {figures['soft_blocked']} of {figures['pages_checked']} pages"
                for site, figures in site_figures(self.data.stats).items()
                if (figures.get("soft_block_rate") or 0) > limit]
        self.assertFalse(high, msg=f"soft-block rate above {limit:.0%}: " + "; ".join(high))


class RecordResults(Action):
    """Every monitor's outcome to the run record (the `monitors_finished` signal), the number
    that failed into the stats, one INFO line, and a failure as an ERROR line naming the
    monitor and the reason (in scrapyd's job log too)."""

    def run_action(self):
        outcomes = []
        for result in self.result.monitor_results:
            outcome = {"monitor": result.monitor.name, "status": result.status,
                       "reason": _reason(result)}
            outcomes.append(outcome)
            if result.status in FAILED:
                logger.error("monitor failed: %s: %s", outcome["monitor"], outcome["reason"])
        failed = sum(o["status"] in FAILED for o in outcomes)
        skipped = sum(o["status"] == "SKIPPED" for o in outcomes)
        logger.info("monitors: %d passed, %d failed, %d skipped",
                    len(outcomes) - failed - skipped, failed, skipped)
        crawler = self.data.crawler
        crawler.stats.set_value(MONITORS_FAILED_STAT, failed)
        crawler.signals.send_catch_log(monitors_finished, outcomes=outcomes)


def _reason(result) -> str | None:
    if result.reason is not None:
        return str(result.reason)
    if result.error:
        return str(result.error).strip().splitlines()[-1]
    return None


def failures(action: Action) -> dict:
    """What a notification says: the spider, the run and each failed monitor with its reason."""
    spider = action.data.crawler.spider
    return {"spider": spider.name, "run_id": getattr(spider, "run_id", None),
            "failed": [{"monitor": r.monitor.name, "reason": _reason(r)}
                       for r in action.result.monitors_failed_results]}


def summary(failed: dict) -> tuple[str, str]:
    """(subject, text) of a notification."""
    subject = (f"docspider: {failed['spider']} run {failed['run_id']}: "
               f"{len(failed['failed'])} monitor{'s' * (len(failed['failed']) != 1)} failed")
    lines = [f"- {f['monitor']}: {f['reason']}" for f in failed["failed"]]
    return subject, "\n".join([subject, "", *lines])


class Webhook(Action):
    """POST the failed monitors to ``DOCSPIDER_MONITOR_WEBHOOK_URL``: as JSON
    (``{"spider", "run_id", "failed": [{"monitor", "reason"}]}``), or with
    ``DOCSPIDER_MONITOR_WEBHOOK_FORMAT = "slack"`` as a Slack incoming-webhook message
    (``{"text": …}``)."""

    def __init__(self, url: str | None, form: str, timeout: float):
        super().__init__()
        self.url, self.form, self.timeout = url, form, timeout

    @classmethod
    def from_crawler_kwargs(cls, crawler):
        settings = crawler.settings
        return {"url": settings.get("DOCSPIDER_MONITOR_WEBHOOK_URL"),
                "form": settings.get("DOCSPIDER_MONITOR_WEBHOOK_FORMAT"),
                "timeout": settings.getfloat("DOCSPIDER_MONITOR_NOTIFY_TIMEOUT")}

    def run_action(self):
        if not self.url:
            raise SkipAction("DOCSPIDER_MONITOR_WEBHOOK_URL is not set")
        body = failures(self)
        if self.form == "slack":
            body = {"text": summary(body)[1]}
        request = urllib.request.Request(
            self.url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()


class Mail(Action):
    """Mail the failed monitors to ``DOCSPIDER_MONITOR_MAIL_TO`` through the SMTP server at
    ``DOCSPIDER_MONITOR_SMTP_HOST``:``…_PORT`` (STARTTLS and login when ``…_SMTP_USER`` is
    set)."""

    def __init__(self, settings):
        super().__init__()
        self.to = settings.getlist("DOCSPIDER_MONITOR_MAIL_TO")
        self.sender = settings.get("DOCSPIDER_MONITOR_MAIL_FROM")
        self.host = settings.get("DOCSPIDER_MONITOR_SMTP_HOST")
        self.port = settings.getint("DOCSPIDER_MONITOR_SMTP_PORT")
        self.user = settings.get("DOCSPIDER_MONITOR_SMTP_USER")
        self.password = settings.get("DOCSPIDER_MONITOR_SMTP_PASSWORD")
        self.timeout = settings.getfloat("DOCSPIDER_MONITOR_NOTIFY_TIMEOUT")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings)

    def run_action(self):
        if not self.to:
            raise SkipAction("DOCSPIDER_MONITOR_MAIL_TO is not set")
        subject, text = summary(failures(self))
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = subject, self.sender, \
            ", ".join(self.to)
        message.set_content(text)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.user:
                smtp.starttls()
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


class RunMonitors(MonitorSuite):
    monitors = [FinishReasonMonitor, ErrorCountMonitor, DocumentsMonitor, SiteDriftMonitor,
                SoftBlockMonitor]
    monitors_finished_actions = [RecordResults]

    def __init__(self, *args, crawler=None, **kwargs):
        super().__init__(*args, crawler=crawler, **kwargs)
        if crawler is not None:
            self.add_monitors_failed_actions(
                [load_object(path) for path in crawler.settings.getlist("DOCSPIDER_MONITOR_ACTIONS")])


class _QuietResult(SpiderMonitorResult):
    """Spidermon's report at DEBUG, through the spider's logger (`Spider.log`, which Spidermon
    calls, is deprecated): at INFO a run's monitors are the one line of `RecordResults`, an
    ERROR line per failure, and a WARNING line per notification that could not be sent."""

    def log(self, msg, level=logging.DEBUG):
        self.spider.logger.debug("[Spidermon] %s", msg)

    def add_action_error(self, action, error):
        super().add_action_error(action, error)
        logger.warning("monitor action failed: %s: %s", action.name,
                       str(error).strip().splitlines()[-1])


class _Runner(SpiderMonitorRunner):
    def create_result(self):
        return _QuietResult(self.spider)


class Monitoring(Spidermon):
    """Spidermon's extension, its suites run through `_Runner`."""

    def _run_suites(self, spider, suites):
        data = self._generate_data_for_spider(spider)
        for suite in suites:
            _Runner(spider=spider).run(suite, **data)
