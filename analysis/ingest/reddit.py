"""Reddit comment threads as the Reddit API returns them, format name ``reddit``.

Shapes read:

- ``GET /comments/{id}`` (or a thread URL + ``.json``): an array of two Listings, [0] holding the
  ``t3`` submission, [1] the ``t1`` comment tree; each comment's ``replies`` is a nested Listing,
  or ``""`` when it has none;
- ``/api/morechildren``: ``{"json": {"errors": [], "data": {"things": [...]}}}``, a flat list;
- a single Listing (``/r/<sub>/comments.json``, ``/user/<name>/comments.json``).

Things of kind ``more`` are pointers to comments the response did not include, not comments:
they are skipped.

- t3 → article ``reddit:<id>``: url = the submission's ``url`` (the linked page for a link post,
  the thread for a self post), title, outlet = ``r/<subreddit>``, byline = author,
  published_at = ``created_utc``.
- a self post's text → the article's passages: the title as passage 0, then the body. Read from
  ``selftext_html`` (HTML-escaped HTML, as for comments: paragraphs, headings, list items and
  quotes keep their kind) when present, else from the ``selftext`` markdown cut at blank lines;
  both go through the shared body-to-passages path (``passages.py``). A link post (empty
  selftext) and a removed one (``[deleted]`` / ``[removed]``) have no passages.
- t1 → comment: comment_id = the plain ``id`` (``testc2``, not the ``t1_testc2`` fullname);
  parent_id = the plain id of the ``t1_`` parent, NULL when the parent is the ``t3_``
  submission; article ``reddit:`` + the ``link_id`` without ``t3_``; posted_at =
  ``created_utc`` (epoch seconds); text = ``body_html`` (HTML-escaped HTML) as plain text, else
  ``body``; author ``[deleted]`` is no author.
- status: ``spam: true`` (visible to moderators) → 'spam'; body ``[deleted]`` / ``[removed]``,
  ``removed: true`` or ``banned_by`` set → 'deleted' (text kept as Reddit gives it).

Rejected, with a path such as ``[1].children[0].replies[0]`` or ``things[2]``: a thing that is
not an object or of an unknown kind, a comment without id or submission, an unreadable
``created_utc``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import UnreadableSource
from ..store.batches import Batch
from .exportutil import (
    author_name,
    clean,
    html_blocks,
    html_to_text,
    load_json,
    raw_json,
    record_id,
    sniff_text,
)
from .formats import Format
from .model import BatchBuilder, ParseContext, SourceFile
from .passages import Block, body_passages, text_blocks
from .timeparse import from_epoch

_KIND = re.compile(r'"kind"\s*:\s*"(?:Listing|t1|t3|more)"')
_THREAD_PERMALINK = re.compile(r"^(/r/[^/]+/comments/[^/]+/[^/]*/)")
_PLACEHOLDER_BODIES = frozenset({"[deleted]", "[removed]"})
_SITE = "https://www.reddit.com"

# (location, thing, parent comment id from the nesting)
Located = tuple[str, Any, str | None]


@dataclass
class _State:
    builder: BatchBuilder = field(default_factory=BatchBuilder)
    articles: set[str] = field(default_factory=set)
    with_passages: set[str] = field(default_factory=set)  # a self post's text is read once
    submission: str | None = None  # the t3 of a /comments response, for comments without link_id


def sniff(source: SourceFile) -> bool:
    head = sniff_text(source).lstrip()
    return head[:1] in ("[", "{") and _KIND.search(head) is not None


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Batch]:
    state = _State()
    for location, thing, tree_parent in _things(_roots(load_json(source), str(source.path)), state):
        try:
            _thing(thing, tree_parent, location, state)
        except ValueError as exc:
            state.builder.reject(location, f"skipped: {exc}", raw_json(thing))
        yield from state.builder.batches(ctx.batch_size)
    yield state.builder.build()


def _roots(doc: Any, label: str) -> list[Located]:
    if isinstance(doc, list):
        return [(f"[{index}]", thing, None) for index, thing in enumerate(doc)]
    if isinstance(doc, dict) and isinstance(doc.get("json"), dict):
        body = doc["json"]
        things = body.get("data", {}).get("things") if isinstance(body.get("data"), dict) else None
        if not isinstance(things, list):
            errors = raw_json(body.get("errors"), limit=300)
            raise UnreadableSource(
                f"{label}: a Reddit API response without comments (errors: {errors})"
            )
        return [(f"things[{index}]", thing, None) for index, thing in enumerate(things)]
    if isinstance(doc, dict) and "kind" in doc:
        return [("listing", doc, None)]
    raise UnreadableSource(f"{label}: not a Reddit API response (no Listing, things or kind)")


def _things(roots: list[Located], state: _State) -> Iterator[Located]:
    """Every thing depth first (explicit stack: comment trees can be deep); Listings unpacked."""
    stack = list(reversed(roots))
    while stack:
        location, thing, tree_parent = stack.pop()
        kind = thing.get("kind") if isinstance(thing, dict) else None
        data = thing.get("data") if isinstance(thing, dict) else None
        if kind == "Listing" and isinstance(data, dict):
            stack.extend(
                _children(
                    data.get("children"), f"{location}.children", tree_parent, state, location
                )
            )
            continue
        yield location, thing, tree_parent
        if kind == "t1" and isinstance(data, dict):
            replies = data.get("replies")
            if isinstance(replies, dict) and isinstance(replies.get("data"), dict):
                parent = record_id(data.get("id"))
                stack.extend(
                    _children(
                        replies["data"].get("children"),
                        f"{location}.replies",
                        parent,
                        state,
                        location,
                    )
                )


def _children(
    children: Any, prefix: str, parent: str | None, state: _State, owner: str
) -> list[Located]:
    if not isinstance(children, list):
        state.builder.reject(
            owner, "skipped: a Listing whose children are not a list", raw_json(children)
        )
        return []
    return [
        (f"{prefix}[{index}]", child, parent)
        for index, child in reversed(list(enumerate(children)))
    ]


def _thing(thing: Any, tree_parent: str | None, location: str, state: _State) -> None:
    if not isinstance(thing, dict) or not isinstance(thing.get("data"), dict):
        raise ValueError("not a Reddit thing (an object with kind and data)")
    kind, data = thing.get("kind"), thing["data"]
    if kind == "t3":
        _submission(data, state)
    elif kind == "t1":
        _comment(data, tree_parent, location, state)
    elif kind != "more":  # 'more' stubs only point at comments missing from the response
        raise ValueError(f"a {kind!r} thing is neither a comment (t1) nor a submission (t3)")


def _submission(data: dict[str, Any], state: _State) -> None:
    submission = _plain_id(data.get("id")) or _plain_id(data.get("name"))
    if submission is None:
        raise ValueError("the submission has no id")
    state.submission = state.submission or submission
    article_id = f"reddit:{submission}"
    state.articles.add(article_id)
    permalink = clean(data.get("permalink"))
    title = clean(data.get("title"))
    state.builder.article(
        article_id,
        url=clean(data.get("url")) or (_SITE + permalink if permalink else None),
        outlet=_subreddit(data),
        title=title,
        byline=author_name(data.get("author")),
        published_at=_created_or_none(data),
    )
    blocks = _selftext_blocks(data)
    if blocks and article_id not in state.with_passages:
        state.with_passages.add(article_id)
        for row in body_passages(article_id, title, blocks):
            state.builder.passage(**row)


def _selftext_blocks(data: dict[str, Any]) -> list[Block]:
    """A self post's text as passage blocks; none for a link post or a removed post."""
    selftext = data.get("selftext")
    if isinstance(selftext, str) and selftext.strip() in _PLACEHOLDER_BODIES:
        return []
    selftext_html = data.get("selftext_html")
    if isinstance(selftext_html, str) and selftext_html.strip():
        return html_blocks(html.unescape(selftext_html))
    if isinstance(selftext, str) and selftext.strip():
        return text_blocks(selftext)
    return []


