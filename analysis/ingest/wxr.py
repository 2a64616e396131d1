"""WordPress eXtended RSS (WXR) export (Tools > Export in wp-admin), format name ``wxr``.

Shape: RSS 2.0, ``<rss xmlns:wp="http://wordpress.org/export/1.x/">`` → ``<channel>`` → one
``<item>`` per post or page, each holding its ``<wp:comment>`` elements.

- item → one article ``wxr:<site>:<wp:post_id>``, or ``wxr:<site>:<link>`` when the item has no
  post id. Post ids only count within one blog, so ``<site>`` names the blog the export comes
  from: the host (and path, for a blog below the site root) of the channel's
  ``<wp:base_blog_url>``, else its ``<link>``, else ``<wp:base_site_url>`` (on a multisite network
  that is the network's address, shared by all its blogs), else the item's own ``<link>``; empty
  when the export names no address at all (``wxr::<post_id>``). E.g. ``wxr:bugle.example:101``.
  title = ``<title>``, url = ``<link>``, byline = ``<dc:creator>``, outlet = the channel's
  ``<title>``, published_at = ``<wp:post_date_gmt>``, else ``<pubDate>``, else ``<wp:post_date>``
  read in the ``--tz`` zone (unknown or unreadable dates are no date). Attachments and menu items
  without comments are not articles and are left out.
- item body: ``<content:encoded>`` (HTML) → the article's passages: the title as passage 0, then
  ``<p>``/``<blockquote>`` paragraphs, ``<h1>``–``<h6>`` headings and ``<li>`` bullets; text
  outside those (the classic editor stores paragraphs as plain text with blank lines between
  them) is cut at blank lines and classified like any plain-text body (``passages.py``). An item
  without content has no passages.
- wp:comment: ``<wp:comment_id>``, ``<wp:comment_parent>`` (0 = top level),
  ``<wp:comment_author>`` (empty or 'Anonymous' → no author), ``<wp:comment_date_gmt>`` (UTC; WordPress writes
  ``0000-00-00 00:00:00`` when unknown, and then ``<wp:comment_date>`` is read in the ``--tz``
  zone), ``<wp:comment_content>`` (text with a little HTML and meaningful newlines → plain text).
- status from ``<wp:comment_approved>``: 1/approve → 'published'; spam → 'spam'; trash and
  post-trashed → 'deleted'; 0/hold (held for moderation, never shown to readers) → 'deleted'.

Rejected, each with its line: a comment that is not well-formed XML, has no comment_id, an
unreadable date or an unknown approval value; pingbacks and trackbacks (automatic link notices,
not reader comments); comments of an item with neither post id nor link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import SplitResult, urlsplit
from xml.etree.ElementTree import Element

from ..store.batches import Batch
from .exportutil import (
    author_name,
    html_blocks,
    html_to_text,
    sniff_text,
    timestamp_or_none,
)
from .formats import Format
from .model import BatchBuilder, ParseContext, SourceFile
from .passages import body_passages
from .xmlrecords import (
    Boundary,
    Record,
    RecordError,
    XmlDocument,
    children_by_name,
    raw_markup,
    text_of,
)

_CONTAINERS = frozenset({"channel", "item"})
_ITEM_FIELDS = frozenset(
    {"title", "link", "post_id", "post_date_gmt", "post_date", "pubDate", "creator", "post_type"}
)
# the blog's own address first: on a multisite network base_site_url is the network's
_SITE_FIELDS = ("base_blog_url", "link", "base_site_url")
_CHANNEL_FIELDS = frozenset({"title", *_SITE_FIELDS})
_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
# an RFC 822 date with a four-digit year; WordPress writes "30 Nov -0001" for an unpublished draft
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s")
_ARTICLE_TYPES = frozenset({"post", "page"})
_STATUS = {
    "1": "published",
    "approve": "published",
    "approved": "published",
    "spam": "spam",
    "trash": "deleted",
    "post-trashed": "deleted",
    "0": "deleted",
    "hold": "deleted",
}
_AUTOMATIC_TYPES = frozenset({"pingback", "trackback"})
_NO_DATE = "0000-00-00"


@dataclass
class _Item:
    line: int
    fields: dict[str, str | None] = field(default_factory=dict)
    comments: list[Record] = field(default_factory=list)
    content: str | None = None


@dataclass
class _State:
    tz: tzinfo
    builder: BatchBuilder
    channel: dict[str, str | None] = field(default_factory=dict)
    item: _Item | None = None
    with_passages: set[str] = field(default_factory=set)  # an article's body is read once


def sniff(source: SourceFile) -> bool:
    head = sniff_text(source)
    return "<rss" in head and "wordpress.org/export/" in head


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Batch]:
    doc = XmlDocument.from_source(source)
    state = _State(ctx.tz, BatchBuilder())
    for event in doc.records("rss", _CONTAINERS):
        if isinstance(event, Boundary):
            _boundary(event, state)
        else:
            _record(event, state)
        yield from state.builder.batches(ctx.batch_size)
    yield state.builder.build()


def _boundary(event: Boundary, state: _State) -> None:
    if event.name != "item":
        return
    if event.opening:
        state.item = _Item(event.line)
    elif state.item is not None:
        _finish_item(state.item, state)
        state.item = None


def _record(record: Record, state: _State) -> None:
    name = record.name.rsplit(":", 1)[-1]
    parent = record.parents[-1] if record.parents else None
    if parent == "item" and state.item is not None:
        if name == "comment":
            state.item.comments.append(record)
        elif name in _ITEM_FIELDS:
            state.item.fields[name] = _field_text(record, state.builder)
        elif _is_content(record):
            state.item.content = _field_text(record, state.builder)
    elif parent == "channel" and name in _CHANNEL_FIELDS:
        value = _field_text(record, state.builder)
        if value is not None:  # the first one with text (an <atom:link> has none)
            state.channel.setdefault(name, value)
    elif name == "comment":
        state.builder.reject(
            record.location,
            "comment skipped: it is outside any <item>, so its article is unknown",
            raw_markup(record),
        )


def _is_content(record: Record) -> bool:
    """``<content:encoded>``, the post's HTML (not ``<excerpt:encoded>``), by its namespace."""
    prefix, _, local = record.name.rpartition(":")
    if local != "encoded" or not prefix:
        return False
    declared = re.search(
        rf"""\bxmlns:{re.escape(prefix)}\s*=\s*["']([^"']*)["']""", record.namespaces
    )
    return declared.group(1) == _CONTENT_NS if declared else prefix == "content"


