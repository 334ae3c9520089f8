"""DocPlayer (docplayer.net/.se/.cz/.info) and its topic mirrors (science-, finance-, hobby-,
health-, artsdocbox.com): documents `/<id>-<slug>.html` and `/<Category>/<id>-<slug>.html`,
the text after `Transcription`, one `N <text>` line per page. `/amp/` pages carry no text and
are not document URLs here.

Listing: a docbox category index `/<Category>/` (the first path segment of its document URLs),
paged by a "Next" link. Neither page nor pager is documented: an assumption to verify on the
live sites.
"""
from docspider.sites.profile import SiteProfile
from docspider.spiders.base import DocumentSpider


class DocplayerSpider(DocumentSpider):
    name = "docplayer"
    sample_url = "https://docplayer.net/51200303-Neighbourhood-tool-library-membership-rules.html"
    profile = SiteProfile(
        name="docplayer",
        domains=("docplayer.net", "docplayer.se", "docplayer.cz", "docplayer.info",
                 "sciencedocbox.com", "financedocbox.com", "hobbydocbox.com",
                 "healthdocbox.com", "artsdocbox.com"),
        document_paths=(r"^/\d+-[^/]+\.html$", r"^/[A-Z]\w*/\d+-[^/]+\.html$"),
        listing_paths=(r"^/[A-Z]\w*/$",),
        start_paths=("https://sciencedocbox.com/Biology/",),
        next_page_texts=("Next", "›"),
    )
