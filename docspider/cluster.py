"""Distributed crawls: any number of workers, on any machines, sharing one Redis server.

``REDIS_URL`` (a setting, or the environment variable) turns it on; without it a crawl is one
process with its local scheduler, as always. With it, the frontier is scrapy-redis's — its
scheduler, priority queue and duplicate filter, subclassed here for what docspider needs — and
the state store is the Redis one (:mod:`docspider.redisstate`). Every worker of a spider takes
requests from the same queue and writes its own feeds, WARC files and run record, named with
its worker id (``<host>-<pid>``).

A *crawl* is what the workers do together, from the first one starting on an empty queue to the
last one leaving it empty. The worker that starts it is the one that seeds it (the spider's
start pages, unless seeds are waiting in the start key, and the documents an earlier crawl left
in the frontier): a Redis key taken with SET NX, so that two workers starting together do not
both seed. The duplicate filter is the crawl's own, so the next crawl fetches the listings again.

Nothing a worker takes is lost when it dies: popping a request moves it, in one step, into the
worker's *taken* set, where it stays until its outcome is final — its item written and recorded,
the page skipped or failed for good, a listing's links all scheduled — or it goes back to the
queue itself (a retry, a redirect). Each worker renews its deadline in the workers set every
quarter of ``DOCSPIDER_WORKER_TIMEOUT``; a worker past its deadline (or, on the same machine,
whose process is gone) is dead, and any other worker puts its taken requests back in the queue.
A document is emitted once overall because it is recorded in the shared state store once its
line is written: a request that comes back for a recorded document finds it known.

A worker closes when the queue, the start key and every worker's taken set have been empty for
``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds (0: it waits for more seeds for ever). The last one to
close on an empty queue ends the crawl.

Keys, next to the state store's (prefix ``docspider:<spider>``): ``P:requests`` (the queue,
scrapy-redis's sorted set of pickled requests), ``P:start_urls`` (seeds, `scrapy seed`),
``P:crawl`` (the crawl's id), ``P:dupefilter:<crawl>`` (its request fingerprints),
``P:workers`` (worker id -> deadline) and ``P:taken:<worker>``.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import re
import socket
import time
import uuid
from urllib.parse import urlsplit

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured, UsageError
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from docspider.signals import listing_parsed, page_failed, page_skipped
from docspider.redisstate import is_redis_url, process_alive
from docspider.state import StateError
from docspider.writes import change_state, report, writes_failed

logger = logging.getLogger(__name__)

LEASE = "docspider_lease"          # request meta: which of this worker's leases a request is
CRAWL_KEYS_SECONDS = 7 * 24 * 3600  # a crawl all of whose workers died is forgotten after this
SEED_BATCH = 100
POLL_SECONDS = 0.5         # how often an idle worker looks at the queue

# Pop the first request into the worker's taken set, with its score (the priority).
_POP = """
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return false end
redis.call('ZREM', KEYS[1], first[1])
redis.call('ZADD', KEYS[2], first[2], first[1])
return first[1]
"""
# Push a request unless the crawl saw its fingerprint (ARGV[3]; '' never filters), and let go
# of the lease it came back from (ARGV[4]; '' none): one step, so a kill cannot lose it.
_PUSH = """
local added = 1
if ARGV[3] ~= '' then added = redis.call('SADD', KEYS[2], ARGV[3]) end
if added == 1 then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
if ARGV[4] ~= '' then redis.call('ZREM', KEYS[3], ARGV[4]) end
return added
"""
# The wait before a request to a host, by the server's clock (the workers' clocks may differ):
# the host's next free moment moves on by ARGV[1] seconds, the delay, from now or from when it was.
_TURN = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
local at = math.max(t, tonumber(redis.call('GET', KEYS[1]) or '0'))
local free = at + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.6f', free), 'PX', math.ceil((free - t) * 1000) + 1000)
return string.format('%.6f', at - t)
"""
# A dead worker's taken requests back into the queue, unless it renewed its deadline meanwhile
# (ARGV[2]: now; ARGV[3] '1': its process is known to be gone).
_REAP = """
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if deadline and ARGV[3] ~= '1' and tonumber(deadline) >= tonumber(ARGV[2]) then return -1 end
local taken = redis.call('ZCARD', KEYS[2])
if taken > 0 then
  redis.call('ZUNIONSTORE', KEYS[3], 2, KEYS[3], KEYS[2], 'AGGREGATE', 'MIN')
  redis.call('DEL', KEYS[2])
end
redis.call('ZREM', KEYS[1], ARGV[1])
return taken
"""


