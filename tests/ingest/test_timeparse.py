from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from analysis.ingest.timeparse import parse_column, parse_timestamp

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("September 21, 2023 - 10:41 am", datetime(2023, 9, 21, 8, 41, tzinfo=UTC)),
        ("September 21, 2023 - 3:58 pm", datetime(2023, 9, 21, 13, 58, tzinfo=UTC)),
        ("Sep 21, 2023", datetime(2023, 9, 20, 22, 0, tzinfo=UTC)),
        ("2023-09-21T14:05:09Z", datetime(2023, 9, 21, 14, 5, 9, tzinfo=UTC)),
        ("2023-09-21T14:05:09.5+04:00", datetime(2023, 9, 21, 10, 5, 9, 500000, tzinfo=UTC)),
        ("2013-10-10 19:20:29", datetime(2013, 10, 10, 17, 20, 29, tzinfo=UTC)),
    ],
)
def test_parse_timestamp(text: str, expected: datetime) -> None:
    assert parse_timestamp(text, PARIS) == expected


@pytest.mark.parametrize("text", ["", "2011-x09-30T10:00:00Z", "yesterday", "September 41, 2023"])
def test_parse_timestamp_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text, PARIS)


def test_parse_column_agrees_with_parse_timestamp() -> None:
    values = [
        "2023-09-21T14:05:09Z",
        "2023-09-21T14:05:09.5+04:00",
        "2013-10-10 19:20:29",
        "1695300000",
        "bad",
    ]
    parsed = (
        pl.DataFrame({"t": values})
        .select(parse_column(pl.col("t"), "Europe/Paris"))
        .to_series()
        .to_list()
    )
    assert parsed[:3] == [parse_timestamp(v, PARIS) for v in values[:3]]
    assert parsed[3] == datetime(2023, 9, 21, 12, 40, tzinfo=UTC)
    assert parsed[4] is None
