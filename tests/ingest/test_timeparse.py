from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from readerpulse.ingest.timeparse import parse_column, parse_timestamp

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


def _coalesced(values: pl.Series, tz_name: str) -> pl.Series:
    """The definition parse_column keeps: every format on every value, the first that fits."""
    text = pl.col("t").str.strip_chars()

    def parsed(fmt: str) -> pl.Expr:
        return text.str.to_datetime(fmt, strict=False, time_unit="us")

    aware = pl.coalesce(
        parsed("%Y-%m-%dT%H:%M:%S%.f%#z"), parsed("%Y-%m-%d %H:%M:%S%.f%#z"),
        parsed("%Y-%m-%dT%H:%M:%S%#z"), parsed("%Y-%m-%dT%H:%M%#z"),
    ).dt.convert_time_zone("UTC")
    naive = pl.coalesce(
        parsed("%Y-%m-%dT%H:%M:%S%.f"), parsed("%Y-%m-%d %H:%M:%S%.f"), parsed("%Y-%m-%dT%H:%M"),
        parsed("%Y-%m-%d %H:%M"), parsed("%Y-%m-%d"),
    ).dt.replace_time_zone(tz_name, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
    epoch = (
        pl.when(text.str.contains(r"^\d{9,11}(?:\.\d+)?$"))
        .then((text.cast(pl.Float64, strict=False) * 1_000_000).cast(pl.Int64, strict=False))
        .cast(pl.Datetime("us", "UTC"))
    )
    return values.to_frame("t").select(pl.coalesce(aware, naive, epoch)).to_series()


def test_parse_column_tries_formats_in_order_like_coalescing_them_all() -> None:
    values = pl.Series([
        "2023-09-21T14:05:09Z", " 2023-09-21 14:05:09.25+0100 ", "2023-09-21T14:05+02:00",
        "2023-09-21T14:05:09.123456", "2023-09-21 14:05", "2023-09-21", "2023-03-26 02:30",
        "2023-10-29 02:30", "1695300000", "1695300000.5", "12", "bad", "", None,
        "2023-09-21T14:05", "2023-02-30", "2023-09-21 14:05:09",
    ], dtype=pl.String)
    for tz_name in ("UTC", "Europe/Paris", "America/New_York"):
        got = values.to_frame("t").select(parse_column(pl.col("t"), tz_name)).to_series()
        assert got.to_list() == _coalesced(values, tz_name).to_list(), tz_name
