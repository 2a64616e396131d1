"""Article pages saved as text (a scraper's output): title, byline, date, passages, comments.

The page is read line by line:

* the title is the first line when it reads like a headline (short, no closing full stop);
  a page without one gets its first sentence as title;
* "by NAME" is the byline, "Last updated Sep 21, 2023" / "Published …" the date;
* the body becomes passages: paragraphs, bullets ("•", "-", "*"), headings (short lines without
  closing punctuation), the question/answer pairs of a "Frequently Asked Questions" section, and
  "Narrative A" / "Narrative B" sections;
* boilerplate stays out: image credits, newsletter prompts, "More about …" and "You may also like"
  link lists, "Leave a Comment", footers, copyright lines, and a closing author bio in quotes;
* the comment section ("Nina Patel September 21, 2023 - 10:41 am" followed by the text) becomes
  comments on the article; the time is read in the zone given with --tz (UTC by default).

The article id is the file name without its extension.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import UnreadableSource
from ..store.batches import Batch
from .formats import Format
from .model import BatchBuilder, ParseContext, SourceFile
from .timeparse import parse_timestamp

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
COMMENT_HEADER = re.compile(
    rf"^(?P<author>\S.{{0,79}}?)\s+(?P<when>(?:{MONTHS})\.?\s+\d{{1,2}},\s+\d{{4}}"
    r"(?:\s*[-–—,@]?\s*\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?)?)\s*$",
    re.IGNORECASE,
)
BYLINE = re.compile(r"^by\s+(?P<name>[^\d].{1,80})$", re.IGNORECASE)
DATELINE = re.compile(
    rf"^(?:last updated|updated|published|posted)(?: on)?:?\s+(?P<when>(?:{MONTHS})\.?\s+\d{{1,2}},\s+\d{{4}}.*)$",
    re.IGNORECASE,
)
BULLET = re.compile(r"^[•\-*–·▪●]\s+(?P<text>.+)$")
NARRATIVE = re.compile(r"^Narrative\s+[A-Z0-9]$")
FAQ_HEADING = re.compile(r"frequently asked questions|\bFAQs?\b", re.IGNORECASE)
COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?P<outlet>.+)$", re.IGNORECASE)

# A line matching one of these ends the article body; what follows until the comments is skipped.
BODY_STOPS = re.compile(
    r"^(?:you may also like|more about\b|related (?:articles|stories|posts)|read more\b|"
    r"articles on this story|leave a (?:comment|reply)|\d+ comments?$|comments?$)",
    re.IGNORECASE,
)
# Lines that are never content, wherever they stand.
BOILERPLATE = re.compile(
    r"^(?:image credit|photo(?: credit)?:|sign up (?:to|for)\b|subscribe\b|share (?:this|on)\b|"
    r"editors'? picks$|latest news$|advertisement$|follow us\b)",
    re.IGNORECASE,
)
COMMENTS_END = re.compile(r"^leave a (?:comment|reply)", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")


@dataclass
class Line:
    number: int
    text: str
    readable: bool = True  # False: not UTF-8; already recorded as a reject
    kind: str | None = None  # the passage kind its markup states (see passages.py); None: guessed


@dataclass
class PageParts:
    title: str | None = None
    byline: str | None = None
    published_at: datetime | None = None
    outlet: str | None = None
    passages: list[tuple[str, str | None, str]] = field(default_factory=list)  # kind, heading, text


def sniff(source: SourceFile) -> bool:
    """Text that reads like a page: tried after every structured format.

    Structured data that no other format took (JSON, XML, a delimited table) is refused, so it
    fails with a clear error instead of loading as an article without comments.
    """
    if b"\x00" in source.head:
        return False
    text = source.head_text().lstrip()
    if not text or text[0] in "{[<":
        return False
    first_line = text.split("\n", 1)[0]
    return not _looks_delimited(first_line, text)


def _looks_delimited(first_line: str, text: str) -> bool:
    """A header row and records: the same count (≥ 2) of one delimiter on the first lines."""
    lines = [line for line in text.splitlines()[:5] if line.strip()]
    for delimiter in ",;\t|":
        counts = {line.count(delimiter) for line in lines}
        if len(lines) >= 2 and len(counts) == 1 and first_line.count(delimiter) >= 2 and len(first_line) < 300:
            return True
    return False


def _decode_lines(data: bytes, builder: BatchBuilder) -> list[Line]:
    """The file's lines; a line that is not UTF-8 becomes a reject and an unreadable marker."""
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            builder.reject(
                f"line {number}",
                f"not valid UTF-8 (byte {exc.start + 1} of the line); line skipped",
                raw.decode("utf-8", errors="backslashreplace"),
            )
            lines.append(Line(number, "", readable=False))
            continue
        lines.append(
            Line(number, text.replace("\r", "").replace("\u00a0", " ").strip().lstrip("\ufeff"))
        )
    return lines


def _is_heading(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 12
        and len(text) <= 100
        and not text.endswith((".", "!", "?", ",", ";", ":", "”", '"'))
        and not BULLET.match(text)
    )


