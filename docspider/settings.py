"""Scrapy settings for docspider. Every project-specific setting is documented here and in
README.md; Scrapy's own settings keep their documented meaning."""

BOT_NAME = "docspider"
SPIDER_MODULES = ["docspider.spiders"]
NEWSPIDER_MODULE = "docspider.spiders"
COMMANDS_MODULE = "docspider.commands"

# Politeness.
ROBOTSTXT_OBEY = True
DOCSPIDER_CONTACT_URL = "https://github.com/docspider/docspider"
USER_AGENT = f"docspider/0.1 (+{DOCSPIDER_CONTACT_URL})"
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True

# Output: UTF-8 JSON with Chinese unescaped.
FEED_EXPORT_ENCODING = "utf-8"


# Feeds: written as `<name>.part`, renamed when the crawl closes (docspider.feedstorage).
FEED_STORAGES = {"file": "docspider.feedstorage.AtomicFileFeedStorage",
                 "": "docspider.feedstorage.AtomicFileFeedStorage"}
ITEM_PIPELINES = {"docspider.pipelines.ValidateItemPipeline": 800}
