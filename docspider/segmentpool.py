"""Segmentation in worker processes: the CPU work of a page off the crawl's reactor.

A crawl spends about as much CPU segmenting pages as Scrapy spends fetching them; on a machine
with more than one core, `DOCSPIDER_SEGMENT_WORKERS` processes do the segmenting while the
reactor goes on downloading, archiving and writing. `scrapy segment --jobs N` and `scrapy
reparse --jobs N` use the same pool.

Workers are started by a fork server that has the segmenter imported already (a fork of the
crawl itself would copy the reactor, its threads and its signal handlers), in a thread when the
spider opens; `scrapy segment`, which runs no reactor, forks them from itself. Each has a pipe
of its own; no thread of the crawl takes part in a call (see `SegmentPool`). Workers ignore
SIGINT: Ctrl-C reaches the crawl, which finishes the pages in flight and closes the pool; and
they end when the process that started them ends, however it ended (SIGKILL included). Results
come back in the order pages were sent (`in_order`, `ordered`), so items keep the order they
would have had in-process. A page is segmented with the host's boilerplate as learned when it
was sent, which does not count the pages then in flight: a newly learned line may take effect a
few pages later than in-process. A worker that dies (killed, out of memory) fails the pages it
held: they raise `WorkerDied` (a crawl counts them as `docspider/failed/worker_died` and keeps
them in its frontier for the next run), and the next call starts a new worker.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import pickle
import select
import signal
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, wait

from scrapy import signals
from scrapy.exceptions import NotConfigured, UsageError

PRELOAD = ["docspider.document", "docspider.commands.segment"]


class WorkerDied(RuntimeError):
    """The worker segmenting a page ended before it answered."""


def usable_cores() -> int:
    return len(os.sched_getaffinity(0))


def default_workers() -> int:
    """One worker fewer than the cores this process may use: the reactor keeps one."""
    return max(usable_cores() - 1, 0)


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
    """In a new worker: leave Ctrl-C to the owner (the crawl), and end as soon as the owner
    ends. An idle worker would end anyway (its pipe closes with the owner); one in the middle
    of a page would go on with it, for nobody."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        owner_fd = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(1)
    threading.Thread(target=_exit_with_owner, args=(owner_fd,), daemon=True).start()


def _exit_with_owner(owner_fd: int) -> None:
    select.select([owner_fd], [], [])       # readable once the owner has ended
    os._exit(1)


def _serve(conn, owner: int, inherited: tuple[int, ...] = ()) -> None:
    """A worker's life: read a call, run it, write its outcome, until the pipe closes.
    `inherited`: the owner's ends of pipes a fork holds copies of, closed first (while a copy
    of the owner's end is open, its closing never reads as an end here)."""
    for inherited_fd in inherited:
        os.close(inherited_fd)
    _start_worker(owner)
    fd = conn.fileno()
    while (head := _read_exact(fd, _HEAD.size)) is not None:
        if (call := _read_exact(fd, _HEAD.unpack(head)[0])) is None:
            break
        try:
            func, args, kwargs = pickle.loads(call)
            outcome = (True, func(*args, **kwargs))
        except Exception as exc:      # noqa: BLE001 - the caller gets it, as in-process
            outcome = (False, exc)
        try:
            data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
            if not outcome[0]:
                pickle.loads(data)      # an exception that cannot be rebuilt is told in words
        except Exception as exc:      # noqa: BLE001
            data = pickle.dumps((False, RuntimeError(f"{outcome[1]!r} (not picklable: {exc})")))
        _write_all(fd, _HEAD.pack(len(data)) + data)


_HEAD = struct.Struct("!Q")             # a message: its length, then a pickle


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Worker:
    """One worker process and the parent's end of its pipe (non-blocking): what is still to
    be written, what has been read of the next answer, and the calls waiting for answers, in
    the order they were sent (a worker answers in that order)."""

    def __init__(self, context, owner: int, forked_beside: list[_Worker] | None = None):
        """`forked_beside`: the workers already started, when this one is a fork."""
        self.conn, theirs = context.Pipe()
        inherited = () if forked_beside is None else (
            self.conn.fileno(), *(worker.fd for worker in forked_beside))
        self.process = context.Process(target=_serve, args=(theirs, owner, inherited),
                                       daemon=True)
        self.process.start()
        theirs.close()                  # so that the worker's end closing is an end of file
        self.fd = self.conn.fileno()
        os.set_blocking(self.fd, False)
        self.outbox = bytearray()
        self.inbox = bytearray()
        self.waiting: deque[_Call] = deque()
        self.alive = True

    def fileno(self) -> int:            # for select
        return self.fd


