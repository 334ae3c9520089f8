"""The Redis state store (see :mod:`docspider.state`): the same store on a Redis server, which
several crawl processes on several machines can reach.

Selected by ``DOCSPIDER_STATE = "redis://host:port/db?prefix=P"`` (``prefix`` defaults to
``docspider:<spider>``). Every key starts with the prefix:

* ``P:doc:<url>`` — a known document (hash: fetched_at, etag, last_modified, content_hash,
  links as JSON); ``P:text:<content hash>`` — its URLs ordered by fetch time (a sorted set of
  ``<fetched_at> <url>``, all at score 0, read in lexical order), for mirrors;
* ``P:frontier`` (url -> least depth) and ``P:frontier:order`` (url -> when first scheduled);
* ``P:emitting`` — ``<fetched_at> <url>`` of each line being written and not yet recorded
  (`emitting`); what is left there names the lines of killed crawls;
* ``P:host:<host>`` (hash: the host's pages observed, ``line:<key>`` -> pages it was on);
* ``P:lock`` — the crawl holding the store, ``<host>:<pid>``, with an expiry that the holder
  renews while it works, so a holder that died lets go by itself; one on this machine whose
  process is gone is taken over at once;
* ``P:run:<token>:…`` — what the running crawl asked for (`RunRequests`), deleted at close
  (a killed crawl's expire after a week); a distributed crawl's workers share theirs
  (`share_run`).

Each change is one MULTI/EXEC transaction, sent at once: reads always see every change made
before them, and a change either happens whole or not at all. What survives a Redis restart is
the server's persistence setting (AOF with ``appendfsync everysec`` keeps all but the last
second); docspider needs nothing else from it.
"""
from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections import OrderedDict
from urllib.parse import parse_qs, urlsplit

import redis

from docspider.state import Known, StateError, StateLocked, StateStore, StateWriteError, document_key

LOCK_SECONDS = 60           # a lock not renewed for this long is a dead holder's
RENEW_EVERY = LOCK_SECONDS / 4
RUN_KEYS_SECONDS = 7 * 24 * 3600    # a killed crawl's run keys go away by themselves
DEPTH_CACHE = 65536                 # least depths remembered in the process (a few MB)
_DOC_FIELDS = ("fetched_at", "etag", "last_modified", "content_hash", "links")


def is_redis_url(path: str) -> bool:
    return path.startswith(("redis://", "rediss://", "unix://"))


