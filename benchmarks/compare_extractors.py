#!/usr/bin/env python3
"""Excerpt quality and speed of docspider next to general-purpose extractors, same pages.

For every `.html` page of each corpus folder, each extractor turns the page into an excerpt
(and a title where it gives one); the predictions are written as JSON lines and scored with the
shared scorer (`tools/score_segmentation.py`, run as a subprocess) against the folder's
`.gold.json` labels. The table gives per corpus and extractor the mean excerpt F1 / precision /
recall, leaked boilerplate lines per page (gold disclaimer, related and chrome lines found in
the excerpt), exact titles (over the pages whose gold has one), pages with no excerpt and
seconds per page.

    python benchmarks/compare_extractors.py [CORPUS_DIR ...] [--extractors docspider,trafilatura]
                                            [--rounds N] [--out DIR] [--scorer PATH]

Fairness: every extractor gets the same text, each page decoded once beforehand with
docspider's `decode_page`, so charset detection is in neither the scores nor the times. The
time is of the extractor call alone, in this process, pinned to one core, the fastest of
`--rounds` passes. A page an extractor gives nothing for (docspider: a page it judges not to be
a document) is still written, with an empty excerpt, so every mean is over all pages.

The extractors, each with its defaults except where noted:
  docspider     what `scrapy segment` does with a file: soft_block, segment_html,
                not_a_document, build_item
  trafilatura   bare_extraction(include_comments=False, include_tables=True,
                with_metadata=True) -- extract()'s text, plus the title from its metadata
  trafilatura-precision   the same with favor_precision=True
  readability   readability-lxml: Document(html).summary() as text, short_title()
  resiliparse   extract_plain_text(tree, main_content=True), the tree's <title>
The generic ones are optional; one that is not installed is skipped with a note. To have them:
    pip install trafilatura readability-lxml resiliparse
(readability-lxml 0.9 pins cssselect<1.4; it works with the newer cssselect Scrapy brings.)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from itemadapter import ItemAdapter

from docspider.decode import decode_page
from docspider.document import build_item
from docspider.segment import not_a_document, segment_html
from docspider.segment.features import clear_memos
from docspider.softblock import soft_block

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_CORPORA = [SHARED / "corpus" / "dev", SHARED / "corpus" / "dev-wild"]
COLUMNS = ["excerpt_f1", "excerpt_p", "excerpt_r", "leaks", "title_exact"]


def docspider_extractor():
    def extract(data: bytes, text: str) -> dict | None:
        if soft_block(data, text) is not None:
            return None
        seg = segment_html(text)
        if not_a_document(seg):
            return None
        return ItemAdapter(build_item(seg, canonical=seg.canonical)).asdict()
    return extract, clear_memos          # caches cleared before each pass


def trafilatura_extractor(precision: bool = False):
    import trafilatura

    def extract(data: bytes, text: str) -> dict | None:
        doc = trafilatura.bare_extraction(text, include_comments=False, include_tables=True,
                                          favor_precision=precision, with_metadata=True)
        if doc is None:
            return None
        return {"title": doc.title, "excerpt": {"text": doc.text or ""}}
    return extract, None


def readability_extractor():
    from lxml import html as lxml_html
    from readability import Document

    def extract(data: bytes, text: str) -> dict | None:
        doc = Document(text)
        summary = doc.summary(html_partial=True)
        body = lxml_html.fragment_fromstring(summary, create_parent="div").text_content()
        return {"title": doc.short_title(), "excerpt": {"text": body}}
    return extract, None


def resiliparse_extractor():
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    def extract(data: bytes, text: str) -> dict | None:
        tree = HTMLTree.parse(text)
        return {"title": tree.title, "excerpt": {"text": extract_plain_text(tree, main_content=True)}}
    return extract, None


EXTRACTORS = {
    "docspider": docspider_extractor,
    "trafilatura": trafilatura_extractor,
    "trafilatura-precision": lambda: trafilatura_extractor(precision=True),
    "readability": readability_extractor,
    "resiliparse": resiliparse_extractor,
}


def run(extract, reset, pages: list[tuple[str, bytes, str]], rounds: int) -> tuple[list, float]:
    """Outputs of the first pass and the seconds of the fastest pass."""
    outputs, best = [], float("inf")
    for n in range(rounds):
        if reset:
            reset()
        results, start = [], time.perf_counter()
        for _name, data, text in pages:
            results.append(extract(data, text))
        best = min(best, time.perf_counter() - start)
        if n == 0:
            outputs = results
    return outputs, best


def score(scorer: Path, corpus: Path, pred: Path) -> dict[str, float]:
    """The means from the scorer's summary line (`pages=40 missing=0 excerpt_f1=…`)."""
    proc = subprocess.run([sys.executable, str(scorer), str(corpus), str(pred)],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):                   # 1: a threshold or a page missed
        raise SystemExit(f"scorer failed on {pred}: {proc.stderr.strip()}")
    summary = next(line for line in proc.stdout.splitlines() if line.startswith("pages="))
    return {k: float(v) for k, v in (field.split("=") for field in summary.split())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    ap.add_argument("--extractors", default=",".join(EXTRACTORS),
                    help="comma-separated, from: " + ", ".join(EXTRACTORS))
    ap.add_argument("--rounds", type=int, default=3, help="timed passes; the fastest is kept")
    ap.add_argument("--out", type=Path, default=ROOT / "output" / "compare_extractors",
                    help="folder for the prediction files")
    ap.add_argument("--scorer", type=Path, default=SHARED / "tools" / "score_segmentation.py")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})     # one core

    extractors = {}
    for name in args.extractors.split(","):
        if name not in EXTRACTORS:
            raise SystemExit(f"unknown extractor {name!r}; known: {', '.join(EXTRACTORS)}")
        try:
            extractors[name] = EXTRACTORS[name]()
        except ImportError as exc:
            print(f"skipping {name}: not installed ({exc.name})", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)

    rows = []
    for corpus in args.corpora:
        files = sorted(corpus.glob("*.html"))
        if not files:
            raise SystemExit(f"no .html pages in {corpus}")
        pages = []
        for path in files:
            data = path.read_bytes()
            pages.append((path.name, data, decode_page(data, is_html=True)[0]))
        for name, (extract, reset) in extractors.items():
            outputs, seconds = run(extract, reset, pages, args.rounds)
            pred = args.out / f"{corpus.name}-{name}.jsonl"
            with pred.open("w", encoding="utf-8") as f:
                for (source, _, _), out in zip(pages, outputs):
                    item = {"title": None, "excerpt": {"text": ""}, "related": [],
                            "disclaimer": [], **(out or {}), "source": source}
                    f.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
            means = score(args.scorer, corpus, pred)
            empty = sum(1 for out in outputs if not out or not out["excerpt"]["text"].strip())
            rows.append([corpus.name, name, str(len(pages)), str(empty)]
                        + [f"{means[c]:.3f}" if c in means else "-" for c in COLUMNS]
                        + [f"{seconds / len(pages):.4f}"])

    head = ["corpus", "extractor", "pages", "empty", "excerpt F1", "excerpt P", "excerpt R",
            "leaks/page", "title exact", "s/page"]
    print(f"best of {args.rounds} rounds, one core; predictions in {args.out}")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
