"""Recognise a *soft block*: a page served with HTTP 200 that is not a document.

Sites that do not want to be crawled rarely answer with an error status. They answer ``200 OK``
with a captcha or "checking your browser" wall, a login wall, an access-denied or rate-limit
notice, an empty shell, a file served as ``text/html``, or bytes that decode to noise.
:func:`soft_block` names the kind of such a page so the crawler can retry it instead of
segmenting it into a bogus document::

    soft_block(body, text)  ->  'empty' | 'binary' | 'captcha' | 'login'
                                | 'access_denied' | 'garbled' | None

``None`` means "this may be a document": the page is processed normally. The module is pure
(standard library, lxml and the segmenter's parsing helpers; no Scrapy) and cheap: at most one
lxml parse per page, none when given the segmenter's tree, all patterns compiled once at import.

Kinds and the rules that decide them, checked in this order
-----------------------------------------------------------

``empty``
    The body is nothing but whitespace, or it parses to a shell with no visible text at all
    (``<html><body></body></html>``, a page made only of scripts and styles). A title alone
    does not make a document; but if that title carries a wall marker (below), the page is
    that wall kind rather than ``empty``.

``binary``
    The raw body contains NUL bytes (unless it starts with a UTF-16/UTF-32 byte order mark), or
    begins (after leading whitespace) with a known file signature: ``%PDF``, ``PK\\x03\\x04`` /
    ``PK\\x05\\x06`` (zip, docx, xlsx, pptx), the OLE2 header ``\\xd0\\xcf\\x11\\xe0`` (doc, xls,
    ppt), ``\\x89PNG``, ``GIF8``, ``\\xff\\xd8\\xff`` (JPEG), ``\\x1f\\x8b`` (gzip), ``Rar!``,
    ``7z\\xbc\\xaf``, ``\\xfd7zXZ`` (xz), ``RIFF`` (WebP and other RIFF media), ``wOFF`` /
    ``wOF2`` (web fonts).

``garbled``
    The visible text has at least ``GARBLED_MIN_CHARS`` (20) non-space characters and more than
    ``GARBLED_SHARE`` (20 %) of them are noise: U+FFFD replacement characters, C0 control
    characters other than tab / newline / carriage return / form feed, DEL and C1 controls
    (U+0080–U+009F), the classic ``锟斤拷`` (U+FFFD pushed through GBK), and UTF-8 read as
    Latin-1 / cp1252 (a lead such as ``Ã``, ``å``, ``ä`` followed by continuation-range
    characters, e.g. ``å®‰å…¨``). When ``text`` is ``None`` (the bytes could not be decoded), the
    body is decoded as UTF-8 with replacement characters and judged the same way. Occasional
    mojibake runs inside a real page stay far below the share.

``captcha`` / ``login`` / ``access_denied`` (the wall kinds)
    Decided by vocabulary *and* structure. Visible text is the text of the page outside
    ``<head>``, ``<script>``, ``<style>``, ``<template>`` and comments (``<noscript>`` counts: it
    is what a crawler sees); its size is counted in non-space characters.

    * **Long pages** (more than ``LONG_PAGE`` = 3000 visible characters) are never walls; the
      vocabulary is not even looked at.
    * **Middle pages** (``SHORT_PAGE`` < size <= ``LONG_PAGE``, i.e. 601–3000): a wall only if a
      *segment* of the ``<title>``, ``<h1>`` or ``<h2>`` is dominated by a wall phrase. A title
      is split into segments at separators (``|``, `` - ``, ``_``, ``!``, ``。``, ``…`` …),
      and a phrase dominates a segment when it covers at least ``TITLE_SHARE`` (45 %) of the
      segment's non-space characters: ``Attention Required! | Cloudflare``, ``百度安全验证``,
      ``Access Denied`` qualify; a document titled ``网络安全验证技术综述`` or a heading that
      merely contains "captcha" does not.
    * **Short pages** (at most 600 visible characters): a wall if a wall phrase occurs anywhere
      in the title, in an ``<h1>``–``<h3>`` heading, or in the headline — the first three
      visible text nodes (first 200 characters of each); or if a title / ``<h1>``–``<h2>``
      segment *is* a bare wall word (``登录``, ``用户登录``, ``Sign in``, ``验证码``,
      ``Forbidden``, ``captcha`` …). Text further down a short page never counts: real
      document previews can be short too, and their download forms ask for a 验证码.

    Where the checks look, in order: title, headings, headline. The first
    source that carries a marker decides; within it, the leftmost marker decides its kind (a
    login page asking for a 验证码 is ``login`` because its title says 登录). Real document
    pages that mention 验证码 or "login" in their text, in a ``登录 | 注册`` nav bar, a sidebar
    login box or a footer are not walls: they are long, and bare words such as 登录 count only
    when they are a whole title segment of a short page.

Vocabulary
----------

Phrases (matched case-insensitively, anywhere they are allowed to count):

captcha
    安全验证, 人机验证, 人机身份验证, 人机识别, 滑动验证, 滑块验证, 拖动滑块, 向右滑动, 拼图验证,
    智能验证, 访问验证, 安全检查, 验证码, 请完成/进行/先…验证 (up to six characters between),
    完成验证后; captcha (also reCAPTCHA, hCaptcha), Attention Required, Checking your browser,
    Checking if the site connection is secure, Just a moment, verify (that) you are (a) human,
    verifying you are human, are you a robot / human, not a robot, human verification, bot
    verification, browser verification, complete the security check, press and hold, one more
    step, DDoS protection, slide to verify.

login
    请登录后, 请先登录, 登录后查看 / 继续 / 才能 / 方可 / 可见 / 阅读 / 下载, 需要登录, 需登录, 您还未登录,
    登录已过期, 登录超时, 扫码登录; sign in / log in / login to continue (to view, to access),
    please sign in / log in, you must (be) log(ged) in / sign(ed) in, you need to sign in / log
    in, login required, sign-in required, members only.

access_denied
    访问被拒绝, 拒绝访问, 禁止访问, 访问受限, 访问受到限制, 无权访问, 没有访问权限, 无访问权限, 访问过于频繁,
    访问太频繁, 访问频繁, 访问频率过高 / 过快, 请求过于频繁 / 太频繁, 操作过于频繁 / 太频繁, 您的访问出错了,
    访问出错, 访问异常, 异常访问, 您的访问被阻断, 请求被拦截, 已被拦截, IP…被封 / 禁 / 限制 / 拦截, 不合法参数,
    网站防火墙; Access denied, access to this page/resource/site has been denied, 403 Forbidden,
    Error 403 / 1015 / 1020, you don't / do not have permission, Too Many Requests, rate limit
    exceeded, rate limited, you have been / are blocked, request blocked, unusual traffic, your
    IP (address) has been blocked / banned, access restricted.

Bare words (a whole title or ``<h1>``/``<h2>`` segment of a short page, ignoring punctuation
and spaces; every page has them in its nav bar, so they count nowhere else): captcha — 验证,
验证码, 安全验证, captcha, verification, robot check; login — 登录 / 登陆 with an optional 用户 /
会员 / 账号 / 帐号 / 账户 / 帐户 prefix, 登录注册, login, log in, sign in, sign on; access_denied —
403, 429, Error 403, Forbidden, 403 Forbidden, denied, access denied, blocked, error, 禁止, 拒绝.

How a soft block is handled
---------------------------

The crawler retries the request through Scrapy's ``get_retry_request`` with the reason
``soft_block/<kind>``; a soft-blocked page is never emitted as a document and never recorded as
known, so a later crawl fetches it again. See ``docs/soft-blocks.md``.
"""
from __future__ import annotations

