"""Labelled comments: the CSV files analysts grow in a spreadsheet, read for training and evaluation.

A label file is a UTF-8 CSV with a header row and the columns `id` and `text` (`author`,
`posted_at`, `parent_id` optional), plus any subset of label columns:

* a column named like a topic id of the taxonomy, or `skepticism`: 0 or 1;
* `sentiment`: the tone a human reader perceives, an integer from -2 to 2.

An empty cell means "not labelled" (null), so a file may label some topics and not others. Other
columns are ignored. A row that cannot be used (no id, no text, an id seen before, a label that is
not 0/1, a sentiment outside -2..2) becomes a reject with its file, row and reason; the rest load.
Each row carries its thread: the id of the top-level comment its `parent_id` chain leads to within
the same file, so that cross-validation can keep a thread in one fold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .errors import UsageError

SKEPTICISM = "skepticism"
SENTIMENT = "sentiment"
CORE_COLUMNS = ("id", "author", "posted_at", "parent_id", "text")
REJECT_SCHEMA = {"file": pl.String, "row": pl.Int64, "reason": pl.String, "raw": pl.String}
# Threads deeper than this are cut there (a parent chain that loops would never end).
MAX_DEPTH = 64


@dataclass(frozen=True)
class LabelSet:
    """Labelled comments from one or more files.

    `frame`: file, row, id, author, posted_at, parent_id, thread, text, one Int8 column per
    binary label in `labels` (null: not labelled), and `sentiment` (Int8, null: not labelled).
    """

    frame: pl.DataFrame
    labels: tuple[str, ...]
    rejects: pl.DataFrame



def with_parent_text(frame: pl.DataFrame) -> pl.DataFrame:
    """A LabelSet frame with `parent_text`: the text of the row's parent in the same file (null
    for a top-level comment or a parent not in the file), rows in their order."""
    parents = frame.select("file", pl.col("id").alias("parent_id"), pl.col("text").alias("parent_text"))
    return frame.join(parents, on=["file", "parent_id"], how="left", maintain_order="left")


def label_names(topic_ids: Iterable[str]) -> tuple[str, ...]:
    """The binary labels a taxonomy defines: its topics, then skepticism."""
    return (*topic_ids, SKEPTICISM)


def label_files(paths: Sequence[str | Path]) -> list[Path]:
    """The CSV files named, folders read for their *.csv files (sorted)."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.csv") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files


def read_labels(paths: Sequence[str | Path], topic_ids: Sequence[str]) -> LabelSet:
    """Read every label file in `paths` (files or folders of *.csv) for the taxonomy's topics."""
    labels = label_names(topic_ids)
    frames: list[pl.DataFrame] = []
    rejects: list[pl.DataFrame] = []
    for path in label_files(paths):
        frame, rejected = _read_file(path, labels)
        frames.append(frame)
        rejects.append(rejected)
    schema = _schema(labels)
    frame = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=schema)
    rejected = pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECT_SCHEMA)
    # An id already labelled in an earlier file or row: the first one stands.
    repeated = frame.select(pl.col("id").is_duplicated() & ~pl.col("id").is_first_distinct()).to_series()
    if repeated.any():
        rejected = pl.concat([rejected, _rejects(frame.filter(repeated), "id already labelled earlier")])
        frame = frame.filter(~repeated)
    return LabelSet(frame.select(schema.keys()), labels, rejected)


def _schema(labels: Sequence[str]) -> dict[str, pl.DataType]:
    text_columns = ("file", "id", "author", "posted_at", "parent_id", "thread", "text")
    schema: dict[str, pl.DataType] = {name: pl.String() for name in text_columns}
    schema["row"] = pl.Int64()
    schema.update({label: pl.Int8() for label in labels})
    schema[SENTIMENT] = pl.Int8()
    return schema


def _read_file(path: Path, labels: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a readable CSV file ({exc})") from exc
    missing = [c for c in ("id", "text") if c not in raw.columns]
    if missing:
        raise UsageError(f"{path}: no column {', '.join(missing)} (a label file needs id and text)")
    present = [label for label in labels if label in raw.columns]
    if not present and SENTIMENT not in raw.columns:
        raise UsageError(
            f"{path}: no label column (expected any of {', '.join(labels)}, {SENTIMENT})"
        )
    frame = raw.with_columns(
        *(pl.lit(None, pl.String).alias(c) for c in (*CORE_COLUMNS, *labels, SENTIMENT) if c not in raw.columns)
    ).select(
        pl.lit(str(path)).alias("file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("row"),  # the header is row 1
        *(pl.col(c).str.strip_chars().replace("", None).alias(c) for c in ("id", "author", "posted_at", "parent_id")),
        pl.col("text"),
        *(pl.col(c).str.strip_chars().replace("", None).alias(c) for c in (*labels, SENTIMENT)),
    )
    binary = {label: pl.col(label).cast(pl.Int8, strict=False) for label in labels}
    tone = pl.col(SENTIMENT).cast(pl.Int8, strict=False)
    checks: list[tuple[pl.Expr, str]] = [
        (pl.col("id").is_null(), "no id"),
        (pl.col("text").is_null() | (pl.col("text").str.strip_chars() == ""), "no text"),
        *(
            (pl.col(label).is_not_null() & ~binary[label].is_in([0, 1]).fill_null(False), f"{label} must be 0 or 1")
            for label in labels
        ),
        (
            pl.col(SENTIMENT).is_not_null() & ~tone.is_between(-2, 2).fill_null(False),
            f"{SENTIMENT} must be an integer from -2 to 2",
        ),
    ]
    reason = pl.coalesce(*(pl.when(bad).then(pl.lit(why)) for bad, why in checks))
    checked = frame.with_columns(reason.alias("_reason"))
    rejected = checked.filter(pl.col("_reason").is_not_null())
    good = checked.filter(pl.col("_reason").is_null()).with_columns(
        *(expr.alias(label) for label, expr in binary.items()), tone.alias(SENTIMENT)
    )
    good = good.with_columns(_threads(good).alias("thread"))
    return good.drop("_reason"), _rejects(rejected, None)


def _threads(frame: pl.DataFrame) -> pl.Series:
    """Each row's top-level ancestor within the frame: parent links followed one level per step
    (a parent missing from the file ends the chain there)."""
    links = frame.select(
        pl.col("id").alias("parent_id"), pl.col("parent_id").alias("_next"), pl.lit(True).alias("_found")
    ).unique("parent_id", keep="first")
    current = frame.select(pl.int_range(pl.len()).alias("_i"), pl.col("id").alias("thread"), "parent_id")
    for _ in range(MAX_DEPTH):
        if current["parent_id"].is_null().all():
            break
        current = current.join(links, on="parent_id", how="left").select(
            "_i",
            pl.when(pl.col("_found")).then(pl.col("parent_id")).otherwise(pl.col("thread")).alias("thread"),
            pl.col("_next").alias("parent_id"),
        )
    return current.sort("_i")["thread"]


def _rejects(rows: pl.DataFrame, reason: str | None) -> pl.DataFrame:
    """Reject rows (file, row, reason, raw) for `rows`: their `_reason` or `reason`."""
    why = pl.lit(reason) if reason is not None else pl.col("_reason")
    return rows.select(
        pl.col("file"),
        pl.col("row"),
        why.alias("reason"),
        pl.concat_str(
            [pl.col("id").fill_null(""), pl.col("text").fill_null("").str.slice(0, 200)], separator=","
        ).alias("raw"),
    ).cast(pl.Schema(REJECT_SCHEMA))
