"""Boilerplate vocabularies, grouped by concept.

Every pattern here is matched against the *matching copy* of a block (see
``normalize.match_key``): NFKC (half-width ``,:()!?``), pinyin annotations removed, simplified
script, single spaces. So one entry covers the simplified site, its full-width variant and its
traditional mirrors. Patterns written in lower case without a case flag (headings, notices,
footers, buttons, content noise) are matched against its lower-cased form, ``Block.lkey``:
a case-insensitive flag makes Python's regex engine several times slower on these. Entries name what a marker *means*; which site uses which wording does not
matter here.
"""
from __future__ import annotations

import re


def _words(*alternatives: str) -> str:
    return "|".join(alternatives)


# --- section headings: a short block that announces what follows ----------------------------
# Words that also head sections *inside* documents (摘要, 注意事项, 声明 …) are left out: a tail
# heading ends the document block.
# Trailing decoration allowed on a heading: colon, arrows, a count in brackets.
_HEAD_TAIL = r"\s*[:>»]*\s*(\(\d+\))?\s*$"

DOC_START_HEADINGS = re.compile(
    r"^[-•]?\s*(" + _words(
        "文档简介", "文档介绍", "内容简介", "文本预览", "文档预览", "全文预览", "文档正文",
        "正文", "文档内容", "内容预览", "在线预览", "资料简介",
        "transcription", "transcript", "transkript", "citation preview", "document transcript",
    ) + ")" + _HEAD_TAIL,
)
# `Transcript of «T»`: a start heading that carries the title, so it may be long.
DOC_START_WITH_TITLE = re.compile(r"^transcript of\s+(?P<title>.{2,200})$", re.IGNORECASE)
DESCRIPTION_HEADINGS = re.compile(
    r"^[-•]?\s*(" + _words("资源描述", "文档描述", "资源简介", "资料描述") + ")" + _HEAD_TAIL
)
_NOTICE_HEADING = r"[【\[]?(" + _words(
    "温馨提示", "友情提示", "下载须知", "下载声明", "下载说明", "免责声明", "版权声明",
    "版权提示", "版权说明", "report this document", "dmca",
) + r")[】\]]?"
# `版权提示 | 免责声明`: headings of two notices side by side are one heading.
DISCLAIMER_HEADINGS = re.compile(
    r"^[-•]?\s*" + _NOTICE_HEADING + r"(\s*\|\s*" + _NOTICE_HEADING + ")*" + _HEAD_TAIL
    # douchai's help list: `如果您无法下载资料,请参考说明:`
    + r"|^如果?您?无法下载\S{0,6}\s*,?\s*请参考说明" + _HEAD_TAIL,
)
RELATED_HEADINGS = re.compile(
    # `【学生请假条】相关文章:`: the topic in brackets may come first
    r"^[-•]?\s*(【[^】]{1,30}】\s*)?(" + _words(
        "最新文档", "相关文档", "相关资源", "猜你喜欢", "相关搜索", "热门文档", "推荐文档",
        "相关推荐", "为你推荐", "为您推荐", "精品文档", "同类文档", "相似文档", "相关阅读",
        "大家都在看", "最近上传", "热门推荐", "最新上传", "本类热门", "其他文档", "更多文档",
        "相关资料", "热门资料", "相关下载", "相关文章", "类似文章", "相关范文", "推荐阅读",
        "similar documents", "related documents", "recommended", "recommended documents",
        "you may also like", "more documents", "podobné dokumenty", "liknande dokument",
        "dokumen-dokumen yang mirip",
    ) + ")" + _HEAD_TAIL,
)
COMMENT_HEADINGS = re.compile(
    r"^(" + _words("评论", "发表评论", "网友评论", "用户评论", "文档评论", "评论区") + r")(\s*\(\d+\))?$"
)
META_HEADINGS = re.compile(
    r"^[-•]?\s*(" + _words(
        "上传者", "上传人", "资源目录", "关键词", "关键字", "认证信息", "相关标签", "标签",
        "文档标签", "文档信息", "资源信息",
    ) + ")" + _HEAD_TAIL
)

# --- notices: a block that *is* boilerplate whatever precedes it -----------------------------
# Phrases of copyright and download notices; one hit marks a sentence as a notice.
NOTICE_PHRASES = re.compile(
    "|".join((
        r"本文档由用户提供并上传", r"收益归属内容提供方", r"若内容存在侵权", r"请进行举报或认领",
        r"仅提供信息存储空间", r"本站所有资源如无特殊说明", r"不保证下载资源的准确性",
        r"文件的所有权益归上传用户所有", r"未经权益所有人同意", r"下载文件中如有侵权",
        r"网页内容里面会有图纸预览", r"不包含任何第三方提供的附件", r"如文档侵犯您的权益",
        r"如有侵权.{0,6}联系", r"为本站会员.{0,10}主动上传", r"版权归原作者所有",
        r"(侵犯|涉及|侵害)(您|你)的?(合法)?权益", r"本站(只|仅)提供(文档的)?存储(与|和)下载",
        r"published without (your|the owner's) permission", r"send us a dmca",
        r"copyright (infringement|holder)",
        r"^申明敬告", r"文章内容仅供预览",
    )),
)

