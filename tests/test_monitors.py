"""After-run monitors against real history: three crawls of the demo site into one run-record
folder — as it is, after a template change that leaves every excerpt empty, and after most of
its documents are gone — with a webhook receiver and an SMTP server on 127.0.0.1."""
from __future__ import annotations

import dataclasses
import json
import re
import threading
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from docspider.demo.site import demo_site
from docspider.localserver import LocalServer, PageTable

from conftest import crawl, free_port


def text_moved_to_images() -> PageTable:
    """The demo site after a template change: the document text is gone from the pages (now
    only in the page images), the rest as before."""
    table = demo_site()
    for key, page in list(table.pages.items()):
        if key[1].startswith("/paper/"):
            body = re.sub(rb'<div class="pagetxt">.*?</div>', b"", page.body, flags=re.S)
            table.pages[key] = dataclasses.replace(page, body=body)
    return table


def most_documents_gone() -> PageTable:
    table = demo_site()
    for key in [k for k in table.pages if k[1].startswith("/paper/")][3:]:
        del table.pages[key]
    return table


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length).decode("utf-8")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", Receiver.received
    server.shutdown()
    server.server_close()


class Mailbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture(scope="module")
def mailbox():
    """A real SMTP server on 127.0.0.1 keeping what it receives."""
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    yield smtp.port, box.messages
    smtp.stop()



@pytest.fixture(scope="module")
def runs(tmp_path_factory, webhook, mailbox):
    """Run 1 as the site is; run 2 after the template change, notifying by webhook (JSON) and
    mail; run 3 with most documents gone, notifying Slack-style."""
    work = tmp_path_factory.mktemp("monitored")
    url, _received = webhook
    smtp_port, _messages = mailbox
    notify = [(), ("-s", "DOCSPIDER_MONITOR_ACTIONS=docspider.monitors.Webhook,"
                         "docspider.monitors.Mail",
                   "-s", "DOCSPIDER_MONITOR_MAIL_TO=ops@example.org",
                   "-s", "DOCSPIDER_MONITOR_SMTP_HOST=127.0.0.1",
                   "-s", f"DOCSPIDER_MONITOR_SMTP_PORT={smtp_port}"),
              ("-s", "DOCSPIDER_MONITOR_ACTIONS=docspider.monitors.Webhook",
               "-s", "DOCSPIDER_MONITOR_WEBHOOK_FORMAT=slack")]
    done = []
    with LocalServer(demo_site(), tls=False) as server:
        for table, actions in zip((None, text_moved_to_images(), most_documents_gone()), notify):
            if table is not None:
                server.table = table
            proc = crawl("renrendoc", "-a", f"base_url={server.url}",
                         "-O", str(work / f"{len(done)}.jsonl"), "-s", "DOCSPIDER_STATE=",
                         "-s", f"DOCSPIDER_RUNS_DIR={work / 'runs'}",
                         "-s", f"DOCSPIDER_MONITOR_WEBHOOK_URL={url}", *actions)
            records = sorted((work / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
            done.append((proc, json.loads(records[-1].read_text(encoding="utf-8"))))
    return done


def outcomes(record: dict) -> dict[str, dict]:
    return {m["monitor"].split("/")[0]: m for m in record["monitors"]}


def test_first_run_has_no_history_and_passes(runs):
    proc, record = runs[0]
    assert proc.returncode == 0 == record["exit_status"], proc.stderr.decode()
    found = outcomes(record)
    assert found["Finish Reason Monitor"]["status"] == "OK"
    assert found["Documents"]["status"] == found["Template drift"]["status"] == "SKIPPED"
    assert "monitors: 2 passed, 0 failed, 3 skipped" in proc.stderr.decode()


def test_a_template_change_fails_the_drift_monitor(runs, webhook, mailbox):
    proc, record = runs[1]
    log = proc.stderr.decode()
    assert proc.returncode == 1 == record["exit_status"]
    assert record["counts"]["items"] >= 20          # the crawl still "succeeds" …
    drift = outcomes(record)["Template drift"]
    assert drift["status"] == "FAIL"
    assert "127.0.0.1: empty_excerpt_share 1.00, baseline 0.00" in drift["reason"]
    assert outcomes(record)["Documents"]["status"] == "OK"
    # one ERROR line naming the monitor and why, as scrapyd's job log shows it
    failures = [line for line in log.splitlines() if "monitor failed:" in line]
    assert len(failures) == 1 and " ERROR: " in failures[0] and "Template drift" in failures[0]
    assert "[Spidermon]" not in log                  # Spidermon's own report only at DEBUG
    _url, received = webhook
    posted = [body for body in received if body.get("run_id") == record["run_id"]]
    assert len(posted) == 1 and posted[0]["spider"] == "renrendoc"
    assert [f["monitor"].split("/")[0] for f in posted[0]["failed"]] == ["Template drift"]
    _port, messages = mailbox
    (mail,) = messages
    assert mail["To"] == "ops@example.org"
    assert mail["Subject"] == f"docspider: renrendoc run {record['run_id']}: 1 monitor failed"
    assert drift["reason"] in mail.get_content()


def test_losing_most_documents_fails_the_documents_monitor(runs, webhook):
    proc, record = runs[2]
    assert proc.returncode == 1 == record["exit_status"]
    documents = outcomes(record)["Documents"]
    assert documents["status"] == "FAIL"
    previous = runs[1][1]
    assert documents["reason"] == (
        f"{record['counts']['items']} documents seen, the previous run ({previous['run_id']}) "
        f"{previous['counts']['items']}: fewer than 50% of them")
    _url, received = webhook                        # Slack's incoming-webhook form
    (slack,) = [body for body in received if record["run_id"] in body.get("text", "")]
    assert documents["reason"] in slack["text"]


def test_monitors_are_skipped_without_run_records(tmp_path):
    with LocalServer(demo_site(), tls=False) as server:
        proc = crawl("renrendoc", "-a", f"base_url={server.url}", "-O",
                     str(tmp_path / "o.jsonl"), "-s", "DOCSPIDER_STATE=",
                     "-s", "DOCSPIDER_RUNS_DIR=")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "monitors: 2 passed, 0 failed, 3 skipped" in proc.stderr.decode()


def test_a_notification_that_cannot_be_sent_is_a_warning(tmp_path):
    """A monitor fails (no finish reason is expected) and its webhook is down: the crawl
    says so in one WARNING line, beside the monitor's ERROR line."""
    with LocalServer(demo_site(), tls=False) as server:
        proc = crawl("renrendoc", "-a", f"base_url={server.url}", "-O",
                     str(tmp_path / "o.jsonl"), "-s", "DOCSPIDER_STATE=",
                     "-s", "SPIDERMON_EXPECTED_FINISH_REASONS=shutdown",
                     "-s", "DOCSPIDER_MONITOR_ACTIONS=docspider.monitors.Webhook",
                     "-s", f"DOCSPIDER_MONITOR_WEBHOOK_URL=http://127.0.0.1:{free_port()}/hook")
    log = proc.stderr.decode()
    assert proc.returncode == 1, log
    warnings = [line for line in log.splitlines() if "monitor action failed:" in line]
    assert len(warnings) == 1 and " WARNING: monitor action failed: Webhook: " in warnings[0] \
        and "Connection refused" in warnings[0], log
