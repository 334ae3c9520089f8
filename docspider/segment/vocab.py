"""Boilerplate vocabularies, grouped by concept.

Every vocabulary is a :class:`Vocab`: entries, each a pattern with a note of where it was seen,
compiled into one regular expression, and the *copy* of a block it is matched on —
``key``, the matching copy (see ``normalize.match_key``: NFKC with half-width ``,:()!?``,
pinyin annotations removed, simplified script, single spaces), so one entry covers the
simplified site, its full-width variant and its traditional mirrors; ``lkey``, that copy in
lower case, for the case-insensitive vocabularies (an IGNORECASE flag makes Python's regex
engine several times slower on these); or ``text``, the line as shown. ``vocab.BUTTONS(block)``
matches a block on its copy; ``.match``/``.search`` on a string are there for the values the
rules read in the page's own script. Entries name what a marker *means*; the notes say on
which pages it was seen (`../shared/sites/` names the families), and tests/test_vocab.py checks
that every entry fires on a page or a line written for it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from .normalize import MEMO_CHARS

# Lines a vocabulary memoises: a site's chrome is a few hundred short lines (the 70 pages of
# the development corpora, from some twenty sites, fill the busiest vocabulary with 2,350);
# full memos of every vocabulary take about 2 MB.
MEMO_LINES = 2048


_UNSEEN = object()
_ALL: list[Vocab] = []


def clear_memos() -> None:
    """Forget the memoised matches of every vocabulary (benchmarks start each pass cold)."""
    for vocab in _ALL:
        vocab._memo.clear()


class Vocab:
    """Entries `(pattern, where it was seen)` compiled into one regex between `prefix` and
    `suffix`, matched (`anchored`) or searched on one copy of a block (`on`)."""

    def __new__(cls, *args, on: str, **kwargs):
        # one subclass per copy: a call reads the copy without a lookup by name (these calls
        # are the hot path of segmentation)
        return super().__new__(_ON[on])

    def __init__(self, entries: Iterable[tuple[str, str]], *, on: str, anchored: bool,
                 prefix: str = "", suffix: str = "", flags: int = 0):
        self.entries = tuple(entries)
        self.on = on
        self.regex = re.compile(prefix + "|".join(p for p, _seen in self.entries) + suffix, flags)
        self.find = self.regex.match if anchored else self.regex.search
        self._memo: dict[str, re.Match | None] = {}
        _ALL.append(self)

    def _found(self, copy: str) -> re.Match | None:
        """The match on a block's copy, memoised for short lines (a site's chrome repeats on
        every page; a paragraph does not)."""
        found = self._memo.get(copy, _UNSEEN)
        if found is _UNSEEN:
            found = self.find(copy)
            if len(copy) <= MEMO_CHARS:
                if len(self._memo) >= MEMO_LINES:
                    self._memo.clear()
                self._memo[copy] = found
        return found

    def match(self, text: str) -> re.Match | None:
        return self.regex.match(text)

    def search(self, text: str) -> re.Match | None:
        return self.regex.search(text)

    def sub(self, replacement: str, text: str) -> str:
        return self.regex.sub(replacement, text)

    def finditer(self, text: str):
        return self.regex.finditer(text)


class _OnKey(Vocab):
    def __call__(self, block) -> re.Match | None:
        return self._found(block.key)


class _OnLowerKey(Vocab):
    def __call__(self, block) -> re.Match | None:
        return self._found(block.lkey)


class _OnText(Vocab):
    def __call__(self, block) -> re.Match | None:
        return self._found(block.text)


_ON = {"key": _OnKey, "lkey": _OnLowerKey, "text": _OnText}


def _seen(note: str, *patterns: str) -> list[tuple[str, str]]:
    """Entries sharing one note."""
    return [(p, note) for p in patterns]


# --- section headings: a short block that announces what follows ----------------------------
# Words that also head sections *inside* documents (摘要, 注意事项, 声明 …) are left out: a tail
# heading ends the document block.
# Trailing decoration allowed on a heading: colon, arrows, a count in brackets.
_HEAD_TAIL = r"\s*[:>»]*\s*(\(\d+\))?\s*$"

_HEADING = r"^[-•]?\s*("
DOC_START_HEADINGS = Vocab(
    _seen("renrendoc family and its mirrors: 文档简介 above the text",
          "文档简介", "文档介绍", "内容简介", "资料简介")
    + _seen("wenkud, shareline, doczj and 360docs engines: headings of the preview",
            "文本预览", "文档预览", "全文预览", "文档正文", "正文", "文档内容", "内容预览",
            "在线预览")
    + _seen("docplayer and vdocuments: the heading of the transcript",
            "transcription", "transcript", "transkript", "citation preview",
            "document transcript"),
    on="lkey", anchored=True, prefix=_HEADING, suffix=")" + _HEAD_TAIL)
# `Transcript of «T»`: a start heading that carries the title, so it may be long.
DOC_START_WITH_TITLE = Vocab(
    _seen("vdocuments: Transcript of «T»", r"^transcript of\s+(?P<title>.{2,200})$"),
    on="key", anchored=True, flags=re.IGNORECASE)
DESCRIPTION_HEADINGS = Vocab(
    _seen("share-line engine, 163wenku, package pages: 资源描述 above the description",
          "资源描述", "文档描述", "资源简介", "资料描述"),
    on="lkey", anchored=True, prefix=_HEADING, suffix=")" + _HEAD_TAIL)
_NOTICE_HEADING = r"[【\[]?(" + "|".join((
    "温馨提示", "友情提示", "下载须知", "下载声明", "下载说明", "免责声明", "版权声明",
    "版权提示", "版权说明", "report this document", "dmca",
)) + r")[】\]]?"
# `版权提示 | 免责声明`: headings of two notices side by side are one heading.
DISCLAIMER_HEADINGS = Vocab(
    _seen("every family: the heading of the download notice (温馨提示 …, Report this document)",
          r"^[-•]?\s*" + _NOTICE_HEADING + r"(\s*\|\s*" + _NOTICE_HEADING + ")*" + _HEAD_TAIL)
    + _seen("douchai: the help list after the preview",
            r"^如果?您?无法下载\S{0,6}\s*,?\s*请参考说明" + _HEAD_TAIL),
    on="lkey", anchored=True)
RELATED_HEADINGS = Vocab(
    _seen("the Chinese families: related-document lists",
          "最新文档", "相关文档", "相关资源", "猜你喜欢", "相关搜索", "热门文档", "推荐文档",
          "相关推荐", "为你推荐", "为您推荐", "精品文档", "同类文档", "相似文档", "相关阅读",
          "大家都在看", "最近上传", "热门推荐", "最新上传", "本类热门", "其他文档", "更多文档",
          "相关资料", "热门资料", "相关下载")
    + _seen("范文 sites, 77cn, 360doc: article lists (【topic】相关文章, 类似文章)",
            "相关文章", "类似文章", "相关范文", "推荐阅读")
    + _seen("docplayer and vdocuments in their languages: similar documents",
            "similar documents", "related documents", "recommended", "recommended documents",
            "you may also like", "more documents", "podobné dokumenty", "liknande dokument",
            "dokumen-dokumen yang mirip"),
    # `【学生请假条】相关文章:`: the topic in brackets may come first
    on="lkey", anchored=True, prefix=r"^[-•]?\s*(【[^】]{1,30}】\s*)?(", suffix=")" + _HEAD_TAIL)
COMMENT_HEADINGS = Vocab(
    _seen("renrendoc family and share-line engine: the comment box",
          "评论", "发表评论", "网友评论", "用户评论", "文档评论", "评论区"),
    on="lkey", anchored=True, prefix="^(", suffix=r")(\s*\(\d+\))?$")
META_HEADINGS = Vocab(
    _seen("renrendoc family and package pages: uploader box, 资源目录, keywords",
          "上传者", "上传人", "资源目录", "关键词", "关键字", "认证信息", "相关标签", "标签",
          "文档标签", "文档信息", "资源信息"),
    on="lkey", anchored=True, prefix=_HEADING, suffix=")" + _HEAD_TAIL)

# --- notices: a block that *is* boilerplate whatever precedes it -----------------------------
# Phrases of copyright and download notices; one hit marks a sentence as a notice.
NOTICE_PHRASES = Vocab(
    _seen("renrendoc family: the copyright line (版权说明:本文档由用户提供并上传…)",
          r"本文档由用户提供并上传", r"收益归属内容提供方", r"若内容存在侵权", r"请进行举报或认领")
    + _seen("renrendoc family: the 温馨提示 items",
            r"仅提供信息存储空间", r"本站所有资源如无特殊说明", r"不保证下载资源的准确性",
            r"文件的所有权益归上传用户所有", r"未经权益所有人同意", r"下载文件中如有侵权",
            r"网页内容里面会有图纸预览", r"不包含任何第三方提供的附件")
    + _seen("360docs, wenkud and share-line engines: notice items and sentences",
            r"如文档侵犯您的权益", r"如有侵权.{0,6}联系", r"为本站会员.{0,10}主动上传",
            r"版权归原作者所有", r"(侵犯|涉及|侵害)(您|你)的?(合法)?权益",
            r"本站(只|仅)提供(文档的)?存储(与|和)下载")
    + _seen("docplayer and vdocuments: the DMCA notice",
            r"published without (your|the owner's) permission", r"send us a dmca",
            r"copyright (infringement|holder)")
    + _seen("61taotao: 申明敬告", r"^申明敬告")
    + _seen("77cn: the 说明 under the title", r"文章内容仅供预览"),
    on="lkey", anchored=False)

# --- reading / truncation markers (matched on the matching copy; metadata reads them) --------
READ_MORE = Vocab(_seen("renrendoc family: 已阅读5页,还剩N页",
                        r"已阅读\s*(?P<read>\d+)\s*页\s*,?\s*还剩\s*(?P<left>\d+)\s*页"),
                  on="key", anchored=False)
PREVIEW_ENDED_LEFT = Vocab(_seen("renrendoc /p-: 免费预览已结束,剩余N页",
                                 r"(免费)?预览已结束\s*,?\s*剩余\s*(?P<left>\d+)\s*页"),
                           on="key", anchored=False)
PREVIEW_ENDED_FULL = Vocab(_seen("renrendoc /p-: 全文预览已结束", r"^全文预览已结束"),
                           on="key", anchored=False)
PREVIEW_RANGE = Vocab(_seen("share-line engine: 预览前N页/共M页",
                            r"预览前\s*(?P<shown>\d+)\s*页\s*/\s*共\s*(?P<total>\d+)\s*页"),
                      on="key", anchored=False)
PREVIEW_CUT = Vocab(_seen("share-line engine, douchai, renrendoc 继续免费阅读: the preview's end",
                          r"点击查看更多", r"超出免费预览范围", r"该文档总共\s*\d+\s*页",
                          r"继续(免费)?阅读"),
                    on="key", anchored=False)

# `«T»_第3页`: a page thumbnail caption (alt text or flattened image).
# Also matched on own-script text to recover the title, hence `頁`.
THUMBNAIL = Vocab(_seen("renrendoc family and share-line engine: thumbnail captions «T»_第3页",
                        r"^(!\[)?(?P<title>.+?)_第\s*(?P<page>\d+)\s*[页頁](\]\(.*\))?$"),
                  on="key", anchored=True)
# `Download "«T»"`: the download widget names the document.
DOWNLOAD_TITLE = Vocab(_seen("docplayer: the download widget", r'^download\s+"(?P<title>.{2,200})"$'),
                       on="key", anchored=True, flags=re.IGNORECASE)
# `Page 3: «T»`: a header line the site puts above each page of the text.
PAGE_HEADER = Vocab(_seen("vdocuments family: Page N: «T» above each page",
                          r"^page\s+(?P<n>\d{1,4})\s*:\s*(?P<title>.+)$"),
                    on="key", anchored=True, flags=re.IGNORECASE)
PAGE_COUNTER = Vocab(_seen("share-line engine: 第i页 / 共N页 under each thumbnail",
                           r"^第\s*\d+\s*页\s*/\s*共\s*\d+\s*页$"),
                     on="key", anchored=True)

# --- metadata: `label:value` pairs ---------------------------------------------------------
# label (normalised) -> metadata field; None = a known label whose value is not kept.
META_LABELS: dict[str, str | None] = {
    "上传人": "uploader", "上传者": "uploader", "卖家": "uploader", "上传用户": "uploader",
    "上传时间": "uploaded_at", "上传日期": "uploaded_at", "发布时间": "uploaded_at",
    "页数": "pages_total", "全文页数": "pages_total", "总页数": "pages_total", "页码": "pages_total",
    "大小": "size", "资源大小": "size", "文件大小": "size",
    "格式": "format", "资源格式": "format", "文件格式": "format", "文档格式": "format",
    "编号": "doc_id", "资源id": "doc_id", "文档编号": "doc_id", "文档id": "doc_id",
    "下载积分": "price", "价格": "price", "售价": "price", "积分": "price",
    "类型": None, "ip属地": None, "浏览次数": None, "浏览": None, "下载次数": None,
    "文档数": None, "收藏次数": None, "上传人(卖家)": "uploader",
}
# Matched on an NFKC copy in the page's own script (values are emitted); labels are looked up
# in META_LABELS after normalisation, so traditional labels (`上傳時間`) count too.
META_PAIR = re.compile(r"(?P<label>[^\s:]{1,10})\s*:\s*(?P<value>.*?)(?=\s+[^\s:]{1,10}\s*:|$)")
BREADCRUMB = Vocab(_seen("renrendoc family, doczj, wendangku, 163wenku, chazidian: 当前位置: …",
                         r"^(当前位置|您的位置|所在位置)\s*:\s*(?P<path>.+)$"),
                   on="key", anchored=True)

# --- chrome: navigation, widgets, footers ---------------------------------------------------
# Footer lines end the document block. Registration numbers and `copyright@` are footers in any
# line of up to FOOTER_MAX characters; `版权所有` alone only in a short line (books print it too).
FOOTER_MAX = 80
FOOTER = Vocab(_seen("every family: the footer (copyright@, ©, ICP备 numbers)",
                     r"copyright", r"©", r"icp备", r"icp证", r"公网安备", r"增值电信业务经营许可证"),
               on="lkey", anchored=False)
FOOTER_SHORT_MAX = 24
FOOTER_SHORT = Vocab(_seen("every family: a short 版权所有 / All rights reserved line",
                           r"版权所有", r"all rights reserved"),
                     on="lkey", anchored=False)
WELCOME = Vocab(_seen("wenkud engine and renrendoc: 欢迎来到X! in the top bar",
                      r"^欢迎(来到|访问|光临)(?P<site>[^|!,]{2,20}?)\s*[!|,]"),
                on="key", anchored=True)
BUTTONS = Vocab(
    _seen("the Chinese families: download, share and account buttons",
          "下载本文档", "付费下载", "立即下载", "免费下载", "下载文档", "下载资源", "收藏", "举报",
          "分享", "关注", "提交评论", "发表评论", "搜索", "登录", "注册", "返回顶部", "0/150",
          "加入vip", "开通vip", "版权申诉", "继续免费阅读", "继续阅读", "展开全文", "查看更多",
          "合集下载")
    + _seen("docplayer and vdocuments: buttons and the embed widget",
            "more information", "read more", "download document", "i agree\\.?",
            "save this pdf as:", "size: px", "embed size \\(px\\)", "start display at page:"),
    on="lkey", anchored=True, prefix="^(", suffix=")$")
# The button under a title on pages without a site header (360docs: `«T»`, `合集下载`).
DOWNLOAD_BUTTON = Vocab(_seen("360docs 合集下载, renrendoc 下载本文档: the button under the title",
                              "合集下载", "下载本文档", "立即下载", "免费下载", "下载文档"),
                        on="lkey", anchored=True, prefix="^(", suffix=")$")
# What makes a line look like a document's title rather than a site's slogan.
TITLE_FILE = Vocab(_seen("titles with a file name (douchai, 360docs, renrendoc family)",
                         r"\.(docx?|pdf|pptx?|xlsx?|txt|wps)$", r"\(可编辑\)", r"\(word版\)"),
                   on="key", anchored=False, flags=re.IGNORECASE)
TITLE_BOOK = Vocab(_seen("titles naming a text in 《》 (textbook exercises, lesson plans)",
                         r"《[^》]{1,30}》"),
                   on="key", anchored=False)
DOCUMENT_KINDS = Vocab(
    _seen("titles naming a kind of document (all Chinese families)",
          "教案", "学案", "教学设计", "课件", "练习", "试卷", "试题", "测试", "习题", "合同", "协议",
          "总结", "报告", "说明书", "方案", "范文", "计划", "论文", "研究", "作文", "制度", "手册",
          "指南", "笔记", "约定", "规程", "标准", "规范", "通知", "申请书", "讲义", "心得"),
    on="key", anchored=False)
SLOGAN = Vocab(_seen("small sites' first lines (21cnjy: 登陆X 助您…; 77cn: …分享平台)",
                     r"^(登陆|登录|欢迎)", r"助您", r"平台$"),
               on="key", anchored=False)
# A navigation bar: four or more short links separated by `|`.
NAV_BAR = Vocab(_seen("renrendoc family, 360docs, 装配图网 clones: 首页 | 分类 | … bars",
                      r"^[^|]{1,8}(\s*\|\s*[^|]{1,8}){3,}$"),
                on="key", anchored=True)
# Lines an uploader or a site injects into the document text.
CONTENT_NOISE = Vocab(
    _seen("renrendoc /p-: the uploader's advert on every page", r"买文档就送", r"q\s*号交流")
    + _seen("taowenge and renrendoc: watermarks of converted documents",
            r"精选优质文档-倾情为你奉上", r"^专心-+专注-+专业$", r"^精选文档$", r"^整理文本",
            r"\(图片大小可任意调节\)")
    + _seen("PDF-line layouts (doczj, package pages, shareline): page footers",
            r"^[-—]\s*\d+\s*[-—]$", r"^第\s*\d+\s*页\s*,?\s*共\s*\d+\s*页\.?$",
            r"^第[一二三四五六七八九十百\d]+页,共[一二三四五六七八九十百\d]+页")
    # an injected aphorism: `18、<saying>——<author>` on a line of its own
    + _seen("wendangku: an injected aphorism 18、<saying>——<author>",
            r"^\d{1,3}、[^、:]{4,60}——\s*(《[^》]{1,20}》|[^\s,.!?:;。“”\"]{2,12})$"),
    on="lkey", anchored=False)

# Injected adverts and watermarks that sites glue to the document's words (`1、买文档就送您 纸全
# 套, Q 号交流 … 或 …精选优质文档-倾情为你奉上<text>`): spans cut out of a line, which keeps its
# text. Matched on the line as shown (`text`), in either script; a line that is nothing but such
# spans is chrome through CONTENT_NOISE.
GLUED_NOISE = Vocab(
    _seen("renrendoc /p- and /paper/: the uploader's advert glued to each page",
          r"[买買]文[档檔]就送您?[^,，]{0,10}?[纸紙]全套\s*[,，]?\s*[qQＱ]\s*[号號]交流\s*\d{5,}"
          r"(?:\s*或\s*\d{5,})?\s*")
    + _seen("taowenge and renrendoc: watermarks glued to the first or last words",
            r"精[选選][优優][质質]文[档檔]\s*[-－—]\s*[倾傾]情[为為][你您]奉上\s*",
            r"\s*[专專]心\s*[-－—]+\s*[专專]注\s*[-－—]+\s*[专專][业業]\s*"),
    on="text", anchored=False)
# A cheap first look: a line without any of these holds no GLUED_NOISE span.
GLUED_HINT = Vocab(_seen("the words every GLUED_NOISE entry holds", "就送", "奉上", "专注", "專注"),
                   on="text", anchored=False)

# Furniture: whole lines a site puts above or into the document text, never its words: chrome
# inside the document block. `head` entries only stand above the text, so before it they mark
# where it starts; the others also stand between its lines. Every pattern is anchored at the
# line's start, so the vocabulary is matched, not searched.
# A 范文 page's samples each start with a header `篇一`, `<topic>篇二` …: chrome, and each
# sample is one of the page's parts.
_SAMPLE_HEADER = r"^.{0,30}篇[一二三四五六七八九十]{1,3}$"
SAMPLE_HEADER = Vocab(_seen("范文 sites: a sample's header (篇一, X篇二)", _SAMPLE_HEADER),
                      on="key", anchored=True)
_HEAD_FURNITURE = (
    (r"^(时间:\s*)?\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?\s+小编:",
     "范文 sites: the date and editor line"),
    (r"^.{0,100}以下是小编(为大家)?(精心)?(带来|整理|收集|准备|分享)的", "范文 sites: the stock opener"),
    (r"^来源:.{0,20}时间:\s*\d{4}-\d{1,2}-\d{1,2}", "77cn: the source and date line"),
    (r"^[^\s:]{2,24}\s+\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2})?(\s*发布于\S{2,8})?$",
     "360doc: the byline (user, date, province)"),
    (r"^来自:\s*\S.{0,40}>\s*《[^》]{1,20}》$", "360doc: 来自 user > 《folder》"),
    (r"^预览加载中", "douchai: the loading line"),
    (r"^【温馨提示】.{0,150}(qq|微信|客服)\s*:?\s*\d{5,}$",
     "装配图网 clones (kudomayuko): the uploader's 【温馨提示】 line with a QQ number"),
)
_TEXT_FURNITURE = (
    (_SAMPLE_HEADER, "范文 sites: a sample's header (篇一, X篇二)"),
    (r"^上一页(\s+\d{1,3})+\s+下一页$", "77cn: the pager under the text"),
    (r"^隐藏答案$", "77cn: the answer toggle"),
    (r"^点击这里给我发消息$", "77cn: the contact button"),
    (r"^\d{1,3}\s*/\s*\d{1,3}$", "douchai: a page counter i/N (renrendoc's 0/150 matches too)"),
)
FURNITURE = Vocab(_HEAD_FURNITURE + _TEXT_FURNITURE, on="lkey", anchored=True)
HEAD_FURNITURE = Vocab(_HEAD_FURNITURE, on="lkey", anchored=True)
FURNITURE_MAX = 160     # the longest furniture line (a stock opener); longer blocks are text

# The share line of share-line sites: `《T》由会员分享,可在线阅读,更多相关《T》请在X上搜索。`
SHARE_LINE = Vocab(_seen("share-line engine and its mirrors: the share line",
                         r"由会员分享.{0,12}可在线阅读", r"更多相关.{1,200}请在.{1,120}上搜索"),
                   on="key", anchored=False)

# --- list and page numbering ---------------------------------------------------------------
# `1、` page excerpts (`N 、` tolerated); `1 ` pages on package pages and docplayer, where an
# empty page is a bare `3`.
PAGE_MARKER = Vocab(_seen("renrendoc family, package pages, docplayer: page numbers",
                          r"^(?P<n>\d{1,3})\s?(?P<sep>、|\s|$)"),
                    on="key", anchored=True)
# Item numbers of notices: `1. `, `1、`, `1:`, `1. 1、` (doubled), `(1)`.
ITEM_NUMBER = Vocab(_seen("notice lists of every family: item numbers",
                          r"^\s*(\(?\d{1,2}[.、:)]\s*)+"),
                    on="key", anchored=True)

# Every vocabulary, for the test that each entry fires somewhere.
ALL = {name: value for name, value in list(globals().items()) if isinstance(value, Vocab)}
