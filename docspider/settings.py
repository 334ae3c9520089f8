"""Scrapy settings for docspider. Every project-specific setting is documented here and in
README.md; Scrapy's own settings keep their documented meaning."""
from pathlib import Path

BOT_NAME = "docspider"
SPIDER_MODULES = ["docspider.spiders"]
NEWSPIDER_MODULE = "docspider.spiders"
COMMANDS_MODULE = "docspider.commands"
# `scrapy genspider NAME DOMAIN` writes a site spider from templates/spiders/docsite.tmpl
# (docs/adding-a-site.md); `-t basic` etc.: Scrapy's own templates, looked up after these
# (docspider.commands.genspider).
TEMPLATES_DIR = str(Path(__file__).parent / "templates")
# `scrapy check`: @sample_url, @document (docspider.contracts) beside Scrapy's own contracts.
SPIDER_CONTRACTS = {"docspider.contracts.SampleUrlContract": 10,
                    "docspider.contracts.DocumentContract": 20}

# Politeness.
ROBOTSTXT_OBEY = True
# The User-Agent is `docspider/<version> (+DOCSPIDER_CONTACT_URL)` (docspider.addons), unless
# USER_AGENT is set: point the contact URL at a page where site owners can reach you.
DOCSPIDER_CONTACT_URL = "https://github.com/docspider/docspider"
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
# At least this many seconds between two requests to one host (Scrapy varies it 0.5-1.5x;
# AutoThrottle only lengthens it). Lower it only for sites you run yourself.
DOWNLOAD_DELAY = 1.0

# Limits: a document page is some hundreds of KB; a body (after decompression) above
# DOWNLOAD_MAXSIZE is not fetched (`docspider/skipped/too_large`), one above DOWNLOAD_WARNSIZE
# is logged. Scrapy's defaults (1 GiB / 32 MiB) would let a gzip bomb fill the memory.
DOWNLOAD_MAXSIZE = 32 * 1024 ** 2
DOWNLOAD_WARNSIZE = 4 * 1024 ** 2

# Retries (docspider.retrying replaces Scrapy's RetryMiddleware, same RETRY_* settings): a
# retry waits DOCSPIDER_RETRY_BACKOFF seconds, doubled each attempt, at most
# DOCSPIDER_RETRY_BACKOFF_MAX; a Retry-After pauses the host, at most DOCSPIDER_RETRY_AFTER_MAX;
# soft blocks (captcha, login or access-denied walls, empty, binary or garbled 200 pages) are
# retried too, and a host mostly soft-blocked pauses DOCSPIDER_SOFT_BLOCK_PAUSE after each.
# A page that fails after its last retry stays in the frontier: the next run fetches it again.
RETRY_TIMES = 3
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"       # the spider's own WARNING names the page and reason
DOCSPIDER_RETRY_BACKOFF = 2.0
DOCSPIDER_RETRY_BACKOFF_MAX = 60.0
DOCSPIDER_RETRY_AFTER_MAX = 300.0
DOCSPIDER_SOFT_BLOCK_PAUSE = 30.0

# Logs: INFO, one line per problem; items one line each at DEBUG (docspider.logformat). The
# progress line every DOCSPIDER_PROGRESS_INTERVAL seconds (docspider.progress) replaces
# Scrapy's LogStats; on a terminal a live bar too, unless DOCSPIDER_PROGRESS_BAR is False.
LOG_LEVEL = "INFO"
LOG_FORMATTER = "docspider.logformat.ConciseLogFormatter"
DOCSPIDER_PROGRESS_INTERVAL = 60.0
DOCSPIDER_PROGRESS_BAR = True

# Run records (docspider.runrecord): `<run id>.json` and `<run id>.skipped.jsonl` per run in
# DOCSPIDER_RUNS_DIR (`%(name)s` is the spider; empty turns them off). DOCSPIDER_RUN_COMMAND
# names what ran; `scrapy reparse` and `scrapy demo` set their own.
DOCSPIDER_RUNS_DIR = "output/runs/%(name)s"
DOCSPIDER_RUN_COMMAND = "crawl"

