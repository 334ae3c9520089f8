"""Decode page bytes to text: the one decoder for crawled responses and saved pages.

The encoding is chosen in this order; the first that is accepted wins:

1. A byte-order mark (UTF-8, UTF-16, UTF-32). It always wins; bad bytes after it become U+FFFD.
2. The charset declared in the HTTP ``Content-Type`` header (``declared``).
3. The charset declared in the page's ``<meta>`` (or XML declaration), HTML only, read with
   w3lib's ``html_body_declared_encoding`` (the first 4096 bytes).
4. When no declaration is accepted: UTF-8 if the bytes are valid UTF-8 (pure ASCII included, a
   last character cut short allowed); else detection with charset-normalizer restricted to
   :data:`DETECT_ENCODINGS` (UTF-8, GB18030, Big5, and cp1252 / latin-1 for English pages; a
   page cut in the middle of a character is judged without its last bytes); if it finds
   nothing, the first of :data:`FALLBACK_ENCODINGS` (UTF-8, GB18030, Big5) that decodes the bytes
   strictly.
5. Last resorts, trying the declared encodings and then FALLBACK_ENCODINGS: the first that decodes
   the bytes nearly strictly (as below), then the first with at most 1 %
   (:data:`LAST_RESORT_ERROR_RATE`) bad sequences, which become U+FFFD; beyond that the bytes
   are not text (:class:`UndecodableError`).

A declaration (2 or 3) is accepted only if the bytes decode in it *nearly strictly*: at most
:func:`max_errors` bad sequences, i.e. one always (a page cut in the middle of its last
character, or one stray byte), otherwise at most 0.1 % of the decoded characters and never more
than :data:`MAX_ERRORS` (3). Bad sequences come out as U+FFFD. On top of that:

- a decoding with bad sequences (other than a last character cut short) must also have decoded
  some non-ASCII text well: an English cp1252 page whose only non-ASCII bytes are a few curly
  quotes is not taken as UTF-8 with U+FFFD in their place;
- a non-UTF-8 declaration is rejected when the bytes are valid UTF-8 and not pure ASCII: GBK or
  Big5 text is practically never valid UTF-8, whereas UTF-8 text usually decodes as GB18030
  without a single error (as mojibake);
- in a GB18030 decoding, private-use characters count as errors: Big5 text declared GBK decodes
  without errors, but many of its common characters land in GBK's user-defined areas;
- a Big5 decoding with errors is rejected when the bytes look like GB2312 (no second byte in
  0x40-0x7E, where Big5 puts four in ten);
- a Western single-byte declaration (cp1252, latin-1, latin-9), which any bytes satisfy, is
  rejected when most non-ASCII bytes come in runs, as two-byte GBK or Big5 characters do (a
  server's default ``charset=ISO-8859-1`` on a Chinese page).

GBK, GB2312 (and HZ) are decoded as GB18030, the superset that also covers characters such as
``₂`` that strict GBK rejects. A declared Big5 is decoded as Big5-HKSCS (w3lib's mapping, as
browsers do), a detected or guessed one with Python's ``big5`` codec. ``utf-16`` /
``utf-32`` declared without a BOM are read as UTF-8, as browsers do (the bytes hold no NUL).

Cost: a correctly declared page costs one decode (plus, for a non-UTF-8 declaration, a UTF-8
probe that stops at the first non-UTF-8 byte, and for GB18030 a scan for private-use
characters); detection runs only when no declaration is accepted and the bytes are not UTF-8.
Empty input and input with NUL bytes (and no BOM) raise :class:`UndecodableError`.
"""
from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Callable

import charset_normalizer
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

# Tried in order when detection finds nothing: strictly, then nearly strictly.
FALLBACK_ENCODINGS = ("utf-8", "gb18030", "big5")
# The encodings charset-normalizer may choose from (its names): the sites' plausible ones.
DETECT_ENCODINGS = ("utf_8", "gb18030", "big5", "cp1252", "latin_1")
# A declaration is accepted with at most this many bad byte sequences ...
MAX_ERRORS = 3
# ... and at most this share of the decoded characters (but one is always allowed).
MAX_ERROR_RATE = 0.001
# When nothing else decodes the bytes: the first candidate with at most this share of bad ones.
LAST_RESORT_ERROR_RATE = 0.01

