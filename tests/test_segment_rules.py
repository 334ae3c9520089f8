"""Segmentation rules on small pages written for these tests."""
from __future__ import annotations

import re

from docspider.segment import segment_html, segment_text
from docspider.segment.normalize import match_key

from conftest import MIRROR_TEXT, RENRENDOC_PAGE

LONG = "本段为正文内容用于测试页面摘录的识别规则，长度足够像一整页文字。" * 2


def doc(*body: str, head: str = "文档简介", tail: tuple[str, ...] = ("温馨提示", "- 1. 本站所有资源如无特殊说明，都需要本地电脑安装OFFICE2007和PDF阅读器。")) -> str:
    return "\n".join(("下载本文档", head, *body, *tail))


def test_numbered_pages_need_consecutive_numbers_from_one():
    seg = segment_text(doc(f"1、{LONG}", f"3、{LONG}"))
    assert [p.n for p in seg.pages] == [None]          # 1, 3: not a page run
    assert seg.excerpt_text.startswith("1、")


def test_short_numbered_headings_are_not_pages():
    seg = segment_text(doc("1、施工管理机构", LONG, "2、施工准备", LONG))
    assert len(seg.pages) == 1 and seg.pages[0].n is None
    assert seg.pages[0].text.splitlines()[0] == "1、施工管理机构"


def test_numbering_outside_the_document_block_is_never_a_page():
    text = "\n".join((
        "友情提示",
        "2、PDF文件下载后，如被浏览器直接打开预览，可在浏览器菜单中选择另存为保存到本地后再查看。",
        "3、本站不支持迅雷下载，请使用浏览器自带的下载功能。",
        "文档简介", f"1、{LONG}甲", f"2、乙{LONG}",
    ))
    seg = segment_text(text)
    assert [p.n for p in seg.pages] == [1, 2]
    assert seg.excerpt_text == f"{LONG}甲乙{LONG}"
    assert seg.disclaimer[0].startswith("PDF文件下载后")      # item number removed
    assert len(seg.disclaimer) == 2


def test_page_cuts_join_words_and_numbers():
    seg = segment_text(doc(f"1、{LONG}到2011年1", f"2、1月29日{LONG}只有通", f"3、过创造{LONG}"))
    assert "到2011年11月29日" in seg.excerpt_text and "只有通过创造" in seg.excerpt_text
    assert [p.text[:4] for p in seg.pages] == [LONG[:4], "1月29", "过创造" + LONG[0]]


def test_markers_match_fullwidth_traditional_and_pinyin_variants():
    for heading in ("溫馨提示", "温馨提示：", "溫(wēn)馨提示", "【下载须知】"):
        seg = segment_text(doc(LONG, tail=(heading, "- 1. 未經權益所有人同意不得將文件中的內容挪作商業或盈利用途。")))
        assert len(seg.disclaimer) == 1, heading
        assert seg.excerpt_text == LONG
    assert match_key("版權(quán)說(shuō)明：本文檔") == "版权说明:本文档"


def test_pinyin_noise_stripped_only_on_noisy_traditional_pages():
    noisy = segment_text(doc("文(wén)檔(dàng)內(nèi)容：" + LONG.replace("本段", "本段衛(wèi)生")))
    assert "(wén)" not in noisy.excerpt_text and "(nèi)" not in noisy.excerpt_text
    exam = segment_text(doc("1、下列加点字注音完全正确的一项是（ ）A.粗犷（kuàng） 憔悴（qiáo） 淅沥（xī） 诀别（jué）" + LONG))
    assert "粗犷（kuàng）" in exam.excerpt_text          # a simplified exam keeps its pinyin


def test_uploader_adverts_and_watermarks_are_chrome():
    seg = segment_text(doc(LONG, "买文档就送您 纸全套, Q 号交流 407400294", LONG + "二", "精选优质文档-倾情为你奉上"))
    assert seg.excerpt_text == LONG + "\n" + LONG + "二"
    assert [b.label for b in seg.blocks if "Q 号" in b.text] == ["chrome"]


