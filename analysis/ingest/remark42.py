"""remark42 comments, format name ``remark42``, in the three shapes remark42 writes them:

- the nested tree of its API (``/api/v1/find?format=tree``):
  ``{"comments": [{"comment": {...}, "replies": [{"comment": {...}, "replies": [...]}]}]}``;
- the flat list of its API (``format=plain``): ``{"comments": [{...}, {...}]}``;
- its backup / export file (``backup -s <site>``, automatic backups; usually gzipped, which
  ``inputs.decode_input`` unpacks before any format sees the file): one JSON object per line, first a meta line ``{"version": 1, "users": [...],
  "posts": [...]}``, then one comment per line (documented at remark42.com/docs/backup/backup).

A comment: ``id``, ``pid`` (parent id, ``""`` at top level; in the tree a missing pid is taken
from the nesting), ``text`` (HTML rendered from the Markdown), ``orig`` (the Markdown as written,
not always present), ``user{name, id}``, ``locator{site, url}``, ``time`` (RFC 3339), ``delete``,
``title`` (the page title, sometimes). Article: ``remark42:<site>:<url>`` (``remark42:<url>`` when
the locator has no site). Text: ``orig`` as written when present, else ``text`` as plain text.
Status: ``delete: true`` → 'deleted', else 'published' (remark42 keeps no spam flag). A user
with an empty name, or the ``deleted`` user of a hard delete, is no author.

Rejected: a record that is not a comment object, has no id or no locator url, or an unreadable
time; in backups also a line that is not JSON (each as ``line N``; tree records as e.g.
``comments[0].replies[2]``).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from ..errors import UnreadableSource
from ..store.batches import Batch
from .exportutil import (
    author_name,
    clean,
    decode_json_bytes,
    html_to_text,
    json_error,
    raw_json,
    record_id,
    sniff_text,
    timestamp_or_none,
)
from .formats import Format
from .model import BatchBuilder, ParseContext, SourceFile

_TREE_OR_PLAIN = re.compile(r'"locator"\s*:\s*\{')
_BACKUP_META = re.compile(r'^\{\s*"version"\s*:\s*\d+\s*,\s*"users"\s*:')


@dataclass
class _Context:
    tz: tzinfo
    builder: BatchBuilder = field(default_factory=BatchBuilder)
    articles: set[str] = field(default_factory=set)


def sniff(source: SourceFile) -> bool:
    head = sniff_text(source).lstrip()
    return head.startswith("{") and (
        _TREE_OR_PLAIN.search(head) is not None or _BACKUP_META.match(head) is not None
    )


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Batch]:
    text = _read_text(source)
    state = _Context(ctx.tz)
    if _is_backup(text):
        records = _backup_records(text, state.builder)
    else:
        records = _document_records(_load_document(text, str(source.path)), state.builder)
    for location, record, tree_parent in records:
        try:
            _comment(record, tree_parent, location, state)
        except ValueError as exc:
            state.builder.reject(location, f"comment skipped: {exc}", raw_json(record))
        yield from state.builder.batches(ctx.batch_size)
    yield state.builder.build()


def _read_text(source: SourceFile) -> str:
    return decode_json_bytes(source.read_bytes(), str(source.path))


def _is_backup(text: str) -> bool:
    """A backup's first line is a whole JSON object: the meta line or a comment."""
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    try:
        value = json.loads(first)
    except ValueError:
        return False
    return isinstance(value, dict) and ("users" in value or "posts" in value or "locator" in value)


def _load_document(text: str, label: str) -> Any:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableSource(f"{label}: not valid JSON ({json_error(exc)})") from exc
    except RecursionError as exc:
        raise UnreadableSource(f"{label}: JSON nested too deeply to read") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("comments"), list):
        raise UnreadableSource(f'{label}: not remark42 comments (no "comments" list)')
    return doc


Located = tuple[str, Any, str | None]  # (location, comment record, parent id from the nesting)


def _backup_records(text: str, builder: BatchBuilder) -> Iterator[Located]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = f"line skipped: not valid JSON ({json_error(exc, with_line=False)})"
            builder.reject(f"line {number}", reason, line[:2000])
            continue
        except RecursionError:
            builder.reject(
                f"line {number}", "line skipped: JSON nested too deeply to read", line[:2000]
            )
            continue
        if isinstance(record, dict) and "version" in record and "id" not in record:
            continue  # the meta line: users and posts, no comments
        yield f"line {number}", record, None


def _document_records(doc: dict[str, Any], builder: BatchBuilder) -> Iterator[Located]:
    """Tree nodes depth first (explicit stack: threads can be deep), or plain list entries."""
    stack: list[tuple[str, Any, str | None]] = [
        (f"comments[{index}]", node, None)
        for index, node in reversed(list(enumerate(doc["comments"])))
    ]
    while stack:
        location, node, tree_parent = stack.pop()
        if isinstance(node, dict) and isinstance(node.get("comment"), dict):
            comment = node["comment"]
            yield location, comment, tree_parent
            stack.extend(_replies(node, location, record_id(comment.get("id")), builder))
        else:
            yield location, node, tree_parent


def _replies(
    node: dict[str, Any], location: str, parent: str | None, builder: BatchBuilder
) -> list[Located]:
    replies = node.get("replies")
    if replies is None:
        return []
    if not isinstance(replies, list):
        builder.reject(f"{location}.replies", "replies skipped: not a list", raw_json(replies))
        return []
    return [
        (f"{location}.replies[{index}]", reply, parent)
        for index, reply in reversed(list(enumerate(replies)))
    ]


def _comment(record: Any, tree_parent: str | None, location: str, state: _Context) -> None:
    if not isinstance(record, dict):
        raise ValueError("it is not a remark42 comment object")
    comment_id = record_id(record.get("id"))
    if comment_id is None:
        raise ValueError("it has no id")
    locator = record.get("locator")
    url = clean(locator.get("url")) if isinstance(locator, dict) else None
    if url is None:
        raise ValueError("its locator has no url, so the page it was posted on is unknown")
    posted_at = timestamp_or_none(record.get("time"), state.tz, "time")
    site = clean(locator.get("site")) if isinstance(locator, dict) else None
    article_id = f"remark42:{site}:{url}" if site else f"remark42:{url}"
    if article_id not in state.articles:
        state.articles.add(article_id)
        state.builder.article(article_id, url=url, outlet=site, title=clean(record.get("title")))
    state.builder.comment(
        article_id,
        comment_id,
        text=_text(record),
        location=location,
        parent_id=record_id(record.get("pid")) or tree_parent,
        author=_author(record.get("user")),
        posted_at=posted_at,
        status="deleted" if record.get("delete") is True else "published",
    )


def _text(record: dict[str, Any]) -> str:
    orig = record.get("orig")
    if isinstance(orig, str) and orig.strip():
        return orig
    text = record.get("text")
    return html_to_text(text) if isinstance(text, str) else ""


def _author(user: Any) -> str | None:
    if not isinstance(user, dict) or user.get("id") == "deleted":
        return None
    return author_name(user.get("name"))


FORMATS = [
    Format(
        name="remark42",
        description="remark42 comments: API tree or plain list, or its backup file (one JSON per line)",
        sniff=sniff,
        parse=parse,
    )
]