def redis_url(settings) -> str | None:
    """The Redis server of a distributed crawl: REDIS_URL, the setting or else (the setting
    None) the environment variable; None for a crawl of one process (an empty setting turns
    the environment's off: `scrapy demo`, `reparse` and Scrapy's tools set it so)."""
    value = settings.get("REDIS_URL")
    if value is None:
        value = os.environ.get("REDIS_URL")
    return value or None


def distributed_state(settings, path: str | None) -> str:
    """The state store of a distributed crawl: DOCSPIDER_STATE when it is a Redis URL, else the
    REDIS_URL server — unless the user chose a local store, which workers cannot share."""
    if path and is_redis_url(path):
        return path
    if settings.getpriority("DOCSPIDER_STATE") > SETTINGS_PRIORITIES["project"]:
        raise StateError("a distributed crawl (REDIS_URL) keeps its state in Redis: "
                         f"DOCSPIDER_STATE must be a redis:// URL, not {path or 'empty'!r}")
    return redis_url(settings)


def in_redis(crawler, call, *args, default=None):
    """`call(*args)`, a step of the crawl in Redis; when Redis fails, the crawl stops like on
    any failed write (exit status 1, docspider.writes) and `default` is returned. What the
    worker had taken stays leased in Redis: once the server is back, another worker puts it
    back in the queue."""
    if writes_failed(crawler.stats):
        return default
    try:
        return call(*args)
    except redis.RedisError as exc:
        report(crawler, "the distributed crawl's Redis", exc)
        return default


def worker_id() -> str:
    """`<host>-<pid>`: names the worker's files and its entries in Redis."""
    return f"{_host()}-{os.getpid()}"


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", socket.gethostname()) or "host"


def _gone(worker: str) -> bool:
    """Whether `worker` ran on this machine and its process is gone."""
    host, _, pid = worker.rpartition("-")
    return host == _host() and pid.isdigit() and not process_alive(int(pid))


def parse_seed(data: bytes) -> str | None:
    """The URL of a seed in the start key: scrapy-redis's JSON (``{"url": …}``) or a bare URL."""
    text = data.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            url = json.loads(text).get("url")
        except (ValueError, AttributeError):
            return None
        return url if isinstance(url, str) else None
    return text or None


def encode_seed(url: str) -> str:
    return json.dumps({"url": url}, ensure_ascii=False)


