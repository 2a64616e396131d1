"""Print query results as a table, CSV or JSON."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl

FORMATS = ("table", "csv", "json")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def flatten_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """Nested columns as one text cell for CSV: list items joined by '; ', structs as JSON."""
    return frame.with_columns(
        *(
            pl.col(name).list.eval(pl.element().cast(pl.String)).list.join("; ")
            for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.List)
        ),
        *(
            pl.col(name).struct.json_encode()
            for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.Struct)
        ),
        *(
            pl.col(name).arr.to_list().list.eval(pl.element().cast(pl.String)).list.join("; ")
            for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.Array)
        ),
    )


def render(frame: pl.DataFrame, fmt: str) -> str:
    """The frame as text in one of FORMATS."""
    if fmt == "csv":
        return flatten_nested(frame).write_csv()
    if fmt == "json":
        return (
            json.dumps(frame.to_dicts(), default=_json_default, ensure_ascii=False, indent=2) + "\n"
        )
    if fmt == "table":
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            fmt_str_lengths=80,
            tbl_width_chars=10_000,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            tbl_formatting="ASCII_MARKDOWN",
        ):
            return str(frame) + "\n"
    raise ValueError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")
