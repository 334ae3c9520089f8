"""Parse the metadata a page shows: `label:value` lines, page counts, breadcrumbs, keywords."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from . import vocab
from .normalize import match_key, own_text

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")


@dataclass
class PageMetadata:
    pages_total: int | None = None
    pages_shown: int | None = None
    format: str | None = None
    size: str | None = None
    uploaded_at: str | None = None
    uploader: str | None = None
    price: str | None = None
    keywords: list[str] | None = None
    category: list[str] | None = None
    doc_id: str | None = None
    truncated: bool = False
    fields: set[str] = field(default_factory=set)   # which fields a label set (first wins)

    def set(self, name: str, value) -> None:
        if name in self.fields or value in (None, "", []):
            return
        self.fields.add(name)
        setattr(self, name, value)


def _label(label: str) -> str | None:
    return vocab.META_LABELS.get(match_key(label).lower(), "")


def meta_pairs(text: str) -> list[tuple[str, str]]:
    """`label:value` pairs of a metadata line with known labels, values in the page's script.

    `上傳人:晟晟文業(yè) IP屬(shǔ)地:陝西` -> [("uploader", "晟晟文業")].
    """
    own = own_text(text)
    out = []
    for m in vocab.META_PAIR.finditer(own.lstrip("•-* ")):
        name = _label(m.group("label"))
        if name:
            out.append((name, m.group("value").strip()))
    return out


def is_meta_line(text: str) -> bool:
    """A line made of `label:value` pairs, starting with a known label."""
    first = vocab.META_PAIR.match(own_text(text).lstrip("•-* "))
    return first is not None and match_key(first.group("label")).lower() in vocab.META_LABELS


def figure(number: float) -> float | None:
    """A number read off a page, or None when an int64 column could not hold it: a run of
    digits that long is no page count, size or price (and would stop a Parquet feed)."""
    return number if 0 <= number < 2 ** 63 else None     # inf too; NaN fails both tests


def _value(name: str, raw: str):
    if name == "pages_total":
        m = _NUMBER.search(raw)
        pages = figure(float(m.group())) if m else None
        return int(pages) if pages is not None else None
    if name == "uploaded_at":
        m = _DATE.search(raw)
        return m.group() if m else raw or None
    if name == "price":
        return raw.strip() if _NUMBER.search(raw) else None
    if name == "format":
        return raw.split()[0].upper() if raw.split() else None
    return raw.split(" ")[0] if name in ("size", "doc_id") else raw


# --- typed values (schema 4): the strings as shown stay in the item's metadata.raw ----------
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b|字节)?\b", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
_WHEN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def size_bytes(raw: str | None) -> int | None:
    """`86.50KB` -> 88576: sites count a KB as 1024 bytes (and an MB as 1024 KB)."""
    m = _SIZE.search(raw or "")
    size = figure(float(m.group(1)) * _UNITS[m.group(2).lower()]) if m else None
    return round(size) if size is not None else None


def price(raw: str | None) -> dict | None:
    """`8金币` -> {"amount": 8, "unit": "金币"}; `6.99 金币`; `10` -> unit None."""
    m = _NUMBER.search(raw or "")
    if not m:
        return None
    amount = figure(float(m.group()))
    if amount is None:
        return None
    unit = raw[m.end():].strip() or None
    return {"amount": int(amount) if amount.is_integer() else amount, "unit": unit}


def iso_datetime(raw: str | None) -> str | None:
    """`2018-11-19`, `2018/11/9`, `2018年11月19日` -> `2018-11-19`; with a time of day
    `2018-11-19T10:30:00` (the site's local time: pages give no zone). None when it is no date."""
    m = _WHEN.search(raw or "")
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) if g else None for g in m.groups())
    try:
        when = datetime(year, month, day, hour or 0, minute or 0, second or 0)
    except ValueError:
        return None
    return when.isoformat() if hour is not None else when.date().isoformat()


def apply_pairs(meta: PageMetadata, pairs: list[tuple[str, str]]) -> None:
    for name, raw in pairs:
        meta.set(name, _value(name, raw))


def apply_markers(meta: PageMetadata, key: str) -> bool:
    """Reading / truncation markers; True when the block was one."""
    if m := vocab.READ_MORE.search(key):
        read, left = int(m.group("read")), int(m.group("left"))
        if figure(read + left) is not None:
            meta.set("pages_shown", read)
            meta.set("pages_total", read + left)
            meta.truncated = meta.truncated or left > 0
        return True
    if m := vocab.PREVIEW_ENDED_LEFT.search(key):
        meta.truncated = True
        return True
    if m := vocab.PREVIEW_RANGE.search(key):
        shown, total = int(m.group("shown")), int(m.group("total"))
        if figure(shown) is not None and figure(total) is not None:
            meta.set("pages_shown", shown)
            meta.set("pages_total", total)
            meta.truncated = meta.truncated or shown < total
        return True
    if vocab.PREVIEW_ENDED_FULL.search(key):
        return True
    if vocab.PREVIEW_CUT.search(key) and len(key) < 40:
        meta.truncated = True
        return True
    return False


def breadcrumb(key: str) -> list[str] | None:
    m = vocab.BREADCRUMB.match(key)
    if not m:
        return None
    parts = [p.strip() for p in re.split(r"\s*[>›»/]\s*", m.group("path")) if p.strip()]
    if parts and parts[0] in ("首页", "主页", "网站首页"):
        parts = parts[1:]
    return parts or None