def test_html_page_parts():
    html = RENRENDOC_PAGE.read_text("utf-8")
    seg = segment_html(html, base_url="https://www.renrendoc.com/paper/301000001.html")
    assert seg.title == "社区垃圾分类工作实施方案(2024版)"
    assert [p.n for p in seg.pages] == [1, 2, 3]
    assert "较上年提高15个百分点" in seg.excerpt_text and "积极性" in seg.excerpt_text
    assert "不是页面" not in seg.excerpt_text           # scripts are never text
    assert seg.related == [
        ("小区物业管理服务标准.docx", "https://www.renrendoc.com/paper/301000002.html"),
        ("街道环境整治三年行动计划", "https://www.renrendoc.com/paper/301000003.html"),
        ("居民议事会章程(试行)", "https://www.renrendoc.com/paper/301000004.html"),
        ("社区志愿服务积分管理办法.pdf", "https://www.renrendoc.com/paper/301000005.html"),
        ("老旧小区改造意见征询表", "https://www.renrendoc.com/paper/301000006.html"),
    ]
    assert len(seg.disclaimer) == 4 and seg.disclaimer[0].startswith("版权说明")
    assert seg.disclaimer[3] == "下载文件中如有侵权或不适当内容，请与我们联系，我们立即纠正。"
    meta = seg.metadata
    assert (meta.pages_total, meta.pages_shown, meta.truncated) == (12, 3, True)
    assert (meta.uploader, meta.uploaded_at, meta.format, meta.size) == ("绿****园", "2024-03-18", "DOCX", "86.50KB")
    assert meta.category == ["办公文档", "工作计划"]
    assert seg.script == "simplified"


def test_traditional_mirror_hashes_like_the_original():
    original = segment_html(RENRENDOC_PAGE.read_text("utf-8"))
    mirror = segment_text(MIRROR_TEXT.read_text("utf-8"))
    assert mirror.script == "traditional" and mirror.title == "社區垃圾分類工作實施方案(2024版)"
    assert [p.n for p in mirror.pages] == [1, 2, 3]
    assert "領導小組" in mirror.excerpt_text and "(dǎo)" not in mirror.excerpt_text
    assert len(mirror.related) == 3 and len(mirror.disclaimer) == 4
    assert mirror.metadata.uploader == "綠****園" and mirror.metadata.pages_total == 12
    assert mirror.content_hash == original.content_hash is not None


def test_continuous_text_is_one_unnumbered_page():
    seg = segment_text(doc(LONG, "", LONG + "二"))
    assert len(seg.pages) == 1 and seg.pages[0].n is None
    assert seg.pages[0].text == LONG + "\n" + LONG + "二"


def test_empty_and_textless_pages_do_not_crash():
    for text in ("", "\n\n", "评论\n0/150"):
        seg = segment_text(text)
        assert seg.pages == [] and seg.content_hash is None
    assert segment_html("<html><body></body></html>").pages == []


def test_document_sections_and_copyright_sentences_stay_in_the_document():
    body = ("考试注意事项", "注意事项", LONG, "摘要", LONG + "三", "本书版权所有，翻印必究。" + LONG)
    seg = segment_text(doc(*body))
    assert seg.excerpt_text == "\n".join(body)


EN_LINE = "The committee reviewed the proposal and agreed to continue the pilot programme"