import codecs
import itertools
import re

from lxml import etree

from docspider.segment.blocks import without_xml_declaration

__all__ = ["KINDS", "soft_block"]

KINDS = ("empty", "binary", "captcha", "login", "access_denied", "garbled")

LONG_PAGE = 3000        # more visible characters than this: never a wall, vocabulary skipped
SHORT_PAGE = 600        # at most this many: headline and heading phrases count
TITLE_SHARE = 0.45      # a phrase dominates a title segment when it covers this share of it
GARBLED_SHARE = 0.2     # noise share of the non-space visible characters that makes it garbled
GARBLED_MIN_CHARS = 20  # fewer non-space characters than this are never judged garbled
HEADLINE_NODES = 3      # the headline: this many first visible text nodes ...
HEADLINE_CHARS = 200    # ... each cut to this many characters
HEADINGS = 6            # at most this many <h1>-<h3> headings are looked at

_SIGNATURES = (
    b"%PDF", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x89PNG",
    b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c",
    b"\xfd7zXZ\x00", b"RIFF", b"wOFF", b"wOF2",
)
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)

# Characters lxml refuses in a str (C0 controls, lone surrogates, non-characters): they are
# replaced before parsing, by U+FFFD so that they still count as noise (a form feed by a space:
# PDF-derived text uses it as a page break).
_UNPARSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Noise in decoded text: replacement characters, controls, 锟斤拷, UTF-8 read as Latin-1/cp1252.
_CP1252_HIGH = "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014" \
               "\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039" \
               "\u203a\u20ac\u2122"
