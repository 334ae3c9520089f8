"""Signals docspider sends, besides Scrapy's own (connect with ``crawler.signals.connect``)."""

#: A page that will give no item and needs no other try: ``url`` and the skip ``reason`` (as
#: in ``docspider/skipped/<reason>``). Sent by the spiders when they count the skip.
page_skipped = object()

#: A page that gave no item after its last retry: ``url`` and the ``reason`` (as in
#: ``docspider/failed/<reason>``). It stays in the frontier: the next run fetches it again.
page_failed = object()

#: A write to a feed, the archive or the state store failed: ``path`` and ``error``. The crawl
#: stops (docspider.writes).
write_failed = object()