def test_download_engine_title_notices_and_text():
    title = "小区停车管理办法(试行).docx"
    seg = segment_text("\n".join((
        "欢迎来到某某文库! | 帮助中心", "首页 某某文库 > 资源分类 > DOC文档下载", title,
        "- 资源ID:1234567   资源大小:45.10KB   全文页数:6页", "友情提示",
        "2、PDF文件下载后，如被浏览器直接打开预览，可另存为后查看。",
        "3、本站不支持迅雷下载，请使用浏览器自带的下载功能。",
        title, LONG, "版权提示 | 免责声明",
        f"本文({title})为本站会员(张**)主动上传，某某文库仅提供信息存储空间，如有侵权请联系删除。",
        "相关资源", "- 物业服务合同范本",
    )))
    assert seg.title == title
    assert seg.excerpt_text == LONG                 # neither notice items nor the title copy
    assert len(seg.disclaimer) == 3 and seg.disclaimer[-1].startswith("本文(")
    assert [t for t, _ in seg.related] == ["物业服务合同范本"]


def test_share_line_is_chrome_and_continuous_text_has_no_intro():
    title = "某某小学春季运动会方案.doc"
    share = f"《{title}》由会员分享，可在线阅读，更多相关《{title}(5页珍藏版)》请在某某文库上搜索。"
    seg = segment_text("\n".join((title, "上传人:a****1 文档编号:55 格式:DOC 页数:5", "资源描述",
                                  share, title, "运动会方案", LONG)))
    assert seg.excerpt_text == "运动会方案\n" + LONG and seg.intro is None
    numbered = segment_text("\n".join(("资源描述", "本方案适用于全校师生。", f"1、{LONG}甲", f"2、乙{LONG}")))
    assert numbered.intro == "本方案适用于全校师生。" and [p.n for p in numbered.pages] == [1, 2]


def test_a_list_with_one_notice_item_is_a_notice():
    seg = segment_text("\n".join((
        "某某文档中心", "首页 | 文档分类 | 合集 | 上传文档 | 登录", "实验报告模板", "合集下载",
        "  1. 1、下载前请自行确认文档内容是否完整。", "  2. 2、部分预览的文档以实际下载为准。",
        "  3. 3、如文档侵犯您的权益，请联系客服处理。", LONG)))
    assert [d[:4] for d in seg.disclaimer] == ["下载前请", "部分预览", "如文档侵"]   # page order
    assert seg.excerpt_text == LONG


def test_aphorism_is_noise_but_numbered_dialogue_is_text():
    seg = segment_text("\n".join(("当前位置:文档库 › 教学反思", "教学反思",
                                  "18、书山有路勤为径，学海无涯苦作舟。——韩愈", LONG,
                                  "3、师：这种新的数叫什么？——分数。")))
    assert seg.title == "教学反思"
    assert "韩愈" not in seg.excerpt_text and seg.excerpt_text.endswith("——分数。")


def test_page_header_lines_split_pages():
    seg = segment_text("\n".join(("TRANSCRIPT", "Page 1: Pilot Review", EN_LINE, "and its",
                                  "Page 2: Pilot Review", "budget.", "Report this document",
                                  "If you are the owner of this document and believe it was "
                                  "published without your permission, send us a DMCA notice.")))
    assert [(p.n, p.text) for p in seg.pages] == [(1, f"{EN_LINE}\nand its"), (2, "budget.")]
    assert seg.title == "Pilot Review" and len(seg.disclaimer) == 1 and seg.language == "en"


def test_number_prefixed_pages_versus_outline():
    pdf = segment_text("\n".join(("Transcription", f"1 {EN_LINE}", "24 hours later the team met",
                                  f"2 again. {EN_LINE}", "3", f"4 {EN_LINE}")))
    assert [p.n for p in pdf.pages] == [1, 2, 3, 4]     # `24 hours` is text, bare `3` a page
    outline = segment_text(doc("1 总则", LONG, "1.1 目的", LONG, "2 职责", LONG, "2.1 分工", LONG))
    assert [p.n for p in outline.pages] == [None]


def test_related_items_with_snippets():
    snippet = EN_LINE + ". " + EN_LINE + ", with figures for every quarter of the year."
    seg = segment_text("\n".join(("Transcription", EN_LINE, "Similar documents",
                                  "Annual Report 2020", snippet, "More information",
                                  "Lab Manual Exercise 4", snippet, "More information",
                                  "2024 © Example.net Privacy Policy | Terms of Service | Feedback")))
    assert [t for t, _ in seg.related] == ["Annual Report 2020", "Lab Manual Exercise 4"]
    assert seg.excerpt_text == EN_LINE