# After-run monitors (docspider.monitors, with Spidermon): their outcomes go into the run
# record and a failure gives exit status 1. Thresholds: the documents seen against the previous
# run with the same arguments; per site (with at least MIN_SITE_ITEMS items) the rise of a
# share (empty excerpt, no title, no disclaimer, furniture in the excerpt) over the median of
# its last BASELINE_RUNS runs, the fall of the mean excerpt length, the soft-block rate.
# DOCSPIDER_MONITOR_ACTIONS: what else runs when a monitor fails: docspider.monitors.Mail,
# docspider.monitors.Webhook (JSON, or "slack" for a Slack incoming webhook), or any Spidermon
# action with its SPIDERMON_* settings.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["docspider.monitors.RunMonitors"]
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
SPIDERMON_MAX_ERRORS = 0
DOCSPIDER_MONITOR_MIN_DOCUMENTS_RATIO = 0.5
DOCSPIDER_MONITOR_MIN_SITE_ITEMS = 20
DOCSPIDER_MONITOR_BASELINE_RUNS = 5
DOCSPIDER_MONITOR_MAX_SHARE_RISE = 0.2
DOCSPIDER_MONITOR_MIN_EXCERPT_RATIO = 0.5
DOCSPIDER_MONITOR_MAX_SOFT_BLOCK_RATE = 0.2
DOCSPIDER_MONITOR_ACTIONS = []
DOCSPIDER_MONITOR_WEBHOOK_URL = None
DOCSPIDER_MONITOR_WEBHOOK_FORMAT = "json"
DOCSPIDER_MONITOR_MAIL_TO = []
DOCSPIDER_MONITOR_MAIL_FROM = "docspider@localhost"
DOCSPIDER_MONITOR_SMTP_HOST = "localhost"
DOCSPIDER_MONITOR_SMTP_PORT = 25
DOCSPIDER_MONITOR_SMTP_USER = None
DOCSPIDER_MONITOR_SMTP_PASSWORD = None
DOCSPIDER_MONITOR_NOTIFY_TIMEOUT = 10.0

# Output: UTF-8 JSON with Chinese unescaped.
FEED_EXPORT_ENCODING = "utf-8"

# Feeds: one JSON-lines file per crawl at DOCSPIDER_DEFAULT_FEED unless -o/-O or FEEDS says
# otherwise (docspider.addons.DefaultFeed); relative to the directory scrapy runs in. Files are
# written as `<name>.part` and renamed when the crawl closes (docspider.feedstorage).
DOCSPIDER_DEFAULT_FEED = "output/%(name)s/%(run_id)s.jsonl"
FEED_STORAGES = {"file": "docspider.feedstorage.AtomicFileFeedStorage",
                 "": "docspider.feedstorage.AtomicFileFeedStorage"}
# Feed formats beyond Scrapy's (docspider.exporters): `parquet`, and `csv` with one column per
# leaf field (dotted names) instead of Scrapy's, which writes reprs of nested values; both have
# the item schema's columns. A Parquet feed holds DOCSPIDER_PARQUET_ROW_GROUP_SIZE items in
# memory at most and writes them as one row group.
FEED_EXPORTERS = {"parquet": "docspider.exporters.ParquetItemExporter",
                  "csv": "docspider.exporters.FlatCsvItemExporter"}
DOCSPIDER_PARQUET_ROW_GROUP_SIZE = 1000
# Validate first, then decide the change mark (docspider.changes); a document is recorded in
# the state store only once its line is written (docspider.crawlstate).
ITEM_PIPELINES = {"docspider.pipelines.ValidateItemPipeline": 300,
                  "docspider.changes.ChangePipeline": 700}

# Archive: every response as WARC 1.1 (docspider.archive), next to the download handler so it
# sees responses as received. `%(name)s` is the spider; files roll over at the size limit.
DOCSPIDER_ARCHIVE = True
DOCSPIDER_ARCHIVE_DIR = "output/archive/%(name)s"
DOCSPIDER_ARCHIVE_MAX_SIZE = 1024 ** 3
# WACZ (docspider.waczfile): when the crawl closes, its WARC files packaged as
# <DOCSPIDER_ARCHIVE_DIR>/<run id>.wacz (CDXJ index, pages list of the documents emitted,
# datapackage.json) with py-wacz (`pip install 'docspider[wacz]'`); `scrapy wacz` on demand.
DOCSPIDER_WACZ = False
DOWNLOADER_MIDDLEWARES = {"docspider.addressguard.InternalAddressGuard": 90,
                          "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
                          "docspider.retrying.RetryMiddleware": 550,
                          "docspider.refresh.RefreshMiddleware": 900,
                          "docspider.cluster.SharedDelay": 920,
                          "docspider.archive.WarcArchiveMiddleware": 950}

