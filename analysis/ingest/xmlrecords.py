"""XML exports read record by record, safely, so that one broken element costs only itself.

Comment-platform exports (Disqus, WordPress WXR) are one large document, and real ones are often
not well-formed: a stray character before the XML declaration, an unquoted attribute, an
undefined entity in one comment. A strict parser gives up on the whole file at the first error.
Here the document is cut into records textually instead: the markup is scanned tag by tag
(comments, CDATA sections and processing instructions skipped over), the *container* elements
named by the caller (``<disqus>``; ``<rss>``, ``<channel>``, ``<item>``) are descended into, and
every other element directly inside a container is a record, cut out with the line it starts on.
Each record is then parsed on its own with defusedxml, wrapped in the namespace declarations of
its containers, so a broken record becomes a reject with its line and the others still load.

Assumption that makes the cut robust: a record never contains an element of its own name or a
container, so either one appearing inside a record means the record was never closed.

Safety: a DTD (``<!DOCTYPE …>``) or any other markup declaration (``<!ENTITY …>``) refuses the
whole file with UnreadableSource, since they carry entity-expansion ("billion laughs") and
external-entity (XXE) attacks; records are parsed with defusedxml with DTDs, entities and
external references forbidden as a second line of defence.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from ..errors import UnreadableSource
from .model import SourceFile

_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<!\[CDATA\[.*?\]\]>"
    r"|<\?.*?\?>"
    r"|<!(?P<decl>[A-Za-z]+)"
    r"|<(?P<close>/?)(?P<name>[A-Za-z_][\w.:-]*)(?P<attrs>(?:[^<>\"']|\"[^<\"]*\"|'[^<']*')*)>",
    re.S,
)
_XMLNS = re.compile(r"""\bxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"<]*"|'[^'<]*')""")
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UNDECODABLE = re.compile("[\ud800-\udfff]")
_POSITION = re.compile(r": line \d+, column \d+$")
_WRAPPER = "_readerpulse_record"


class RecordError(ValueError):
    """A record that cannot be read; the message is the reason for the rejects table."""


@dataclass(frozen=True)
class Boundary:
    """A container element opening or closing (e.g. a WXR <item>)."""

    name: str
    line: int
    opening: bool


@dataclass(frozen=True)
class Record:
    """One element directly inside a container: where it stands in the document text."""

    doc: XmlDocument
    name: str
    line: int
    parents: tuple[str, ...]
    start: int
    end: int
    namespaces: str
    unclosed: bool = False

    @property
    def location(self) -> str:
        return f"line {self.line}, <{self.name}>"

    @property
    def markup(self) -> str:
        return self.doc.text[self.start : self.end]

    def parse(self) -> Element:
        """The record as an element tree; RecordError with a readable reason when it is broken."""
        if self.unclosed:
            raise RecordError(
                f"the <{self.name}> element starting here is never closed "
                "(the file may be cut short or have a missing end tag)"
            )
        markup = self.markup
        bad = _UNDECODABLE.search(markup)
        if bad:
            line = self.line + markup.count("\n", 0, bad.start())
            raise RecordError(
                f"line {line} holds bytes that are not valid {self.doc.encoding} text"
            )
        wrapped = f"<{_WRAPPER}{self.namespaces}>{markup}</{_WRAPPER}>"
        try:
            root = SafeET.fromstring(
                wrapped, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
        except ParseError as exc:
            line = self.line + exc.position[0] - 1
            message = _POSITION.sub("", str(exc))
            if message == "undefined entity":
                message += "; HTML entities such as &nbsp; are only allowed inside CDATA"
            raise RecordError(f"broken XML at line {line} ({message})") from exc
        except defusedxml.DefusedXmlException as exc:
            raise RecordError(
                f"the <{self.name}> element uses a forbidden XML feature ({exc})"
            ) from exc
        return root[0]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class XmlDocument:
    """A whole XML file decoded to text, ready to be cut into records."""

    label: str
    text: str
    encoding: str

    @classmethod
    def from_source(cls, source: SourceFile) -> XmlDocument:
        text, encoding = decode_xml(source.read_bytes(), str(source.path), source.encoding)
        return cls(str(source.path), text, encoding)

    def records(self, root: str, containers: frozenset[str]) -> Iterator[Record | Boundary]:
        """Records and container boundaries in document order.

        `root` is the document element the format requires (UnreadableSource when another one
        comes first, or none at all); `containers` are the elements descended into (root included).
        Text before the root (e.g. a stray character ahead of the XML declaration) is ignored.
        """
        return _Scanner(self, root, containers | {root}).run()


def decode_xml(data: bytes, label: str, known: str | None = None) -> tuple[str, str]:
    """Text of an XML file and its encoding: `known` if given (the file was re-encoded, its
    declaration no longer holds), else BOM first, then the declaration, else UTF-8.

    Bytes that are not valid in that encoding are kept as lone surrogates, so that only the
    records containing them are rejected.
    """
    if known is not None:
        return data.decode(known, errors="surrogateescape").lstrip("\ufeff"), known.upper()
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="surrogateescape"), "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="surrogatepass").lstrip("\ufeff"), "UTF-16"
    declared = _DECLARED_ENCODING.search(data[:1024])
    encoding = declared.group(1).decode("ascii") if declared else "UTF-8"
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise UnreadableSource(f"{label}: declares an unknown text encoding {encoding!r}") from exc
    return data.decode(encoding, errors="surrogateescape"), encoding


