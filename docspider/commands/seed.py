"""`scrapy seed SPIDER URL [URL ...]` or `scrapy seed SPIDER @FILE`: seeds for the workers of a
distributed crawl (docspider.cluster).

Each URL goes to the spider's start key (``REDIS_START_URLS_KEY``) on the ``REDIS_URL`` server
as scrapy-redis's JSON seed (``{"url": …}``), in the order given; the spider's workers take them
while they run, and a worker started later finds them waiting. The URLs are checked as
``-a urls=`` checks them, with the same errors; a bad one, an unknown spider, no ``REDIS_URL`` or
a server that cannot be reached is one line ``seed SPIDER: <reason>`` on stderr, exit status 2,
and nothing pushed. What was pushed is printed as one line.
"""
from __future__ import annotations

import argparse
import sys

import redis
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from docspider.cluster import encode_seed, redis_url
from docspider.crawlstats import EXIT_USAGE
from docspider.spiders.base import check_url, parse_urls

PUSH_BATCH = 1000


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] SPIDER URL [URL ...] | SPIDER @FILE"

    def short_desc(self) -> str:
        return "Push seed URLs for a distributed crawl's workers to Redis (REDIS_URL)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 2:
            raise UsageError("give a spider and its seeds: URLs, or @FILE with one a line")
        name, values = args[0], args[1:]
        try:
            urls = self.check(name, values)
            key = self.settings.get("REDIS_START_URLS_KEY") % {"name": name}
            pushed = push(self.server(), key, urls)
        except UsageError as exc:
            print(f"seed {name}: {exc}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        print(f"{pushed} seeds for {name} in {key}")

    def check(self, name: str, values: list[str]) -> list[str]:
        loader = get_spider_loader(self.settings)
        if name not in loader.list():
            raise UsageError(f"no such spider (known: {', '.join(sorted(loader.list()))})")
        if len(values) == 1 and values[0].startswith("@"):
            return parse_urls(values[0])
        return [check_url(value, f"urls: item {number}")
                for number, value in enumerate(values, 1)]

    def server(self) -> redis.Redis:
        url = redis_url(self.settings)
        if not url:
            raise UsageError("REDIS_URL is not set (the setting or the environment variable)")
        try:
            server = redis.Redis.from_url(url)
            server.ping()
        except (redis.RedisError, ValueError) as exc:
            raise UsageError(f"cannot reach the Redis server {url}: {exc}") from None
        return server


def push(server: redis.Redis, key: str, urls: list[str]) -> int:
    """Append `urls` to the start key, in one transaction: all of them or none."""
    with server.pipeline() as pipe:
        for start in range(0, len(urls), PUSH_BATCH):
            pipe.rpush(key, *(encode_seed(url) for url in urls[start:start + PUSH_BATCH]))
        try:
            pipe.execute()
        except redis.RedisError as exc:
            raise UsageError(f"cannot push the seeds to {key}: {exc}") from None
    return len(urls)
