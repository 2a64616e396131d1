"""Shared pieces of the comment-platform export parsers (Disqus, WXR, Commento, remark42,
Reddit, isso): text decoding for sniffing, whole-file JSON loading with one clear error line,
HTML comment bodies turned into plain text, HTML article bodies turned into passage blocks, and
the small value clean-ups every platform needs.
"""

from __future__ import annotations

import codecs
import json
import re
from datetime import datetime, tzinfo
from html.parser import HTMLParser
from typing import Any

from ..errors import UnreadableSource
from .model import SourceFile
from .passages import PARAGRAPH_BREAK, Block
from .timeparse import parse_timestamp

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def sniff_text(source: SourceFile) -> str:
    """The first bytes of a file as text for content sniffing: UTF-16 by BOM, else lenient UTF-8."""
    if source.head.startswith(_UTF16_BOMS):
        return source.head.decode("utf-16", errors="replace").lstrip("\ufeff")
    return source.head_text()


def decode_json_bytes(data: bytes, label: str) -> str:
    """JSON text from bytes: UTF-8 (BOM allowed) or UTF-16 with a BOM; else one clear error."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableSource(f"{label}: broken UTF-16 text at byte {exc.start}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableSource(
            f"{label}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "JSON exports must be UTF-8"
        ) from exc


def json_error(exc: json.JSONDecodeError, *, with_line: bool = True) -> str:
    """A JSON syntax error in words: 'Expecting value at line 3, column 1'."""
    where = f"line {exc.lineno}, column {exc.colno}" if with_line else f"column {exc.colno}"
    return f"{exc.msg} {where}" if exc.msg.endswith(" at") else f"{exc.msg} at {where}"


def load_json(source: SourceFile) -> Any:
    """The whole file parsed as one JSON document, or UnreadableSource naming the first error."""
    text = decode_json_bytes(source.read_bytes(), str(source.path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableSource(f"{source.path}: not valid JSON ({json_error(exc)})") from exc
    except RecursionError as exc:
        raise UnreadableSource(f"{source.path}: JSON nested too deeply to read") from exc


def clean(value: Any) -> str | None:
    """A string field with surrounding white space removed; None when absent, empty or not text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return stripped or None


_NO_AUTHOR = frozenset({"anonymous", "[deleted]", "[removed]"})


def author_name(value: Any) -> str | None:
    """A display name; None when absent, empty, or a platform's placeholder such as 'Anonymous'."""
    name = clean(value)
    return None if name is None or name.casefold() in _NO_AUTHOR else name


def record_id(value: Any) -> str | None:
    """A platform id as a string: strings stripped, integers as digits; None if absent or empty."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def timestamp_or_none(value: Any, tz: tzinfo, field: str) -> datetime | None:
    """Parse an optional timestamp string; ValueError with a readable reason when it is not one.

    Go's zero time (year 1), which platforms write for "no date", counts as absent.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{field} {value!r} is not a date")
    try:
        parsed = parse_timestamp(value, tz)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{field} {value.strip()!r} is not a date") from exc
    return None if parsed.year == 1 else parsed


