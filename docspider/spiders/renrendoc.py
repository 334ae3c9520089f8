"""人人文库 (renrendoc.com) and its traditional-Chinese clones: `/paper/<id>`, `/p-<id>` and
package pages `/p-<pkg>-<file>` (the same package template also runs on taowenge.com)."""
from docspider.sites.profile import SiteProfile
from docspider.spiders.base import DocumentSpider


class RenrendocSpider(DocumentSpider):
    name = "renrendoc"
    sample_url = "https://www.renrendoc.com/paper/301000001.html"
    profile = SiteProfile(
        name="renrendoc",
        domains=("renrendoc.com", "bubsandbeans.com", "boteman.cn", "cornels-photography.com",
                 "zsdocx.com", "taowenge.com"),
        document_paths=(r"^/paper/\d{6,12}\.html$", r"^/p-\d+(-\d+)?\.html$"),
        listing_paths=(r"^/renrendoc_v1/MCBookList/",),
        start_paths=("https://www.renrendoc.com/renrendoc_v1/MCBookList/published.html",),
    )
