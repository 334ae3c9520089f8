"""The bundled demo site: renrendoc-style listing and document pages built from documents.json.

The documents' text is written for this project. Pages follow the renrendoc `/paper/` template
(see ../shared/sites/zh.md §1): an uploader list with a 下一页 pager, and document pages with
metadata, page scans, 文档简介 holding the first pages' text as `1、` `2、` … excerpts cut at
fixed lengths (mid-word, like the real site), 温馨提示, 最新文档 links and the comment box.
The site is served on 127.0.0.1 by :mod:`docspider.localserver`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from importlib.resources import files

from docspider.localserver import Page, PageTable

LISTING = "/renrendoc_v1/MCBookList/published.html"
PER_LISTING_PAGE = 10
UNLISTED = 4            # the last documents are reachable only through related links
PAGE_CHARS = 240        # excerpt length of one document page
FIRST_ID = 302000001


@dataclass(frozen=True)
class DemoDocument:
    id: int
    title: str
    format: str
    category: list[str]
    uploader: str
    uploaded: str
    pages_total: int
    size: str
    keywords: list[str]
    body: str

    @property
    def path(self) -> str:
        return f"/paper/{self.id}.html"

    def excerpt_pages(self) -> list[str]:
        return [self.body[i:i + PAGE_CHARS] for i in range(0, len(self.body), PAGE_CHARS)]


def load_documents() -> list[DemoDocument]:
    data = json.loads(files("docspider.demo").joinpath("documents.json").read_text("utf-8"))
    return [DemoDocument(id=FIRST_ID + i, **doc) for i, doc in enumerate(data["documents"])]


def demo_site(documents: list[DemoDocument] | None = None) -> PageTable:
    """The site for the bundled documents, or for `documents` (benchmarks use more)."""
    docs = load_documents() if documents is None else documents
    table = PageTable()
    table.add("/robots.txt", Page(b"User-agent: *\nDisallow: /down/\n", "text/plain"))
    listed = docs[:-UNLISTED]
    pages = [listed[i:i + PER_LISTING_PAGE] for i in range(0, len(listed), PER_LISTING_PAGE)]
    for n, chunk in enumerate(pages, 1):
        url = LISTING if n == 1 else f"{LISTING}?page={n}"
        table.add(url, _html(_listing_page(chunk, n, len(pages))))
    for i, doc in enumerate(docs):
        newest = [docs[(i + k) % len(docs)] for k in (1, 2, 3, 5, 8)]
        table.add(doc.path, _html(_document_page(doc, newest)))
    return table


def _html(text: str) -> Page:
    return Page(text.encode("utf-8"))


def _frame(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{escape(title)}-人人文库</title></head>
<body>
<div class="top-bar">欢迎来到人人文库 | <a href="/login.html">登录</a> | <a href="/reg.html">免费注册</a></div>
{body}
<div class="footer"><div>copyright@ 2010-2026 docspider 演示站点</div><div>本站内容仅用于演示</div></div>
</body>
</html>
"""


def _listing_page(docs: list[DemoDocument], n: int, last: int) -> str:
    rows = "\n".join(
        f'<li><a href="{d.path}">{escape(d.title)}.{d.format.lower()}</a>'
        f"<span>{d.pages_total}页</span><span>{d.uploaded}</span></li>" for d in docs)
    def link(k: int, text: str) -> str:
        href = "published.html" if k == 1 else f"published.html?page={k}"
        return f'<a class="paginator" href="{href}">{text}</a>'
    pager = [link(k, str(k)) for k in range(1, last + 1) if k != n]
    if n > 1:
        pager.insert(0, link(n - 1, "上一页"))
    if n < last:
        pager.append(link(n + 1, "下一页"))
    return _frame("已发布文档", f"""<div class="main">
<h2>已发布文档（第{n}页）</h2>
<ul class="booklist">
{rows}
</ul>
<div class="pager">{" ".join(pager)}</div>
</div>""")


def _document_page(doc: DemoDocument, newest: list[DemoDocument]) -> str:
    excerpt = doc.excerpt_pages()
    shown = len(excerpt)
    scans = "\n".join(
        f'<div class="page-item"><img data-src="/img/{doc.id}-{k}.jpg" '
        f'alt="{escape(doc.title)}_第{k}页"></div>' for k in range(1, shown + 1))
    texts = "\n".join(f'<div class="pagetxt">{k}、{escape(t)}</div>'
                      for k, t in enumerate(excerpt, 1))
    links = "\n".join(f'<li><a href="{d.path}">{escape(d.title)}.{d.format.lower()}</a></li>'
                      for d in newest)
    return _frame(doc.title, f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; {escape(doc.category[0])} &gt; {escape(doc.category[1])}</div>
<div class="main">
<div class="titletop"><h1>{escape(doc.title)}</h1></div>
<div class="info"><span>上传人：{escape(doc.uploader)}</span> <span>上传时间：{doc.uploaded}</span> <span>页数：{doc.pages_total}</span> <span>大小：{doc.size}</span> <span>格式：{doc.format}</span></div>
<div id="page">
{scans}
</div>
<div class="readmore">已阅读{shown}页，还剩{max(doc.pages_total - shown, 0)}页未读 <a href="javascript:;">继续免费阅读</a></div>
<div class="download"><a href="/down/{doc.id}.html">下载本文档</a></div>
<div class="copyright">版权说明：本文档由用户提供并上传，收益归属内容提供方，若内容存在侵权，请进行举报或认领</div>
<h2 class="intro-title">文档简介</h2>
<div class="intro-content">
{texts}
</div>
<div class="tips"><h3>温馨提示</h3>
<ul>
<li>1. 本站所有资源如无特殊说明，都需要本地电脑安装OFFICE2007和PDF阅读器。</li>
<li>2. 本站仅提供信息存储空间，仅对用户上传内容的表现方式做保护处理。</li>
<li>3. 下载文件中如有侵权或不适当内容，请与我们联系，我们立即纠正。</li>
</ul></div>
<div class="newest"><h3>最新文档</h3>
<ul>
{links}
</ul></div>
<div class="comment"><div>评论</div><div><span>0/150</span></div><div><button>提交评论</button></div></div>
</div>""")
