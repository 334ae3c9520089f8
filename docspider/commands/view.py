"""`scrapy view`: Scrapy's view, leaving no state store, archive or feed (docspider.tools)."""
from scrapy.commands.view import Command as ScrapyViewCommand

from docspider.tools import LeaveNothing


class Command(LeaveNothing, ScrapyViewCommand):
    pass
