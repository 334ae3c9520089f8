"""文档之家 (www.doczj.com) and 文档库 (wendangku.net, `www.`, `m.`): documents
`/doc/<9 digits or 24 hex>.html`, the text with PDF page footers and (wendangku) an injected
aphorism before it.

Listing: the navigation's 最新文档 `/new/` (also 文档分类 `/list/`, 热门文档 `/hot/`), followed
through its 下一页 pager. Taken from the site navigation, not from a documented listing: verify on
the live sites.
"""
from docspider.sites.profile import SiteProfile
from docspider.spiders.base import DocumentSpider


class DoczjSpider(DocumentSpider):
    name = "doczj"
    sample_url = "https://www.doczj.com/doc/520314867.html"
    profile = SiteProfile(
        name="doczj",
        domains=("doczj.com", "wendangku.net"),
        document_paths=(r"^/doc/(\d{9}|[0-9a-f]{24})\.html$",),
        listing_paths=(r"^/(new|list|hot)/",),
        start_paths=("https://www.doczj.com/new/",),
    )
