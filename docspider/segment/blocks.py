"""Turn a page into an ordered list of text blocks.

A page arrives either as HTML or as flattened text (one visible block per line, list items as
``- ``, ordered items as ``  N. ``). Both become the same :class:`Block` sequence, so one set of
rules segments both. HTML blocks keep hints the flattened form loses: the tag, the classes and
ids of their ancestors, and the link a block consists of.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from lxml import etree

from .normalize import compact, match_key, match_keys, tidy_space


@dataclass
class Block:
    text: str                      # the block's own text, list marker removed, as on the page
    raw: str = ""                  # the line or element text exactly as read
    list_item: bool = False        # `- x`, `  1. x`, `• x` or an <li>
    number: int | None = None      # the number of an ordered list item
    tag: str = ""                  # nearest block element (HTML only)
    context: str = ""              # ancestors' classes and ids, space separated (HTML only)
    href: str | None = None        # the link the block consists of (HTML only)
    link_run: bool = False         # two or more links and (nearly) nothing else (HTML only)
    blank_before: int = 0          # blank lines / empty blocks right before this one
    label: str = ""                # set by the classifier
    # The matching copies of `text`, made when the block is (every rule reads them, so they
    # are plain attributes): `key` (see normalize.match_key; given when made for a whole page
    # at once), `lkey` its lower case for the case-insensitive vocabularies, `ckey` without
    # any whitespace (`关 键 词` -> `关键词`).
    key: str = field(default=None, repr=False, compare=False)    # type: ignore[assignment]
    lkey: str = field(init=False, repr=False, compare=False)
    ckey: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.key is None:
            self.key = match_key(self.text)
        self.lkey = self.key.lower()
        self.ckey = compact(self.key)

    def holding(self, text: str) -> Block:
        """This block with `text` as its text (its matching copies made anew)."""
        return replace(self, text=text, raw=text, key=None)


# ---------------------------------------------------------------- flattened text ----------
_BULLET = re.compile(r"^\s*(?:[-•*·]|\d{1,3}\.)(?:\s+|$)")
_ORDERED = re.compile(r"^\s*(\d{1,3})\.\s+")


def blocks_from_text(text: str) -> list[Block]:
    rows: list[dict] = []
    blank = 0
    for raw in text.splitlines():
        if not raw.strip():
            blank += 1
            continue
        # `- 1. x` (a list item holding a numbered notice) keeps its number in the text.
        bullet = _BULLET.match(raw)
        if bullet and (raw.lstrip()[:1] in "-•*·" or raw.startswith(" ")):
            ordered = _ORDERED.match(raw)
            number = int(ordered.group(1)) if ordered and raw.startswith(" ") else None
            rows.append(dict(text=tidy_space(raw[bullet.end():]), raw=raw, list_item=True,
                             number=number, blank_before=blank))
        else:
            rows.append(dict(text=tidy_space(raw), raw=raw, blank_before=blank))
        blank = 0
    return _blocks(rows)


def _blocks(rows: list[dict]) -> list[Block]:
    keys = match_keys([row["text"] for row in rows])
    return [Block(**row, key=key) for row, key in zip(rows, keys)]


# ---------------------------------------------------------------------- HTML --------------
_SKIP = {"script", "style", "noscript", "template", "head", "iframe", "svg", "select", "option",
         "textarea", "input"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main", "menu", "nav", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "caption",
}
_TEXT = etree.XPath("string()", smart_strings=False)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


class _Flattener:
    def __init__(self) -> None:
        self.rows: list[dict] = []              # Block arguments, keyed at the end
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []   # (href, text) of <a> in the current line
        self.blank = 0
        self.stack: list[tuple[str, str, bool, int | None]] = []  # tag, context, li, number

    def flush(self) -> None:
        raw = "".join(self.parts)
        self.parts = []
        links, self.links = self.links, []
        if not raw or raw.isspace():
            return
        text = tidy_space(raw)
        tag, context, list_item, number = self.stack[-1] if self.stack else ("", "", False, None)
        href = None
        if len(links) == 1 and tidy_space(links[0][1]) == text:
            href = links[0][0] or None
        link_run = len(links) >= 2 and \
            sum(len(compact(t)) for _, t in links) >= 0.9 * len(compact(text))
        self.rows.append(dict(text=text, raw=raw, list_item=list_item, number=number, tag=tag,
                              context=context, href=href, link_run=link_run,
                              blank_before=self.blank))
        self.blank = 0

    def walk(self, el, context: str, in_li: bool, number: int | None) -> None:
        # The hot loop of flattening: one call an element, so the attributes it reads are
        # read once into locals.
        parts = self.parts
        tag = el.tag
        if not isinstance(tag, str):        # comments and processing instructions
            parts.append(el.tail or "")
            return
        tag = tag.lower()
        hidden, classes, ident = tag in _SKIP, "", ""
        for name, value in el.items():          # one call for all attributes: most have none
            if name == "class":
                classes = value
            elif name == "id":
                ident = value
            elif name == "hidden" or (name == "style" and _HIDDEN_STYLE.search(value)):
                hidden = True
        if hidden:
            parts.append(el.tail or "")
            return
        names = f"{classes} {ident}" if classes and ident else classes or ident
        ctx = f"{context} {names}".strip() if names else context
        is_block = tag in _BLOCK
        if is_block:
            self.flush()
            if tag == "li":
                parent = el.getparent()
                ordered = parent is not None and parent.tag == "ol"
                number = (list(parent).index(el) + 1) if ordered else None
                in_li = True
            self.stack.append((tag, ctx, in_li, number))
        if tag == "br":
            self.flush()
        elif tag == "img":
            alt = (el.get("alt") or "").strip()
            if alt:
                self.flush()
                self.parts.append(alt)
                self.flush()
            else:
                self.blank += 1
        else:
            start = len(self.parts)
            self.parts.append(el.text or "")
            walk = self.walk
            for child in el:
                walk(child, ctx, in_li, number)
            if tag == "a":
                self.links.append((el.get("href", ""), "".join(self.parts[start:])))
        if is_block:
            self.flush()
            self.stack.pop()
            if tag == "p":
                self.blank += 1
        self.parts.append(el.tail or "")


_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*>")


def without_xml_declaration(html: str) -> str:
    """The page without a leading XML declaration: lxml refuses a str that starts with one
    naming an encoding (XHTML served with `<?xml version="1.0" encoding="utf-8"?>`), and the
    text is decoded already."""
    declaration = _XML_DECLARATION.match(html)
    return html[declaration.end():] if declaration else html


class UnparseableError(ValueError):
    """The page's tree is beyond what the HTML parser can build (nested too deep)."""