_WESTERN_SINGLE_BYTE = frozenset({"cp1252", "iso8859-1", "latin-1", "iso8859-15"})
_UNICODE_WITHOUT_BOM = frozenset({"utf-16", "utf-16-le", "utf-16-be",
                                  "utf-32", "utf-32-le", "utf-32-be"})
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_DOUBLE_BYTE = re.compile(rb"[\x81-\xfe][\x40-\x7e\x80-\xfe]")
_BIG5 = frozenset({"big5", "big5hkscs", "cp950"})
_ASCII_AS_SPACE = b" " * 128 + bytes(range(128, 256))     # runs of non-ASCII bytes .split()
_ERRORS = "docspider.decode.counted"
_count = threading.local()


class UndecodableError(ValueError):
    """The bytes are not text in any encoding docspider can determine."""


class _TooManyErrors(Exception):
    pass


def _counted_replace(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: replace with U+FFFD, counting; give up past ``_count.limit``."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _count.errors += 1
    _count.at_end = exc.end == len(exc.object)
    if _count.errors > _count.limit:
        raise _TooManyErrors
    return "\ufffd", exc.end


codecs.register_error(_ERRORS, _counted_replace)


def max_errors(n_chars: int) -> int:
    """Bad byte sequences tolerated in a declared encoding's decoding of ``n_chars`` characters."""
    return min(MAX_ERRORS, max(1, int(n_chars * MAX_ERROR_RATE)))


def _normalise(name: str) -> str:
    enc = resolve_encoding(name) or name
    canonical = codecs.lookup(enc).name
    if canonical in ("gbk", "gb2312", "gb18030", "hz"):
        return "gb18030"
    if canonical in _UNICODE_WITHOUT_BOM:
        return "utf-8"
    return enc


def _decode_nearly_strict(data: bytes, enc: str, *, check_cjk: bool = True,
                          last_resort: bool = False) -> str | None:
    """``data`` decoded in ``enc`` if it has at most :func:`max_errors` bad sequences (with
    ``last_resort``, at most LAST_RESORT_ERROR_RATE of the characters), else None. With
    ``check_cjk``, GB18030's private-use characters count as bad, and a Big5 decoding that is
    not strict is refused if the bytes look like GB2312 / GBK."""
    try:
        text = data.decode(enc)
        errors = 0
    except UnicodeDecodeError:
        _count.errors = 0
        _count.limit = int(len(data) * LAST_RESORT_ERROR_RATE) if last_resort else MAX_ERRORS
        try:
            text = data.decode(enc, errors=_ERRORS)     # gives up past the limit
        except _TooManyErrors:
            return None
        errors = _count.errors
        if not (errors == 1 and _count.at_end) and text.replace("\ufffd", "").isascii():
            return None     # bad bytes and no good non-ASCII: no evidence for ``enc`` at all
    if check_cjk:
        if enc == "gb18030" and (pua := _PRIVATE_USE.search(text)):
            errors += 1 + len(_PRIVATE_USE.findall(text, pua.end()))
        elif errors and enc in _BIG5 and _looks_gb(data):
            return None
    if last_resort:
        return text if errors <= len(text) * LAST_RESORT_ERROR_RATE else None
    return text if errors <= max_errors(len(text)) else None


def _looks_gb(data: bytes) -> bool:
    """Whether the two-byte characters look GB2312 / GBK rather than Big5: Big5 puts four in ten
    second bytes in 0x40-0x7E, GB2312 none (so does common GBK text)."""
    pairs = _DOUBLE_BYTE.findall(data)
    return len(pairs) >= 20 and sum(p[1] < 0x80 for p in pairs) < len(pairs) * 0.05


def _as_utf8(data: bytes) -> str | None:
    """``data`` as UTF-8 if valid, allowing only a last character cut short (as U+FFFD) after
    some non-ASCII text. Stops at the first non-UTF-8 byte, which in GBK or Big5 text comes early.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end != len(data) or exc.reason != "unexpected end of data" or \
                data.isascii() or data[:exc.start].isascii():
            return None
        return data[:exc.start].decode("utf-8") + "\ufffd"


def _looks_multibyte(data: bytes) -> bool:
    """Whether most non-ASCII bytes come in runs, as in GBK / Big5 text (not Western text)."""
    runs = [len(run) for run in data.translate(_ASCII_AS_SPACE).split()]
    high = sum(runs)
    return high >= 8 and (high - runs.count(1)) * 2 > high


def _accept_declared(data: bytes, name: str, as_utf8: Callable[[], str | None],
                     tried: list[str]) -> tuple[str, str] | None:
    try:
        enc = _normalise(name)
        codecs.lookup(enc)
    except LookupError:
        return None                 # an unknown label: as if nothing were declared
    if enc != "utf-8" and not data.isascii():
        if as_utf8() is not None:
            return None             # UTF-8 declared otherwise: the declaration is wrong
        if codecs.lookup(enc).name in _WESTERN_SINGLE_BYTE and _looks_multibyte(data):
            return None
    tried.append(enc)               # refused (if at all) for its bad bytes only
    text = _decode_nearly_strict(data, enc)
    return None if text is None else (text, enc)


def _best_guess(data: bytes) -> charset_normalizer.CharsetMatch | None:
    if not data:
        return None
    return charset_normalizer.from_bytes(data, cp_isolation=list(DETECT_ENCODINGS),
                                         preemptive_behaviour=False).best()


def _detect(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best guess among DETECT_ENCODINGS, if the bytes decode in it."""
    best = _best_guess(data)
    if best is None and data[-1] >= 0x80:
        # It rejects an encoding over a single bad sequence, so a page cut in the middle of a
        # character is judged again without the last 1, 2 or 3 bytes (a two-byte character
        # cut leaves one, a UTF-8 or four-byte GB18030 one up to three).
        for cut in (1, 2, 3):
            if best := _best_guess(data[:-cut]):
                break
    if best is None:
        return None
    enc = codecs.lookup(best.encoding).name      # not w3lib's: it reads latin-1 as cp1252
    text = _decode_nearly_strict(data, enc, check_cjk=False)
    return None if text is None else (text, enc)


def decode_page(data: bytes, *, is_html: bool, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding) of a page's bytes, in the order the module docstring gives.

    ``declared`` is the charset of the HTTP Content-Type header, if any; ``is_html`` enables the
    ``<meta>`` declaration. Raises UndecodableError for empty or binary (NUL bytes) input, or
    bytes no candidate encoding decodes.
    """
    if not data.strip():
        raise UndecodableError("empty file")
    bom_encoding, bom = read_bom(data)
    if bom_encoding:
        return data[len(bom):].decode(bom_encoding, errors="replace"), bom_encoding
    if b"\x00" in data:
        raise UndecodableError("binary data (NUL bytes), not a text page")
    candidates = []
    if declared:
        candidates.append(declared)
    if is_html and (meta := html_body_declared_encoding(data)):
        candidates.append(meta)
    utf8: list[str | None] = []             # _as_utf8(data), computed once if needed

    def as_utf8() -> str | None:
        if not utf8:
            utf8.append(_as_utf8(data))
        return utf8[0]

    tried: list[str] = []                   # declarations refused for bad bytes only
    for name in candidates:
        if accepted := _accept_declared(data, name, as_utf8, tried):
            return accepted
    if (text := as_utf8()) is not None:
        return text, "utf-8"
    if detected := _detect(data):
        return detected
    for enc in FALLBACK_ENCODINGS[1:]:      # strict UTF-8 was as_utf8() above
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    for last_resort in (False, True):
        for enc in dict.fromkeys(tried + list(FALLBACK_ENCODINGS)):
            if (text := _decode_nearly_strict(data, enc, last_resort=last_resort)) is not None:
                return text, enc
    raise UndecodableError("not decodable as " + ", ".join(candidates + list(FALLBACK_ENCODINGS)))


def decode_response_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Return (text, encoding) of an HTML response body, given the raw Content-Type header
    value (e.g. ``"text/html; charset=GBK"``, or None); see :func:`decode_page`."""
    return decode_page(body, is_html=True, declared=http_content_type_encoding(content_type))


def decode_response(response, meta: dict) -> str:
    """The text of a fetched response (`body`, the Content-Type header), decoded once: the
    soft-block check and the spider both read it. It is kept in the request's `meta` with the
    body it came from (a retried request carries its meta over to another body). Raises
    `UndecodableError` as `decode_page` does."""
    kept = meta.get("docspider_text")
    if kept is not None and kept[0] is response.body:
        return kept[1]
    content_type = response.headers.get("Content-Type", b"").decode("latin-1")
    text = decode_response_body(response.body, content_type)[0]
    meta["docspider_text"] = (response.body, text)
    return text
