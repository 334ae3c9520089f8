"""How Scrapy's own tools run in this project: `scrapy check`, `parse`, `shell`, `fetch`, `view`
and `bench` look at pages and leave nothing behind — no state store, no WARC archive, no default
feed, no run record, no monitors. docspider's subclasses of those commands (docspider/commands/)
apply `LeaveNothing`.
"""
from __future__ import annotations

import argparse

from scrapy.settings import SETTINGS_PRIORITIES

# A command's `default_settings` rank below the project's settings.py, so they could not turn
# these off. This priority ranks above settings.py and a spider's custom_settings and below the
# command line: `-s DOCSPIDER_ARCHIVE=True` still turns a part back on.
PRIORITY = (SETTINGS_PRIORITIES["spider"] + SETTINGS_PRIORITIES["cmdline"]) // 2

LEAVE_NOTHING = {
    "DOCSPIDER_STATE": "",              # nothing recorded, no page skipped as known
    "DOCSPIDER_ARCHIVE": False,
    "DOCSPIDER_DEFAULT_FEED": "",       # an explicit -o / -O still writes its feed
    # a tool run is not a crawl: no run record, no after-run monitors (nor their alerts)
    "DOCSPIDER_RUNS_DIR": "",
    "REDIS_URL": "",                    # nor a worker of a distributed crawl
    "SPIDERMON_ENABLED": False,
    # a page is segmented on its own, whatever the tool fetched before it
    "DOCSPIDER_LEARN_BOILERPLATE": False,
    # a tool parses a page or a few: worker processes would cost more than they save (and
    # `scrapy check` runs every spider in one process)
    "DOCSPIDER_SEGMENT_WORKERS": 0,
}


# Politeness is for the sites: a command that asks only a server of its own on 127.0.0.1
# (`check`, `bench`) drops the delays.
LOCAL_SERVER = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}


class LeaveNothing:
    """Mixin for a subclass of one of Scrapy's commands: applies LEAVE_NOTHING and the command's
    own `tool_settings` at PRIORITY."""

    tool_settings: dict = {}

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        self.settings.setdict({**LEAVE_NOTHING, **self.tool_settings}, priority=PRIORITY)
