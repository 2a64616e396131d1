"""Labelled comments in the database: label files imported into `labels`, samples exported to label.

`import_labels` reads label files (readerpulse.labels.read_labels) and stores their labels in long
form, one row per (comment_key, label), with the file recorded in `sources` (format 'labels') and
its unusable rows in `rejects`. Each file is written in one transaction; a file whose content was
imported before is skipped ("unchanged"); a changed file replaces the labels it gives again (the
last import wins per comment and label; an empty cell changes nothing).

`export_sample` writes stored published comments that have no label yet to a CSV ready to fill
in a spreadsheet: the columns of a label file with the label columns empty. The CSV round-trips:
filled in and given to `import_labels`, it imports as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ..errors import ReaderpulseError, UsageError
from ..labels import SENTIMENT, SKEPTICISM, LabelSet, label_files, read_labels
from .db import registered, run, run_count, transaction

FORMAT = "labels"

# (frame with columns comment_pk, text, parent_text) -> one float per row, higher = less sure
Uncertainty = Callable[[pl.DataFrame], pl.Series]

EXPORT_CORE = ("id", "article_id", "author", "posted_at", "parent_id", "text", "parent_text")


@dataclass(frozen=True)
class LabelImport:
    """What importing one label file did."""

    path: Path
    status: str  # 'imported' or 'unchanged'
    source_id: int
    comments: int = 0  # rows of the file that label something
    labels: int = 0  # labels given (non-empty cells)
    rejects: int = 0
    changed: int = 0  # labels stored before whose value or text this file changed

    def describe(self) -> str:
        if self.status == "unchanged":
            return f"unchanged {self.path} (already imported as source {self.source_id})"
        changed = f", {self.changed} changed" if self.changed else ""
        return (
            f"imported {self.path}: {self.comments} comments, {self.labels} labels{changed}, "
            f"{self.rejects} rejects"
        )


@dataclass(frozen=True)
class LabelExport:
    """What `export_sample` wrote."""

    path: Path
    rows: int
    candidates: int  # published comments without a label it chose from
    by_uncertainty: bool

    def describe(self) -> str:
        how = "least sure first" if self.by_uncertainty else "random sample"
        return f"wrote {self.path}: {self.rows} of {self.candidates} unlabelled comments ({how})"


# --- import ---------------------------------------------------------------------------------------


def import_labels(
    conn: duckdb.DuckDBPyConnection, paths: Sequence[str | Path], topic_ids: Sequence[str]
) -> list[LabelImport]:
    """Import label files (or folders of *.csv) for the taxonomy's topics, one transaction each.

    Every file is read and checked before anything is written: a missing file or one without the
    id and text columns or any label column raises UsageError and the database is unchanged.
    """
    files = label_files(paths)
    read = [(path, read_labels([path], topic_ids)) for path in files]
    return [_import_file(conn, path, labels) for path, labels in read]


def _digest(path: Path) -> tuple[str, int]:
    """The file's SHA-256 (hex) and size in bytes, as `sources` records them."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest(), fh.tell()


