"""`scrapy fetch`: Scrapy's fetch, leaving no state store, archive or feed (docspider.tools)."""
from scrapy.commands.fetch import Command as ScrapyFetchCommand

from docspider.tools import LeaveNothing


class Command(LeaveNothing, ScrapyFetchCommand):
    pass