def test_glued_adverts_and_watermarks_are_cut_and_the_text_kept():
    advert = "买文档就送您 纸全套, Q 号交流 123456789 或 98765432"
    seg = segment_text(doc(f"1、{advert} 精选优质文档-倾情为你奉上校园植物观察记录{LONG}前半",
                           f"2、{advert} 后半{LONG}专心---专注---专业", f"3、{advert}"))
    assert [p.n for p in seg.pages] == [1, 2]
    assert seg.excerpt_text == f"校园植物观察记录{LONG}前半后半{LONG}"
    chrome = [b.text for b in seg.blocks if b.label == "chrome"]
    assert sum(advert in c for c in chrome) == 3 and "精选优质文档-倾情为你奉上" in chrome
    traditional = segment_text(doc(f"買文檔就送您 紙全套, Q 號交流 123456789{LONG}"))
    assert traditional.excerpt_text == LONG


def test_seo_title_runs_and_a_repeated_summary_are_not_text():
    body = ("湖边观鸟活动记录第一部分写清了时间地点和参与人数，还有天气情况的说明。"
            "第二部分按时间顺序记下看到的鸟类，并附上简单的外形描述和数量估计。")
    summary = body[:60] + "..."
    run = "小学科学观察日记范文大全高中物理实验报告模板幼儿园秋季运动会方案"
    seg = segment_text(doc(summary, body[:40], run, body[40:]))
    assert seg.excerpt_text == body[:40] + "\n" + body[40:]
    links = "".join(f'<a href="/c/{n}.html">{t}</a>' for n, t in enumerate(
        ("小学科学观察日记范文大全", "高中物理实验报告模板", "秋季运动会方案")))
    html = (f"<html><body><div>下载本文档</div><h2>文档简介</h2><div>{body[:40]}</div>"
            f"<div>{links}</div><div>{body[40:]}</div><h2>温馨提示</h2></body></html>")
    assert segment_html(html).excerpt_text == body[:40] + "\n" + body[40:]


# One line written for each furniture entry, in the shape the site shows it.
FURNITURE_SAMPLES = {
    "范文 sites: the date and editor line": "2023-04-02 09:15:20    小编：HLQ",
    "范文 sites: the stock opener": "写作能力越来越重要，以下是小编为大家整理的春游作文，希望对您有所帮助。",
    "77cn: the source and date line": "来源：网络收集 时间：2022-06-01 下载这篇文档 手机版",
    "360doc: the byline (user, date, province)": "读书人老周 2021-09-30 发布于江苏",
    "360doc: 来自 user > 《folder》": "来自: 读书人老周 > 《学习资料》",
    "douchai: the loading line": "预览加载中,请您耐心等待几秒...",
    "装配图网 clones (kudomayuko): the uploader's 【温馨提示】 line with a QQ number":
        "【温馨提示】本资料含图纸，页面只展示部分内容；下载后如有疑问请咨询QQ：123456789",
    "范文 sites: a sample's header (篇一, X篇二)": "春游作文篇二",
    "77cn: the pager under the text": "上一页 1 2 3 下一页",
    "77cn: the answer toggle": "隐藏答案",
    "77cn: the contact button": "点击这里给我发消息",
    "douchai: a page counter i/N (renrendoc's 0/150 matches too)": "2/5",
}


def test_every_furniture_entry_fires_and_is_never_text():
    from docspider.segment import vocab
    assert {seen for _pattern, seen in vocab.FURNITURE.entries} == set(FURNITURE_SAMPLES)
    for pattern, seen in vocab.FURNITURE.entries:
        sample = FURNITURE_SAMPLES[seen]
        assert re.search(pattern, match_key(sample).lower()), seen
        seg = segment_text(doc(LONG, sample, LONG + "二"))
        assert seg.excerpt_text == f"{LONG}\n{LONG}二", seen
        assert [b.label for b in seg.blocks if b.text == " ".join(sample.split())] == ["chrome"], seen