def parse_html(html: str):
    """Parse an HTML document; returns the lxml root (empty documents give a bare root).
    Raises `UnparseableError` when libxml2 gives up on the tree: what it returns then has lost
    the text below its depth limit, and segmenting it would emit an empty document."""
    # lxml's plain elements: lxml.html's Python class lookup per element costs more than the
    # few methods of theirs this module would use. A per-call parser: its error log is ours.
    parser = etree.HTMLParser(huge_tree=True)
    html = without_xml_declaration(html)
    root = etree.fromstring(html, parser) if html.strip() else None
    if root is None:
        return etree.fromstring("<html></html>", parser)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        raise UnparseableError(f"the HTML tree is too deep to parse ({parser.error_log[0].message})")
    return root


def blocks_from_html(root) -> list[Block]:
    body = root.find("body")
    flat = _Flattener()
    flat.walk(body if body is not None else root, "", False, None)
    flat.flush()
    return _blocks(flat.rows)


def html_title(root) -> str | None:
    """Text of the first <h1>, else of <title>."""
    for path in ("//h1", "//title"):
        found = root.xpath(path)
        if found:
            text = tidy_space(_TEXT(found[0]))
            if text:
                return text
    return None


def html_canonical(root) -> str | None:
    for path in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        found = root.xpath(path)
        if found and found[0].strip():
            return found[0].strip()
    return None
