"""The Python API: one function per command, for notebooks and scripts (docs/api.md).

The `readerpulse` command parses its options, calls one of these and prints what it returns.
`db` is a database file (default as the command's: see `config.database`) or an open
connection (from `connect`), which is then left open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from . import config, project, queries
from .errors import ReaderpulseError, UsageError, one_line
from .ingest.api import FileResult, ImportOptions
from .ingest.inputs import check_encoding
from .store import connect as _connect
from .store import writing

if TYPE_CHECKING:
    import altair as alt

    from .evaluate import Evaluation, GroundTruthReport
    from .report.weekly import ReportResult
    from .score.explain import ExplainReport
    from .score.runner import ScoreSummary
    from .store.labels import LabelExport, LabelImport
    from .train import TrainResult

PathLike = str | Path
Database = PathLike | duckdb.DuckDBPyConnection | None


def connect(
    db: PathLike | None = None, *, read_only: bool = False, wait: float = 0.0, key_file: PathLike | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the database: read-only (any number of readers at once; never migrated), or to write
    (created if need be and migrated to the current schema). `wait`: seconds to retry while
    another process holds it; `key_file`: where an older database's pseudonym key is moved to."""
    return _connect(config.db_path(db), read_only=read_only, wait=wait, key_file=key_file)


def existing_db(db: PathLike | None = None) -> Path:
    """The database file of a command that reads one: it must exist already."""
    path = config.db_path(db)
    if not path.exists():
        raise ReaderpulseError(f"{path}: no such database (run `readerpulse ingest` first)")
    return path


@contextmanager
def _opened(
    db: Database, *, read_only: bool, must_exist: bool = True, wait: float = 0.0, key_file: PathLike | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(db, duckdb.DuckDBPyConnection):
        yield db
        return
    path = existing_db(db) if must_exist else config.db_path(db)
    if read_only:
        with _connect(path, read_only=True, wait=wait) as conn:
            yield conn
    else:
        with writing(path, wait=wait, key_file=key_file) as conn:
            yield conn


def _database_file(db: Database) -> Path | None:
    return None if isinstance(db, duckdb.DuckDBPyConnection) else config.db_path(db)


# --- import and score -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestResult:
    """What `ingest` did: one result per file, and the scoring summary unless score=False."""

    database: Path | None
    files: list[FileResult]
    scored: ScoreSummary | None = None

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.files if r.status == "failed"]


def ingest(
    paths: Sequence[PathLike],
    db: Database = None,
    *,
    tz: str | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
    keep_author_names: bool = False,
    score: bool = True,
    taxonomy: PathLike | None = None,
    model: PathLike | None = None,
    on_file: Callable[[FileResult, int, int], None] | None = None,
    on_scored: Callable[[int, int], None] | None = None,
    key_file: PathLike | None = None,
    wait: float = 0.0,
) -> IngestResult:
    """Import files or folders, then score the new comments (unless score=False, or the database
    could not be written). `key_file`: the pseudonym key's file (see `store.keys`)."""
    from .ingest.api import ingest as run_ingest
    from .score.model import load_model
    from .score.runner import ScoreOptions, score_database
    from .score.taxonomy import load_taxonomy

    key_path = Path(key_file) if key_file else None
    options = ImportOptions(
        tz=config.timezone(tz),
        keep_author_names=keep_author_names,
        format=fmt,
        encoding=check_encoding(encoding) if encoding else None,
        key_file=key_path,
    )
    db_file = _database_file(db)
    # taxonomy and model are read before importing: a bad one fails first
    scoring = ScoreOptions(taxonomy=load_taxonomy(taxonomy), model=load_model(model, db_file)) if score else None
    with _opened(db, read_only=False, must_exist=False, wait=wait, key_file=key_path) as conn:
        files = run_ingest(conn, [Path(p) for p in paths], options, on_file)
        stopped = any(f.stopped for f in files)  # the database cannot be written: no scoring either
        summary = score_database(conn, scoring, on_scored) if scoring and not stopped else None
    return IngestResult(db_file, files, summary)


def score(
    db: Database = None,
    *,
    rescore_all: bool = False,
    taxonomy: PathLike | None = None,
    model: PathLike | None = None,
    workers: int = 2,
    scorers: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    wait: float = 0.0,
) -> ScoreSummary:
    """Score every comment not yet scored (all of them with rescore_all: each keeps its old
    scores until its new ones are written)."""
    from .score.model import load_model
    from .score.runner import SCORERS, ScoreOptions, score_database

    options = ScoreOptions(
        rescore_all=rescore_all, taxonomy=Path(taxonomy) if taxonomy else None, model=load_model(model, _database_file(db)), workers=workers,
        scorers=tuple(scorers) or SCORERS,
    )
    with _opened(db, read_only=False, wait=wait) as conn:
        return score_database(conn, options, progress)


def migrate(db: PathLike | None = None, *, key_file: PathLike | None = None, wait: float = 0.0) -> tuple[Path, int]:
    """Bring the database's schema up to date (opening it to write does); its file and version."""
    from .store.db import schema_version

    path = existing_db(db)
    with writing(path, wait=wait, key_file=key_file) as conn:
        return path, schema_version(conn)


