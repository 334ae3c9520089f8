"""The vdocuments engine: vdocuments.site/.us/.net/.mx, fdocuments.us/.in/.net, pdfslide.net/.us,
documents.pub, vdocument.in and dokumen.tips. Documents are `/<slug>.html`,
`/document/<slug>.html`, `/documents/<slug>.html` and `/<category>/<slug>.html`, the text after
`TRANSCRIPT` / `Transcript of T` / `Citation preview` as `Page N: T` pages.

Listing: user pages `/uname/<user>.html` (documented; no text of their own) and the navigation's
`/explore/` page, where the crawl starts, paged by a "Next" link. The explore page and its pager
come from the site navigation, not from a documented listing: verify on the live sites.
"""
from docspider.sites.profile import SiteProfile
from docspider.spiders.base import DocumentSpider


class VdocumentsSpider(DocumentSpider):
    name = "vdocuments"
    sample_url = "https://vdocuments.mx/community-orchard-volunteer-handbook.html"
    profile = SiteProfile(
        name="vdocuments",
        domains=("vdocuments.site", "vdocuments.us", "vdocuments.net", "vdocuments.mx",
                 "fdocuments.us", "fdocuments.in", "fdocuments.net", "pdfslide.net", "pdfslide.us",
                 "documents.pub", "vdocument.in", "dokumen.tips"),
        document_paths=(r"^/[\w.-]+\.html$", r"^/(?!uname/)[a-z][\w-]*/[\w.-]+\.html$"),
        listing_paths=(r"^/uname/[^/]+\.html$", r"^/explore/"),
        start_paths=("https://vdocuments.mx/explore/",),
        next_page_texts=("Next", "›"),
    )
