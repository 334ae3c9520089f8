"""Signals docspider sends, besides Scrapy's own (connect with ``crawler.signals.connect``)."""

#: A page that will give no item and needs no other try: ``url``, the skip ``reason`` (as in
#: ``docspider/skipped/<reason>``) and the HTTP ``status`` if one was the reason (else None).
#: Sent by the spiders and pipelines when they count the skip.
page_skipped = object()

#: A page that gave no item after its last retry: ``url``, the ``reason`` (as in
#: ``docspider/failed/<reason>``), the HTTP ``status`` if one was the reason and the number of
#: ``attempts``. It stays in the frontier: the next run fetches it again.
page_failed = object()

#: The after-run monitors ran (docspider.monitors): ``outcomes``, one dict per monitor with its
#: ``monitor`` name, ``status`` (Spidermon's: OK, FAIL, ERROR, SKIPPED …) and ``reason``.
monitors_finished = object()

#: Skip reasons that are an incremental crawl working as meant, not problems: logged at DEBUG
#: and left out of the run's list of skipped pages.
ROUTINE_SKIPS = frozenset({"known", "not_modified", "unchanged"})

#: A write to a feed, the archive or the state store failed: ``path`` and ``error``. The crawl
#: stops (docspider.writes).
write_failed = object()

#: A listing page is done: every request its links gave is scheduled (``url``). A distributed
#: crawl's worker lets go of the page then (docspider.cluster).
listing_parsed = object()
