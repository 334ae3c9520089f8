"""360文档中心 (360docs.net, `www.`, `m.`): documents `/doc/<8–10 hex>.html`, in three variants
(a single document with a 3-item notice, a 合集 page aggregating other documents, the mobile
page with the title three times).

Listing: the site navigation's 文档分类 page `/list/`, followed through its 下一页 pager. It is
taken from the navigation, not from a documented listing: verify on the live site.
"""
from docspider.sites.profile import SiteProfile
from docspider.spiders.base import DocumentSpider


class Docs360Spider(DocumentSpider):
    name = "360docs"
    sample_url = "https://www.360docs.net/doc/3a6d0c1e5f.html"
    profile = SiteProfile(
        name="360docs",
        domains=("360docs.net",),
        document_paths=(r"^/doc/[0-9a-f]{8,10}\.html$",),
        listing_paths=(r"^/list/",),
        start_paths=("https://www.360docs.net/list/",),
    )