class Cluster:
    """One worker's place in a spider's distributed crawl (see the module docstring)."""

    def __init__(self, url: str, spider: str, settings):
        try:
            self.db = redis.Redis.from_url(url)
            self.db.ping()
        except (redis.RedisError, ValueError) as exc:
            raise StateError(f"cannot reach the Redis server {url}: {exc}") from None
        self.prefix = f"docspider:{spider}"
        self.queue_key = settings.get("SCHEDULER_QUEUE_KEY") % {"spider": spider}
        self.start_key = settings.get("REDIS_START_URLS_KEY") % {"name": spider}
        self.workers_key = f"{self.prefix}:workers"
        self.crawl_key = f"{self.prefix}:crawl"
        self.timeout = settings.getfloat("DOCSPIDER_WORKER_TIMEOUT")
        self.worker = worker_id()
        self.taken_key = self.taken(self.worker)
        self.crawl = ""
        self.started = False            # this worker started the crawl: it seeds it
        self._pop = self.db.register_script(_POP)
        self._push = self.db.register_script(_PUSH)
        self._reap = self.db.register_script(_REAP)
        self._turn = self.db.register_script(_TURN)

    def taken(self, worker: str) -> str:
        return f"{self.prefix}:taken:{worker}"

    @property
    def dupefilter_key(self) -> str:
        return f"{self.prefix}:dupefilter:{self.crawl}"

    def join(self) -> None:
        """Become a worker of the running crawl, or start one."""
        self.heartbeat()
        while not self.crawl:
            token = uuid.uuid4().hex[:12]
            if self.db.set(self.crawl_key, token, nx=True, ex=CRAWL_KEYS_SECONDS):
                self.crawl, self.started = token, True
            elif (running := self.db.get(self.crawl_key)) is not None:
                self.crawl = running.decode()

    def heartbeat(self) -> None:
        """Renew this worker's deadline (and the crawl's keys' expiry)."""
        with self.db.pipeline(transaction=False) as pipe:
            pipe.zadd(self.workers_key, {self.worker: time.time() + self.timeout})
            if self.crawl:
                pipe.expire(self.crawl_key, CRAWL_KEYS_SECONDS)
                pipe.expire(self.dupefilter_key, CRAWL_KEYS_SECONDS)
            pipe.execute()

    def reap(self) -> int:
        """Put the requests dead workers had taken back in the queue; how many."""
        now = time.time()
        returned = 0
        for name, deadline in self.db.zrange(self.workers_key, 0, -1, withscores=True):
            worker = name.decode()
            if worker == self.worker:
                continue
            gone = _gone(worker)
            if deadline < now or gone:
                taken = self._reap(keys=[self.workers_key, self.taken(worker), self.queue_key],
                                   args=[worker, now, "1" if gone else "0"])
                if taken > 0:
                    logger.warning("worker %s is gone: %d requests it had taken are back in "
                                   "the queue", worker, taken)
                    returned += taken
        return returned

    def busy(self) -> bool:
        """Whether the crawl has work: queued requests, seeds, requests other workers took
        (an idle worker's own are given back when it leaves)."""
        workers = [w.decode() for w in self.db.zrange(self.workers_key, 0, -1)
                   if w.decode() != self.worker]
        with self.db.pipeline(transaction=False) as pipe:
            pipe.zcard(self.queue_key)
            pipe.llen(self.start_key)
            for worker in workers:
                pipe.zcard(self.taken(worker))
            return any(pipe.execute())

    def pop_seeds(self, count: int = SEED_BATCH) -> list[bytes]:
        with self.db.pipeline() as pipe:
            pipe.lrange(self.start_key, 0, count - 1)
            pipe.ltrim(self.start_key, count, -1)
            seeds, _ = pipe.execute()
        return seeds

    def turn(self, host: str, delay: float) -> float:
        """Seconds to wait before sending a request to `host`, `delay` after the last one any
        worker sent or will send there."""
        return float(self._turn(keys=[f"{self.prefix}:polite:{host}"], args=[delay]))

    def has_seeds(self) -> bool:
        return self.db.llen(self.start_key) > 0

    def leave(self, finished: bool) -> bool:
        """Give back what this worker still holds and leave; end the crawl when it `finished`
        and nothing is left for anybody. Whether it ended the crawl."""
        self._reap(keys=[self.workers_key, self.taken_key, self.queue_key],
                   args=[self.worker, 0, "1"])
        if not finished:
            return False
        self.reap()
        with self.db.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(self.workers_key, self.queue_key, self.start_key)
                    now = time.time()
                    alive = [w for w, deadline in pipe.zrange(self.workers_key, 0, -1,
                                                              withscores=True)
                             if deadline >= now]
                    if alive or pipe.zcard(self.queue_key) or pipe.llen(self.start_key):
                        pipe.reset()
                        return False
                    pipe.multi()
                    pipe.delete(self.crawl_key, self.dupefilter_key)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue, with each request popped leased to this worker."""

    cluster: Cluster

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.leases: dict[str, tuple[bytes, str]] = {}  # lease -> (the request as taken, URL)
        self.by_url: dict[str, str] = {}                # URL -> its latest lease
        self.numbers = itertools.count(1)

    def push_unless_seen(self, request, dupefilter_key: str, fingerprint: str,
                         lease: str | None) -> bool:
        """Push `request` unless the crawl's filter saw `fingerprint` ('' passes), giving back
        `lease` in the same step."""
        taken = self._forget(lease)
        return bool(self.cluster._push(
            keys=[self.key, dupefilter_key, self.cluster.taken_key],
            args=[self._encode_request(request), -request.priority, fingerprint, taken]))

    def pop(self, timeout=0):
        data = self.cluster._pop(keys=[self.key, self.cluster.taken_key])
        if data is None:
            return None
        request = self._decode_request(data)
        lease = str(next(self.numbers))
        self.leases[lease] = (data, request.url)
        self.by_url[request.url] = lease
        request.meta[LEASE] = lease
        return request

    def release(self, lease: str | None) -> None:
        """The outcome of the request leased as `lease` is final."""
        if taken := self._forget(lease):
            self.cluster.db.zrem(self.cluster.taken_key, taken)

    def release_url(self, url: str) -> None:
        self.release(self.by_url.get(url))

    def _forget(self, lease: str | None) -> bytes:
        if not lease or lease not in self.leases:
            return b""
        data, url = self.leases.pop(lease)
        if self.by_url.get(url) == lease:
            del self.by_url[url]
        return data


class RedisDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter, per crawl, with Scrapy's request fingerprints; a retry
    always passes (as with docspider.dupefilter)."""

    def __init__(self, crawler, server, key: str):
        super().__init__(server, key, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))
        self.crawler = crawler
        self.fingerprinter = crawler.request_fingerprinter

    def request_fingerprint(self, request) -> str:
        if request.dont_filter or request.meta.get("retry_times"):
            return ""
        return self.fingerprinter.fingerprint(request).hex()

    def log(self, request, spider) -> None:
        logger.debug("filtered duplicate request %s", request)
        self.crawler.stats.inc_value("dupefilter/filtered")

    def close(self, reason="") -> None:
        """The fingerprints are the crawl's, not this worker's: `Cluster.leave` ends them."""


