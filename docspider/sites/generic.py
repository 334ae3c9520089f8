"""Rules for a site docspider has no profile for: every page is a document, segmented by the
shared, site-agnostic rules; related links are followed on the page's own host."""
from .profile import SiteProfile

GENERIC = SiteProfile(name="generic", domains=(), document_paths=(r"",))