def test_head_furniture_marks_where_the_text_starts():
    page = "\n".join(("春游作文(精选2篇)", "2023-04-02 09:15:20 小编:HLQ",
                      "写作能力越来越重要，以下是小编为大家整理的春游作文，希望对您有所帮助。",
                      "春游作文篇一", LONG, "春游作文篇二", LONG + "二",
                      "【春游作文】相关文章:", "- 秋游作文", "- 家乡的春天"))
    seg = segment_text(page)
    assert seg.excerpt_text == f"{LONG}\n{LONG}二"
    assert [t for t, _url in seg.related] == ["秋游作文", "家乡的春天"]


def test_help_list_after_the_preview_is_a_notice():
    seg = segment_text(doc(LONG, "亲,该文档总共12页,到这已经超出免费预览范围,如果喜欢就直接下载吧~",
                           "如果您无法下载资料,请参考说明:", "1、部分资料下载需要金币,请确认余额。",
                           "2、已购买的文档可重复下载,不会重复扣费。", tail=()))
    assert seg.excerpt_text == LONG
    assert seg.disclaimer == ["部分资料下载需要金币,请确认余额。", "已购买的文档可重复下载,不会重复扣费。"]


def test_title_chain_on_pages_without_a_site_header():
    collection = "\n".join(("校园植物图鉴(合集)", "合集下载", "常见乔木观察记录", "常见乔木观察记录",
                            LONG, "常见灌木观察记录", "常见灌木观察记录", LONG + "二"))
    assert segment_text(collection).title == "校园植物图鉴(合集)"       # not a part's title
    slogan = "\n".join(("登陆学习乐园 助您轻松学习", "三年级数学《分数的初步认识》练习题",
                        "一、填空题", LONG))
    assert segment_text(slogan).title == "三年级数学《分数的初步认识》练习题"
    toolbar = "\n".join(("书签 分享 收藏 举报 版权申诉 / 12", "- 上传人:小林", "- 页数:12", "文档简介", LONG))
    assert segment_text(toolbar).title != "书签 分享 收藏 举报 版权申诉 / 12"


def test_title_suffix_dropped_when_the_page_shows_the_title_without_it():
    html = ("<html><head><title>四年级科学《植物的生长》教案 - xyzedu</title></head><body>"
            f"<div>四年级科学《植物的生长》教案</div><div>{LONG}</div></body></html>")
    assert segment_html(html).title == "四年级科学《植物的生长》教案"
    kept = ("<html><head><title>讲座 - 城市与河流</title></head><body>"
            f"<div>{LONG}</div></body></html>")
    assert segment_html(kept).title == "讲座 - 城市与河流"


def test_a_first_line_title_starts_the_text():
    heading = "四年级科学《植物的生长》教学设计"
    slogan = segment_text("\n".join(("登陆学习乐园 助您轻松学习", heading, "一、教学目标", LONG)))
    assert slogan.title == heading and slogan.excerpt_text.startswith(heading)
    copied = segment_text("\n".join((f"{heading}(可编辑)", heading, "一、教学目标", LONG)))
    assert copied.title == f"{heading}(可编辑)"
    assert copied.excerpt_text.splitlines()[0] == heading           # the title copy is not text


