"""HTML comment bodies as plain text, and the small helpers the export parsers share."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from readerpulse.ingest.exportutil import (
    author_name,
    html_blocks,
    html_to_text,
    record_id,
    timestamp_or_none,
)


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<ul><li>x</li><li>y</li></ul>", "x\n\ny"),
        ("Tom &amp; Jerry &lt;3 &#8230; &hellip;", "Tom & Jerry <3 … …"),
        ("<p>  spaced\n   out  </p>", "spaced out"),
        ("<pre>keep\n  this</pre>", "keep\n  this"),
        ("<script>alert(1)</script><style>p{}</style>visible", "visible"),
        ('<a href="https://x.example">link text</a>', "link text"),
        ("a < b and c > d", "a < b and c > d"),
        ("", ""),
    ],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_html_to_text_keeping_newlines() -> None:
    assert (
        html_to_text("one\ntwo<br />\nthree\n\n\n\nfour", keep_newlines=True)
        == "one\ntwo\nthree\n\nfour"
    )


@pytest.mark.parametrize(
    ("markup", "blocks"),
    [
        (
            "<h2>Sub head</h2><p>One &amp; <em>only</em>.</p><h3>Long heading, with a comma.</h3>",
            [
                ("heading", "Sub head"),
                ("paragraph", "One & only."),
                ("heading", "Long heading, with a comma."),
            ],
        ),
        (
            "<ul><li>x</li><li><p>y</p></li></ul><ol><li>z<li>w</ol>",
            [("bullet", t) for t in "xyzw"],
        ),
        (
            "<blockquote><p>Quoted one.</p>Quoted two.</blockquote>",
            [("paragraph", "Quoted one."), ("paragraph", "Quoted two.")],
        ),
        # a <p> left open ends where the next block starts
        ("<p>a<p>b<h2>c</h2>", [("paragraph", "a"), ("paragraph", "b"), ("heading", "c")]),
        # WordPress' classic editor: plain text, blank lines between paragraphs, tags here and there
        (
            "First line\nsame paragraph.\n\nSecond <a href='/x'>with a link</a>.\r\n\r\n"
            "<h2>Then a heading</h2>\nThird.",
            [
                (None, "First line same paragraph."),
                (None, "Second with a link."),
                ("heading", "Then a heading"),
                (None, "Third."),
            ],
        ),
        # block editor comments, spacer paragraphs, <br>, scripts, tables
        (
            "<!-- wp:paragraph -->\n<p>x<br/>y</p>\n<!-- /wp:paragraph -->\n<p>&nbsp;</p>"
            "<script>var a = 1;</script><table><tr><td>cell</td><td>next</td></tr></table>",
            [("paragraph", "x y"), (None, "cell next")],
        ),
        ("a<br><br>b", [(None, "a"), (None, "b")]),
        ("", []),
    ],
)
def test_html_blocks(markup: str, blocks: list[tuple[str | None, str]]) -> None:
    assert [(b.kind, b.text) for b in html_blocks(markup)] == blocks


@pytest.mark.parametrize(
    ("value", "name"),
    [("Ana", "Ana"), ("  ", None), ("Anonymous", None), ("[deleted]", None), (None, None)],
)
def test_author_name(value: str | None, name: str | None) -> None:
    assert author_name(value) == name


def test_record_id() -> None:
    assert [record_id(v) for v in (0, "  7 ", "", None, True, 1.5)] == [
        "0",
        "7",
        None,
        None,
        None,
        None,
    ]


def test_timestamps() -> None:
    utc = ZoneInfo("UTC")
    assert timestamp_or_none("", utc, "time") is None
    assert timestamp_or_none("0001-01-01T00:00:00Z", utc, "time") is None  # Go's zero time
    with pytest.raises(ValueError, match="time 'soon' is not a date"):
        timestamp_or_none("soon", utc, "time")
    with pytest.raises(ValueError, match="time 12 is not a date"):
        timestamp_or_none(12, utc, "time")