def score_texts(
    texts: Sequence[str],
    parents: Sequence[str | None] | None = None,
    *,
    taxonomy: PathLike | None = None,
    model: PathLike | None = None,
) -> pl.DataFrame:
    """Score texts without a database: one row per text, in order, with VADER's scores (compound,
    neg, neu, pos), the reader tone, the topics found, and skepticism (score and decision).
    `parents` are the texts each one replies to, if any."""
    from .score.classify import score_texts as classify_texts
    from .score.model import load_model
    from .score.taxonomy import load_taxonomy

    given = list(texts)
    parent_texts = list(parents) if parents is not None else None
    if parent_texts is not None and len(parent_texts) != len(given):
        raise UsageError(f"{len(given)} texts but {len(parent_texts)} parents")
    vader, classified = classify_texts(given, load_taxonomy(taxonomy), load_model(model), parent_texts)
    topics = classified.topic_hits.group_by("row").agg(pl.col("topic").sort().alias("topics"))
    skepticism = classified.skepticism.select("row", pl.col("score").alias("skepticism"), "skeptical")
    frame = (
        vader.select("row", "compound", "neg", "neu", "pos")
        .join(classified.tone.select("row", "tone", "tone_label"), on="row", how="left")
        .join(topics, on="row", how="left")
        .join(skepticism, on="row", how="left")
        .sort("row")
        .with_columns(pl.col("topics").fill_null([]), pl.col("skeptical").fill_null(False))
    )
    return frame.insert_column(1, pl.Series("text", given, dtype=pl.String))


# --- queries --------------------------------------------------------------------------------------


def query_library() -> dict[str, queries.Query]:
    """The named queries (the project's over the packaged ones), by name."""
    return queries.library()


def query(
    name: str, params: Mapping[str, object] | None = None, db: Database = None, *, wait: float = 0.0
) -> pl.DataFrame:
    """Run a named query; `params` may be text (as on the command line) or Python values."""
    found = queries.get(name)
    values = found.bind(params or {})  # checked before the database is opened
    with _opened(db, read_only=True, wait=wait) as conn:
        return queries.run(conn, found, values)


def sql(statement: str, db: Database = None, *, write: bool = False, wait: float = 0.0) -> pl.DataFrame | None:
    """Run ad-hoc SQL; its rows, or None for a statement without any. `write` says how a database
    file is opened (read-only unless true); a connection passed as `db` is used as it is."""
    with _opened(db, read_only=not write, wait=wait) as conn:
        try:
            relation = conn.sql(statement)
        except duckdb.Error as exc:
            raise ReaderpulseError(one_line(exc)) from exc
        if relation is None:
            return None
        frame: pl.DataFrame = relation.pl()
        return frame


# --- reports --------------------------------------------------------------------------------------


def report(
    name: str = "weekly",
    db: Database = None,
    *,
    out: PathLike | None = None,
    week: str | None = None,
    start: date | None = None,
    end: date | None = None,
    article_id: str | None = None,
    images: bool = True,
    wait: float = 0.0,
) -> ReportResult:
    """Write the report NAME into `out` (default: the project's output folder)."""
    from .report.weekly import write_report

    out_dir = config.output(out).path
    db_file = _database_file(db)
    with _opened(db, read_only=True, wait=wait) as conn:
        return write_report(
            conn, name, out_dir, week=week, start=start, end=end, article_id=article_id,
            database=db_file.name if db_file else "", images=images,
        )


def chart(
    section: str,
    db: Database = None,
    *,
    report: str = "weekly",
    week: str | None = None,
    start: date | None = None,
    end: date | None = None,
    article_id: str | None = None,
    wait: float = 0.0,
) -> alt.TopLevelMixin:
    """The Altair chart of one section (or article panel, given `article_id`) of a report, for the
    latest week with comments unless a week or days are given."""
    from .report import charts, definition, weekly

    loaded = definition.load(report)
    panels = loaded.articles.panels if loaded.articles else ()
    found = next((s for s in (*loaded.sections, *panels) if s.id == section), None)
    drawn = [s.id for s in (*loaded.sections, *panels) if s.chart]
    if found is None or found.chart is None:
        raise UsageError(f"report {report!r} has no chart {section!r}; its charts: {', '.join(drawn)}")
    if found in panels and article_id is None:
        raise UsageError(f"{section!r} is a chart per article: give article_id")
    with _opened(db, read_only=True, wait=wait) as conn:
        queries.install_staging(conn)
        period = weekly.resolve_period(conn, week, start, end)
        frame = weekly.section_frame(conn, found, period, article_id)
    if found in panels:
        frame = frame.filter(pl.col("article_id") == article_id)
    if frame.is_empty():
        raise ReaderpulseError(f"nothing to chart for {section!r} in {period.label}")
    return charts.build(found.chart, frame, found.options)


# --- labelled comments, models, measurement ---------------------------------------------------------


