"""isso's generic JSON import format (``isso import --type generic``), format name ``isso``.

Shape: a list of threads ``{"id": <page path>, "title": …, "comments": [{"id", "author",
"email", "website", "remote_addr", "created", "text"}]}``.

- thread → article ``isso:<thread id>`` with url = the thread id (isso keys threads on the page
  path, e.g. ``/posts/0001/``) and the title as written.
- comment: comment_id = ``id`` (an integer, unique within its thread only: two threads may both
  have a comment 0), text kept as written (isso comments are Markdown), author the display name,
  posted_at = ``created`` (``YYYY-MM-DD HH:MM:SS`` without a zone, read in ``--tz``).
- The format has no parent field and no moderation state: every comment is a published top-level
  comment (depth 0).

Rejected, as ``[i]`` (a thread) or ``[i].comments[j]``: a thread or comment that is not an
object, a comment without id or with an unreadable date, the comments of a thread without id.
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
    load_json,
    raw_json,
    record_id,
    sniff_text,
    timestamp_or_none,
)
from .formats import Format
from .model import BatchBuilder, ParseContext, SourceFile

_COMMENTS = re.compile(r'"comments"\s*:\s*\[')
_STRING_CREATED = re.compile(r'"created"\s*:\s*"')


def sniff(source: SourceFile) -> bool:
    head = sniff_text(source).lstrip()
    return (
        head.startswith("[")
        and _COMMENTS.search(head) is not None
        and _STRING_CREATED.search(head) is not None
    )


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Batch]:
    doc = load_json(source)
    if not isinstance(doc, list):
        raise UnreadableSource(f"{source.path}: not an isso generic export (a list of threads)")
    builder = BatchBuilder()
    for index, thread in enumerate(doc):
        _thread(thread, f"[{index}]", ctx.tz, builder)
        yield from builder.batches(ctx.batch_size)
    yield builder.build()


def _thread(thread: Any, location: str, tz: tzinfo, builder: BatchBuilder) -> None:
    if not isinstance(thread, dict):
        builder.reject(location, "thread skipped: it is not a JSON object", raw_json(thread))
        return
    comments = thread.get("comments")
    if not isinstance(comments, list):
        builder.reject(location, "thread skipped: its comments are not a list", raw_json(thread))
        return
    thread_id = record_id(thread.get("id"))
    if thread_id is None:
        for index, comment in enumerate(comments):
            reason = "comment skipped: its thread has no id, so the article is unknown"
            builder.reject(f"{location}.comments[{index}]", reason, raw_json(comment))
        return
    article_id = f"isso:{thread_id}"
    builder.article(article_id, url=thread_id, title=clean(thread.get("title")))
    for index, comment in enumerate(comments):
        where = f"{location}.comments[{index}]"
        try:
            _comment(comment, article_id, where, tz, builder)
        except ValueError as exc:
            builder.reject(where, f"comment skipped: {exc}", raw_json(comment))


def _comment(
    comment: Any, article_id: str, location: str, tz: tzinfo, builder: BatchBuilder
) -> None:
    if not isinstance(comment, dict):
        raise ValueError("it is not a JSON object")
    comment_id = record_id(comment.get("id"))
    if comment_id is None:
        raise ValueError("it has no id")
    text = comment.get("text")
    builder.comment(
        article_id,
        comment_id,
        text=text if isinstance(text, str) else "",
        location=location,
        author=author_name(comment.get("author")),
        posted_at=timestamp_or_none(comment.get("created"), tz, "created"),
    )


FORMATS = [
    Format(
        name="isso",
        description="isso generic JSON import: a list of threads, each with its comments (no replies)",
        sniff=sniff,
        parse=parse,
    )
]
