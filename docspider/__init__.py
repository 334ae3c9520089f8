"""docspider: crawl and archive document-sharing sites into clean JSON lines."""