def _first_sentence(text: str, limit: int = 140) -> str:
    sentence = SENTENCE_END.split(text, maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _is_author_bio(text: str) -> bool:
    return len(text) > 2 and text[0] in '“"' and text[-1] in '”"' and text.count("“") <= 1


def split_body(lines: list[Line], parts: PageParts) -> None:
    """Turn body lines into passages (kind, heading, text) on `parts`.

    A line whose kind is already known (from markup such as an HTML <h2>) keeps it; the kind of
    the others is read from their text. Saved pages only have lines of the second sort.
    """
    in_faq = False
    question: str | None = None
    narrative: str | None = None
    kept = 0  # passages before this index are never dropped as a closing author bio
    for line in lines:
        text = line.text
        if not text or BOILERPLATE.match(text) or text == parts.title:
            continue
        if line.kind is not None:
            parts.passages.append((line.kind, None, text))
            kept = len(parts.passages)
            narrative = None
            if line.kind == "heading":
                in_faq, question = False, None
        elif bullet := BULLET.match(text):
            parts.passages.append(("bullet", None, bullet.group("text").strip()))
        elif NARRATIVE.match(text):
            narrative = text
        elif narrative is not None:
            parts.passages.append(("narrative", narrative, text))
            narrative = None
        elif FAQ_HEADING.search(text) and _is_heading(text):
            in_faq = True
            parts.passages.append(("heading", None, text))
        elif in_faq and text.endswith("?"):
            question = text
            parts.passages.append(("faq_question", None, text))
        elif in_faq and question is not None:
            parts.passages.append(("faq_answer", question, text))
        elif _is_heading(text):
            in_faq = False
            parts.passages.append(("heading", None, text))
        else:
            parts.passages.append(("paragraph", None, text))
    while (
        len(parts.passages) > kept
        and parts.passages[-1][0] == "paragraph"
        and _is_author_bio(parts.passages[-1][2])
    ):
        parts.passages.pop()


def _read_header(
    lines: list[Line], parts: PageParts, ctx: ParseContext, builder: BatchBuilder
) -> int:
    """Title, byline and date at the top of the page; returns the index where the body starts."""
    index = 0
    while index < len(lines) and not lines[index].text:
        index += 1
    if index < len(lines) and _is_headline(lines[index].text):
        parts.title = lines[index].text
        index += 1
    for offset, line in enumerate(lines[index:], start=index):
        text = line.text
        if not text or text == parts.title or BOILERPLATE.match(text):
            continue
        if match := BYLINE.match(text):
            parts.byline = match.group("name").strip()
        elif match := DATELINE.match(text):
            try:
                parts.published_at = parse_timestamp(match.group("when"), ctx.tz)
            except ValueError as exc:
                builder.reject(f"line {line.number}", f"publication date: {exc}", text)
        else:
            return offset
    return len(lines)


def _is_headline(text: str) -> bool:
    return 0 < len(text) <= 200 and not text.endswith((".", ",", ";")) and not BULLET.match(text)


def parse_page(source: SourceFile, ctx: ParseContext) -> Iterator[Batch]:
    """Parse one saved page into an article, its passages and its comments."""
    builder = BatchBuilder()
    lines = _decode_lines(source.read_bytes(), builder)
    if not any(line.text for line in lines):
        raise UnreadableSource(f"{source.path}: the file holds no text")
    parts = PageParts()
    start = _read_header(lines, parts, ctx, builder)

    body: list[Line] = []
    rest: list[Line] = []
    for position in range(start, len(lines)):
        text = lines[position].text
        if BODY_STOPS.match(text) or COMMENT_HEADER.match(text):
            rest = lines[position:]
            break
        body.append(lines[position])
    split_body(body, parts)
    article_id = Path(source.path.name.removesuffix(".gz")).stem  # page.txt.gz is 'page' too
    _read_comments(rest, article_id, ctx, builder)
    for line in rest:
        if match := COPYRIGHT.match(line.text):
            parts.outlet = match.group("outlet").strip()

    if parts.title is not None:
        parts.passages.insert(0, ("title", None, parts.title))
    elif parts.passages:
        parts.title = _first_sentence(parts.passages[0][2])
    builder.article(
        article_id,
        title=parts.title,
        byline=parts.byline,
        published_at=parts.published_at,
        outlet=parts.outlet,
    )
    first_no = 0 if parts.passages and parts.passages[0][0] == "title" else 1
    for number, (kind, heading, text) in enumerate(parts.passages, start=first_no):
        builder.passage(article_id, number, kind, text, heading)
    yield builder.build()


def _read_comments(
    lines: list[Line], article_id: str, ctx: ParseContext, builder: BatchBuilder
) -> None:
    """Comments: a header line with author and time, then the text up to the next header.

    Text that follows a header which could not be read (bad time, not UTF-8) is rejected with it.
    """
    header: Line | None = None
    author: str | None = None
    posted_at: datetime | None = None
    broken: Line | None = None
    text_lines: list[str] = []

    def flush() -> None:
        text = "\n".join(text_lines).strip()
        if broken is not None and text:
            builder.reject(
                f"line {broken.number}", "comment text under a header that could not be read", text
            )
        elif header is not None and not text:
            builder.reject(f"line {header.number}", "comment header without any text", header.text)
        elif header is not None:
            digest = hashlib.sha256(f"{author}\x1f{header.text}\x1f{text}".encode()).hexdigest()[
                :16
            ]
            builder.comment(
                article_id,
                f"c{digest}",
                text=text,
                author=author,
                posted_at=posted_at,
                location=f"line {header.number}",
            )

    for line in lines:
        if COMMENTS_END.match(line.text):
            break
        match = COMMENT_HEADER.match(line.text)
        if match or not line.readable:
            flush()
            header, broken, text_lines = None, None, []
        if not line.readable:
            broken = line
        elif match:
            try:
                posted_at = parse_timestamp(match.group("when").replace("–", "-"), ctx.tz)
            except ValueError as exc:
                builder.reject(f"line {line.number}", f"comment time: {exc}", line.text)
                broken = line
                continue
            header, author = line, match.group("author").strip()
        elif line.text and (header is not None or broken is not None):
            text_lines.append(line.text)
    flush()


FORMATS = [
    Format(
        name="page",
        description="article page saved as text: title, byline, passages, comment section",
        sniff=sniff,
        parse=parse_page,
    )
]
