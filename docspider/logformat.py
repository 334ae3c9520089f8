"""Log lines for items: one line each, never the item itself.

Scrapy's own formatter logs every scraped item, and every dropped one, with its whole repr:
a 10,000-page crawl at DEBUG wrote a 68 MB log. Here a scraped item is one DEBUG line (url,
title, excerpt pages, change mark) and a dropped or failed one a line naming its URL and why.
Enabled by ``LOG_FORMATTER``.
"""
from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.logformatter import LogFormatter


def _url(item) -> str:
    adapter = ItemAdapter(item)
    return adapter.get("url") or adapter.get("source") or "(no url)"


# Scrapy logs a scraped item through this logger; when it would drop the line anyway, the line
# is not made (a formatter returning None logs nothing): no work for each item at INFO.
_SCRAPER_LOG = logging.getLogger("scrapy.core.scraper")


class ConciseLogFormatter(LogFormatter):
    def scraped(self, item, response, spider):
        if not _SCRAPER_LOG.isEnabledFor(logging.DEBUG):
            return None
        adapter = ItemAdapter(item)
        excerpt = adapter.get("excerpt") or {}
        return {"level": logging.DEBUG,
                "msg": "item %(url)s: %(title)r, %(pages)d excerpt pages, %(change)s",
                "args": {"url": _url(item), "title": adapter.get("title"),
                         "pages": len(ItemAdapter(excerpt).get("pages") or ()),
                         "change": adapter.get("change") or "-"}}

    def dropped(self, item, exception, response, spider):
        result = super().dropped(item, exception, response, spider)
        return {**result, "msg": "dropped %(url)s: %(exception)s",
                "args": {"url": _url(item), "exception": exception}}

    def item_error(self, item, exception, response, spider):
        return {**super().item_error(item, exception, response, spider),
                "msg": "error processing %(url)s", "args": {"url": _url(item)}}