# Redirect guard (docspider.addressguard, always on; 90: before RobotsTxtMiddleware, so a refused
# host is not even asked for robots.txt): a redirect or meta refresh to a loopback, private,
# link-local … address is skipped as `blocked_address`, unless the crawl started on such an
# address or the host is listed here: host names, IPs or networks, e.g. ["10.0.0.5", "intranet"]
# (`-s DOCSPIDER_ALLOWED_INTERNAL_HOSTS=10.0.0.5,intranet`).
DOCSPIDER_ALLOWED_INTERNAL_HOSTS = []

# Incremental crawls (docspider.crawlstate): what each document was when last fetched, kept
# in SQLite between runs; empty turns it off (every run fetches and emits everything). One
# crawl holds a store at a time: another refuses at once, or waits DOCSPIDER_LOCK_WAIT seconds.
# DOCSPIDER_REFRESH: when a known document is fetched again (`-a refresh=` overrides it).
DOCSPIDER_STATE = "output/state/%(name)s.sqlite"
DOCSPIDER_LOCK_WAIT = 0
DOCSPIDER_REFRESH = "never"
DUPEFILTER_CLASS = "docspider.dupefilter.StateDupeFilter"
SPIDER_MIDDLEWARES = {"docspider.crawlstate.FrontierMiddleware": 100}
ADDONS = {"docspider.addons.ContactUserAgent": 0, "docspider.addons.DefaultFeed": 0,
          "docspider.addons.Distributed": 0}
# Each host's own boilerplate (docspider.learning): a line on DOCSPIDER_BOILERPLATE_MIN_PAGES
# of a host's pages and on DOCSPIDER_BOILERPLATE_MIN_SHARE of them is treated like known
# furniture (never the title, not text at the edges of the text); kept in the state store.
DOCSPIDER_LEARN_BOILERPLATE = True
DOCSPIDER_BOILERPLATE_MIN_PAGES = 3
DOCSPIDER_BOILERPLATE_MIN_SHARE = 0.5
# Segmentation in worker processes (docspider.segmentpool): None means one fewer than the
# cores this process may use (none on one core); 0 segments in the crawl's own process.
DOCSPIDER_SEGMENT_WORKERS = None
# Distributed crawls (docspider.cluster): REDIS_URL, here, with -s or in the environment, makes
# every worker of a spider, on any machine, share that server's queue (scrapy-redis's scheduler,
# at SCHEDULER_QUEUE_KEY), duplicate filter and state store (DOCSPIDER_STATE defaults to
# REDIS_URL then). `scrapy seed SPIDER URL…` puts seeds in REDIS_START_URLS_KEY. A worker closes
# when the crawl has had nothing to do for MAX_IDLE_TIME_BEFORE_CLOSE seconds (0: never); one
# that misses its heartbeat for DOCSPIDER_WORKER_TIMEOUT seconds is dead, and what it had taken
# goes back to the queue. A worker downloads at most DOCSPIDER_WORKER_PREFETCH requests at a time
# and leaves the rest in the queue for the others (raise it for `docs` over many hosts).
# DOCSPIDER_SHARED_DELAY: DOWNLOAD_DELAY is kept between any two requests to a host by any
# worker (docspider.cluster.SharedDelay); the other politeness settings (concurrency per
# domain, AutoThrottle, Retry-After pauses) stay each worker's own.
REDIS_URL = None
REDIS_START_URLS_KEY = "docspider:%(name)s:start_urls"
SCHEDULER_QUEUE_KEY = "docspider:%(spider)s:requests"
MAX_IDLE_TIME_BEFORE_CLOSE = 60
DOCSPIDER_WORKER_TIMEOUT = 60
DOCSPIDER_WORKER_PREFETCH = 4
DOCSPIDER_SHARED_DELAY = True
# Switching a component off: DOCSPIDER_STATE, DOCSPIDER_ARCHIVE or DOCSPIDER_DEFAULT_FEED empty
# (or False); each component then raises NotConfigured and is not loaded at all.
EXTENSIONS = {"docspider.writes.StopOnWriteFailure": 50,
              "docspider.segmentpool.SegmentWorkers": 60,
              "docspider.learning.LearnedBoilerplate": 90,     # saved before the store closes
              "docspider.cluster.ClusterWorker": 95,           # ends the crawl before it closes
              "docspider.crawlstate.CrawlState": 100,
              "docspider.crawlstats.LogCrawlSummary": 500,
              "docspider.progress.Progress": 510,
              "docspider.monitors.Monitoring": 515,        # Spidermon's, before the run record
              "docspider.runrecord.RunRecord": 520,
              "docspider.waczfile.WaczPackaging": 530,
              "scrapy.extensions.logstats.LogStats": None}
