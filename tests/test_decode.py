"""docspider.decode: declared charsets are checked against the bytes, wrong ones are overruled
(BOM, header, <meta>, then detection), and a correct declaration costs a single decode."""
from __future__ import annotations

import codecs

import pytest

from docspider import decode
from docspider.decode import UndecodableError, decode_page, decode_response_body, max_errors

from conftest import json_lines, run_scrapy

SIMPLIFIED = (
    "社区垃圾分类是指按照一定的规定或标准将垃圾分类储存、投放和搬运，从而转变成公共资源的一系列活动的总称。"
    "分类的目的是提高垃圾的资源价值和经济价值，力争物尽其用。在我们小区，居民把厨余垃圾、可回收物、有害垃圾"
    "和其他垃圾分别放进不同颜色的桶里，志愿者每天早晚在投放点值守，提醒大家先把袋子里的水沥干，再把塑料袋"
    "单独投进其他垃圾桶。经过半年的宣传，小区的分类准确率从三成提高到了八成以上，清运车辆的次数也减少了。"
    "学校还把垃圾分类写进了综合实践课，老师带着学生参观处理厂，了解堆肥、焚烧发电和填埋的过程。同学们回家"
    "以后教父母辨认电池、过期药品和荧光灯管这些有害垃圾，不少家庭开始自觉地减少一次性用品的使用。")
TRADITIONAL = (
    "臺北市的社區圖書室自去年起延長開放時間，週末也有志工輪值。館內藏書約三千冊，以兒童繪本、地方文史與"
    "生活實用書籍為主，另設有報紙雜誌閱覽區。借閱證免費辦理，每人每次最多可借五冊，借期兩週，可續借一次。"
    "圖書室每月舉辦一場說故事活動，邀請社區長者分享舊時街坊的生活點滴，孩子們聽得津津有味。管理委員會表示，"
    "未來將增購電子書並開設數位學習課程，讓不同年齡的居民都能善用這個空間。")
ENGLISH = (
    "The community library\u2019s opening hours were extended last year, and volunteers now staff "
    "the desk at weekends. Its three thousand books are mostly picture books, local history and "
    "practical guides. A library card is free; each reader may borrow up to five books for two "
    "weeks. \u201cWe want every neighbour to feel at home here,\u201d said the "
    "committee\u2019s chair.")


def html(body: str, *, title: str = "Document", meta: str | None = None) -> str:
    charset = f'<meta charset="{meta}">' if meta else ""
    return (f"<!DOCTYPE html><html><head>{charset}<title>{title}</title></head>"
            f"<body><h1>{title}</h1><div class=\"content\"><p>{body}</p></div></body></html>")


SIMPLIFIED_PAGE = html(SIMPLIFIED, title="社区垃圾分类实践报告")
TRADITIONAL_PAGE = html(TRADITIONAL, title="社區圖書室開放時間公告")
ENGLISH_PAGE = html(ENGLISH, title="Community library hours")


@pytest.fixture
def no_detection(monkeypatch):
    """Fail the test if charset-normalizer is consulted."""
    def refuse(*args, **kwargs):
        raise AssertionError("detection ran although the declaration was right")
    monkeypatch.setattr(decode.charset_normalizer, "from_bytes", refuse)


# --- wrong declarations are overruled -------------------------------------------------------

def test_gbk_bytes_declared_utf8_in_the_header():
    text, encoding = decode_page(SIMPLIFIED_PAGE.encode("gbk"), is_html=True, declared="utf-8")
    assert text == SIMPLIFIED_PAGE and "\ufffd" not in text
    assert encoding == "gb18030"


def test_gbk_bytes_declared_utf8_in_meta():
    page = html(SIMPLIFIED, title="社区垃圾分类", meta="utf-8")
    text, encoding = decode_page(page.encode("gbk"), is_html=True)
    assert (text, encoding) == (page, "gb18030")


def test_gbk_text_file_declared_utf8():
    text, encoding = decode_page(SIMPLIFIED.encode("gbk"), is_html=False, declared="utf-8")
    assert (text, encoding) == (SIMPLIFIED, "gb18030")