class RedisStateStore(StateStore):
    def __init__(self, path: str):
        self.path = path
        query = parse_qs(urlsplit(path).query)
        self.prefix = query.pop("prefix", ["docspider"])[0]
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.locked = False
        self.renewed = 0.0
        self.run = f"{self.prefix}:run:{uuid.uuid4().hex}"
        self.shared_run = False
        self.depths: OrderedDict[str, int] = OrderedDict()   # least depths seen, the latest
        self.run_keys: set[str] = set()         # the run keys made so far (given an expiry)
        try:
            self.db = redis.Redis.from_url(path.split("?", 1)[0], decode_responses=True)
            self.db.ping()
        except (redis.RedisError, ValueError) as exc:
            raise StateError(f"cannot open the state store {path}: {exc}") from None

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # --- the lock ---------------------------------------------------------------------------
    def lock(self, wait: float = 0) -> None:
        if self.locked:
            return
        deadline = time.monotonic() + wait
        while not self._take_lock():
            if time.monotonic() >= deadline:
                holder = self.db.get(self.key("lock")) or "?"
                raise StateLocked(f"another crawl holds {self.path} ({holder})")
            time.sleep(0.2)
        self.locked, self.renewed = True, time.monotonic()

    def _take_lock(self) -> bool:
        lock = self.key("lock")
        if self.db.set(lock, self.holder, nx=True, ex=LOCK_SECONDS):
            return True
        holder = self.db.get(lock) or ""
        host, _, pid = holder.rpartition(":")
        if host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid)):
            # a dead crawl of this machine: take over, unless another process just did
            with self.db.pipeline() as pipe:
                try:
                    pipe.watch(lock)
                    if pipe.get(lock) == holder:
                        pipe.multi()
                        pipe.set(lock, self.holder, ex=LOCK_SECONDS)
                        pipe.execute()
                        return True
                except redis.WatchError:
                    pass
        return False

    def _renew(self) -> None:
        if self.locked and time.monotonic() - self.renewed >= RENEW_EVERY:
            self.renewed = time.monotonic()
            self.db.expire(self.key("lock"), LOCK_SECONDS)

    def _change(self, *commands) -> None:
        """Apply one change, as one transaction: `commands` are (method name, *args) of a
        redis pipeline."""
        try:
            self._renew()
            with self.db.pipeline(transaction=True) as pipe:
                for name, *args in commands:
                    getattr(pipe, name)(*args)
                pipe.execute()
        except redis.RedisError as exc:
            raise StateWriteError(self.path, exc) from None

    def _read(self, name: str, *args):
        try:
            self._renew()
            return getattr(self.db, name)(*args)
        except redis.RedisError as exc:
            raise StateWriteError(self.path, exc) from None

    # --- documents ----------------------------------------------------------------------------
    def lookup(self, url: str) -> Known | None:
        key = document_key(url)
        row = self._read("hmget", self.key("doc", key), *_DOC_FIELDS)
        if row[0] is None:
            return None
        fetched_at, etag, last_modified, content_hash, links = row
        return Known(key, fetched_at, etag, last_modified, content_hash,
                     json.loads(links or "[]"))

    def first_with_hash(self, content_hash: str, other_than: str) -> str | None:
        other = document_key(other_than)
        for entry in self._read("zrange", self.key("text", content_hash), 0, 1):
            url = entry.split(" ", 1)[1]
            if url != other:
                return url
        return None

    def record(self, url: str, fetched_at: str, content_hash: str | None,
               etag: str | None = None, last_modified: str | None = None,
               links: list[str] | None = None) -> None:
        key = document_key(url)
        doc = self.key("doc", key)
        before = self._read("hmget", doc, "fetched_at", "content_hash")
        fields = {"fetched_at": fetched_at, "etag": etag, "last_modified": last_modified,
                  "content_hash": content_hash, "links": json.dumps(links or [])}
        commands = [("delete", doc), ("hset", doc, None, None, {k: v for k, v in fields.items()
                                                                  if v is not None})]
        if before[1]:
            commands.append(("zrem", self.key("text", before[1]), f"{before[0]} {key}"))
        if content_hash:
            commands.append(("zadd", self.key("text", content_hash), {f"{fetched_at} {key}": 0}))
        commands.append(("hdel", self.key("emitting"), f"{fetched_at} {key}"))
        self._change(*commands, *self._unschedule(key))

    def emitting(self, url: str, fetched_at: str) -> None:
        self._change(("hset", self.key("emitting"), f"{fetched_at} {document_key(url)}", 1))

    def emitted_elsewhere(self, url: str, fetched_at: str) -> bool:
        key = document_key(url)
        marker = f"{fetched_at} {key}"
        if not self._read("hexists", self.key("emitting"), marker):
            return False            # recorded by its own crawl
        known = self._read("hget", self.key("doc", key), "fetched_at")
        if known is None or known == fetched_at:
            return False
        self._change(("hdel", self.key("emitting"), marker))
        return True

    def touch(self, url: str, fetched_at: str) -> None:
        key = document_key(url)
        self._change(("hset", self.key("doc", key), "fetched_at", fetched_at),
                     *self._unschedule(key))

    # --- the frontier -------------------------------------------------------------------------
    def schedule(self, url: str, depth: int) -> None:
        key = document_key(url)
        before = self._read("hget", self.key("frontier"), key)
        if before is not None and int(before) <= depth:
            return
        commands = [("hset", self.key("frontier"), key, depth)]
        if before is None:
            order = self._read("incr", self.key("frontier", "next"))
            commands.append(("zadd", self.key("frontier", "order"), {key: order}))
        self._change(*commands)

    def _unschedule(self, key: str) -> list[tuple]:
        return [("hdel", self.key("frontier"), key), ("zrem", self.key("frontier", "order"), key)]

    def finish(self, url: str) -> None:
        self._change(*self._unschedule(document_key(url)))

    def unfinished(self) -> list[tuple[str, int]]:
        urls = self._read("zrange", self.key("frontier", "order"), 0, -1)
        depths = self._read("hmget", self.key("frontier"), *urls) if urls else []
        return [(url, int(depth)) for url, depth in zip(urls, depths) if depth is not None]

    # --- learned boilerplate ------------------------------------------------------------------
    def boilerplate(self, host: str) -> tuple[int, dict[str, int]]:
        kept = self._read("hgetall", self.key("host", host))
        return int(kept.pop("pages", 0)), {k[len("line:"):]: int(v) for k, v in kept.items()}

    def keep_boilerplate(self, host: str, pages: int, counts: dict[str, int]) -> None:
        mapping = {"pages": pages, **{f"line:{line}": n for line, n in counts.items()}}
        self._change(("delete", self.key("host", host)),
                     ("hset", self.key("host", host), None, None, mapping))

    # --- what the running crawl asked for -----------------------------------------------------
    def _run_key(self, name: str) -> str:
        key = f"{self.run}:{name}"
        if key not in self.run_keys:
            self.run_keys.add(key)
            self._read("expire", key, RUN_KEYS_SECONDS)     # applies once the key exists
        return key

    def seen(self, key: str) -> bool:
        new = self._read("sadd", f"{self.run}:seen", key)
        self._run_key("seen")
        return not new

    def ask(self, url: str, depth: int) -> int | None:
        # A page's least depth only ever goes down: one this process saw at `depth` or less
        # needs no round trip (pages are linked from many pages: most asks are such repeats).
        if (seen := self.depths.get(url)) is not None and seen <= depth:
            return seen
        before = self.least_depth(url)
        if before is None or depth < before:
            self._read("hset", f"{self.run}:depth", url, depth)
            self._run_key("depth")
            self._note_depth(url, depth)
        return before

    def least_depth(self, url: str) -> int | None:
        depth = self._read("hget", f"{self.run}:depth", url)
        if depth is None:
            return None
        self._note_depth(url, int(depth))
        return int(depth)

    def _note_depth(self, url: str, depth: int) -> None:
        self.depths[url] = depth
        self.depths.move_to_end(url)
        if len(self.depths) > DEPTH_CACHE:
            self.depths.popitem(last=False)

    def keep_unfollowed(self, url: str, depth: int, links: list[str]) -> None:
        self.ask(url, depth)
        self._read("hset", f"{self.run}:links", url, json.dumps(links))
        self._run_key("links")

    def take_unfollowed(self, url: str) -> list[str] | None:
        links = self._read("hget", f"{self.run}:links", url)
        if links is None:
            return None
        self._read("hdel", f"{self.run}:links", url)
        return json.loads(links)

    def share_run(self, crawl: str) -> None:
        """Keep what the running crawl asked for under `P:run:<crawl>`, shared by the workers
        of a distributed crawl (docspider.cluster): a page reached again by a shorter path in
        another worker follows the links this one kept. Kept when this worker closes; the
        worker that ends the crawl lets go of them (`end_run`)."""
        self.run, self.shared_run = f"{self.prefix}:run:{crawl}", True

    def end_run(self) -> None:
        """Let go of what the crawl asked for (UNLINK: a big crawl's hashes are freed in the
        server's background)."""
        try:
            self.db.unlink(f"{self.run}:seen", f"{self.run}:depth", f"{self.run}:links")
        except redis.RedisError as exc:
            raise StateWriteError(self.path, exc) from None

    def commit(self) -> None:
        """Every change is applied when made: nothing waits here."""

    def close(self) -> None:
        try:
            if not self.shared_run:
                self.end_run()
            if self.locked:
                with self.db.pipeline() as pipe:
                    pipe.watch(self.key("lock"))
                    if pipe.get(self.key("lock")) == self.holder:
                        pipe.multi()
                        pipe.delete(self.key("lock"))
                        pipe.execute()
        except redis.RedisError as exc:
            raise StateWriteError(self.path, exc) from None
        finally:
            self.locked = False
            self.db.close()


def process_alive(pid: int) -> bool:
    """Whether process `pid` of this machine runs (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
