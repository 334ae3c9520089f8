"""`scrapy shell`: Scrapy's shell, leaving no state store, archive or feed (docspider.tools)."""
from scrapy.commands.shell import Command as ScrapyShellCommand

from docspider.tools import LeaveNothing


class Command(LeaveNothing, ScrapyShellCommand):
    pass
