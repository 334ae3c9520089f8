"""The spider contracts of docspider (``SPIDER_CONTRACTS``), checked by `scrapy check`.

`DocumentSpider.parse_page` declares the contract once for every spider; a spider only names its
``sample_url``, a document page of its site saved as a fixture:

* ``@sample_url`` — the sample request is the spider's own request for its ``sample_url``, as a
  crawl would make it at depth 0;
* ``@returns items 1 1`` (Scrapy's) — the page gives one item;
* ``@document`` — that item is valid against the item schema and has a title and excerpt text.

`scrapy check` (docspider.commands.check) serves the fixtures to these requests on 127.0.0.1.
"""
from __future__ import annotations

from typing import Any

from itemadapter import is_item
from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from docspider.output import item_data, schema_errors


class SampleUrlContract(Contract):
    """``@sample_url``: fetch the spider's ``sample_url`` with the spider's own request."""

    name = "sample_url"

    def __init__(self, method, *args: Any):
        super().__init__(method, *args)
        self.spider = method.__self__

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        url = getattr(self.spider, "sample_url", None)
        if not url:
            raise ValueError(f"spider {self.spider.name!r} has no sample_url: set it to a "
                             "document page saved under tests/fixtures/site/<host>/<path>")
        own = self.spider.request(url, depth=0)
        return {**args, "url": own.url, "meta": own.meta, "cb_kwargs": own.cb_kwargs}


class DocumentContract(Contract):
    """``@document``: every item is schema-valid, with a title and excerpt text."""

    name = "document"

    def post_process(self, output: list[Any]) -> None:
        for item in filter(is_item, output):
            data = item_data(item)
            if errors := schema_errors(data):
                raise ContractFail(f"{data.get('url')}: item fails the schema: "
                                   + "; ".join(errors))
            if not data["title"]:
                raise ContractFail(f"{data['url']}: no title")
            if not data["excerpt"]["text"].strip():
                raise ContractFail(f"{data['url']}: empty excerpt")
