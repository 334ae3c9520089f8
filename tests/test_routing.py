"""Which site rules `docs` gives a URL: the most specific domain owning the host, then the
profile whose document or listing patterns match the path (pure; no crawl)."""
from __future__ import annotations

import pytest

from docspider.sites.routing import route

from conftest import site_spiders

PROFILES = [cls.profile for cls in site_spiders().values()]


@pytest.mark.parametrize("url, rules", [
    ("https://www.renrendoc.com/paper/301000001.html", "renrendoc"),
    ("http://www.bubsandbeans.com/paper/464843675.html", "renrendoc"),
    ("https://taowenge.com/p-1.html", "renrendoc"),             # the package template
    ("https://taowenge.com/d-1.html", "wenkud"),                # same host, download page
    ("https://m.taowenge.com/p-1.html", "shareline"),           # the mobile host wins
    ("https://www.bingdoc.com/d-1.html", "wenkud"),
    ("https://m.bingdoc.com/p-1.html", "shareline"),
    ("https://m.bingdoc.com/d-1.html", "shareline"),
    ("https://www.31ppt.com/d-8.html", "wenkud"),
    ("https://www.31ppt.com/list-1.html", "wenkud"),
    ("https://bdocx.com/down/1.html", "wenkud"),
    ("https://www.bdocx.com/down/1.html", "wenkud"),
    ("https://bdocx.com/doc/1.html", "shareline"),
    ("https://m.bdocx.com/doc/1.html", "shareline"),
    ("https://m.jinchutou.com/shtml/view-2.html", "shareline"),
    ("https://zixin.com.cn/doc/3.html", "shareline"),
    ("http://820124.com/article/4.html", "shareline"),
    ("https://360docs.net/doc/cb17c5e35e.html", "360docs"),
    ("https://m.360docs.net/doc/449996e5.html", "360docs"),
    ("https://www.doczj.com/doc/188232974.html", "doczj"),
    ("https://m.wendangku.net/doc/10907d02b84bd536565ad5ba.html", "doczj"),
    ("https://docplayer.net/63971081-fix-it.html", "docplayer"),
    ("https://sciencedocbox.com/Biology/7-cells.html", "docplayer"),
    ("https://vdocuments.mx/fix-it-corner.html", "vdocuments"),
    ("https://fdocuments.in/document/remote-work.html", "vdocuments"),
    ("https://pdfslide.us/education/lesson.html", "vdocuments"),
    ("https://dokumen.tips/uname/someone.html", "vdocuments"),
    ("https://wenku.example.net/doc/7f3a9c21.html", "generic"),  # no spider knows the host
    ("https://bingdoc.com.example.org/d-1.html", "generic"),      # a suffix is not a domain
])
def test_route(url, rules):
    assert route(url, PROFILES).name == rules


@pytest.mark.parametrize("url, kind", [
    ("https://dokumen.tips/uname/someone.html", "listing"),
    ("https://vdocuments.mx/explore/?page=2", "listing"),
    ("https://vdocuments.mx/fix-it-corner.html", "document"),
    ("https://www.31ppt.com/list-1.html", "listing"),
    ("https://sciencedocbox.com/Biology/", "listing"),
    ("https://www.360docs.net/list/", "listing"),
])
def test_listing_and_document_pages_are_told_apart(url, kind):
    assert route(url, PROFILES).page_kind(url) == kind
