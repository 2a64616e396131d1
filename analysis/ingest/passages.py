"""An article body as passages: the one path every source with article text goes through.

A body arrives as blocks of text. A block may carry the passage kind its markup states (HTML
``<p>`` and ``<blockquote>`` → paragraph, ``<h1>``–``<h6>`` → heading, ``<li>`` → bullet; see
``exportutil.html_blocks``); a block of plain text (a canonical table's ``body``, a Reddit self
post's markdown, WordPress text outside any tag) carries none, and its kind is read from the text
the way a saved page's lines are (``page.split_body``: bullet markers, short unpunctuated lines as
headings, FAQ question/answer pairs, narratives). Either way white space inside a block collapses
to single spaces, and boilerplate lines (share prompts, image credits, …) and a repeat of the
title are left out.

The title is passage 0; the body's passages are numbered from 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .page import Line, PageParts, split_body

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Block:
    """A chunk of body text and, when its markup says so, the kind of passage it is."""

    text: str
    kind: str | None = None


def text_blocks(body: str) -> list[Block]:
    """Plain text cut at blank lines; at every line end when it has no blank line at all."""
    chunks = PARAGRAPH_BREAK.split(body) if PARAGRAPH_BREAK.search(body) else body.split("\n")
    return [Block(chunk) for chunk in chunks]


def body_passages(
    article_id: str, title: str | None, blocks: Iterable[Block]
) -> list[dict[str, Any]]:
    """Passage rows (article_id, passage_no, kind, heading, text): the title, then the body.

    The keys are those of PASSAGE_SCHEMA and of ``BatchBuilder.passage``'s parameters.
    """
    parts = PageParts(title=title)
    lines = [
        Line(number, " ".join(block.text.split()), kind=block.kind)
        for number, block in enumerate(blocks, start=1)
    ]
    split_body(lines, parts)
    rows: list[dict[str, Any]] = []
    if title:
        rows.append(_row(article_id, 0, "title", None, title))
    for number, (kind, heading, text) in enumerate(parts.passages, start=1):
        rows.append(_row(article_id, number, kind, heading, text))
    return rows


def _row(
    article_id: str, passage_no: int, kind: str, heading: str | None, text: str
) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "passage_no": passage_no,
        "kind": kind,
        "heading": heading,
        "text": text,
    }