def _field_text(record: Record, builder: BatchBuilder) -> str | None:
    try:
        return text_of(record.parse())
    except RecordError as exc:
        builder.reject(record.location, f"item field ignored: {exc}", raw_markup(record))
        return None


def _finish_item(item: _Item, state: _State) -> None:
    fields = item.fields
    post_id, link = fields.get("post_id"), fields.get("link")
    if post_id is None and link is None:
        for record in item.comments:
            state.builder.reject(
                record.location,
                f"comment skipped: its <item> (line {item.line}) has neither wp:post_id nor link, "
                "so its article is unknown",
                raw_markup(record),
            )
        return
    article_id = f"wxr:{_site(state.channel, link)}:{post_id if post_id is not None else link}"
    if item.comments or fields.get("post_type") in _ARTICLE_TYPES | {None}:
        title = fields.get("title")
        state.builder.article(
            article_id,
            url=link,
            outlet=state.channel.get("title"),
            title=title,
            byline=fields.get("creator"),
            published_at=_item_date(fields, state.tz),
        )
        blocks = html_blocks(item.content) if item.content else []
        if blocks and article_id not in state.with_passages:
            state.with_passages.add(article_id)
            for row in body_passages(article_id, title, blocks):
                state.builder.passage(**row)
    for record in item.comments:
        try:
            _comment(record.parse(), article_id, record.location, state)
        except (RecordError, ValueError) as exc:
            state.builder.reject(record.location, f"comment skipped: {exc}", raw_markup(record))