@pytest.mark.parametrize("label", ["gbk", "GB2312", "gb18030"])
def test_utf8_bytes_declared_gbk_in_the_header(label):
    # UTF-8 Chinese decodes as GB18030 with hardly an error, as mojibake
    text, encoding = decode_page(SIMPLIFIED_PAGE.encode("utf-8"), is_html=True, declared=label)
    assert (text, encoding) == (SIMPLIFIED_PAGE, "utf-8")


def test_utf8_bytes_declared_gbk_in_meta():
    page = html(SIMPLIFIED, meta="gbk")
    assert decode_page(page.encode("utf-8"), is_html=True) == (page, "utf-8")


@pytest.mark.parametrize("where", ["header", "meta"])
def test_big5_bytes_declared_utf8(where):
    page = html(TRADITIONAL, title="社區圖書室", meta="utf-8" if where == "meta" else None)
    declared = "utf-8" if where == "header" else None
    text, encoding = decode_page(page.encode("big5"), is_html=True, declared=declared)
    assert text == page and "\ufffd" not in text
    assert encoding == "big5"


def test_big5_bytes_declared_gbk():
    # Big5 decodes as GB18030 without one error, but its common characters land in GBK's
    # user-defined (private-use) areas
    text, encoding = decode_page(TRADITIONAL_PAGE.encode("big5"), is_html=True, declared="gbk")
    assert (text, encoding) == (TRADITIONAL_PAGE, "big5")


def test_gbk_bytes_declared_big5():
    text, encoding = decode_page(SIMPLIFIED_PAGE.encode("gbk"), is_html=True, declared="big5")
    assert (text, encoding) == (SIMPLIFIED_PAGE, "gb18030")


def test_gbk_bytes_with_a_default_latin1_header_and_a_right_meta():
    page = html(SIMPLIFIED, meta="gbk")
    text, encoding = decode_page(page.encode("gbk"), is_html=True, declared="ISO-8859-1")
    assert (text, encoding) == (page, "gb18030")


def test_cp1252_curly_quotes_declared_utf8():
    # three bad bytes would pass the tolerance, but nothing else non-ASCII supports UTF-8
    page = html(ENGLISH, meta="utf-8")
    text, encoding = decode_page(page.encode("cp1252"), is_html=True, declared="utf-8")
    assert text == page and encoding in ("cp1252", "iso8859-1")


def test_unknown_label_is_ignored():
    assert decode_page(SIMPLIFIED_PAGE.encode("gbk"), is_html=True,
                       declared="x-no-such-charset") == (SIMPLIFIED_PAGE, "gb18030")


def test_utf16_declared_without_bom_is_read_as_utf8():
    page = html(SIMPLIFIED, meta="utf-16")
    assert decode_page(page.encode("utf-8"), is_html=True) == (page, "utf-8")


# --- right declarations are taken as they are -----------------------------------------------

@pytest.mark.parametrize(("page", "codec", "label", "expected"), [
    (SIMPLIFIED_PAGE, "utf-8", "utf-8", "utf-8"),
    (SIMPLIFIED_PAGE, "gbk", "gbk", "gb18030"),
    (SIMPLIFIED_PAGE, "gb2312", "GB2312", "gb18030"),
    (TRADITIONAL_PAGE, "big5", "big5", "big5hkscs"),         # w3lib's (WHATWG) mapping
    (ENGLISH_PAGE, "cp1252", "windows-1252", "cp1252"),
    (ENGLISH_PAGE, "cp1252", "iso-8859-1", "cp1252"),
])
@pytest.mark.parametrize("where", ["header", "meta"])
def test_right_declaration(no_detection, page, codec, label, expected, where):
    if where == "meta":
        page = page.replace("<head>", f'<head><meta charset="{label}">')
    data = page.encode(codec)
    declared = label if where == "header" else None
    assert decode_page(data, is_html=True, declared=declared) == (page, expected)


