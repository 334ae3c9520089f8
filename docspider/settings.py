"""Scrapy settings for docspider. Every project-specific setting is documented here and in
README.md; Scrapy's own settings keep their documented meaning."""
from pathlib import Path

BOT_NAME = "docspider"
SPIDER_MODULES = ["docspider.spiders"]
NEWSPIDER_MODULE = "docspider.spiders"
COMMANDS_MODULE = "docspider.commands"
# `scrapy genspider -t docsite NAME DOMAIN` writes a site spider (docs/adding-a-site.md). This
# replaces Scrapy's own template folder: `-t basic` etc. are not found inside the project.
TEMPLATES_DIR = str(Path(__file__).parent / "templates")

# Politeness.
ROBOTSTXT_OBEY = True
# The User-Agent is `docspider/<version> (+DOCSPIDER_CONTACT_URL)` (docspider.addons), unless
# USER_AGENT is set: point the contact URL at a page where site owners can reach you.
DOCSPIDER_CONTACT_URL = "https://github.com/docspider/docspider"
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True

# Output: UTF-8 JSON with Chinese unescaped.
FEED_EXPORT_ENCODING = "utf-8"

# Feeds: one JSON-lines file per crawl at DOCSPIDER_DEFAULT_FEED unless -o/-O or FEEDS says
# otherwise (docspider.addons.DefaultFeed); relative to the directory scrapy runs in. Files are
# written as `<name>.part` and renamed when the crawl closes (docspider.feedstorage).
DOCSPIDER_DEFAULT_FEED = "output/%(name)s/%(time)s.jsonl"
FEED_STORAGES = {"file": "docspider.feedstorage.AtomicFileFeedStorage",
                 "": "docspider.feedstorage.AtomicFileFeedStorage"}
ITEM_PIPELINES = {"docspider.incremental.IncrementalPipeline": 700,
                  "docspider.pipelines.ValidateItemPipeline": 800}

# Archive: every response as WARC 1.1 (docspider.archive), next to the download handler so it
# sees responses as received. `%(name)s` is the spider; files roll over at the size limit.
DOCSPIDER_ARCHIVE = True
DOCSPIDER_ARCHIVE_DIR = "output/archive/%(name)s"
DOCSPIDER_ARCHIVE_MAX_SIZE = 1024 ** 3
DOWNLOADER_MIDDLEWARES = {"docspider.addressguard.InternalAddressGuard": 90,
                          "docspider.incremental.IncrementalMiddleware": 900,
                          "docspider.archive.WarcArchiveMiddleware": 950}

# Redirect guard (docspider.addressguard, always on; 90: before RobotsTxtMiddleware, so a refused
# host is not even asked for robots.txt): a redirect or meta refresh to a loopback, private,
# link-local … address is skipped as `blocked_address`, unless the crawl started on such an
# address or the host is listed here: host names, IPs or networks, e.g. ["10.0.0.5", "intranet"]
# (`-s DOCSPIDER_ALLOWED_INTERNAL_HOSTS=10.0.0.5,intranet`).
DOCSPIDER_ALLOWED_INTERNAL_HOSTS = []

# Incremental crawls (docspider.incremental): what each document was when last fetched, kept
# in SQLite between runs; empty turns it off (every run fetches and emits everything).
DOCSPIDER_STATE = "output/state/%(name)s.sqlite"
ADDONS = {"docspider.addons.ContactUserAgent": 0, "docspider.addons.DefaultFeed": 0}
EXTENSIONS = {"docspider.incremental.CrawlState": 100,
              "docspider.crawlstats.LogCrawlSummary": 500}