_NOISE = re.compile(
    "[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]"
    "|锟斤拷"
    f"|[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_HIGH}]+"
)

# The characters a match of _NOISE can start with.
_NOISE_START = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x9f锟\u00c2-\u00f4]")
# All the text of a tree, joined in C.
_TEXT = etree.XPath("string()", smart_strings=False)

_SEPARATORS = re.compile(r"\s+[-–—|·•:]\s+|[|｜_–—·•!！?？。，,;；:：()（）\[\]【】《》<>…]|\.{2,}|\.\s")
_NOT_WORD = re.compile(r"[\W_]+")
_SPACE = re.compile(r"\s+")

_PHRASES = {
    "captcha": [
        r"安全验证", r"人机验证", r"人机身份验证", r"人机识别", r"滑动验证", r"滑块验证", r"拖动滑块",
        r"向右滑动", r"拼图验证", r"智能验证", r"访问验证", r"安全检查", r"验证码",
        r"请(?:完成|进行|先)[^,.;，。；]{0,6}验证", r"完成验证后",
        r"captcha", r"attention required", r"checking your browser",
        r"checking if the site connection is secure", r"just a moment",
        r"verify (?:that )?you are (?:a )?human", r"verifying (?:that )?you are (?:a )?human",
        r"are you a (?:robot|human)", r"not a robot", r"human verification",
        r"bot verification", r"browser verification", r"complete the security check",
        r"press (?:and|&) hold", r"one more step", r"ddos protection", r"slide to verify",
    ],
    "login": [
        r"请登[录陆]后", r"请先登[录陆]", r"登[录陆]后(?:查看|继续|才能|方可|可见|阅读|下载)",
        r"需要登[录陆]", r"需登[录陆]", r"您还未登[录陆]", r"登[录陆]已过期", r"登[录陆]超时",
        r"扫码登[录陆]",
        r"(?:sign|log) ?in to (?:continue|view|access|read|download)",
        r"please (?:sign|log) ?in", r"you (?:must|need to) (?:be )?(?:sign|log)(?:ged|ed)? ?in",
        r"log ?in required", r"sign[- ]?in required", r"members only",
    ],
    "access_denied": [
        r"访问被拒绝", r"拒绝访问", r"禁止访问", r"访问受限", r"访问受到限制", r"无权访问", r"没有访问权限",
        r"无访问权限", r"访问过于频繁", r"访问太频繁", r"访问频繁", r"访问频率过[高快]",
        r"请求(?:过于|太)频繁", r"操作(?:过于|太)频繁", r"您的访问出错了", r"访问出错", r"访问异常",
        r"异常访问", r"您的访问被阻断", r"请求被拦截", r"已被拦截", r"ip.{0,6}被(?:封|禁|限制|拦截)",
        r"不合法参数", r"网站防火墙",
        r"access denied", r"access to this (?:page|resource|site|website) (?:has been|is) denied",
        r"403 forbidden", r"error (?:403|1015|1020)\b", r"you (?:don't|do not) have permission",
        r"too many requests", r"rate limit exceeded", r"rate[- ]limited",
        r"you (?:have been|are|were) blocked", r"request (?:was |has been )?blocked",
        r"unusual traffic", r"your ip (?:address )?(?:has been|is|was) (?:blocked|banned)",
        r"access restricted",
    ],
}
_WORDS = {
    "captcha": [r"(?:安全)?验证码?", r"captcha", r"verification", r"robotcheck"],
    "login": [r"(?:用户|会员|账号|帐号|账户|帐户)?登[录陆](?:注册)?", r"login", r"signin", r"signon"],
    "access_denied": [r"(?:error)?(?:403|429)", r"(?:403)?forbidden", r"(?:access)?denied",
                      r"blocked", r"error", r"禁止", r"拒绝"],
}


def _alternation(table: dict[str, list[str]]) -> str:
    return "|".join(f"(?P<{kind}>{'|'.join(patterns)})" for kind, patterns in table.items())


_PHRASE = re.compile(_alternation(_PHRASES), re.IGNORECASE)
_WORD = re.compile(f"(?:{_alternation(_WORDS)})", re.IGNORECASE)