# --- reading / truncation markers ----------------------------------------------------------
READ_MORE = re.compile(r"已阅读\s*(?P<read>\d+)\s*页\s*,?\s*还剩\s*(?P<left>\d+)\s*页")
PREVIEW_ENDED_LEFT = re.compile(r"(免费)?预览已结束\s*,?\s*剩余\s*(?P<left>\d+)\s*页")
PREVIEW_ENDED_FULL = re.compile(r"^全文预览已结束")
PREVIEW_RANGE = re.compile(r"预览前\s*(?P<shown>\d+)\s*页\s*/\s*共\s*(?P<total>\d+)\s*页")
PREVIEW_CUT = re.compile(r"点击查看更多|超出免费预览范围|该文档总共\s*\d+\s*页|继续(免费)?阅读")

# `«T»_第3页`: a page thumbnail caption (alt text or flattened image).
# Also matched on own-script text to recover the title, hence `頁`.
THUMBNAIL = re.compile(r"^(!\[)?(?P<title>.+?)_第\s*(?P<page>\d+)\s*[页頁](\]\(.*\))?$")
# `Download "«T»"`: the download widget names the document.
DOWNLOAD_TITLE = re.compile(r'^download\s+"(?P<title>.{2,200})"$', re.IGNORECASE)
# `Page 3: «T»`: a header line the site puts above each page of the text.
PAGE_HEADER = re.compile(r"^page\s+(?P<n>\d{1,4})\s*:\s*(?P<title>.+)$", re.IGNORECASE)
PAGE_COUNTER = re.compile(r"^第\s*\d+\s*页\s*/\s*共\s*\d+\s*页$")

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
# Matched on an NFKC copy in the page's own script; labels are looked up in META_LABELS after
# normalisation, so traditional labels (`上傳時間`) count too.
META_PAIR = re.compile(r"(?P<label>[^\s:]{1,10})\s*:\s*(?P<value>.*?)(?=\s+[^\s:]{1,10}\s*:|$)")
BREADCRUMB = re.compile(r"^(当前位置|您的位置|所在位置)\s*:\s*(?P<path>.+)$")

# --- chrome: navigation, widgets, footers ---------------------------------------------------
# Footer lines end the document block. Registration numbers and `copyright@` are footers in any
# line of up to FOOTER_MAX characters; `版权所有` alone only in a short line (books print it too).
FOOTER_MAX = 80
FOOTER = re.compile(r"copyright|©|icp备|icp证|公网安备|增值电信业务经营许可证")
FOOTER_SHORT_MAX = 24
FOOTER_SHORT = re.compile(r"版权所有|all rights reserved")
WELCOME = re.compile(r"^欢迎(来到|访问|光临)(?P<site>[^|!,]{2,20}?)\s*[!|,]")
BUTTONS = re.compile(
    r"^(" + _words(
        "下载本文档", "付费下载", "立即下载", "免费下载", "下载文档", "下载资源", "收藏", "举报",
        "分享", "关注", "提交评论", "发表评论", "搜索", "登录", "注册", "返回顶部", "0/150",
        "加入vip", "开通vip", "版权申诉", "继续免费阅读", "继续阅读", "展开全文", "查看更多",
        "合集下载", "more information", "read more", "download document", "i agree\\.?",
        "save this pdf as:", "size: px", "embed size \\(px\\)", "start display at page:",
    ) + r")$",
)
# The button under a title on pages without a site header (360docs: `«T»`, `合集下载`).
DOWNLOAD_BUTTON = re.compile(r"^(合集下载|下载本文档|立即下载|免费下载|下载文档)$")
# What makes a line look like a document's title rather than a site's slogan.
TITLE_FILE = re.compile(r"\.(docx?|pdf|pptx?|xlsx?|txt|wps)$|\(可编辑\)|\(word版\)", re.IGNORECASE)
TITLE_BOOK = re.compile(r"《[^》]{1,30}》")
DOCUMENT_KINDS = re.compile(
    r"教案|学案|教学设计|课件|练习|试卷|试题|测试|习题|合同|协议|总结|报告|说明书|方案|范文|计划|"
    r"论文|研究|作文|制度|手册|指南|笔记|约定|规程|标准|规范|通知|申请书|讲义|心得")
SLOGAN = re.compile(r"^(登陆|登录|欢迎)|助您|平台$")
# A navigation bar: four or more short links separated by `|`.
NAV_BAR = re.compile(r"^[^|]{1,8}(\s*\|\s*[^|]{1,8}){3,}$")
# Lines an uploader or a site injects into the document text.
CONTENT_NOISE = re.compile(
    "|".join((
        r"买文档就送", r"q\s*号交流", r"精选优质文档-倾情为你奉上", r"^专心-+专注-+专业$",
        r"^精选文档$", r"^整理文本", r"\(图片大小可任意调节\)", r"^[-—]\s*\d+\s*[-—]$",
        r"^第\s*\d+\s*页\s*,?\s*共\s*\d+\s*页\.?$", r"^第[一二三四五六七八九十百\d]+页,共[一二三四五六七八九十百\d]+页",
        # an injected aphorism: `18、<saying>——<author>` on a line of its own
        r"^\d{1,3}、[^、:]{4,60}——\s*(《[^》]{1,20}》|[^\s,.!?:;。“”\"]{2,12})$",
    )),
)

