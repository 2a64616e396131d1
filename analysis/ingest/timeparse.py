"""Timestamps as the sources write them, turned into aware UTC datetimes.

A timestamp with an offset or "Z" keeps its instant. A timestamp without one (the seed pages'
"September 21, 2023 - 10:41 am", WordPress' local dates) is read in the zone the caller passes
(`--tz` / $READERPULSE_TZ, UTC by default).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

import polars as pl

_NAIVE_FORMATS = (
    "%B %d, %Y - %I:%M %p",  # September 21, 2023 - 10:41 am
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y - %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y",  # September 21, 2023
    "%b %d, %Y",  # Sep 21, 2023
    "%d %B %Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
)

_SPACES = re.compile(r"\s+")


def parse_timestamp(value: str, tz: tzinfo) -> datetime:
    """Parse one timestamp; raise ValueError naming the value when it is not one."""
    text = _SPACES.sub(" ", value.strip())
    if not text:
        raise ValueError("empty timestamp")
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is None:
        for fmt in _NAIVE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(f"unrecognised timestamp {value.strip()!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def from_epoch(value: float | int) -> datetime:
    """Seconds since 1970 (Reddit's created_utc) as an aware UTC datetime."""
    return datetime.fromtimestamp(float(value), tz=UTC)


def parse_column(column: pl.Expr, tz_name: str) -> pl.Expr:
    """Vectorised parse of a string column of timestamps; values that fit no format become null.

    ISO 8601 with an offset or Z keeps its instant; naive ISO forms are read in `tz_name`;
    a plain number of 9 to 11 digits is seconds since 1970.
    """
    text = column.str.strip_chars()
    aware = pl.coalesce(
        text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%#z", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%dT%H:%M%#z", strict=False, time_unit="us"),
    ).dt.convert_time_zone("UTC")
    naive = (
        pl.coalesce(
            text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us"),
            text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us"),
            text.str.to_datetime("%Y-%m-%dT%H:%M", strict=False, time_unit="us"),
            text.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us"),
            text.str.to_datetime("%Y-%m-%d", strict=False, time_unit="us"),
        )
        .dt.replace_time_zone(tz_name, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
    )
    epoch = (
        pl.when(text.str.contains(r"^\d{9,11}(?:\.\d+)?$"))
        .then((text.cast(pl.Float64, strict=False) * 1_000_000).cast(pl.Int64, strict=False))
        .cast(pl.Datetime("us", "UTC"))
    )
    return pl.coalesce(aware, naive, epoch)
