"""Text normalisation for segmentation.

Two kinds of text are produced here and must never be mixed up:

* the *matching copy* of a line (:func:`match_key`): NFKC, pinyin annotations removed,
  traditional characters converted to simplified, whitespace collapsed. Markers and
  vocabularies are matched against it; it is never emitted, because NFKC also rewrites
  characters such as ``²`` or ``①`` that belong to the document.
* the *output text* (:func:`clean_text`): the page's own characters and script, with only the
  mirrors' inline pinyin noise removed and whitespace tidied.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

import opencc

_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# `聯(lián)`: a tone-marked syllable in ASCII or full-width brackets right after a CJK character.
PINYIN_STRICT = re.compile(
    rf"(?<=[{_CJK}])[(（][a-zü]*[{_TONES}][a-zü{_TONES}]*[)）]"
)
# `我們(men)`: neutral-tone syllables carry no mark, so this form also matches captions like
# `图(a)`; it is only applied on pages that are already known to be pinyin-noisy.
PINYIN_LOOSE = re.compile(rf"(?<=[{_CJK}])[(（][a-zü]{{1,6}}[)）]")
_TONE_MARK = re.compile(f"[{_TONES}]")
_SPACE = re.compile(r"[^\S\n]+")
# A page is treated as carrying mirror noise from this many tone-marked annotations on.
NOISY_PAGE_HITS = 3

_t2s = opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s.convert(text)


def strip_pinyin(text: str, loose: bool = False) -> str:
    if "(" not in text and "（" not in text:     # most lines: no annotation can be there
        return text
    text = PINYIN_STRICT.sub("", text)
    return PINYIN_LOOSE.sub("", text) if loose else text


def count_pinyin(text: str) -> int:
    if not _TONE_MARK.search(text):         # no tone mark, no annotation: skip the slow scan
        return 0
    return len(PINYIN_STRICT.findall(text))


def tidy_space(text: str) -> str:
    """Collapse runs of horizontal whitespace (NBSP and ideographic space included)."""
    if "\n" not in text:       # str.split() and the regex agree on what whitespace is
        return " ".join(text.split())
    return _SPACE.sub(" ", text).strip()


def clean_text(text: str, noisy: bool) -> str:
    """Output form of a line: own script kept, mirror pinyin removed on noisy pages."""
    if noisy:
        text = strip_pinyin(text, loose=True)
    return tidy_space(text)


def own_text(text: str) -> str:
    """NFKC and pinyin-free, but in the page's own script (for values that are emitted)."""
    return tidy_space(strip_pinyin(unicodedata.normalize("NFKC", text), loose=True))


# Lines are memoised (a site's chrome repeats on every page), whole texts never: a memo of
# MEMO_SIZE lines of at most MEMO_CHARS characters stays within a few MB, one of page texts
# would grow to gigabytes before it filled. A full memo is emptied, not aged line by line:
# that costs a site's chrome one more computation and keeps every lookup a plain dict get.
MEMO_CHARS = 200
MEMO_SIZE = 8192
_memo: dict[str, str] = {}


def match_key(text: str) -> str:
    """Matching copy of a line: NFKC, pinyin stripped, simplified script, single spaces."""
    key = _memo.get(text)
    if key is None:
        key = _matching_copy(text)
        if len(text) <= MEMO_CHARS:
            _remember(text, key)
    return key


def _remember(text: str, key: str) -> None:
    if len(_memo) >= MEMO_SIZE:
        _memo.clear()
    _memo[text] = key


def match_keys(lines: list[str]) -> list[str]:
    """The matching copies of a page's lines, the new ones made at once: one NFKC, pinyin and
    conversion call for the page instead of one per line. The lines are joined with newlines,
    which none of those steps reads across or produces."""
    memo = _memo
    todo = list({line for line in lines if line not in memo and not line.isascii()
                 and "\n" not in line})
    made: dict[str, str] = {}
    if len(todo) > 1:
        joined = to_simplified(strip_pinyin(unicodedata.normalize("NFKC", "\n".join(todo))))
        keys = joined.split("\n")
        if len(keys) == len(todo):      # else (never seen) each line is made on its own below
            made = {line: tidy_space(key) for line, key in zip(todo, keys)}
    for line, key in made.items():
        if len(line) <= MEMO_CHARS:
            _remember(line, key)
    return [made.get(line) or match_key(line) for line in lines]


def _matching_copy(text: str) -> str:
    if text.isascii():          # NFKC and t2s leave it as it is; pinyin follows CJK only
        return tidy_space(text)
    text = unicodedata.normalize("NFKC", text)
    text = strip_pinyin(text)
    return tidy_space(to_simplified(text))


def clear_memo() -> None:
    """Forget the memoised lines (benchmarks start each pass cold)."""
    _memo.clear()


def compact(text: str) -> str:
    """A matching copy with all whitespace removed (`关 键 词` -> `关键词`)."""
    return "".join(text.split())


def comparable_copy(text: str) -> str:
    """What the mirrors of one document have in common: NFKC, pinyin annotations removed,
    simplified script. Made for whole texts, so never memoised."""
    return to_simplified(strip_pinyin(unicodedata.normalize("NFKC", text), loose=True))


def content_hash(comparable: str) -> str | None:
    """sha1 of a text's comparable copy, whitespace removed: mirrors of a document hash alike."""
    key = compact(comparable)
    return hashlib.sha1(key.lower().encode("utf-8")).hexdigest() if key else None


_SCRIPT_SAMPLE = 1_000         # Chinese characters: enough to tell the script by 2 %
_SCRIPT_SCAN = 200_000         # characters of the text looked at, at most
_SCRIPT_PREFIX = 4_000         # looked at first: usually holds the whole sample
_NOT_CJK = re.compile(f"[^{_CJK}]+")


def detect_script(text: str) -> str | None:
    """`traditional`, `simplified`, or None when the text has (almost) no Chinese."""
    han = _NOT_CJK.sub("", text[:_SCRIPT_PREFIX])
    if len(han) < _SCRIPT_SAMPLE and len(text) > _SCRIPT_PREFIX:
        han = _NOT_CJK.sub("", text[:_SCRIPT_SCAN])
    if len(han) < 20:
        return None
    sample = han[:_SCRIPT_SAMPLE]
    converted = to_simplified(sample)
    if converted == sample:                 # most simplified text: nothing to count
        return "simplified"
    if len(converted) != len(sample):       # phrase conversions changed the length: compare sets
        changed = len(set(sample) - set(converted))
        return "traditional" if changed / len(set(sample)) > 0.02 else "simplified"
    changed = sum(map(str.__ne__, sample, converted))
    return "traditional" if changed / len(sample) > 0.02 else "simplified"


_CJK_RUN = re.compile(f"[{_CJK}]+")
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_LANGUAGE_SAMPLE = 5_000       # characters: the start of a text tells its language


def detect_language(text: str) -> str:
    """`zh` when Chinese characters make up a fair share of the letters, else `en`."""
    text = text[:_LANGUAGE_SAMPLE]
    # counted as what removing them takes away: one match a run, not one a character
    han = len(text) - len(_CJK_RUN.sub("", text))
    latin = len(text) - len(_LATIN_RUN.sub("", text))
    return "zh" if han and han / (han + latin) > 0.2 else "en"