class RedisScheduler(Scheduler):
    """``SCHEDULER`` of a distributed crawl: scrapy-redis's, with the queue's requests leased
    and a document request that passes the filter put in the state store's frontier."""

    @classmethod
    def from_crawler(cls, crawler):
        from docspider.crawlstate import prepared_state
        prepared = prepared_state(crawler)
        cluster = prepared.cluster
        scheduler = cls(server=cluster.db, persist=True, queue_key=cluster.queue_key,
                        queue_cls=f"{LeasedQueue.__module__}.{LeasedQueue.__qualname__}",
                        dupefilter=RedisDupeFilter(crawler, cluster.db, cluster.dupefilter_key))
        scheduler.stats = crawler.stats
        scheduler.crawler, scheduler.cluster, scheduler.store = crawler, cluster, prepared.store
        scheduler.prefetch = crawler.settings.getint("DOCSPIDER_WORKER_PREFETCH")
        return scheduler

    def open(self, spider):
        self.spider = spider
        self.queue = LeasedQueue(server=self.server, spider=spider, key=self.queue_key,
                                 serializer=self.serializer)
        self.queue.cluster = self.cluster

    def close(self, reason):
        """Nothing is flushed: the queue is every worker's (`ClusterWorker` gives back what this
        one holds)."""

    def enqueue_request(self, request) -> bool:
        lease = request.meta.pop(LEASE, None)        # a retry or redirect of a taken request
        if not in_redis(self.crawler, self.queue.push_unless_seen, request, self.df.key,
                        self.df.request_fingerprint(request), lease, default=False):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        if request.meta.get("docspider_kind") == "document" and not request.meta.get("retry_times"):
            change_state(self.crawler, self.store.schedule, request.url,
                         request.cb_kwargs.get("depth", 0))
        return True

    def next_request(self):
        # Scrapy takes requests while its downloader has room (CONCURRENT_REQUESTS), though a
        # site's are downloaded CONCURRENT_REQUESTS_PER_DOMAIN at a time: the rest would wait
        # here while other workers have nothing to do.
        if len(self.crawler.engine.downloader.active) >= self.prefetch:
            return None
        request = in_redis(self.crawler, self.queue.pop)
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class ClusterWorker:
    """Extension of a distributed crawl's worker: its heartbeat, the release of its leases, the
    seeds it takes from the start key while idle, and when it closes."""

    def __init__(self, crawler, cluster: Cluster, store):
        self.crawler = crawler
        self.cluster = cluster
        self.store = store
        self.max_idle = crawler.settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE")
        self.idle_since: float | None = None
        self.beat = task.LoopingCall(self.heartbeat)
        self.poll = task.LoopingCall(self.wake)
        connect = crawler.signals.connect
        connect(self.spider_opened, signal=signals.spider_opened)
        connect(self.spider_idle, signal=signals.spider_idle)
        connect(self.spider_closed, signal=signals.spider_closed)
        connect(self.response_received, signal=signals.response_received)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error,
                       signals.spider_error):
            connect(self.outcome, signal=signal)
        for signal in (page_skipped, page_failed, listing_parsed):
            connect(self.page_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler):
        if not redis_url(crawler.settings):
            raise NotConfigured
        from docspider.crawlstate import prepared_state
        prepared = prepared_state(crawler)
        cluster = prepared.cluster
        crawler.stats.set_value("docspider/cluster/crawl", cluster.crawl)
        crawler.stats.set_value("docspider/cluster/worker", cluster.worker)
        return cls(crawler, cluster, prepared.store)

    @property
    def queue(self) -> LeasedQueue:
        return self.crawler.engine.scheduler.queue

    def spider_opened(self, spider) -> None:
        logger.info("worker %s of crawl %s%s", self.cluster.worker, self.cluster.crawl,
                    " (started it)" if self.cluster.started else "")
        self.beat.start(self.cluster.timeout / 4, now=False)
        self.poll.start(POLL_SECONDS, now=False)

    def wake(self) -> None:
        """Scrapy looks at its scheduler again after a download or on its own heartbeat, every
        5 s: without this, an idle worker would leave requests other workers queued meanwhile
        waiting that long. (Scrapy has no public call for it.)"""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is not None and not engine.downloader.active \
                and engine.scheduler.has_pending_requests():
            slot.nextcall.schedule()

    def heartbeat(self) -> None:
        try:
            self.cluster.heartbeat()
            self.count_returned(self.cluster.reap())
        except redis.RedisError as exc:
            logger.warning("cannot reach Redis for the heartbeat: %s", exc)

    def count_returned(self, returned: int) -> None:
        if returned:
            self.crawler.stats.inc_value("docspider/cluster/reclaimed", returned)

    def response_received(self, **_) -> None:
        self.idle_since = None

    def outcome(self, response=None, **_) -> None:
        if response is not None:
            in_redis(self.crawler, self.queue.release, response.request.meta.get(LEASE))

    def page_done(self, url: str, **_) -> None:
        in_redis(self.crawler, self.queue.release_url, url)

    def spider_idle(self, spider) -> None:
        if in_redis(self.crawler, self.stay_open, spider, default=False):
            raise DontCloseSpider

    def stay_open(self, spider) -> bool:
        """Take seeds, give dead workers' requests back; whether to stay open: while anybody
        has work and for MAX_IDLE_TIME_BEFORE_CLOSE seconds after."""
        self.count_returned(self.cluster.reap())
        for request in seed_requests(spider, self.cluster):
            self.crawler.engine.crawl(request)
            self.idle_since = None
        now = time.monotonic()
        if self.cluster.busy():
            self.idle_since = now
        elif self.idle_since is None:
            self.idle_since = now
        return not self.max_idle or now - self.idle_since < self.max_idle

    def spider_closed(self, spider, reason) -> None:
        for loop in (self.beat, self.poll):
            if loop.running:
                loop.stop()
        held = len(self.queue.leases)
        if held:
            self.crawler.stats.set_value("docspider/cluster/given_back", held)
            logger.info("%d requests this worker had taken are back in the queue", held)
        try:
            ended = self.cluster.leave(finished=reason == "finished")
        except redis.RedisError as exc:
            logger.warning("cannot leave the crawl in Redis (%s): another worker gives back "
                           "what this one held once its heartbeat is %g s late", exc,
                           self.cluster.timeout)
            return
        if ended:
            change_state(self.crawler, self.store.end_run)
            logger.info("crawl %s is done: the queue is empty and no worker is left",
                        self.cluster.crawl)


