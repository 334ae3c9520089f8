"""The real sample page must come out exactly as its labels say."""
from __future__ import annotations

import json

from docspider.segment import segment_text
from docspider.segment.normalize import strip_pinyin, tidy_space

from conftest import FIXTURES

SEED = FIXTURES / "seed" / "zhongshang-paper.txt"
GOLD = json.loads((FIXTURES / "seed" / "zhongshang-paper.gold.json").read_text("utf-8"))


def clean(text: str) -> str:
    """The gold text as docspider emits it: pinyin annotations removed, spaces tidied."""
    return tidy_space(strip_pinyin(text, loose=True))


def test_seed_excerpt_pages_exact():
    seg = segment_text(SEED.read_text("utf-8"))
    assert [p.n for p in seg.pages] == [1, 2, 3, 4, 5]
    assert [p.text for p in seg.pages] == [clean(p) for p in GOLD["excerpt_pages"]]


def test_seed_page_cuts_are_repaired():
    text = segment_text(SEED.read_text("utf-8")).excerpt_text
    assert text == "".join(clean(p) for p in GOLD["excerpt_pages"])
    assert "只有通過創造" in text          # `…只有通` + `過創造…`
    assert "到2011年11月29日" in text      # `到2011年1` + `1月29日`
    assert "聯(lián)" not in text and "聯系" in text


def test_seed_disclaimer_related_chrome():
    seg = segment_text(SEED.read_text("utf-8"))
    assert seg.disclaimer == [clean(d) for d in GOLD["disclaimer"]]
    assert [t for t, _ in seg.related] == [clean(r) for r in GOLD["related"]]
    chrome = [b.text for b in seg.part("chrome")]
    assert chrome == GOLD["chrome"]


def test_seed_every_line_in_exactly_one_part():
    lines = [line for line in SEED.read_text("utf-8").splitlines() if line.strip()]
    seg = segment_text(SEED.read_text("utf-8"))
    assert [b.raw for b in seg.blocks] == lines
    assert all(b.label in ("excerpt", "disclaimer", "related", "chrome") for b in seg.blocks)
    counts = {label: len(seg.part(label)) for label in ("excerpt", "disclaimer", "related", "chrome")}
    assert counts == {"excerpt": 5, "disclaimer": 8, "related": 20, "chrome": 6}


def test_seed_mojibake_kept_and_script_detected():
    seg = segment_text(SEED.read_text("utf-8"))
    assert "??偨Y(jié)" in seg.excerpt_text        # mojibake is not "repaired"
    assert seg.script == "traditional" and seg.language == "zh"
    assert seg.title is None                        # header variant B shows no title
