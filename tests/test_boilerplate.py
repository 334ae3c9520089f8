"""Boilerplate learned from a host's own pages: counted per host, used by segmentation at the
edges of the text, kept in the state store between crawls (real crawls of a local site)."""
from __future__ import annotations

import random

from docspider.localserver import LocalServer, Page, PageTable
from docspider.segment import segment_text
from docspider.segment.boilerplate import MAX_KEYS, HostLines
from docspider.segment.normalize import compact, match_key

from conftest import crawl, json_lines, stat

SIGN_OFF = "关注本站公众号每日获取更多学习资料"     # a line no vocabulary knows


def texts(n: int) -> str:
    topics = ("池塘里的青蛙", "校园里的银杏", "秋天的菜园", "雨后的小路", "山脚下的村庄", "海边的灯塔")
    return (f"{topics[n]}是我们这次观察的对象。大家分成小组，轮流记录它每天的样子，"
            f"也画下了看到的变化，最后整理成一份小小的报告，交给老师批改。")


def page(n: int) -> str:
    return "\n".join(("下载本文档", "文档简介", SIGN_OFF, texts(n), "温馨提示", "- 1. 本站不保证下载资源的准确性"))


def test_lines_are_learned_per_host_from_enough_pages():
    lines = HostLines(min_pages=3, min_share=0.5)
    for n in range(2):
        lines.observe("a.test", ["共同的一行", f"第{n}页自己的一行"])
    assert lines.learned("a.test") == frozenset()              # two pages: too few
    lines.observe("a.test", ["共同的一行", "第三页自己的一行"])
    assert lines.learned("a.test") == {"共同的一行"} and lines.learned("b.test") == frozenset()
    pages, counts = lines.snapshot("a.test")
    again = HostLines()
    again.load("a.test", pages, counts)
    assert again.learned("a.test") == {"共同的一行"}


def test_the_learned_set_is_every_line_counted_often_enough():
    """The set a page is segmented with (and a worker is sent) equals the definition: lines on
    at least min_pages pages and min_share of the host's pages, through loads and pruning."""
    rng = random.Random(7)
    lines = HostLines(min_pages=3, min_share=0.4)
    lines.load("a.test", 4, {"载入的一行": 3, "载入的另一行": 1})
    for page in range(400):
        keys = [f"常见{rng.randrange(12)}" for _ in range(6)] + [f"少见{rng.randrange(400)}"]
        lines.observe("a.test", keys)
        if page % 7 == 0:
            counts, least = lines.lines["a.test"], max(3, 0.4 * lines.pages["a.test"])
            expected = {k for k, n in counts.items() if n >= least}
            assert set(lines.learned("a.test")) == expected
            assert all(k in lines.learned("a.test") for k in expected)
    # what a copy iterates stays near the learned lines, not every line seen on three pages
    assert len(lines.frequent["a.test"]) <= 12 + 1


def test_the_count_stays_bounded():
    lines = HostLines()
    for n in range(MAX_KEYS + 10):
        lines.observe("a.test", [f"行{n}"])
    assert len(lines.lines["a.test"]) <= MAX_KEYS


def test_learned_lines_leave_the_edges_of_the_text_but_not_its_middle():
    learned = frozenset({compact(match_key(SIGN_OFF))})
    assert segment_text(page(0)).excerpt_text.startswith(SIGN_OFF)          # not learned yet
    assert segment_text(page(0), boilerplate=learned).excerpt_text == texts(0)
    middle = "\n".join(("文档简介", texts(0), SIGN_OFF, texts(1), "温馨提示"))
    assert SIGN_OFF in segment_text(middle, boilerplate=learned).excerpt_text


def site() -> PageTable:
    table = PageTable()
    for n in range(6):
        html = ("<html><head><meta charset='utf-8'></head><body>"
                + "".join(f"<div>{line}</div>" for line in page(n).splitlines()) + "</body></html>")
        table.add(f"/doc/{n}.html", Page(html.encode("utf-8")))
    return table


def crawl_in_order(server, out, *settings: str):
    urls = ",".join(f"{server.url}/doc/{n}.html" for n in range(6))
    # in this process: a worker is sent the lines learned when its page is sent, which may
    # not count the pages still in other workers (see docspider.segmentpool)
    proc = crawl("docs", "-a", f"urls={urls}", "-a", "refresh=0", "-O", str(out),
                 "-s", "CONCURRENT_REQUESTS=1", "-s", "DOCSPIDER_SEGMENT_WORKERS=0",
                 "-s", "SCHEDULER_MEMORY_QUEUE=scrapy.squeues.FifoMemoryQueue", *settings)
    assert proc.returncode == 0, proc.stderr.decode()
    return json_lines(out.read_bytes()), proc.stderr.decode()


def test_a_crawl_learns_a_hosts_lines_and_the_next_crawl_starts_with_them(tmp_path):
    state = f"DOCSPIDER_STATE={tmp_path / 'state.sqlite'}"
    with LocalServer(site(), tls=False) as server:
        first, _ = crawl_in_order(server, tmp_path / "first.jsonl", "-s", state)
        second, log = crawl_in_order(server, tmp_path / "second.jsonl", "-s", state)
    # the first crawl learns the line from its first three pages, and drops it from then on
    assert [SIGN_OFF in item["excerpt"]["text"] for item in first] == [True] * 3 + [False] * 3
    # the second starts from what the first kept: the first three pages changed, the rest not
    assert len(second) == 3 and all(SIGN_OFF not in item["excerpt"]["text"] for item in second)
    assert stat(log, "docspider/change/changed") == 3


def test_learning_has_its_own_switch(tmp_path):
    with LocalServer(site(), tls=False) as server:
        items, _ = crawl_in_order(server, tmp_path / "items.jsonl",
                                  "-s", "DOCSPIDER_LEARN_BOILERPLATE=False")
    assert [SIGN_OFF in item["excerpt"]["text"] for item in items] == [True] * 6
