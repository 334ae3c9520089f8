#!/usr/bin/env python3
"""Segmentation throughput over the development corpus, on one core.

Prints pages/s of ``segment_text`` (.txt pages) and ``segment_html`` (.html pages) and, as the
figure to compare across changes, their cost as a ratio to a baseline measured in the same run:
parsing the same HTML with lxml and reading its text, the floor any HTML segmenter pays.

    python benchmarks/segment_speed.py [CORPUS_DIR] [--rounds N]
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from lxml import html as lxml_html

from docspider.segment import segment_html, segment_text
from docspider.segment.features import clear_memos

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dev"


def one_pass(func, pages: list[str]) -> float:
    """Seconds for one pass over ``pages``, caches cleared first."""
    clear_memos()
    start = time.perf_counter()
    for page in pages:
        func(page)
    return time.perf_counter() - start


def timed(funcs: dict, pages: dict, rounds: int) -> dict[str, float]:
    """Fastest pass of each function over its pages. The functions take turns round by round,
    so a slow spell of a shared machine hits them alike; the minimum is the least disturbed
    run."""
    runs: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, func in funcs.items():
            runs[name].append(one_pass(func, pages[name]))
    return {name: min(times) for name, times in runs.items()}


def baseline(page: str) -> None:
    lxml_html.document_fromstring(page).text_content()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})     # one core
    corpus = Path(args.corpus)
    txt = [p.read_text("utf-8") for p in sorted(corpus.glob("*.txt"))]
    htm = [p.read_bytes().decode("utf-8", errors="replace") for p in sorted(corpus.glob("*.html"))]
    if not txt or not htm:
        raise SystemExit(f"no .txt/.html pages in {corpus}")
    times = timed({"base": baseline, "txt": segment_text, "html": segment_html},
                  {"base": htm, "txt": txt, "html": htm}, args.rounds)
    base, t_txt, t_htm = times["base"], times["txt"], times["html"]
    print(f"pages: {len(txt)} txt, {len(htm)} html; best of {args.rounds} rounds; one core")
    print(f"baseline lxml parse+text: {len(htm) / base:8.1f} pages/s  (ratio 1.00)")
    print(f"segment_text            : {len(txt) / t_txt:8.1f} pages/s  (ratio {t_txt / base:.2f})")
    print(f"segment_html            : {len(htm) / t_htm:8.1f} pages/s  (ratio {t_htm / base:.2f})")


if __name__ == "__main__":
    main()