class _Call:
    """A call sent to a worker; `outcome` is (True, result) or (False, exception) once known."""

    __slots__ = ("pool", "outcome", "future")

    def __init__(self, pool: SegmentPool, future: asyncio.Future | None):
        self.pool, self.outcome, self.future = pool, None, future

    def settle(self, outcome: tuple[bool, object]) -> None:
        self.outcome = outcome
        future = self.future
        if future is not None and not future.done():
            if outcome[0]:
                future.set_result(outcome[1])
            else:
                future.set_exception(outcome[1])

    def result(self):
        """The call's result (its exception raised), waiting for it without a running loop."""
        while self.outcome is None:
            self.pool._wait()
        ok, value = self.outcome
        if ok:
            return value
        raise value


class SegmentPool:
    """Worker processes fed over pipes: a call is pickled and written by the caller (the
    reactor, in a crawl) and its answer read when the pipe is readable — from the event loop
    when one runs (`in_order`), else by waiting on the pipes (`ordered`, `_Call.result`). No
    thread takes part, so a page costs the crawl the pickling of its text and of its item."""

    def __init__(self, workers: int, *, fork: bool = False):
        """`fork`: start the workers as forks of this process, which has the segmenter
        imported already (half a second sooner than the fork server); only for a process
        that runs no event loop and no other thread (`scrapy segment`)."""
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.workers = workers
        self.fork = fork
        self._pool: list[_Worker] = []
        self._context = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting: Future | None = None
        self._last_turn: asyncio.Future | None = None

    def start_soon(self) -> None:
        """Start the workers in a thread: the fork server imports the segmenter before the
        first worker can start (most of a second), which the loop should not wait for."""
        starting = self._starting = Future()

        def fill() -> None:
            try:
                self._fill()
            except BaseException as exc:    # noqa: BLE001 - the first call tries again
                starting.set_exception(exc)
            else:
                starting.set_result(None)
        threading.Thread(target=fill, name="segment-workers", daemon=True).start()

    def _fill(self) -> list[_Worker]:
        """Replace the workers that died and start the missing ones; the new workers."""
        if self._context is None:
            if self.fork:
                self._context = multiprocessing.get_context("fork")
            else:
                self._context = multiprocessing.get_context("forkserver")
                self._context.set_forkserver_preload(PRELOAD)
        if self.fork:
            # a fork flushes its copy of what the standard streams hold when it ends
            sys.stdout.flush()
            sys.stderr.flush()
        self._pool = [w for w in self._pool if w.alive]
        new: list[_Worker] = []
        for _ in range(self.workers - len(self._pool)):
            beside = self._pool + new if self.fork else None
            new.append(_Worker(self._context, os.getpid(), beside))
        self._pool += new
        return new

    def _worker(self) -> _Worker:
        """The live worker with the fewest calls waiting."""
        for worker in self._fill():
            if self._loop is not None:
                self._loop.add_reader(worker.fd, self._readable, worker)
        return min(self._pool, key=lambda w: len(w.waiting))

    def submit(self, func: Callable, *args, **kwargs) -> _Call:
        return self._send(_Call(self, None), func, args, kwargs)

    def _send(self, call: _Call, func: Callable, args: tuple, kwargs: dict) -> _Call:
        data = pickle.dumps((func, args, kwargs), pickle.HIGHEST_PROTOCOL)
        worker = self._worker()
        worker.waiting.append(call)
        worker.outbox += _HEAD.pack(len(data))
        worker.outbox += data
        self._writable(worker)
        return call

    def _writable(self, worker: _Worker) -> None:
        try:
            del worker.outbox[:os.write(worker.fd, worker.outbox)]
        except BlockingIOError:
            pass
        except OSError:
            self._died(worker)
            return
        if self._loop is not None:
            if worker.outbox:
                self._loop.add_writer(worker.fd, self._writable, worker)
            else:
                self._loop.remove_writer(worker.fd)

    def _readable(self, worker: _Worker) -> None:
        ended = False
        while not ended:
            try:
                chunk = os.read(worker.fd, 1 << 20)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            ended = not chunk
            worker.inbox += chunk
        inbox = worker.inbox
        while len(inbox) >= _HEAD.size:
            end = _HEAD.size + _HEAD.unpack_from(inbox)[0]
            if len(inbox) < end:
                break
            outcome = pickle.loads(memoryview(inbox)[_HEAD.size:end])
            del inbox[:end]
            worker.waiting.popleft().settle(outcome)
        if ended:                       # after the answers it gave before it ended
            self._died(worker)

    def _died(self, worker: _Worker) -> None:
        """A worker's pipe closed: it ended (killed, out of memory). Its calls fail; the next
        call starts a new worker."""
        if not worker.alive:
            return
        worker.alive = False
        if self._loop is not None:
            self._loop.remove_reader(worker.fd)
            self._loop.remove_writer(worker.fd)
        worker.conn.close()
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        while worker.waiting:
            worker.waiting.popleft().settle(
                (False, WorkerDied(f"segmentation worker died (exit status {code})")))

    def _wait(self) -> None:
        """Block until some worker's pipe is ready, and serve it."""
        live = [w for w in self._pool if w.alive]
        if not live:                    # cannot happen: a dead worker's calls are settled
            raise RuntimeError("no segmentation worker holds the call")
        readable, writable, _ = select.select(live, [w for w in live if w.outbox], [])
        for worker in writable:
            self._writable(worker)
        for worker in readable:
            self._readable(worker)

    @staticmethod
    def result(call: _Call):
        """The result of a `submit`/`ordered` call, its exception raised."""
        return call.result()

    async def in_order(self, func: Callable, *args, **kwargs):
        """Run `func` in a worker without blocking the loop; returns (result, done). The result
        is handed out only after every earlier call's `done()`: call it once the result has
        been used (items yielded), and always, on errors too."""
        loop = asyncio.get_running_loop()
        before, mine = self._last_turn, loop.create_future()
        self._last_turn = mine          # the turn is taken now, whatever is awaited below

        def done() -> None:
            if not mine.done():
                mine.set_result(None)
        try:
            if self._starting is not None and not self._starting.done():
                with contextlib.suppress(Exception):    # the send below starts them again
                    await asyncio.wrap_future(self._starting)
            if self._loop is not loop:
                self._attach(loop)
            future = loop.create_future()
            self._send(_Call(self, future), func, args, kwargs)
            try:
                await future
            except Exception:           # noqa: BLE001 - raised to the caller below, in turn
                pass
            if before is not None:
                await before
            return future.result(), done
        except BaseException:
            done()
            raise

    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        for worker in self._pool:
            if worker.alive:
                loop.add_reader(worker.fd, self._readable, worker)

    def ordered(self, func: Callable, inputs: Iterable, window: int | None = None
                ) -> Iterator[tuple[object, _Call]]:
        """(input, call) for each input in input order, with at most `window` (default:
        four a worker) in flight; read each outcome with `SegmentPool.result(call)`."""
        window = window or 4 * self.workers
        pending: deque[tuple[object, _Call]] = deque()
        for value in inputs:
            pending.append((value, self.submit(func, value)))
            if len(pending) >= window:
                yield pending.popleft()
        while pending:
            yield pending.popleft()

    def close(self) -> None:
        """End the workers: their pipes close, they finish the call in hand and exit."""
        if self._starting is not None:
            wait([self._starting])          # the pool is complete before it is closed
        for worker in self._pool:
            if worker.alive:
                worker.alive = False
                if self._loop is not None and not self._loop.is_closed():
                    self._loop.remove_reader(worker.fd)
                    self._loop.remove_writer(worker.fd)
                worker.conn.close()
        for worker in self._pool:
            worker.process.join(timeout=10)
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()
        self._pool = []


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
        self.pool.start_soon()

    def spider_closed(self, spider) -> None:
        self.pool.close()