@functools.lru_cache(maxsize=64)
def _record_end(name: str, containers: frozenset[str]) -> re.Pattern[str]:
    """What ends a record's markup: its end tag, or (never closed) its own start tag or a
    container's tag. Comments, CDATA and processing instructions are stepped over whole."""
    own = re.escape(name)
    outer = "|".join(re.escape(container) for container in sorted(containers))
    return re.compile(
        r"(?P<skip><!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>)"
        r"|<!(?P<decl>[A-Za-z]+)"
        rf"|(?P<end></{own}\s*>)"
        rf"|(?P<interrupt><(?:{own}|{outer})[\s/>]|</(?:{outer})\s*>)",
        re.S,
    )


def _refuse_declaration(label: str, line: int, keyword: str) -> UnreadableSource:
    return UnreadableSource(
        f"{label}: line {line} declares a DTD or entity (<!{keyword}); readerpulse refuses these "
        "in XML because they enable entity-expansion (billion laughs) and external-entity attacks"
    )


@dataclass
class _Scanner:
    doc: XmlDocument
    root: str
    containers: frozenset[str]
    open_containers: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    seen_root: bool = False
    pos: int = 0
    line: int = 1

    def line_at(self, offset: int) -> int:
        self.line += self.doc.text.count("\n", self.pos, offset)
        self.pos = offset
        return self.line

    def run(self) -> Iterator[Record | Boundary]:
        text = self.doc.text
        cursor = 0
        while (match := _TOKEN.search(text, cursor)) is not None:
            cursor = match.end()
            if match.group("decl"):
                raise _refuse_declaration(
                    self.doc.label, self.line_at(match.start()), match.group("decl")
                )
            name = match.group("name")
            if name is None:
                continue  # a comment, CDATA section or processing instruction between records
            line = self.line_at(match.start())
            if match.group("close"):
                yield from self.close_containers(name, line)
                if self.seen_root and not self.open_containers:
                    return  # the document element is closed: anything after it is not ours
                continue
            self_closing = match.group("attrs").rstrip().endswith("/")
            yield from self.start(match, name, line, self_closing)
            if name not in self.containers:
                record_end, unclosed = (
                    (cursor, False) if self_closing else self.record_end(name, cursor)
                )
                yield self.record(name, line, match.start(), record_end, unclosed)
                cursor = record_end
        yield from self.finish()

    def start(
        self, match: re.Match[str], name: str, line: int, self_closing: bool
    ) -> Iterator[Boundary]:
        if not self.seen_root:
            if name != self.root:
                raise UnreadableSource(
                    f"{self.doc.label}: expected a <{self.root}> document, found <{name}> on line {line}"
                )
            self.seen_root = True
        if name not in self.containers:
            return
        namespaces = dict(self.open_containers[-1][1]) if self.open_containers else {}
        for decl in _XMLNS.findall(match.group("attrs")):
            namespaces[decl.split("=", 1)[0].strip()] = decl
        self.open_containers.append((name, namespaces))
        yield Boundary(name, line, opening=True)
        if self_closing:
            yield from self.close_containers(name, line)

    def record_end(self, name: str, cursor: int) -> tuple[int, bool]:
        """Where the record starting before `cursor` ends, and whether it was left unclosed."""
        pattern = _record_end(name, self.containers)
        text = self.doc.text
        while (match := pattern.search(text, cursor)) is not None:
            if match.group("end"):
                return match.end(), False
            if match.group("interrupt"):
                return match.start(), True
            if match.group("decl"):
                line = self.line_at(match.start())
                raise _refuse_declaration(self.doc.label, line, match.group("decl"))
            cursor = match.end()
        return len(text), True

    def record(self, name: str, line: int, start: int, end: int, unclosed: bool) -> Record:
        namespaces = self.open_containers[-1][1] if self.open_containers else {}
        return Record(
            doc=self.doc,
            name=name,
            line=line,
            parents=tuple(open_name for open_name, _ in self.open_containers),
            start=start,
            end=end,
            namespaces="".join(" " + decl for decl in namespaces.values()),
            unclosed=unclosed,
        )

    def close_containers(self, name: str, line: int) -> Iterator[Boundary]:
        if all(name != open_name for open_name, _ in self.open_containers):
            return  # a stray end tag between records holds no data
        while self.open_containers:
            closed, _ = self.open_containers.pop()
            yield Boundary(closed, line, opening=False)
            if closed == name:
                break

    def finish(self) -> Iterator[Boundary]:
        if not self.seen_root:
            raise UnreadableSource(f"{self.doc.label}: no <{self.root}> element found")
        line = self.line_at(len(self.doc.text))
        while self.open_containers:
            closed, _ = self.open_containers.pop()
            yield Boundary(closed, line, opening=False)


def local_name(tag: str) -> str:
    """An element's name without its namespace: '{http://disqus.com}post' -> 'post'."""
    return tag.rsplit("}", 1)[-1]


def children_by_name(element: Element) -> dict[str, Element]:
    """Direct children by local name (the first of each name wins)."""
    found: dict[str, Element] = {}
    for child in element:
        found.setdefault(local_name(child.tag), child)
    return found


def text_of(element: Element | None) -> str | None:
    """An element's whole text content stripped; None when absent or empty."""
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def attribute(element: Element | None, name: str) -> str | None:
    """An attribute value stripped, matched by local name; None when absent or empty."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if local_name(key) == name:
            return value.strip() or None
    return None


def raw_markup(record: Record, limit: int = 2000) -> str:
    """The record's markup for the rejects table, cut at `limit` characters."""
    end = min(record.end, record.start + limit + 1)
    text = _UNDECODABLE.sub("\ufffd", record.doc.text[record.start : end])
    return text if len(text) <= limit else text[:limit] + "…"
