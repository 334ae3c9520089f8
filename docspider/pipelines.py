"""Item pipeline: schema validation, before anything else decides on the item.

The item leaves as the plain dict it was validated as (`output.item_data`): the later
pipelines and the feed exporter use that one dict, so an item is serialised once. Items that
fail the schema are dropped with a logged reason, counted in the stats
(`docspider/skipped/invalid_item`) and never written.
"""
from __future__ import annotations

from scrapy.exceptions import DropItem

from docspider.output import item_data, schema_errors
from docspider.signals import page_skipped


class ValidateItemPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        data = item_data(item)
        if errors := schema_errors(data):
            self.stats.inc_value("docspider/skipped/invalid_item")
            if url := data.get("url"):
                self.crawler.signals.send_catch_log(page_skipped, url=url, reason="invalid_item")
            raise DropItem(f"item fails the schema: {'; '.join(errors)}")
        return data