class SharedDelay:
    """Downloader middleware of a distributed crawl: ``DOWNLOAD_DELAY`` between any two
    requests to one host, whichever workers send them — not between each worker's own, which
    would let N workers fetch a site N times as fast. The host's next free moment is kept in
    Redis (``P:polite:<host>``); a request waits here for its turn, then Scrapy's own delay of
    the worker applies as ever. Placed after the middlewares that skip a request without
    sending it (robots.txt, known documents), so that those wait for nothing. Off when
    ``DOCSPIDER_SHARED_DELAY`` is False or ``DOWNLOAD_DELAY`` is 0."""

    def __init__(self, crawler, cluster: Cluster, delay: float):
        self.crawler = crawler
        self.cluster = cluster
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        delay = settings.getfloat("DOWNLOAD_DELAY")
        if not redis_url(settings) or not settings.getbool("DOCSPIDER_SHARED_DELAY") \
                or delay <= 0:
            raise NotConfigured
        from docspider.crawlstate import prepared_state
        return cls(crawler, prepared_state(crawler).cluster, delay)

    async def process_request(self, request):
        host = urlsplit(request.url).hostname or ""
        wait = in_redis(self.crawler, self.cluster.turn, host, self.delay, default=0.0)
        if wait > 0:
            self.crawler.stats.inc_value("docspider/cluster/shared_delay_waits")
            await asyncio.sleep(wait)
        return None


def seed_requests(spider, cluster: Cluster):
    """Requests for the seeds waiting in the start key (depth 0); a seed that is not an
    http(s) URL is counted and logged, not crawled."""
    from docspider.spiders.base import check_url
    while seeds := cluster.pop_seeds():
        urls = []
        for data in seeds:
            try:
                urls.append(check_url(parse_seed(data) or "", "seed"))
            except UsageError as exc:
                spider.skip(data[:100].decode("utf-8", "replace"), "bad_seed", str(exc))
        yield from spider.requests(urls, 0)
