"""docspider: crawl and archive document-sharing sites into clean JSON lines."""

__version__ = "0.1.0"
