"""Scrapy add-ons docspider enables in its settings (``ADDONS``): defaults that depend on
other settings, applied once the user's own settings and options are known."""
from __future__ import annotations

from scrapy.settings import SETTINGS_PRIORITIES

from docspider import __version__
from docspider.cluster import redis_url


class ContactUserAgent:
    """Set ``USER_AGENT`` to name docspider and ``DOCSPIDER_CONTACT_URL``, unless the user set a
    User-Agent of their own (in settings, a spider or ``-s``)."""

    def update_settings(self, settings) -> None:
        if settings.getpriority("USER_AGENT") == SETTINGS_PRIORITIES["default"]:
            contact = settings.get("DOCSPIDER_CONTACT_URL")
            settings.set("USER_AGENT", f"docspider/{__version__} (+{contact})", "addon")


def feeds(settings) -> dict[str, dict]:
    """The crawl's feeds: ``FEEDS`` (with ``-o``/``-O``), else the default feed."""
    configured = settings.getdict("FEEDS")
    uri = settings.get("DOCSPIDER_DEFAULT_FEED")
    if configured or not uri:
        return configured
    return {uri: {"format": "jsonlines"}}


class DefaultFeed:
    """Write items to ``DOCSPIDER_DEFAULT_FEED`` (JSON lines) when no feed is configured: a
    ``-o``/``-O`` option or a ``FEEDS`` setting replaces it, an empty value turns it off."""

    def update_settings(self, settings) -> None:
        if not settings.getdict("FEEDS") and (default := feeds(settings)):
            settings.set("FEEDS", default, "addon")


class Distributed:
    """With ``REDIS_URL`` (a setting or the environment variable), the crawl is a worker of a
    distributed crawl: scrapy-redis's scheduler on that server (docspider.cluster)."""

    def update_settings(self, settings) -> None:
        if redis_url(settings):
            settings.set("SCHEDULER", "docspider.cluster.RedisScheduler", "addon")