def raw_json(value: Any, limit: int = 2000) -> str:
    """A record as compact JSON for the rejects table, cut at `limit` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --- HTML to plain text ----------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
_SKIPPED_TAGS = frozenset({"script", "style", "head", "template"})
_PARAGRAPH = "\x00"  # stand for a paragraph break and a <br> until the text is assembled
_LINE_BREAK = "\x01"
_PRE_NEWLINE = "\x02"
_ALL_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_LINE_SPACE = re.compile(r"[ \t\f\v]+")
_BREAKS = re.compile(r"\s*\x00[\s\x00]*")


class _TextExtractor(HTMLParser):
    def __init__(self, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines
        self.parts: list[str] = []
        self.skipping = 0
        self.preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "br":
            self.parts.append(_LINE_BREAK)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH)
            self.preformatted += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append(_LINE_BREAK)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH)
            if tag == "pre":
                self.preformatted = max(0, self.preformatted - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.preformatted:  # its line breaks and indentation survive the tidying
            self.parts.append(data.replace("\r\n", "\n").replace("\n", _PRE_NEWLINE))
        elif self.keep_newlines:
            self.parts.append(_LINE_SPACE.sub(" ", data.replace("\r\n", "\n").replace("\r", "\n")))
        else:
            self.parts.append(_ALL_SPACE.sub(" ", data))


def html_to_text(markup: str, *, keep_newlines: bool = False) -> str:
    """Plain text of an HTML fragment: tags stripped, entities unescaped, paragraphs kept.

    Block elements (p, div, li, blockquote, …) become paragraph breaks (a blank line), <br> a
    line break. White space inside text collapses as a browser would, except inside <pre> and,
    with `keep_newlines`, at line ends (WordPress stores comments with meaningful newlines and
    adds the <p> tags only when displaying them).
    """
    if "<" not in markup and "&" not in markup:
        text = markup
        if not keep_newlines:
            text = _ALL_SPACE.sub(" ", text)
        return _tidy(text)
    parser = _TextExtractor(keep_newlines)
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    # "<br />\n", as WordPress writes it, is one line break, not two
    text = re.sub("\x01[ \t]*\n?", "\n", text.replace("\r\n", "\n"))
    text = _BREAKS.sub("\n\n", text)
    lines = [line.strip(" \t") for line in text.split("\n")]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip().replace(_PRE_NEWLINE, "\n")


# --- HTML article bodies to passage blocks ----------------------------------------------------

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PARAGRAPHS = frozenset({"p", "blockquote"})
_VOID_BLOCKS = frozenset({"hr"})
_CELLS = frozenset({"td", "th"})  # a table row is one block, its cells apart


class _BlockExtractor(HTMLParser):
    """Text runs between block tags, each with the kind its enclosing elements give it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.open: list[str] = []  # block elements not yet closed, outermost first
        self.run: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "br":
            self.run.append("\n")
        elif tag in _CELLS:
            self.run.append(" ")
        elif tag in _BLOCK_TAGS:
            self.flush()
            # a <p> ends where another block starts; an <li> where its next sibling starts
            if self.open and (self.open[-1] == "p" or self.open[-1] == tag == "li"):
                self.open.pop()
            if tag not in _VOID_BLOCKS:
                self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.run.append("\n")
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag in self.open:  # close it and whatever was left open inside it
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.run.append(data)

    def flush(self) -> None:
        text, self.run = "".join(self.run), []
        kind = self.kind()
        for chunk in PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
            tidy = " ".join(chunk.split())
            if tidy:
                self.blocks.append(Block(tidy, kind))

    def kind(self) -> str | None:
        if "li" in self.open:
            return "bullet"
        if _HEADINGS.intersection(self.open):
            return "heading"
        if _PARAGRAPHS.intersection(self.open):
            return "paragraph"
        return None


def html_blocks(markup: str) -> list[Block]:
    """An HTML article body as passage blocks (for ``passages.body_passages``).

    Text inside ``<li>`` is a bullet, inside ``<h1>``–``<h6>`` a heading, inside ``<p>`` or
    ``<blockquote>`` a paragraph. Text outside those (WordPress stores a post written in the
    classic editor as plain text with blank lines between paragraphs, adding the ``<p>`` tags
    only when displaying it; or text in a ``<div>``, ``<figcaption>``, …) is cut at blank lines
    and carries no kind, so it is classified like any plain-text body. Inline markup is dropped,
    entities are unescaped, white space collapses, ``<br>`` is a line break (two a paragraph break
    outside the elements above), and ``<script>``/``<style>`` and HTML comments (such as the block
    editor's ``<!-- wp:paragraph -->``) are left out.
    """
    parser = _BlockExtractor()
    parser.feed(markup)
    parser.close()
    parser.flush()
    return parser.blocks
