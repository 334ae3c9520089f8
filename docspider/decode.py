"""Decode saved page bytes to text: declared charset first, then a strict guess.

Chinese sites often declare GBK (or GB2312) only in ``<meta>``; both are decoded as GB18030, the
superset that also covers characters such as ``₂`` that strict GBK rejects.
"""
from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

# Tried in order when nothing is declared; each must decode the whole input strictly.
FALLBACK_ENCODINGS = ("utf-8", "gb18030", "big5")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding docspider can determine."""


def _normalise(name: str) -> str:
    enc = resolve_encoding(name) or name
    return "gb18030" if codecs.lookup(enc).name in ("gbk", "gb2312", "gb18030", "hz") else enc


def decode_page(data: bytes, *, is_html: bool, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Raises UndecodableError for binary or undecodable bytes."""
    if not data.strip():
        raise UndecodableError("empty file")
    bom_encoding, bom = read_bom(data)
    if bom_encoding:
        return data[len(bom):].decode(bom_encoding, errors="strict"), bom_encoding
    if b"\x00" in data:
        raise UndecodableError("binary data (NUL bytes), not a text page")
    candidates = []
    if declared:
        candidates.append(declared)
    if is_html and (meta := html_body_declared_encoding(data)):
        candidates.append(meta)
    for name in candidates:
        try:
            enc = _normalise(name)
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            continue        # a wrong declaration: fall back to guessing
    for enc in FALLBACK_ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise UndecodableError("not decodable as " + ", ".join(candidates + list(FALLBACK_ENCODINGS)))
