"""人人文库 (renrendoc.com) and its traditional-Chinese mirrors."""
from docspider.sites.renrendoc import PROFILE
from docspider.spiders.base import DocumentSpider


class RenrendocSpider(DocumentSpider):
    name = "renrendoc"
    profile = PROFILE