def test_collection_pages_carry_their_documents_as_parts():
    first, second = LONG, "第二份文件的正文同样需要足够长，才能看起来像一整页的内容。" * 3
    collection = segment_text("\n".join(("校园植物图鉴(合集)", "合集下载", "常见乔木观察记录",
                                         "常见乔木观察记录", first, "常见灌木观察记录",
                                         "常见灌木观察记录", second)))
    assert collection.title == "校园植物图鉴(合集)"
    assert collection.parts == [("常见乔木观察记录", first), ("常见灌木观察记录", second)]
    fanwen = segment_text("\n".join(("春游作文(精选2篇)", "2023-04-02 09:15:20 小编:HLQ",
                                     "春游作文篇一", "公园里的春天", first,
                                     "春游作文篇二", "第一次去植物园", second)))
    assert fanwen.parts == [("公园里的春天", first), ("第一次去植物园", second)]
    assert fanwen.excerpt_text == "\n".join(("公园里的春天", first, "第一次去植物园", second))
    assert segment_text(doc(LONG)).parts == []


def test_pages_that_hold_no_document():
    import random
    from docspider.segment import not_a_document
    rng = random.Random(5)
    soup = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(600))
    assert "character soup" in not_a_document(segment_text(doc(soup)))
    filler = "蒄蚄袀膇莀蚃羂羀芆" * 60
    assert "filler" in not_a_document(segment_text(doc(filler)))
    grid = [" ".join(rng.choice("天地日月山水风云雨雪花草") for _ in range(12)) for _ in range(8)]
    assert "grid" in not_a_document(segment_text(doc(*grid)))
    prose = ("秋天的校园里，银杏叶一片片落下来，铺在操场边的小路上。同学们下课后常常在树下"
             "看书、聊天，也有人捡起叶子夹进课本，当作书签。老师说，观察身边的变化是学习"
             "科学的第一步，于是我们分成小组，记录每天的气温、落叶的数量和颜色的改变。")
    assert not_a_document(segment_text(doc(prose * 2))) is None


def test_page_numbering_is_judged_by_the_page_counts_the_page_shows():
    short = [f"{n}、第{n}页的开头几个字" for n in range(1, 7)]
    shown = segment_text("\n".join(("页数:12", "已阅读6页,还剩6页未读", "文档简介", *short, "温馨提示")))
    assert [p.n for p in shown.pages] == [1, 2, 3, 4, 5, 6]          # short, but six shown
    unknown = segment_text("\n".join(("文档简介", *short, "温馨提示")))
    assert [p.n for p in unknown.pages] == [None]                     # short and nothing said
    clauses = [f"{n}、{LONG}" for n in range(1, 7)]
    contract = segment_text("\n".join(("页数:2", "文档简介", *clauses, "温馨提示")))
    assert [p.n for p in contract.pages] == [None]                    # six items, two pages


def test_an_xhtml_page_with_an_xml_declaration_is_segmented():
    # lxml refuses a decoded page that starts with a declaration naming an encoding
    page = ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>期末复习提纲</title></head>'
            f'<body><h1>期末复习提纲</h1><p>1、{LONG}</p><p>2、{LONG}</p></body></html>')
    seg = segment_html(page)
    assert seg.title == "期末复习提纲"
    assert [p.n for p in seg.pages] == [1, 2] and LONG in seg.pages[1].text


def test_related_links_are_joined_as_urljoin_joins_them():
    import random
    from urllib.parse import urljoin

    from docspider.segment.sections import join_url
    bases = ["http://a.cn/p/1.html", "https://www.b.com/doc/1.html?x=1#top", "HTTP://C.com",
             "http://d.com:8080/p;q?r", "ftp://e.com/a/", "http://[::1]:80/a"]
    tricky = ["/", "/p/2.html", "//cdn.x.com/a", "/a/./b", "/a/../b", "/p?", "/p#", "/p;",
              "/p?x=1#f", "/a b", "/a\tb", "/a\nb", "/.well-known", "p/3.html", "../q", "?x"]
    rng = random.Random(7)
    alphabet = list("/ab.;?#:% \t\\&=_-1") + ["/./", "/../", "//", "中"]
    hrefs = tricky + ["/" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
                      for _ in range(3000)]
    for base in bases:
        for href in hrefs:
            assert join_url(base, href) == urljoin(base, href), (base, href)