# Injected adverts and watermarks that sites glue to the document's words (`1、买文档就送您 纸全
# 套, Q 号交流 … 或 …精选优质文档-倾情为你奉上<text>`): spans cut out of a line, which keeps its
# text (renrendoc /p- and /paper/ pages, taowenge). Matched on the line as shown, in either
# script; a line that is nothing but such spans is chrome through CONTENT_NOISE.
GLUED_NOISE = re.compile(
    "|".join((
        r"[买買]文[档檔]就送您?[^,，]{0,10}?[纸紙]全套\s*[,，]?\s*[qQＱ]\s*[号號]交流\s*\d{5,}"
        r"(?:\s*或\s*\d{5,})?\s*",
        r"精[选選][优優][质質]文[档檔]\s*[-－—]\s*[倾傾]情[为為][你您]奉上\s*",
        r"\s*[专專]心\s*[-－—]+\s*[专專]注\s*[-－—]+\s*[专專][业業]\s*",
    )),
)

# Furniture: whole lines a site puts above or into the document text, never its words: chrome
# (every pattern is anchored at the line's start, so the vocabulary is matched, not searched)
# inside the document block. `head` entries only stand above the text, so before it they mark
# where it starts; the others also stand between its lines. Each entry says where it was seen;
# tests/test_segment_rules.py checks that each one fires on a page written for it.
# A 范文 page's samples each start with a header `篇一`, `<topic>篇二` …: chrome, and each
# sample is one of the page's parts.
_SAMPLE_HEADER = r"^.{0,30}篇[一二三四五六七八九十]{1,3}$"
SAMPLE_HEADER = re.compile(_SAMPLE_HEADER)
FURNITURE_ENTRIES = (   # (pattern, head, where it was seen)
    (r"^(时间:\s*)?\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?\s+小编:", True,
     "范文 sites: the date and editor line"),
    (r"^.{0,100}以下是小编(为大家)?(精心)?(带来|整理|收集|准备|分享)的", True,
     "范文 sites: the stock opener"),
    (r"^来源:.{0,20}时间:\s*\d{4}-\d{1,2}-\d{1,2}", True, "77cn: the source and date line"),
    (r"^[^\s:]{2,24}\s+\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2})?(\s*发布于\S{2,8})?$", True,
     "360doc: the byline (user, date, province)"),
    (r"^来自:\s*\S.{0,40}>\s*《[^》]{1,20}》$", True, "360doc: 来自 user > 《folder》"),
    (r"^预览加载中", True, "douchai: the loading line"),
    (r"^【温馨提示】.{0,150}(qq|微信|客服)\s*:?\s*\d{5,}$", True,
     "装配图网 clones (kudomayuko): the uploader's 【温馨提示】 line with a QQ number"),
    (_SAMPLE_HEADER, False, "范文 sites: a sample's header (篇一, X篇二)"),
    (r"^上一页(\s+\d{1,3})+\s+下一页$", False, "77cn: the pager under the text"),
    (r"^隐藏答案$", False, "77cn: the answer toggle"),
    (r"^点击这里给我发消息$", False, "77cn: the contact button"),
    (r"^\d{1,3}\s*/\s*\d{1,3}$", False, "douchai: a page counter i/N"),
)
FURNITURE = re.compile("|".join(f"(?:{pattern})" for pattern, _head, _seen in FURNITURE_ENTRIES))
FURNITURE_MAX = 160     # the longest furniture line (a stock opener); longer blocks are text
HEAD_FURNITURE = re.compile("|".join(f"(?:{pattern})" for pattern, head, _seen in FURNITURE_ENTRIES
                                     if head))

# A cheap first look: a line without any of these holds no GLUED_NOISE span.
GLUED_HINT = re.compile("就送|奉上|专注|專注")

# The share line of share-line sites: `《T》由会员分享,可在线阅读,更多相关《T》请在X上搜索。`
SHARE_LINE = re.compile(r"由会员分享.{0,12}可在线阅读|更多相关.{1,200}请在.{1,120}上搜索")

# --- list and page numbering ---------------------------------------------------------------
# `1、` page excerpts (`N 、` tolerated); `1 ` pages on package pages and docplayer, where an
# empty page is a bare `3`.
PAGE_MARKER = re.compile(r"^(?P<n>\d{1,3})\s?(?P<sep>、|\s|$)")
# Item numbers of notices: `1. `, `1、`, `1:`, `1. 1、` (doubled), `(1)`.
ITEM_NUMBER = re.compile(r"^\s*(\(?\d{1,2}[.、:)]\s*)+")
