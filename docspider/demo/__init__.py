"""The bundled demo site `scrapy demo` crawls (see :mod:`docspider.demo.site`)."""
