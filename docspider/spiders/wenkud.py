"""The "欢迎来到X!" download-page engine: 三一办公 (31ppt.com), 三一文库 (31doc.com), 淘文阁
(taowenge.com), 冰点文库 (bingdoc.com) and 冰豆网 (bdocx.com). Documents are `/d-<id>.html`,
on bdocx `/down/<id>.html`.

Listing: each site's 全部分类 menu links category pages `/list-<n>.html` (index `/list.html`);
the crawl starts from the first category of each site and follows its 下一页 pager. The category
pages and their pager are taken from the site menus, not from a documented listing: verify them
on the live sites.
"""
from docspider.sites.profile import SiteProfile
from docspider.spiders.base import DocumentSpider


class WenkudSpider(DocumentSpider):
    name = "wenkud"
    sample_url = "https://www.31ppt.com/d-31000101.html"
    profile = SiteProfile(
        name="wenkud",
        domains=("31ppt.com", "31doc.com", "taowenge.com", "bingdoc.com", "bdocx.com"),
        document_paths=(r"^/d-\d+\.html$", r"^/down/\d+\.html$"),
        listing_paths=(r"^/list(-\d+)*\.html$",),
        start_paths=("https://www.31ppt.com/list-1.html", "https://31doc.com/list-1.html",
                     "https://taowenge.com/list-1.html", "https://www.bingdoc.com/list-1.html",
                     "https://www.bdocx.com/list-1.html"),
    )
