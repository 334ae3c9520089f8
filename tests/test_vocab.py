"""Every entry of every vocabulary fires on some fixture line (the vocab.py contract).

Candidate lines are the visible blocks of the fixture pages (`fixtures/site/<host>/<path>` HTML
through the project's own block extraction, `fixtures/pages/*.txt` and `fixtures/seed/*.txt`
through the flattened-text reader) plus the lines written for entries no page shows,
`fixtures/vocab/<VOCAB_NAME>.txt` (one line per line). Each entry is compiled on its own between
its vocabulary's prefix and suffix, with its flags, and matched or searched on the copy of the line
the vocabulary reads (`key`, `lkey` or `text`), as `Vocab` does with the whole alternation.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from docspider.segment import vocab
from docspider.segment.blocks import Block, blocks_from_html, blocks_from_text, parse_html
from docspider.segment.normalize import tidy_space

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WRITTEN = FIXTURES / "vocab"          # lines written for entries no fixture page shows
COPIES = ("key", "lkey", "text")


def _affixes(v: vocab.Vocab) -> tuple[str, str]:
    """The prefix and suffix the vocabulary was built with, found around its joined entries."""
    joined = "|".join(p for p, _ in v.entries)
    pattern = v.regex.pattern
    i = pattern.index(joined)
    return pattern[:i], pattern[i + len(joined):]


def _anchored(v: vocab.Vocab) -> bool:
    return v.find == v.regex.match


def _single(v: vocab.Vocab, index: int):
    """The vocabulary's regex with only entry `index`: its `match` or `search`."""
    prefix, suffix = _affixes(v)
    regex = re.compile(prefix + v.entries[index][0] + suffix, v.regex.flags)
    return regex.match if _anchored(v) else regex.search


def _is_html(data: bytes) -> bool:
    try:
        head = data[:4096].decode("utf-8").lower()
    except UnicodeDecodeError:       # the site's PDF: no visible lines
        return False
    return "<html" in head or "<!doctype html" in head


def _written_blocks(path: Path) -> list[Block]:
    return [Block(text=tidy_space(raw), raw=raw)
            for raw in path.read_text("utf-8").splitlines() if raw.strip()]


def _fixture_lines() -> list[tuple[str, Block]]:
    """(source, block) for every visible line of every fixture; source = host or folder/file."""
    lines: list[tuple[str, Block]] = []
    site = FIXTURES / "site"
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if _is_html(data):
            source = path.relative_to(site).as_posix()
            lines += [(source, b) for b in blocks_from_html(parse_html(data.decode("utf-8")))]
    for folder in ("pages", "seed"):
        for path in sorted((FIXTURES / folder).glob("*.txt")):
            source = path.relative_to(FIXTURES).as_posix()
            lines += [(source, b) for b in blocks_from_text(path.read_text("utf-8"))]
    for path in sorted(WRITTEN.glob("*.txt")):
        source = path.relative_to(FIXTURES).as_posix()
        lines += [(source, b) for b in _written_blocks(path)]
    return lines


@pytest.fixture(scope="module")
def corpus() -> dict[str, list]:
    """The fixture lines once: their sources and each copy a vocabulary may read."""
    lines = _fixture_lines()
    copies = {copy: [getattr(b, copy) for _, b in lines] for copy in COPIES}
    return {"source": [s for s, _ in lines], **copies}


ENTRIES = [(name, i) for name, v in vocab.ALL.items() for i in range(len(v.entries))]


def _entry_id(entry: tuple[str, int]) -> str:
    name, i = entry
    pattern = vocab.ALL[name].entries[i][0]
    return f"{name}[{i}] {pattern[:40]}"


def test_vocabularies_are_collected():
    assert len(vocab.ALL) >= 30 and all(v.entries for v in vocab.ALL.values())
    for name, v in vocab.ALL.items():
        assert v.on in COPIES, name
        prefix, suffix = _affixes(v)
        assert prefix + "|".join(p for p, _ in v.entries) + suffix == v.regex.pattern, name


@pytest.mark.parametrize("entry", ENTRIES, ids=_entry_id)
def test_entry_fires_on_a_fixture(entry, corpus):
    name, i = entry
    v = vocab.ALL[name]
    pattern, note = v.entries[i]
    find = _single(v, i)
    if not any(find(line) for line in corpus[v.on]):
        pytest.fail(f"{name}[{i}] {pattern!r} ({note}) fires on no fixture line "
                    f"({v.on} copy, {'matched' if _anchored(v) else 'searched'}); "
                    f"add a line to {WRITTEN.relative_to(FIXTURES.parent)}/{name}.txt")


@pytest.mark.parametrize("name", list(vocab.ALL))
def test_entries_split_the_vocabulary(name, corpus):
    """A line fires the vocabulary exactly when it fires one of its entries: the single-entry
    regexes above are the vocabulary's own, cut apart."""
    v = vocab.ALL[name]
    finds = [_single(v, i) for i in range(len(v.entries))]
    for source, line in zip(corpus["source"], corpus[v.on]):
        assert bool(v.find(line)) == any(f(line) for f in finds), (source, line)


@pytest.mark.parametrize("entry", ENTRIES, ids=_entry_id)
def test_entry_note_says_where_it_was_seen(entry):
    name, i = entry
    note = vocab.ALL[name].entries[i][1]
    assert isinstance(note, str) and len(note.strip()) >= 8, (name, i, note)


def test_written_lines_belong_to_their_vocabulary():
    """Each file is named after a vocabulary and each of its lines fires that vocabulary."""
    files = sorted(WRITTEN.glob("*"))
    assert files
    for path in files:
        assert path.suffix == ".txt" and path.stem in vocab.ALL, path.name
        v = vocab.ALL[path.stem]
        for block in _written_blocks(path):
            assert v(block), (path.name, block.text)
