"""The share-line engine (`《T》由会员分享…请在X上搜索。`): the mobile hosts of 冰点文库, 冰豆网,
文客久久, 163文库, 淘文阁 and 金锄头 (`m.bingdoc.com`, `m.bdocx.com`, `m.wenke99.com`,
`m.163wenku.com`, `m.taowenge.com`, `m.jinchutou.com`), desktop `bdocx.com/doc/<id>.html`,
咨信网 `zixin.com.cn`, and the traditional-Chinese 装配图网 clones (`hcyjhs8.com`, `820124.com`,
`m.jqnhouse.com`, `m.kudomayuko.com`). Documents are `/p-<id>.html`, `/doc/<id>.html`,
`/d-<id>.html`, `/shtml/view-<id>.html` and `/article/<id>.html`.

No listing page of these hosts is documented. The crawl assumes category pages `/list-<n>.html`
with a 下一页 pager, as on the desktop sites of the same companies, and starts from m.bingdoc's
first category: verify on the live sites.
"""
from docspider.sites.profile import SiteProfile
from docspider.spiders.base import DocumentSpider


class SharelineSpider(DocumentSpider):
    name = "shareline"
    sample_url = "https://m.bingdoc.com/p-41000201.html"
    profile = SiteProfile(
        name="shareline",
        # mobile hosts named one by one: their parent domains serve other engines
        domains=("m.bingdoc.com", "m.bdocx.com", "bdocx.com", "m.wenke99.com", "m.163wenku.com",
                 "m.taowenge.com", "m.jinchutou.com", "zixin.com.cn", "hcyjhs8.com",
                 "820124.com", "m.jqnhouse.com", "m.kudomayuko.com"),
        document_paths=(r"^/[pd]-\d+\.html$", r"^/doc/\d+\.html$", r"^/shtml/view-\d+\.html$",
                        r"^/article/\d+\.html$"),
        listing_paths=(r"^/list(-\d+)*\.html$",),
        start_paths=("https://m.bingdoc.com/list-1.html",),
    )
