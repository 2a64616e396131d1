"""HTML comment bodies as plain text, and the small helpers the export parsers share."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from analysis.ingest.exportutil import author_name, html_to_text, record_id, timestamp_or_none


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
