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


_AWARE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M:%S%#z",
    "%Y-%m-%dT%H:%M%#z",
)
_NAIVE_ISO_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)
_UTC_DATETIME = pl.Datetime("us", "UTC")


def _first_parse(text: pl.Series, formats: tuple[str, ...]) -> pl.Series:
    """Per value, the parse by the first of `formats` that reads it (null if none).

    Each format only sees the values the ones before it left unparsed: the common case costs one
    parse, with the result of trying every format on every value and keeping the first.
    """
    found = text.str.to_datetime(formats[0], strict=False, time_unit="us")
    for fmt in formats[1:]:
        todo = found.is_null() & text.is_not_null()
        if not todo.any():
            break
        where = todo.arg_true()
        found = found.scatter(where, text.gather(where).str.to_datetime(fmt, strict=False, time_unit="us"))
    return found


def parse_series(values: pl.Series, tz_name: str) -> pl.Series:
    """`parse_column` for one Series: UTC instants, null where no format fits."""
    text = values.cast(pl.String).str.strip_chars()
    result = _first_parse(text, _AWARE_FORMATS).dt.convert_time_zone("UTC").cast(_UTC_DATETIME)
    todo = result.is_null() & text.is_not_null()
    if todo.any():
        where = todo.arg_true()
        rest = text.gather(where)
        naive = (
            _first_parse(rest, _NAIVE_ISO_FORMATS)
            .dt.replace_time_zone(tz_name, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .cast(_UTC_DATETIME)
        )
        epoch = (
            pl.select(
                pl.when(pl.lit(rest).str.contains(r"^\d{9,11}(?:\.\d+)?$"))
                .then((pl.lit(rest).cast(pl.Float64, strict=False) * 1_000_000).cast(pl.Int64, strict=False))
                .cast(_UTC_DATETIME)
            )
            .to_series()
        )
        result = result.scatter(where, pl.select(pl.coalesce(pl.lit(naive), pl.lit(epoch))).to_series())
    return result.alias(values.name)


def parse_column(column: pl.Expr, tz_name: str) -> pl.Expr:
    """Vectorised parse of a string column of timestamps; values that fit no format become null.

    ISO 8601 with an offset or Z keeps its instant; naive ISO forms are read in `tz_name`;
    a plain number of 9 to 11 digits is seconds since 1970. The formats are tried in that order,
    each on the values the ones before left unparsed (`parse_series`).
    """
    return column.map_batches(lambda values: parse_series(values, tz_name), return_dtype=_UTC_DATETIME)