def _site(channel: dict[str, str | None], item_link: str | None) -> str:
    """The blog as ``host`` or ``host/path``, from the first channel address naming a host;
    else the host of the item's own link; else empty."""
    for url in (channel.get(name) for name in _SITE_FIELDS):
        parts = _url_parts(url)
        if parts is not None and parts.hostname:
            return parts.hostname + parts.path.rstrip("/")
    parts = _url_parts(item_link)
    return (parts.hostname or "") if parts is not None else ""


def _url_parts(url: str | None) -> SplitResult | None:
    if url is None:
        return None
    try:
        return urlsplit(url if "//" in url else "//" + url)
    except ValueError:  # e.g. an unbalanced [ in the host
        return None


def _item_date(fields: dict[str, str | None], tz: tzinfo) -> datetime | None:
    """post_date_gmt, else pubDate, else post_date in `tz`; None when none of them is readable.

    The article's own date is not worth losing its comments over, so nothing is rejected here.
    """
    return (
        _date_or_none(fields.get("post_date_gmt"), None, tz)
        or _rfc822(fields.get("pubDate"))
        or _date_or_none(None, fields.get("post_date"), tz)
    )


def _date_or_none(gmt: str | None, local: str | None, tz: tzinfo) -> datetime | None:
    try:
        return _gmt_or_local(gmt, local, tz, "post_date")
    except ValueError:
        return None


def _rfc822(value: str | None) -> datetime | None:
    """An RSS ``<pubDate>`` ('Tue, 14 Jan 2014 17:31:03 +0000') in UTC; None when unreadable."""
    if value is None or not _RFC822.match(value):
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (ValueError, TypeError):
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _comment(element: Element, article_id: str, location: str, state: _State) -> None:
    fields = {name: text_of(child) for name, child in children_by_name(element).items()}
    comment_id = fields.get("comment_id")
    if comment_id is None:
        raise ValueError("it has no wp:comment_id")
    kind = (fields.get("comment_type") or "").lower()
    if kind in _AUTOMATIC_TYPES:
        raise ValueError(f"it is a {kind} (an automatic link notice), not a reader comment")
    status = _status(fields.get("comment_approved"))
    posted_at = _gmt_or_local(
        fields.get("comment_date_gmt"), fields.get("comment_date"), state.tz, "comment_date"
    )
    parent = fields.get("comment_parent")
    content = children_by_name(element).get("comment_content")
    state.builder.comment(
        article_id,
        comment_id,
        text=html_to_text("".join(content.itertext()), keep_newlines=True)
        if content is not None
        else "",
        location=location,
        parent_id=None if parent in (None, "0") else parent,
        author=author_name(fields.get("comment_author")),
        posted_at=posted_at,
        status=status,
    )


def _status(approved: str | None) -> str:
    if approved is None:
        return "published"
    status = _STATUS.get(approved.lower())
    if status is None:
        raise ValueError(
            f"wp:comment_approved is {approved!r}, not one WordPress writes (1, 0, spam, trash)"
        )
    return status


def _gmt_or_local(gmt: str | None, local: str | None, tz: tzinfo, name: str) -> datetime | None:
    """The GMT date when WordPress knew it, else the local date read in `tz`."""
    if gmt is not None and not gmt.startswith(_NO_DATE):
        return timestamp_or_none(gmt, UTC, f"{name}_gmt")
    if local is not None and not local.startswith(_NO_DATE):
        return timestamp_or_none(local, tz, name)
    return None


FORMATS = [
    Format(
        name="wxr",
        description="WordPress WXR export: RSS <item>s with <wp:comment>s, replies via wp:comment_parent",
        sniff=sniff,
        parse=parse,
    )
]
