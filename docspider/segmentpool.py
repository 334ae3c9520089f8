"""Segmentation in worker processes: the CPU work of a page off the crawl's reactor.

A crawl spends about as much CPU segmenting pages as Scrapy spends fetching them; on a machine
with more than one core, `DOCSPIDER_SEGMENT_WORKERS` processes do the segmenting while the
reactor goes on downloading, archiving and writing. `scrapy segment --jobs N` and `scrapy
reparse --jobs N` use the same pool.

Workers are started by a fork server that has the segmenter imported already (a fork of the
crawl itself would copy the reactor, its threads and its signal handlers). They ignore SIGINT:
Ctrl-C reaches the crawl, which finishes the pages in flight and closes the pool; and they end
when the process that started them ends, however it ended (SIGKILL included). Results come
back in the order pages were sent (`in_order`, `ordered`), so items keep the order they would
have had in-process. A worker that dies (killed, out of memory) fails the pages in flight at
that moment: they raise `WorkerDied` (a crawl counts them as `docspider/failed/worker_died`
and keeps them in its frontier for the next run), and the next page gets a new pool.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import select
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy import signals
from scrapy.exceptions import NotConfigured, UsageError

PRELOAD = ["docspider.document", "docspider.commands.segment"]


class WorkerDied(RuntimeError):
    """The worker segmenting a page ended before it answered."""


def default_workers() -> int:
    """One worker fewer than the cores this process may use: the reactor keeps one."""
    return max(len(os.sched_getaffinity(0)) - 1, 0)


def workers_setting(value) -> int:
    """`DOCSPIDER_SEGMENT_WORKERS` as a number: empty/None means the default."""
    if value in (None, ""):
        return default_workers()
    try:
        workers = int(value)
    except (TypeError, ValueError):
        raise UsageError(f"DOCSPIDER_SEGMENT_WORKERS: not a whole number: {value!r}") from None
    if workers < 0:
        raise UsageError(f"DOCSPIDER_SEGMENT_WORKERS: must be 0 or more, not {workers}")
    return workers


def jobs_option(value: str) -> int:
    """argparse type of `--jobs N` (segment, reparse): N >= 1 processes."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def _start_worker(owner: int) -> None:
    """In a new worker: leave Ctrl-C to the owner (the crawl), and end when the owner ends —
    a killed crawl's workers would otherwise wait for pages forever (they hold their own
    queue's pipe open, so no end of file ever comes)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        owner_fd = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(1)
    threading.Thread(target=_exit_with_owner, args=(owner_fd,), daemon=True).start()


def _exit_with_owner(owner_fd: int) -> None:
    select.select([owner_fd], [], [])       # readable once the owner has ended
    os._exit(1)


class SegmentPool:
    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._last_turn: asyncio.Future | None = None

    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context,
                                                 initializer=_start_worker,
                                                 initargs=(os.getpid(),))
        return self._executor

    def submit(self, func: Callable, *args, **kwargs) -> Future:
        try:
            return self.executor().submit(func, *args, **kwargs)
        except BrokenProcessPool:
            self._restart()
            return self.executor().submit(func, *args, **kwargs)

    def _restart(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    @staticmethod
    def result(future: Future):
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise WorkerDied(f"segmentation worker died ({exc})") from None

    async def in_order(self, func: Callable, *args, **kwargs):
        """Run `func` in a worker without blocking the loop; returns (result, done). The result
        is handed out only after every earlier call's `done()`: call it once the result has
        been used (items yielded), and always, on errors too."""
        future = self.submit(func, *args, **kwargs)
        before, mine = self._last_turn, asyncio.get_running_loop().create_future()
        self._last_turn = mine

        def done() -> None:
            if not mine.done():
                mine.set_result(None)
        try:
            try:
                await asyncio.wrap_future(future)
            except Exception:           # noqa: BLE001 - raised to the caller below, in turn
                pass
            if before is not None:
                await before
            return self.result(future), done
        except BaseException:
            done()
            raise

    def ordered(self, func: Callable, inputs: Iterable, window: int | None = None
                ) -> Iterator[tuple[object, Future]]:
        """(input, future) for each input in input order, with at most `window` (default:
        four a worker) in flight; read each outcome with `SegmentPool.result(future)`."""
        window = window or 4 * self.workers
        pending: deque[tuple[object, Future]] = deque()
        for value in inputs:
            pending.append((value, self.submit(func, value)))
            if len(pending) >= window:
                yield pending.popleft()
        while pending:
            yield pending.popleft()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


class SegmentWorkers:
    """Extension: the crawl's pool of `DOCSPIDER_SEGMENT_WORKERS` processes (not loaded when
    it is 0), closed with the spider."""

    def __init__(self, crawler, workers: int):
        self.pool = SegmentPool(workers)
        self.stats = crawler.stats
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        workers = workers_setting(crawler.settings.get("DOCSPIDER_SEGMENT_WORKERS"))
        if not workers:
            raise NotConfigured
        return cls(crawler, workers)

    def spider_opened(self, spider) -> None:
        self.stats.set_value("docspider/segment_workers", self.pool.workers)

    def spider_closed(self, spider) -> None:
        self.pool.close()