def explain(
    text: str, parent: str | None = None, *, taxonomy: PathLike | None = None, model: PathLike | None = None,
    db: PathLike | None = None,
) -> ExplainReport:
    """Every topic's and skepticism's score for one text, the threshold, and why."""
    from .score import explain as explaining
    from .score.model import load_model
    from .score.taxonomy import load_taxonomy

    return explaining.explain(text, load_taxonomy(taxonomy), load_model(model, db), parent)


def train(
    labels: Sequence[PathLike] = (),
    *,
    out: PathLike | None = None,
    db: PathLike | None = None,
    taxonomy: PathLike | None = None,
    external: PathLike | None = None,
) -> TrainResult:
    """Fit the models from label files or folders (default: the checkout's data/labels) and write
    them to `out`, or beside the database `db` (which its scoring then uses)."""
    from .score.model import database_model_path
    from .score.taxonomy import load_taxonomy
    from .train import default_labels
    from .train import train as fit

    if out is None:
        if db is None:
            raise UsageError("give --out FILE, or --db FILE to train the model that database's scoring uses")
        out = database_model_path(db)
    return fit(list(labels) or [default_labels()], load_taxonomy(taxonomy), out, Path(external) if external else None)


def evaluate(
    labels: Sequence[PathLike] = (),
    *,
    folds: int | None = None,
    external: PathLike | None = None,
    taxonomy: PathLike | None = None,
    model: PathLike | None = None,
    db: PathLike | None = None,
) -> list[Evaluation]:
    """Measure the scores on labelled comments the model never saw: the label files with the model
    in force, K folds of cross-validation (default labels: data/labels), and/or the real sets'
    held-out parts under `external`."""
    from . import evaluate as measuring
    from .score.model import load_model
    from .score.taxonomy import load_taxonomy
    from .train import default_labels

    tax = load_taxonomy(taxonomy)
    root = Path(external) if external else None
    if folds is not None:
        return [measuring.evaluate_cross_validation(list(labels) or [default_labels()], tax, folds, root)]
    if not labels and root is None:
        raise UsageError("give label files, --cross-validate K, --external DIR or --vader-groundtruth DIR")
    loaded = load_model(model, db)
    found = [measuring.evaluate_files(list(labels), tax, loaded)] if labels else []
    return found + (measuring.evaluate_external(root, tax, loaded) if root is not None else [])


def evaluate_vader(groundtruth: PathLike) -> GroundTruthReport:
    """Pearson r of VADER against ICWSM-2014's *_GroundTruth.txt files in the folder."""
    from .evaluate import evaluate_groundtruth

    return evaluate_groundtruth(groundtruth)


def import_labels(
    files: Sequence[PathLike], db: Database = None, *, taxonomy: PathLike | None = None, wait: float = 0.0
) -> list[LabelImport]:
    """Import label files (CSV; folders are read for *.csv) into the database's labels."""
    from .score.taxonomy import load_taxonomy
    from .store.labels import import_labels as importing

    topic_ids = [topic.id for topic in load_taxonomy(taxonomy).topics]
    with _opened(db, read_only=False, must_exist=False, wait=wait) as conn:
        return importing(conn, list(files), topic_ids)


def export_labels(
    out: PathLike,
    db: Database = None,
    *,
    n: int = 200,
    seed: int = 0,
    at_random: bool = False,
    overwrite: bool = False,
    taxonomy: PathLike | None = None,
    model: PathLike | None = None,
    wait: float = 0.0,
) -> LabelExport:
    """Write unlabelled comments to `out`, a CSV to label: those the model is least sure about
    first, or a random sample."""
    from functools import partial

    from .score.classify import uncertainty
    from .score.model import load_model
    from .score.taxonomy import load_taxonomy
    from .store.labels import export_sample

    tax = load_taxonomy(taxonomy)
    db_file = existing_db(db) if not isinstance(db, duckdb.DuckDBPyConnection) else None
    unsure = None if at_random else partial(uncertainty, taxonomy=tax, model=load_model(model, db_file))
    topic_ids = [topic.id for topic in tax.topics]
    with _opened(db, read_only=True, wait=wait) as conn:
        return export_sample(conn, out, topic_ids, n=n, seed=seed, uncertainty=unsure, overwrite=overwrite)


# --- projects and settings ------------------------------------------------------------------------


def init(directory: PathLike) -> list[Path]:
    """Write a project folder (readerpulse.toml and editable copies of the defaults)."""
    return project.init(Path(directory))


@dataclass(frozen=True)
class Info:
    """Each setting in force and where it came from (`readerpulse info`)."""

    project: Path | None
    settings: list[tuple[str, config.Setting]] = field(default_factory=list)


def info() -> Info:
    from .score.model import database_model_path, shipped_path

    found = project.find()
    database = config.database()
    named_model = config.model()
    beside = database_model_path(database.path)
    model = named_model or (
        config.Setting(str(beside), "beside the database") if beside.is_file()
        else config.Setting(str(shipped_path()), "packaged")
    )
    settings = [
        ("database", database),
        ("timezone", config.timezone_setting()),
        ("output", config.output()),
        ("taxonomy", config.taxonomy()),
        *(("queries", s) for s in config.queries()),
        *(("reports", s) for s in config.reports()),
        ("model", model),
    ]
    return Info(found.path if found else None, settings)