def test_header_wins_over_meta_when_both_decode():
    page = html(ENGLISH, meta="iso-8859-1")
    text, encoding = decode_page(page.encode("utf-8"), is_html=True, declared="utf-8")
    assert (text, encoding) == (page, "utf-8")


def test_meta_is_read_only_for_html():
    page = html(SIMPLIFIED, meta="utf-8")
    assert decode_page(page.encode("gbk"), is_html=False) == (page, "gb18030")


def test_pure_ascii_keeps_the_declared_encoding(no_detection):
    assert decode_page(b"plain text", is_html=False, declared="gbk") == ("plain text", "gb18030")


# --- BOM ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("bom", "codec", "expected"), [
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
])
def test_bom_wins_over_a_wrong_header_and_meta(no_detection, bom, codec, expected):
    page = html(SIMPLIFIED, meta="gbk")
    text, encoding = decode_page(bom + page.encode(codec), is_html=True, declared="big5")
    assert (text, encoding) == (page, expected)


# --- nearly strict: a cut page, a stray byte --------------------------------------------------

def cut_in_last_character(data: bytes, last: str, codec: str) -> bytes:
    end = data.rindex(last.encode(codec))
    return data[:end + 1]           # the first byte of a multibyte character only


@pytest.mark.parametrize("declared", ["utf-8", None])
def test_utf8_page_cut_in_its_last_character(no_detection, declared):
    page = html(SIMPLIFIED, meta=None if declared else "utf-8")
    data = cut_in_last_character(page.encode("utf-8"), "。", "utf-8")
    text, encoding = decode_page(data, is_html=True, declared=declared)
    assert encoding == "utf-8"
    assert text.count("\ufffd") <= 1
    assert text.rstrip("\ufffd") == data.decode("utf-8", errors="ignore")


def test_utf8_text_cut_without_any_declaration():
    data = cut_in_last_character(SIMPLIFIED.encode("utf-8"), "。", "utf-8")
    text, encoding = decode_page(data, is_html=False)
    assert encoding == "utf-8" and text == SIMPLIFIED[:-1] + "\ufffd"


@pytest.mark.parametrize(("page", "codec", "label", "expected"), [
    (SIMPLIFIED_PAGE, "gbk", "gbk", "gb18030"),
    (TRADITIONAL_PAGE, "big5", "big5", "big5hkscs"),
])
def test_legacy_page_cut_in_its_last_character(no_detection, page, codec, label, expected):
    last = page[page.index("</p>") - 1]
    data = cut_in_last_character(page.encode(codec), last, codec)
    text, encoding = decode_page(data, is_html=True, declared=label)
    assert encoding == expected
    assert text == data[:-1].decode(codec) + "\ufffd"


@pytest.mark.parametrize(("page", "codec", "expected"), [
    (SIMPLIFIED_PAGE, "gbk", "gb18030"),
    (TRADITIONAL_PAGE, "big5", "big5"),
])
def test_cut_page_without_declaration_is_detected(page, codec, expected):
    last = page[page.index("</p>") - 1]
    data = cut_in_last_character(page.encode(codec), last, codec)
    text, encoding = decode_page(data, is_html=True)
    assert encoding == expected
    assert text == data[:-1].decode(codec) + "\ufffd"


def test_one_stray_byte_in_a_utf8_page_is_tolerated():
    page = html(SIMPLIFIED * 4)
    data = page.encode("utf-8").replace("。".encode(), b"\xff", 1)
    text, encoding = decode_page(data, is_html=True, declared="utf-8")
    assert encoding == "utf-8"
    assert text == page.replace("。", "\ufffd", 1)


