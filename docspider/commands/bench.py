"""`scrapy bench`: Scrapy's benchmark, leaving no state store, archive or feed, and without the
project's politeness delays: it crawls Scrapy's own server on localhost (docspider.tools)."""
from scrapy.commands.bench import Command as ScrapyBenchCommand

from docspider.tools import LOCAL_SERVER, LeaveNothing


class Command(LeaveNothing, ScrapyBenchCommand):
    tool_settings = LOCAL_SERVER
