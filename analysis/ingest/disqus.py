"""Disqus XML export (Disqus Admin > Moderation > Export), format name ``disqus``.

Shape: ``<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">``
holding ``<category>``, ``<thread dsq:id="…">`` and ``<post dsq:id="…">`` elements side by side.

- thread: ``<link>``, ``<title>``, ``<forum>``, ``<createdAt>``, ``<isDeleted>`` → one article
  ``disqus:<thread dsq:id>`` (url = link, title, outlet = forum short name, published_at).
- post: ``<message>`` (HTML, usually in CDATA → plain text), ``<createdAt>`` (ISO 8601, UTC),
  ``<author><name>``, ``<isDeleted>``, ``<isSpam>``, ``<thread dsq:id>`` and, for replies,
  ``<parent dsq:id>`` → one comment; comment_id = the post's dsq:id, parent_id = the parent's.
- status: isSpam → 'spam'; isDeleted, or a post in a deleted thread → 'deleted' (text kept,
  often empty); otherwise 'published'. A guest (isAnonymous) keeps the name they typed, since
  that is what readers saw; an empty name or the placeholder 'Anonymous' is no author.

Rejected, each with its line: a post or thread that is not well-formed XML, a post without a
numeric dsq:id, a post whose thread is not in the file (or could not be read), an unreadable
date, an isSpam/isDeleted that is neither true nor false. Threads are read before posts, so a
post may come before its thread in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo
from xml.etree.ElementTree import Element

from ..store.batches import Batch
from .exportutil import author_name, html_to_text, sniff_text, timestamp_or_none
from .formats import Format
from .model import BatchBuilder, ParseContext, SourceFile
from .xmlrecords import (
    Record,
    RecordError,
    XmlDocument,
    attribute,
    children_by_name,
    raw_markup,
    text_of,
)

_ROOT = "disqus"
_TEXTUAL_ID = re.compile(r"""^<[^>]*?\bdsq:id\s*=\s*["']?([^"'\s/>]+)""")
_NUMERIC = re.compile(r"^\d+$")


@dataclass(frozen=True)
class _Thread:
    article_id: str
    deleted: bool


@dataclass
class _Threads:
    """Threads by dsq:id, and the lines of threads that could not be read."""

    known: dict[str, _Thread]
    broken: dict[str, int]


def sniff(source: SourceFile) -> bool:
    head = sniff_text(source)
    return "<disqus" in head and "http://disqus.com" in head


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Batch]:
    doc = XmlDocument.from_source(source)
    builder = BatchBuilder()
    threads = _Threads({}, {})
    posts: list[Record] = []  # read once every thread is known: a post may precede its thread
    for record in doc.records(_ROOT, frozenset()):
        if not isinstance(record, Record):
            continue
        kind = record.name.rsplit(":", 1)[-1]
        if kind == "thread":
            _read_thread(record, ctx.tz, threads, builder)
        elif kind == "post":
            posts.append(record)
        yield from builder.batches(ctx.batch_size)
    for record in posts:
        _read_post(record, ctx.tz, threads, builder)
        yield from builder.batches(ctx.batch_size)
    yield builder.build()


def _read_thread(record: Record, tz: tzinfo, threads: _Threads, builder: BatchBuilder) -> None:
    try:
        element = record.parse()
    except RecordError as exc:
        textual = _TEXTUAL_ID.match(record.markup)
        if textual:
            threads.broken.setdefault(textual.group(1), record.line)
        builder.reject(record.location, f"thread skipped: {exc}", raw_markup(record))
        return
    dsq_id = attribute(element, "id")
    if dsq_id is None:
        builder.reject(
            record.location,
            "thread has no dsq:id attribute, so no post can refer to it",
            raw_markup(record),
        )
        return
    if dsq_id in threads.known:
        return
    fields = children_by_name(element)
    try:
        published_at = timestamp_or_none(text_of(fields.get("createdAt")), tz, "createdAt")
    except ValueError:
        published_at = None  # the thread's own date is not worth losing its posts over
    try:
        deleted = _flag(fields, "isDeleted") is True
    except ValueError:
        deleted = False
    article_id = f"disqus:{dsq_id}"
    threads.known[dsq_id] = _Thread(article_id, deleted)
    builder.article(
        article_id,
        url=text_of(fields.get("link")),
        outlet=text_of(fields.get("forum")),
        title=text_of(fields.get("title")),
        published_at=published_at,
    )


def _read_post(record: Record, tz: tzinfo, threads: _Threads, builder: BatchBuilder) -> None:
    try:
        element = record.parse()
        _post(element, tz, threads, builder, record.location)
    except (RecordError, ValueError) as exc:
        builder.reject(record.location, f"post skipped: {exc}", raw_markup(record))


def _post(
    element: Element, tz: tzinfo, threads: _Threads, builder: BatchBuilder, location: str
) -> None:
    dsq_id = attribute(element, "id")
    if dsq_id is None:
        raise ValueError("it has no dsq:id attribute (Disqus' id for the post)")
    if not _NUMERIC.match(dsq_id):
        raise ValueError(f"its dsq:id {dsq_id!r} is not a Disqus id (those are numbers)")
    fields = children_by_name(element)
    thread = _thread_of(fields, threads)
    posted_at = timestamp_or_none(text_of(fields.get("createdAt")), tz, "createdAt")
    spam, deleted = _flag(fields, "isSpam"), _flag(fields, "isDeleted")
    status = "spam" if spam else "deleted" if deleted or thread.deleted else "published"
    author = fields.get("author")
    message = fields.get("message")
    builder.comment(
        thread.article_id,
        dsq_id,
        text=html_to_text("".join(message.itertext())) if message is not None else "",
        location=location,
        parent_id=attribute(fields.get("parent"), "id"),
        author=author_name(text_of(children_by_name(author).get("name")))
        if author is not None
        else None,
        posted_at=posted_at,
        status=status,
    )


def _thread_of(fields: dict[str, Element], threads: _Threads) -> _Thread:
    thread_id = attribute(fields.get("thread"), "id")
    if thread_id is None:
        raise ValueError("it does not name its thread (<thread dsq:id=…/>)")
    if thread_id in threads.known:
        return threads.known[thread_id]
    if thread_id in threads.broken:
        raise ValueError(
            f"its thread {thread_id} could not be read (see the reject at line {threads.broken[thread_id]})"
        )
    raise ValueError(f"its thread {thread_id} is not in this file, so the article is unknown")


def _flag(fields: dict[str, Element], name: str) -> bool | None:
    """A true/false child element; None when absent, ValueError when it is something else."""
    value = text_of(fields.get(name))
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValueError(f"{name} is {value!r}, expected true or false")


FORMATS = [
    Format(
        name="disqus",
        description="Disqus XML export: <thread> and <post> elements (dsq:id), replies via <parent>",
        sniff=sniff,
        parse=parse,
    )
]
