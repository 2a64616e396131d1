"""Printing results: table, CSV and JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest
from readerpulse.output import render

FRAME = pl.DataFrame(
    {
        "comment_id": ["c1", "c2"],
        "posted_at": [datetime(2023, 9, 21, 10, 41, tzinfo=UTC), None],
        "day": [date(2023, 9, 21), date(2023, 9, 22)],
        "cues": [["doubt: doubt", "verification: who verified"], []],
        "text": ['a, "quoted" comma', "line\nbreak"],
    }
)


def test_csv_quotes_text_and_joins_lists() -> None:
    assert render(FRAME, "csv").splitlines() == [
        "comment_id,posted_at,day,cues,text",
        'c1,2023-09-21T10:41:00.000000+0000,2023-09-21,doubt: doubt; verification: who verified,"a, ""quoted"" comma"',
        'c2,,2023-09-22,"","line',
        'break"',
    ]


def test_json_keeps_types_readable() -> None:
    assert json.loads(render(FRAME, "json"))[0] == {
        "comment_id": "c1",
        "posted_at": "2023-09-21T10:41:00+00:00",
        "day": "2023-09-21",
        "cues": ["doubt: doubt", "verification: who verified"],
        "text": 'a, "quoted" comma',
    }


def test_table_shows_every_row_and_column() -> None:
    many = pl.DataFrame({"n": list(range(50)), "long": ["x" * 70] * 50})
    lines = render(many, "table").splitlines()
    assert lines[0].startswith("| n ")
    assert len(lines) == 52  # header, rule, 50 rows
    assert "x" * 70 in lines[2]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render(FRAME, "xml")
