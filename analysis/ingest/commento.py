"""Commento (and Commento++) JSON export (Dashboard > General > Export data), format ``commento``.

Shape: ``{"version": 1, "comments": [...], "commenters": [...]}``.

- comments[i]: ``commentHex`` (id), ``domain`` + ``url`` (the page path), ``commenterHex``,
  ``markdown`` (kept exactly as written; ``html`` turned into plain text only when markdown is empty),
  ``parentHex`` (``"root"`` = top level), ``creationDate`` (RFC 3339), ``state``, ``deleted``.
- article: ``commento:<domain><url>``, e.g. ``commento:example.com/blog/post/1``, with
  url = ``https://<domain><url>`` (the export has no scheme; https is assumed).
- author: the ``name`` of the matching ``commenters[]`` entry; the ``"anonymous"``
  commenterHex, an unknown one or an empty name is no author.
- status: state ``flagged`` (held as spam) → 'spam'; ``deleted: true`` or state ``unapproved``
  (awaiting moderation, never shown) → 'deleted'; ``approved`` → 'published'.

Rejected, each as ``comments[i]``: a record that is not an object, has no commentHex or no url,
an unreadable creationDate or an unknown state. A file that is not JSON, or has no comments list,
is unreadable as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import tzinfo
from typing import Any

from ..errors import UnreadableSource
from ..store.batches import Batch
from .exportutil import (
    author_name,
    clean,
    html_to_text,
    load_json,
    raw_json,
    record_id,
    sniff_text,
    timestamp_or_none,
)
from .formats import Format
from .model import BatchBuilder, ParseContext, SourceFile

_MARKERS = re.compile(r'"(?:commentHex|commenterHex|commenters)"\s*:')
_STATES = {"approved": "published", "unapproved": "deleted", "flagged": "spam"}


def sniff(source: SourceFile) -> bool:
    head = sniff_text(source).lstrip()
    return head.startswith("{") and _MARKERS.search(head) is not None


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Batch]:
    doc = load_json(source)
    if not isinstance(doc, dict) or not isinstance(doc.get("comments"), list):
        raise UnreadableSource(f'{source.path}: not a Commento export (no "comments" list)')
    builder = BatchBuilder()
    names = _commenter_names(doc.get("commenters"), builder)
    seen_articles: set[str] = set()
    for index, record in enumerate(doc["comments"]):
        location = f"comments[{index}]"
        try:
            _comment(record, names, ctx.tz, builder, location, seen_articles)
        except ValueError as exc:
            builder.reject(location, f"comment skipped: {exc}", raw_json(record))
        yield from builder.batches(ctx.batch_size)
    yield builder.build()


def _commenter_names(commenters: Any, builder: BatchBuilder) -> dict[str, str | None]:
    """commenterHex → display name; records that are not objects become rejects."""
    names: dict[str, str | None] = {}
    if not isinstance(commenters, list):
        return names
    for index, record in enumerate(commenters):
        if not isinstance(record, dict):
            builder.reject(
                f"commenters[{index}]",
                "commenter skipped: it is not a JSON object; their comments load without a name",
                raw_json(record),
            )
            continue
        key = record_id(record.get("commenterHex"))
        if key is not None:
            names.setdefault(key, author_name(record.get("name")))
    return names


def _comment(
    record: Any,
    names: dict[str, str | None],
    tz: tzinfo,
    builder: BatchBuilder,
    location: str,
    seen_articles: set[str],
) -> None:
    if not isinstance(record, dict):
        raise ValueError("it is not a JSON object")
    comment_id = record_id(record.get("commentHex"))
    if comment_id is None:
        raise ValueError("it has no commentHex (Commento's id for the comment)")
    domain, path = clean(record.get("domain")) or "", clean(record.get("url"))
    if path is None:
        raise ValueError("it has no url, so the page it was posted on is unknown")
    posted_at = timestamp_or_none(record.get("creationDate"), tz, "creationDate")
    status = _status(record)
    article_id = f"commento:{domain}{path}"
    if article_id not in seen_articles:
        seen_articles.add(article_id)
        builder.article(
            article_id, url=f"https://{domain}{path}" if domain else path, outlet=domain or None
        )
    parent = record_id(record.get("parentHex"))
    commenter = record_id(record.get("commenterHex"))
    builder.comment(
        article_id,
        comment_id,
        text=_text(record),
        location=location,
        parent_id=None if parent in (None, "root") else parent,
        author=names.get(commenter) if commenter is not None else None,
        posted_at=posted_at,
        status=status,
    )


def _text(record: dict[str, Any]) -> str:
    markdown = record.get("markdown")
    if isinstance(markdown, str) and markdown.strip():
        return markdown
    html = record.get("html")
    return html_to_text(html) if isinstance(html, str) else ""


def _status(record: dict[str, Any]) -> str:
    state = clean(record.get("state"))
    status = "published" if state is None else _STATES.get(state.lower())
    if status is None:
        raise ValueError(
            f"its state {state!r} is not one Commento writes (approved, unapproved, flagged)"
        )
    if status == "published" and record.get("deleted") is True:
        return "deleted"
    return status


FORMATS = [
    Format(
        name="commento",
        description='Commento JSON export: {"comments": [...], "commenters": [...]}, replies via parentHex',
        sniff=sniff,
        parse=parse,
    )
]
