"""人人文库 and its traditional-Chinese clones (`/paper/`, `/p-`, package pages, also on taowenge)."""
from .profile import SiteProfile

PROFILE = SiteProfile(
    name="renrendoc",
    domains=("renrendoc.com", "bubsandbeans.com", "boteman.cn", "cornels-photography.com",
             "zsdocx.com", "taowenge.com"),
    document_paths=(r"^/paper/\d{6,12}\.html$", r"^/p-\d+(-\d+)?\.html$"),
    listing_paths=(r"^/renrendoc_v1/MCBookList/", r"/published\.html$"),
    start_paths=("https://www.renrendoc.com/renrendoc_v1/MCBookList/published.html",),
)
