"""Signals docspider sends, besides Scrapy's own (connect with ``crawler.signals.connect``)."""

#: A page that will give no item: ``url`` and the skip ``reason`` (as in
#: ``docspider/skipped/<reason>``). Sent by the spiders when they count the skip.
page_skipped = object()
