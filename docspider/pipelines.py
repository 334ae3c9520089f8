"""Item pipelines: schema validation before export, and per-site stats.

Items that fail the schema are dropped with a logged reason and counted in the stats
(`docspider/skipped/invalid_item`), never written.
"""
from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from docspider.output import schema_errors

logger = logging.getLogger(__name__)


class ValidateItemPipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if errors := schema_errors(item):
            self.stats.inc_value("docspider/skipped/invalid_item")
            raise DropItem(f"item fails the schema: {'; '.join(errors)}")
        adapter = ItemAdapter(item)
        site = adapter.get("site") or "unknown"
        self.stats.inc_value(f"docspider/items/{site}")
        excerpt = adapter["excerpt"]
        if not excerpt.pages:
            self.stats.inc_value("docspider/items_empty_excerpt")
        self.stats.inc_value("docspider/parts/pages", len(excerpt.pages))
        self.stats.inc_value("docspider/parts/related", len(adapter["related"]))
        self.stats.inc_value("docspider/parts/disclaimer", len(adapter["disclaimer"]))
        return item