_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                           default_doctype=False, huge_tree=True)


def soft_block(body: bytes, text: str | None, root=None) -> str | None:
    """The kind of soft block a 200 page is — 'empty', 'binary', 'captcha', 'login', 'access_denied', 'garbled' — or None for a page that may be a document.
    `root`: the page already parsed by lxml's HTML parser, judged instead of a parse of its
    own; the check strips the elements that show no text from it."""
    if not body.strip() or (text is not None and not text.strip()):
        return "empty"
    if _is_binary(body):
        return "binary"
    if text is None:
        text = body.decode("utf-8", errors="replace")
    parsed = _parse(text) if root is None else _read(root)
    if parsed is None:
        return None         # a tree too deep to judge: segmentation reports it (parse_error)
    title, headings, tree = parsed
    visible = _TEXT(tree) if tree is not None else ""
    size = _nonspace(visible)
    if size == 0:
        return _wall(title, [], [], size) or "empty"
    if size >= GARBLED_MIN_CHARS and _noise(visible) > GARBLED_SHARE * size:
        return "garbled"
    if size > LONG_PAGE:
        return None
    return _wall(title, headings, _first_nodes(tree), size)


def _is_binary(body: bytes) -> bool:
    if b"\x00" in body and not body.startswith(_WIDE_BOMS):
        return True
    return body[:64].lstrip().startswith(_SIGNATURES)


def _nonspace(text: str) -> int:
    return len("".join(text.split()))


def _noise(visible: str) -> int:
    if not _NOISE_START.search(visible):    # most pages: one scan for a character class
        return 0
    count = 0
    for match in _NOISE.finditer(visible):
        count += len(match.group())
    return count


def _parse(text: str) -> tuple[str, list[tuple[str, str]], etree._Element | None] | None:
    """The page's title, its first <h1>-<h3> headings as (tag, text), and its tree with the
    elements that show no text removed (None for a page lxml makes nothing of); None when
    libxml2 gives up on the tree (nested too deep)."""
    if _UNPARSABLE.search(text):
        text = _UNPARSABLE.sub(lambda m: " " if m.group() == "\x0c" else "\ufffd", text)
    text = without_xml_declaration(text)
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, ValueError):
        root = None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in _PARSER.error_log):
        return None
    return _read(root)


def _read(root) -> tuple[str, list[tuple[str, str]], etree._Element | None]:
    """What `_parse` gives, of a parsed page."""
    if root is None:
        return "", [], None
    title = ""
    for element in root.iter("title"):
        title = _SPACE.sub(" ", "".join(element.itertext())).strip()
        break
    etree.strip_elements(root, "head", "title", "script", "style", "template", with_tail=False)
    headings = []
    for element in root.iter("h1", "h2", "h3"):
        headings.append((element.tag, _SPACE.sub(" ", "".join(element.itertext())).strip()))
        if len(headings) >= HEADINGS:
            break
    return title, headings, root


def _first_nodes(root) -> list[str]:
    """The first visible text nodes (the headline's)."""
    return list(itertools.islice((node for node in root.itertext() if not node.isspace()),
                                 HEADLINE_NODES))


def _wall(title: str, headings: list[tuple[str, str]], nodes: list[str], size: int) -> str | None:
    """The wall kind that the title, headings or text of a page of `size` characters carry."""
    framing = [title] + [text for tag, text in headings if tag in ("h1", "h2")]
    short = size <= SHORT_PAGE
    for text in framing:
        if kind := _dominant(text, bare_words=short):
            return kind
    if not short:
        return None
    headline = [title] + [text for _, text in headings]
    headline += [node.strip()[:HEADLINE_CHARS] for node in nodes[:HEADLINE_NODES]]
    for text in headline:
        if match := _PHRASE.search(text):
            return match.lastgroup
    return None


def _dominant(text: str, *, bare_words: bool) -> str | None:
    """The kind of a wall phrase that dominates a segment of `text` (or, if `bare_words`, of a
    bare wall word that is a whole segment)."""
    for segment in _SEPARATORS.split(text):
        length = _nonspace(segment)
        if not length:
            continue
        for match in _PHRASE.finditer(segment):
            covered = len(match.group()) - match.group().count(" ")
            if covered >= TITLE_SHARE * length:
                return match.lastgroup
        if bare_words:
            word = _NOT_WORD.sub("", segment)
            if word and (match := _WORD.fullmatch(word)):
                return match.lastgroup
    return None