def test_more_bad_bytes_than_tolerated_reject_the_declaration(monkeypatch):
    # 1 bad sequence always, then 0.1 % of the characters, never more than 3
    assert [max_errors(n) for n in (10, 999, 1000, 2500, 3000, 10**6)] == [1, 1, 1, 2, 3, 3]
    detections = []
    real = decode.charset_normalizer.from_bytes
    monkeypatch.setattr(decode.charset_normalizer, "from_bytes",
                        lambda *a, **kw: detections.append(1) or real(*a, **kw))
    page = html(SIMPLIFIED * 4)                                       # ~1200 characters
    data = page.encode("utf-8").replace("。".encode(), b"\xff", 2)
    text, encoding = decode_page(data, is_html=True, declared="utf-8")
    assert detections, "two bad bytes in 1200 characters were accepted as declared"
    # ... but nothing decodes it better: the last resort takes UTF-8 (<= 1 % bad sequences)
    assert (text, encoding) == (page.replace("。", "\ufffd", 2), "utf-8")


# --- no declaration ---------------------------------------------------------------------------

@pytest.mark.parametrize(("page", "codec", "expected"), [
    (SIMPLIFIED_PAGE, "gbk", "gb18030"),
    (TRADITIONAL_PAGE, "big5", "big5"),
    (ENGLISH_PAGE, "cp1252", "cp1252"),
    (SIMPLIFIED_PAGE, "utf-8", "utf-8"),
    (TRADITIONAL_PAGE, "utf-8", "utf-8"),
])
@pytest.mark.parametrize("is_html", [True, False])
def test_detected_without_declaration(page, codec, expected, is_html):
    text, encoding = decode_page(page.encode(codec), is_html=is_html)
    assert (text, encoding) == (page, expected)


def test_utf8_without_declaration_needs_no_detection(no_detection):
    assert decode_page(SIMPLIFIED_PAGE.encode(), is_html=True) == (SIMPLIFIED_PAGE, "utf-8")


# --- undecodable ------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b" \r\n\t ", b"<html>text\x00with a NUL</html>",
                                  b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"])
@pytest.mark.parametrize("declared", [None, "utf-8"])
def test_empty_or_binary_is_undecodable(data, declared):
    with pytest.raises(UndecodableError):
        decode_page(data, is_html=True, declared=declared)


def test_bytes_no_candidate_decodes_are_undecodable():
    data = bytes(range(1, 256)) * 8             # every byte value, no NUL: not text
    with pytest.raises(UndecodableError):
        decode_page(data, is_html=False)


# --- decode_response_body ---------------------------------------------------------------------

@pytest.mark.parametrize(("content_type", "expected"), [
    ("text/html; charset=GBK", "gb18030"),
    ('text/html; charset="gb2312"', "gb18030"),
    ("text/html;charset=utf-8", "gb18030"),      # wrong: overruled
    ("text/html", "gb18030"),
    (None, "gb18030"),
])
def test_decode_response_body_reads_the_header_charset(content_type, expected):
    page = html(SIMPLIFIED, meta="gbk")
    assert decode_response_body(page.encode("gbk"), content_type) == (page, expected)


def test_decode_response_body_takes_a_right_header(no_detection):
    body = SIMPLIFIED_PAGE.encode("gbk")
    assert decode_response_body(body, "text/html; charset=GBK") == (SIMPLIFIED_PAGE, "gb18030")
    body = TRADITIONAL_PAGE.encode("utf-8")
    assert decode_response_body(body, "text/html; charset=UTF-8") == (TRADITIONAL_PAGE, "utf-8")


def test_decode_response_body_of_utf8_declared_big5():
    page = html(TRADITIONAL, meta="big5")
    assert decode_response_body(page.encode("utf-8"), "text/html; charset=big5") == (page, "utf-8")


# --- scrapy segment ---------------------------------------------------------------------------

def test_segment_gbk_file_with_a_wrong_utf8_meta(tmp_path):
    title = "社区垃圾分类实践报告"
    page = html(SIMPLIFIED, title=title, meta="utf-8")
    path = tmp_path / "report.html"
    path.write_bytes(page.encode("gbk"))
    proc = run_scrapy("segment", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    (item,) = json_lines(proc.stdout)
    assert "\ufffd" not in proc.stdout.decode("utf-8")
    assert item["title"] == title
    assert item["excerpt"]["text"].startswith(SIMPLIFIED[:40])
    assert item["script"] == "simplified"