def _import_file(conn: duckdb.DuckDBPyConnection, path: Path, labels: LabelSet) -> LabelImport:
    try:
        sha256, size = _digest(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    long = _long_form(labels)
    rejects = labels.rejects.select(
        pl.format("row {}", pl.col("row")).alias("location"), "reason", "raw"
    )
    with transaction(conn):
        rows = run(
            conn,
            "SELECT min(source_id) FROM sources WHERE sha256 = ? AND format = ? AND status = 'loaded'",
            [sha256, FORMAT],
        )
        if rows and rows[0][0] is not None:
            return LabelImport(path, "unchanged", int(rows[0][0]))
        source_id = int(run(conn, "SELECT nextval('source_id_seq')")[0][0])
        changed = _write_labels(conn, long, source_id)
        with registered(conn, "_rp_label_rejects", rejects):
            run(
                conn,
                "INSERT INTO rejects (source_id, location, reason, raw)"
                " SELECT ?, location, reason, raw FROM _rp_label_rejects",
                [source_id],
            )
        result = LabelImport(
            path,
            "imported",
            source_id,
            comments=long["comment_key"].n_unique(),
            labels=long.height,
            rejects=rejects.height,
            changed=changed,
        )
        run(
            conn,
            "INSERT INTO sources (source_id, path, format, sha256, size_bytes, imported_at, status,"
            " n_comments, n_rejects, n_updated) VALUES (?, ?, ?, ?, ?, now(), 'loaded', ?, ?, ?)",
            [source_id, str(path), FORMAT, sha256, size, result.comments, result.rejects, changed],
        )
    return result


def _long_form(labels: LabelSet) -> pl.DataFrame:
    """One row per label given: comment_key, label, value, text, parent_id."""
    return (
        labels.frame.select(
            pl.col("id").alias("comment_key"),
            "text",
            "parent_id",
            *(pl.col(name).cast(pl.Int16) for name in (*labels.labels, SENTIMENT)),
        )
        .unpivot(
            index=["comment_key", "text", "parent_id"],
            on=[*labels.labels, SENTIMENT],
            variable_name="label",
            value_name="value",
        )
        .drop_nulls("value")
        .select("comment_key", "label", "value", "text", "parent_id")
    )


def _write_labels(conn: duckdb.DuckDBPyConnection, long: pl.DataFrame, source_id: int) -> int:
    """Upsert the labels (last import wins); return how many stored labels they changed."""
    if not long.height:
        return 0
    with registered(conn, "_rp_labels", long):
        changed = run_count(
            conn,
            """
            SELECT count(*) FROM _rp_labels n JOIN labels l USING (comment_key, label)
            WHERE l.value IS DISTINCT FROM n.value OR l.text IS DISTINCT FROM n.text
               OR l.parent_id IS DISTINCT FROM n.parent_id
            """,
        )
        # a label given again unchanged keeps the source and time it was first imported with
        run(
            conn,
            """
            INSERT INTO labels (comment_key, label, value, text, parent_id, source_id, imported_at)
            SELECT comment_key, label, value, text, parent_id, $source, now() FROM _rp_labels
            ON CONFLICT (comment_key, label) DO UPDATE SET
                value = excluded.value,
                text = excluded.text,
                parent_id = excluded.parent_id,
                source_id = excluded.source_id,
                imported_at = excluded.imported_at
            WHERE labels.value IS DISTINCT FROM excluded.value
               OR labels.text IS DISTINCT FROM excluded.text
               OR labels.parent_id IS DISTINCT FROM excluded.parent_id
            """,
            {"source": source_id},
        )
    return changed


# --- export ---------------------------------------------------------------------------------------

_CANDIDATES = r"""
SELECT
    c.comment_pk,
    c.comment_id AS id,
    c.article_id,
    c.author_key AS author,
    strftime(timezone('UTC', c.posted_at), '%Y-%m-%dT%H:%M:%SZ') AS posted_at,
    c.parent_id,
    c.text,
    p.text AS parent_text
FROM comments c
LEFT JOIN comments p ON p.article_id = c.article_id AND p.comment_id = c.parent_id
WHERE c.status = 'published'
  AND regexp_matches(c.text, '\S')
  AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.comment_key = c.comment_id)
-- a label file's ids are unique: one comment per id
QUALIFY row_number() OVER (PARTITION BY c.comment_id ORDER BY c.comment_pk) = 1
ORDER BY c.comment_pk
"""


def export_sample(
    conn: duckdb.DuckDBPyConnection,
    out: str | Path,
    topic_ids: Sequence[str],
    *,
    n: int = 200,
    seed: int = 0,
    uncertainty: Uncertainty | None = None,
    overwrite: bool = False,
) -> LabelExport:
    """Write up to `n` stored published comments without any label to `out`, a CSV to label.

    Columns: id (comment_id), article_id, author (the pseudonym author_key), posted_at (UTC, ISO
    8601), parent_id, text, parent_text (the comment it replies to), then one empty column per
    topic id, `skepticism` and `sentiment`. Comments of which a label is stored are left out.

    `uncertainty`, when given, scores the candidates: it receives a frame with the columns
    comment_pk, text and parent_text and returns one float per row, higher when the models are
    less sure; the `n` highest are written, most uncertain first, ties in a random order drawn
    from `seed`. It is how a caller holding trained models (their predicted probabilities) steers
    labelling effort to the comments they would learn most from. Without it the sample is a
    random one drawn from `seed`. The same database and seed give the same file.

    An existing `out` is replaced only with `overwrite` (it may hold labels not imported yet).
    """
    out = Path(out)
    if n < 1:
        raise UsageError(f"the sample size must be at least 1 (got {n})")
    label_columns = (*topic_ids, SKEPTICISM, SENTIMENT)
    clash = sorted(set(EXPORT_CORE) & set(label_columns))
    if clash:
        raise UsageError(f"topic id {', '.join(clash)} clashes with a column of the label file")
    if out.exists() and not overwrite:
        raise UsageError(f"{out} exists (it may hold labels not imported yet; use --force to replace it)")
    candidates = conn.sql(_CANDIDATES).pl()
    order = candidates.with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).shuffle(seed=seed).alias("_random")
    )
    if uncertainty is not None:
        scores = uncertainty(candidates.select("comment_pk", "text", "parent_text"))
        if len(scores) != candidates.height:
            raise ReaderpulseError(
                f"uncertainty gave {len(scores)} values for {candidates.height} comments"
            )
        order = order.with_columns(
            pl.Series("_uncertainty", scores, dtype=pl.Float64).fill_nan(None)
        ).sort(["_uncertainty", "_random"], descending=[True, False], nulls_last=True)
    else:
        order = order.sort("_random")
    sample = order.head(n).select(
        *EXPORT_CORE, *(pl.lit(None, pl.String).alias(name) for name in label_columns)
    )
    try:
        # a BOM so that spreadsheets read the file as UTF-8 (polars and the importer skip it)
        sample.write_csv(out, include_bom=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    return LabelExport(out, sample.height, candidates.height, uncertainty is not None)
