"""The furniture check behind the drift figures: zero on excerpts the rules cut cleanly, a
count when a page's notices and list headings end up in the excerpt."""
from __future__ import annotations

import pytest

from docspider.segment import segment_html, segment_text
from docspider.segment.leaks import furniture_blocks
from docspider.segment.result import EXCERPT

from conftest import MIRROR_TEXT, RENRENDOC_PAGE


def segmented(page):
    text = page.read_text(encoding="utf-8")
    return segment_html(text) if page.suffix == ".html" else segment_text(text)


@pytest.mark.parametrize("page", [RENRENDOC_PAGE, MIRROR_TEXT], ids=["html", "traditional-txt"])
def test_clean_excerpt_has_none_and_the_whole_page_has_some(page):
    seg = segmented(page)
    assert seg.excerpt_text and furniture_blocks(seg) == 0
    for block in seg.blocks:                # as if a template change left nothing to cut
        block.label = EXCERPT
    assert furniture_blocks(seg) >= 2       # the notice and the related list's heading


def test_notices_and_headings_count_but_sentences_naming_them_do_not():
    seg = segment_text("\n".join([
        "第一章 总则",
        "版权说明:本文档由用户提供并上传,收益归属内容提供方",     # a notice
        "相关文档",                                            # a list heading
        "【温馨提示】",                                          # a notice heading
        "本章介绍相关文档的整理方法和归档要求,以及温馨提示语的写法,共分为三个部分来说明。",
    ]))
    for block in seg.blocks:
        block.label = EXCERPT
    assert furniture_blocks(seg) == 3
