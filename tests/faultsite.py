"""The fault server: document pages that fail the way real sites fail, served on 127.0.0.1.

Each fault is a script of responses for one document URL (`docspider.localserver` serves a
tuple of pages in turn, the last one from then on): a 503 before the real page, a captcha
wall, a connection reset, a page that never comes in time … The real pages are the bundled
demo documents; the walls are written here, modelled on what such sites serve.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass

from docspider.demo.site import demo_site, load_documents
from docspider.localserver import Page, PageTable

DOCS = load_documents()

CAPTCHA = Page("""<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head>
<body><div class="box"><h1>请完成安全验证</h1><p>拖动下方滑块完成拼图</p>
<div id="captcha"></div></div></body></html>""".encode("utf-8"))
ACCESS_DENIED = Page(b"""<html><head><title>Access Denied</title></head><body>
<h1>Access Denied</h1><p>You don't have permission to access this page on this server.</p>
<p>Reference #18.4f2b3c</p></body></html>""")
LOGIN = Page("""<html><head><meta charset="utf-8"><title>用户登录</title></head><body>
<form><h2>请登录后查看文档</h2><input name="user"><input type="password" name="pw">
<button>登录</button></form></body></html>""".encode("utf-8"))
EMPTY = Page(b"")
EMPTY_SHELL = Page(b"<html><head></head><body></body></html>")
BINARY = Page(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 8,
              "text/html")
GARBLED = Page(("<html><body><p>" + "\ufffd" * 400 + "</p></body></html>").encode("utf-8"))
FILLER = Page(("<html><head><meta charset='utf-8'><title>资料</title></head><body>"
               "<h2>文档简介</h2><div>" + "蒄蚄袀膇莀蚃羂羀芆螁蚈蒆" * 80 + "</div></body></html>"
               ).encode("utf-8"))
UNAVAILABLE = Page(b"<html><body>Service Unavailable</body></html>", status=503)
RESET = Page(b"", reset=True)
NOT_FOUND = Page(b"<html><body>Not Found</body></html>", status=404)


def slow(page: Page, seconds: float) -> Page:
    return Page(page.body, page.content_type, page.status, delay=seconds)


def status(code: int, *headers: tuple[str, str]) -> Page:
    return Page(f"<html><body>status {code}</body></html>".encode(), status=code,
                headers=headers)


def gzip_bomb(expanded_mib: int) -> Page:
    """A small gzip body that expands to `expanded_mib` MiB of HTML."""
    inner = b"<html><body><p>" + b"a" * (expanded_mib * 2 ** 20) + b"</p></body></html>"
    return Page(gzip.compress(inner, 9), headers=(("Content-Encoding", "gzip"),))


def deep(levels: int) -> Page:
    text = "这是嵌得很深的一段正文，解析器无法展开它。" * 20
    return Page(f"<html><head><title>深层页面</title></head><body>{'<div>' * levels}<p>{text}</p>"
                f"{'</div>' * levels}</body></html>".encode("utf-8"))


def recoded(path: str, table: PageTable, encoding: str, declared: str, where: str) -> Page:
    """The real page at `path`, its bytes in `encoding` but declared as `declared`, in the
    Content-Type header or the `<meta>`."""
    html = table.pages[("", path)].body.decode("utf-8")
    html = html.replace('charset="utf-8"', f'charset="{declared if where == "meta" else encoding}"')
    body = html.encode(encoding, errors="strict")
    content_type = f"text/html; charset={declared}" if where == "header" else "text/html"
    return Page(body, content_type)


@dataclass(frozen=True)
class Fault:
    name: str                   # the row in docs/reliability.md
    script: tuple               # pages before the real one; () for a page that is only a fault
    outcome: str                # "emitted", "failed/<reason>" or "skipped/<reason>"
    real: bool = True           # the real page ends the script


def fault_site(faults: list[Fault], clean: bool = False) -> tuple[PageTable, dict[str, str]]:
    """The demo documents with one fault each, served by path: (table, fault name -> path).
    `clean`: the same site with every fault gone (a later run of a healed site)."""
    base = demo_site()
    table = PageTable()
    paths = {}
    for fault, doc in zip(faults, DOCS, strict=False):
        real = base.pages[("", doc.path)]
        paths[fault.name] = doc.path
        if clean:
            table.add(doc.path, real)
        else:
            table.add(doc.path, fault.script + ((real,) if fault.real else ()))
    return table, paths