def _comment(data: dict[str, Any], tree_parent: str | None, location: str, state: _State) -> None:
    comment_id = _plain_id(data.get("id")) or _plain_id(data.get("name"))
    if comment_id is None:
        raise ValueError("the comment has no id")
    submission = _plain_id(data.get("link_id")) or state.submission
    if submission is None:
        raise ValueError("the comment does not say which submission it belongs to (no link_id)")
    posted_at = _created(data)
    article_id = f"reddit:{submission}"
    if article_id not in state.articles:
        state.articles.add(article_id)
        state.builder.article(
            article_id,
            url=_thread_url(data),
            outlet=_subreddit(data),
            title=clean(data.get("link_title")),
        )
    state.builder.comment(
        article_id,
        comment_id,
        text=_text(data),
        location=location,
        parent_id=_parent(data.get("parent_id"), tree_parent),
        author=author_name(data.get("author")),
        posted_at=posted_at,
        status=_status(data),
    )


def _plain_id(value: Any) -> str | None:
    """'t1_abc' or 'abc' → 'abc'."""
    text = record_id(value)
    if text is None:
        return None
    prefix, sep, rest = text.partition("_")
    if sep and re.fullmatch(r"t\d", prefix):
        return rest or None
    return text


def _parent(value: Any, tree_parent: str | None) -> str | None:
    fullname = record_id(value)
    if fullname is None:
        return tree_parent
    if fullname.startswith("t3_"):
        return None
    return _plain_id(fullname)


def _created(data: dict[str, Any]) -> datetime | None:
    value = data.get("created_utc")
    if value is None:
        return None
    try:
        seconds = (
            float(value)
            if isinstance(value, int | float | str) and not isinstance(value, bool)
            else math.nan
        )
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds):
        raise ValueError(f"created_utc {value!r} is not a time (seconds since 1970)")
    try:
        return from_epoch(seconds)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"created_utc {value!r} is out of range") from exc


def _created_or_none(data: dict[str, Any]) -> datetime | None:
    try:
        return _created(data)
    except ValueError:
        return None  # the submission's own date is not worth losing its comments over


def _text(data: dict[str, Any]) -> str:
    body_html = data.get("body_html")
    if isinstance(body_html, str) and body_html.strip():
        return html_to_text(html.unescape(body_html))
    body = data.get("body")
    return body if isinstance(body, str) else ""


def _status(data: dict[str, Any]) -> str:
    if data.get("spam") is True:
        return "spam"
    removed = data.get("removed") is True or clean(data.get("banned_by")) is not None
    body = data.get("body")
    if removed or (isinstance(body, str) and body in _PLACEHOLDER_BODIES):
        return "deleted"
    return "published"


def _subreddit(data: dict[str, Any]) -> str | None:
    prefixed = clean(data.get("subreddit_name_prefixed"))
    name = clean(data.get("subreddit"))
    return prefixed or (f"r/{name}" if name else None)


def _thread_url(data: dict[str, Any]) -> str | None:
    """The linked page or, failing that, the thread: the comment permalink minus the comment."""
    link_url = clean(data.get("link_url"))
    if link_url:
        return link_url
    match = _THREAD_PERMALINK.match(clean(data.get("permalink")) or "")
    return _SITE + match.group(1) if match else None


FORMATS = [
    Format(
        name="reddit",
        description="Reddit API JSON: a /comments/{id} thread (t3 + t1 tree) or /api/morechildren things",
        sniff=sniff,
        parse=parse,
    )
]
