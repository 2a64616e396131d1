"""The `readerpulse` command: parse options, call one library function, print the result."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click
import duckdb

from . import __version__, api, config, queries
from .errors import ReaderpulseError, UsageError, one_line
from .ingest.api import FileResult
from .ingest.formats import registry
from .ingest.inputs import check_encoding
from .output import FORMATS, render
from .store.keys import KEY_ENV, KEY_FILE_ENV

DB_OPTION = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Database file (default: ${config.DB_ENV}, the project's, else ./{config.DEFAULT_DB}).",
)
WAIT_OPTION = click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="SECONDS",
    help="If another command holds the database (an import, say), retry for up to this long (default: fail at once).",
)
KEY_FILE_OPTION = click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"The pseudonym key's file (default: ${KEY_ENV} holds the key, else ${KEY_FILE_ENV}, else DB.key).",
)
TAXONOMY_OPTION = click.option(
    "--taxonomy",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Topic taxonomy TOML (default: $READERPULSE_TAXONOMY, the project's, else the packaged one).",
)


MODEL_OPTION = click.option(
    "--model",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Model file (default: $READERPULSE_MODEL, the project's, else the database's own from `train --db`, else the shipped one).",
)


def _count(n: int, noun: str) -> str:
    """'1 file', '2 files'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


DEBUG_ENV = "READERPULSE_DEBUG"


class Group(click.Group):
    """Every error becomes one line on stderr and an exit code, never a traceback (unless
    $READERPULSE_DEBUG is set): library errors with their own code, the rest with 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except ReaderpulseError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except duckdb.Error as exc:
            click.echo(f"error: {one_line(exc)}", err=True)
            ctx.exit(1)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(1)
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            click.echo(f"error: {type(exc).__name__}: {one_line(exc)} (set {DEBUG_ENV}=1 for the traceback)", err=True)
            ctx.exit(1)
        return None


@click.group(cls=Group)
@click.version_option(__version__, prog_name="readerpulse")
def main() -> None:
    """Reader comments in, weekly audience insight out."""


def _describe(result: FileResult) -> str:
    c = result.counts
    if result.status == "failed":
        return f"FAILED {result.path}: {result.error}"
    if result.status == "unchanged":
        return f"unchanged {result.path} (already imported as source {result.source_id})"
    changed = f", {c.updated} changed" if c.updated else ""
    return (
        f"loaded {result.path} [{result.format}]: {c.articles} articles, {c.passages} passages, "
        f"{c.comments} comments{changed}, {c.rejects} rejects"
    )


def _encoding(name: str | None) -> str | None:
    try:
        return check_encoding(name) if name else None
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from exc


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@DB_OPTION
@click.option(
    "--tz",
    default=None,
    help=f"Zone for timestamps written without one (default: ${config.TZ_ENV}, the project's, else UTC).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([fmt.name for fmt in registry()]),
    default=None,
    help="Skip detection and read every file as this format.",
)
@click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    callback=lambda _ctx, _param, value: _encoding(value),
    help="The files' text encoding (e.g. utf-16, cp1252); default: detected file by file.",
)
@click.option(
    "--keep-author-names",
    is_flag=True,
    help="Also store commenters' raw names (default: pseudonyms only).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@click.option("--no-score", is_flag=True, help="Only import; score later with `readerpulse score`.")
@TAXONOMY_OPTION
@MODEL_OPTION
@KEY_FILE_OPTION
@WAIT_OPTION
def ingest_cmd(
    paths: tuple[Path, ...],
    db: Path | None,
    tz: str | None,
    fmt: str | None,
    encoding: str | None,
    keep_author_names: bool,
    quiet: bool,
    no_score: bool,
    taxonomy: Path | None,
    model: Path | None,
    key_file: Path | None,
    wait: float,
) -> None:
    """Import article pages, comment exports and tables from files or folders.

    New comments are then scored (sentiment, topics, skepticism, tone, passage links) unless --no-score.
    """
    from .score.runner import describe

    def progress(result: FileResult, index: int, total: int) -> None:
        if not quiet or result.status == "failed":
            click.echo(f"[{index}/{total}] {_describe(result)}", err=True)

    done = api.ingest(
        paths, db, tz=tz, fmt=fmt, encoding=encoding, keep_author_names=keep_author_names, score=not no_score,
        taxonomy=taxonomy, model=model, on_file=progress, on_scored=_score_progress(quiet), key_file=key_file,
        wait=wait,
    )
    db_path, results, summary = done.database, done.files, done.scored
    loaded = [r for r in results if r.status == "loaded"]
    failed = [r for r in results if r.status == "failed"]
    totals = {
        k: sum(getattr(r.counts, k) for r in results)
        for k in ("articles", "passages", "comments", "rejects")
    }
    click.echo(
        f"{db_path}: {_count(len(loaded), 'file')} loaded, {len(results) - len(loaded) - len(failed)} unchanged, "
        f"{len(failed)} failed; new: {totals['articles']} articles, {totals['passages']} passages, "
        f"{totals['comments']} comments, {totals['rejects']} rejects"
    )
    for line in describe(summary) if summary else []:
        click.echo(line)
    for result in failed:
        click.echo(f"error: {result.error}", err=True)
    if failed:
        sys.exit(1)


def _score_progress(quiet: bool) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if not quiet:
            click.echo(f"[{done}/{total}] comments scored", err=True)

    return progress


@main.command("score")
@DB_OPTION
@click.option("--all", "rescore_all", is_flag=True,
              help="Score every comment again, batch by batch: each keeps its old scores until its new "
                   "ones are written (after a taxonomy edit, plain `score` already re-tags the changed topics).")
@TAXONOMY_OPTION
@MODEL_OPTION
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Threads that split sentences and run VADER.")
@click.option("--scorer", "scorers", multiple=True,
              type=click.Choice(["sentiment", "topics", "skepticism", "tone", "links"]),
              help="Run only this scorer (repeat for several; default: all five). With --all, only "
                   "its scores are redone, e.g. --all --scorer skepticism.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@WAIT_OPTION
def score_cmd(
    db: Path | None, rescore_all: bool, taxonomy: Path | None, model: Path | None, workers: int,
    scorers: tuple[str, ...], quiet: bool, wait: float,
) -> None:
    """Score every comment not yet scored: sentiment, topics, skepticism, tone, passage links.

    After a taxonomy edit, the comments scored before are tagged again for the topics whose
    definition changed (the others keep their hits).
    """
    from .score.runner import describe

    summary = api.score(
        db, rescore_all=rescore_all, taxonomy=taxonomy, model=model, workers=workers, scorers=scorers,
        progress=_score_progress(quiet), wait=wait,
    )
    for line in describe(summary):
        click.echo(line)


@main.command("evaluate")
@click.argument("labels", nargs=-1, type=click.Path(path_type=Path))
@click.option("--cross-validate", "folds", type=int, default=None, metavar="K",
              help="Instead of the model in force: K folds grouped by thread over LABELS (default data/labels).")
@click.option("--external", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder laid out like shared/external: also measure on the held-out parts of the real sets "
                   "(with --cross-validate: their train parts join the training folds).")
@click.option("--vader-groundtruth", "groundtruth", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of ICWSM-2014 *_GroundTruth.txt files: Pearson r of VADER per file.")
@TAXONOMY_OPTION
@MODEL_OPTION
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--show-errors", is_flag=True, help="Also list the ids of false positives and negatives.")
def evaluate_cmd(labels: tuple[Path, ...], folds: int | None, external: Path | None, groundtruth: Path | None,
                 taxonomy: Path | None, model: Path | None, db: Path | None, fmt: str, show_errors: bool) -> None:
    """Measure the scores on labelled comments the model never saw (LABELS: label files or folders,
    such as data/heldout), by cross-validation, on the real sets' held-out parts, or VADER's ICWSM-2014."""
    from . import evaluate

    if groundtruth is not None:
        click.echo(evaluate.render_groundtruth(api.evaluate_vader(groundtruth), fmt), nl=False)
        return
    report = api.evaluate(labels, folds=folds, external=external, taxonomy=taxonomy, model=model, db=db)
    click.echo(evaluate.render(report, fmt, show_errors), nl=False)


@main.command("train")
@click.option("--labels", "label_paths", multiple=True, type=click.Path(path_type=Path),
              help="Label files or folders of them (repeatable; default: data/labels of the checkout readerpulse runs from).")
@click.option("--external", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder laid out like shared/external: also learn tone and skepticism from the real sets' train parts.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model (default with --db: beside the database, as DB.model).")
@DB_OPTION
@TAXONOMY_OPTION
def train_cmd(label_paths: tuple[Path, ...], external: Path | None, out: Path | None, db: Path | None,
              taxonomy: Path | None) -> None:
    """Fit the topic, skepticism and tone models from labelled comments."""
    result = api.train(label_paths, out=out, db=db, taxonomy=taxonomy, external=external)
    meta = result.model.meta
    rows = ", ".join(f"{name} {n}" for name, n in meta["rows"].items())
    trained = ", ".join((*result.model.labels, "tone")) if result.model.labels else "tone"
    click.echo(f"trained {trained} from {rows} rows in {result.seconds:.1f}s")
    if meta["untrained"]:
        click.echo(f"no model (too few labelled positives; keywords decide): {', '.join(meta['untrained'])}")
    click.echo(f"wrote {result.path} (sha256 {result.sha256})")


@main.command("explain")
@click.argument("text")
@click.option("--parent", "parent_text", default=None, help="The text the comment replies to.")
@TAXONOMY_OPTION
@MODEL_OPTION
@DB_OPTION
def explain_cmd(text: str, parent_text: str | None, taxonomy: Path | None, model: Path | None, db: Path | None) -> None:
    """Print every topic's and skepticism's score for TEXT, the threshold, and why."""
    from .score import explain

    report = api.explain(text, parent_text, taxonomy=taxonomy, model=model, db=db)
    click.echo(explain.render(report), nl=False)


@main.command("formats")
def formats_cmd() -> None:
    """List the source formats readerpulse reads."""
    for fmt in registry():
        click.echo(f"{fmt.name:<16} {fmt.description}")


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init_cmd(directory: Path) -> None:
    """Start a project in DIRECTORY: readerpulse.toml and editable copies of the taxonomy, the
    named queries and the report definitions (commands run inside it use them)."""
    for path in api.init(directory):
        click.echo(f"wrote {path}{'/' if path.is_dir() else ''}")


@main.command("info")
def info_cmd() -> None:
    """Print each setting and file in force and where it came from: an option, an environment
    variable, the project's readerpulse.toml, or the packaged defaults."""
    found = api.info()
    click.echo(f"{'project':<9} {found.project or '(none: no readerpulse.toml here or above)'}")
    for name, setting in found.settings:
        click.echo(f"{name:<9} {setting.value}  [{setting.source}]")


@main.command("migrate")
@DB_OPTION
@KEY_FILE_OPTION
@WAIT_OPTION
def migrate_cmd(db: Path | None, key_file: Path | None, wait: float) -> None:
    """Bring the database's schema up to date (commands that only read never do)."""
    path, version = api.migrate(db, key_file=key_file, wait=wait)
    click.echo(f"{path}: schema up to date (version {version})")


@main.command("sql")
@click.argument("query")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--write", is_flag=True, help="Allow statements that change the database (read-only by default).")
@WAIT_OPTION
def sql_cmd(query: str, db: Path | None, fmt: str, write: bool, wait: float) -> None:
    """Run ad-hoc SQL on the database and print the result."""
    frame = api.sql(query, db, write=write, wait=wait)
    if frame is not None:
        click.echo(render(frame, fmt), nl=False)


@main.command("query")
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the named queries with their parameters.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A parameter of the query (repeatable).")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(queries.OUTPUT_FORMATS), default=None,
              help="Output format (default: from the --output suffix, else table).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of printing (needed for parquet).")
@WAIT_OPTION
def query_cmd(name: str | None, list_: bool, params: tuple[str, ...], db: Path | None,
              fmt: str | None, output: Path | None, wait: float) -> None:
    """Run a named query from the library: the project's queries/ over the packaged ones (see --list)."""
    library = api.query_library()
    if list_:
        click.echo(queries.describe_library(library), nl=False)
        return
    if name is None:
        raise UsageError(f"name a query or use --list; known queries: {', '.join(library)}")
    frame = api.query(name, queries.parse_assignments(params), db, wait=wait)
    text = queries.write(frame, queries.output_format(fmt, output), output)
    if text is not None:
        click.echo(text, nl=False)
    else:
        click.echo(f"{output}: {frame.height} rows", err=True)


@main.command("report")
@click.argument("name", default="weekly")
@DB_OPTION
@click.option("--week", default=None, metavar="YYYY-Www", help="The ISO week to report on, e.g. 2023-W38.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (UTC), instead of --week.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day (UTC), included.")
@click.option("--article", "article_id", default=None, metavar="ID", help="Only this article.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Folder for the report's own folder (HTML page, PNG and SVG charts; default: "
                   f"${config.OUTPUT_ENV}, the project's 'output', else ./{config.DEFAULT_OUTPUT}).")
@WAIT_OPTION
def report_cmd(name: str, db: Path | None, week: str | None, start: datetime | None, end: datetime | None,
               article_id: str | None, out_dir: Path | None, wait: float) -> None:
    """Write a report (default: weekly; definitions in the project's reports/, else the packaged
    ones) and print its path.

    Without --week or --start/--end it covers the latest week with comments.
    """
    result = api.report(
        name, db, out=out_dir, week=week, start=start.date() if start else None,
        end=end.date() if end else None, article_id=article_id, wait=wait,
    )
    report = result.report
    click.echo(
        f"{report.period.label}: {_count(len(report.charts), 'chart')}, {_count(len(report.articles), 'article')} "
        f"({result.timings['total']:.1f}s)",
        err=True,
    )
    click.echo(str(result.html))


# --- label: labelled comments in the database -----------------------------------------------------


@main.group("label")
def label_group() -> None:
    """Labelled comments: export a sample to label in a spreadsheet, import the filled files."""


@label_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@DB_OPTION
@TAXONOMY_OPTION
@WAIT_OPTION
def label_import_cmd(files: tuple[Path, ...], db: Path | None, taxonomy: Path | None, wait: float) -> None:
    """Import label files (CSV: id, text and label columns; folders are read for *.csv).

    The label columns are the taxonomy's topic ids, skepticism (0/1) and sentiment (-2..2); an
    empty cell is not labelled. A file imported before is skipped; a changed one replaces the
    labels it gives again.
    """
    results = api.import_labels(files, db, taxonomy=taxonomy, wait=wait)
    for result in results:
        click.echo(result.describe())


@label_group.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
@TAXONOMY_OPTION
@MODEL_OPTION
@click.option("-n", "n", type=click.IntRange(min=1), default=200, show_default=True, help="Comments to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random order (breaks ties).")
@click.option("--random", "at_random", is_flag=True, help="A random sample instead of the least sure first.")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@WAIT_OPTION
def label_export_cmd(out: Path, db: Path | None, taxonomy: Path | None, model: Path | None, n: int, seed: int,
                     at_random: bool, force: bool, wait: float) -> None:
    """Write unlabelled published comments to OUT, a CSV to label: those the model is least sure
    about first (a label's probability nearest its threshold), or a random sample with --random.

    Columns: id, article_id, author (pseudonym), posted_at, parent_id, text, parent_text, then one
    empty column per topic, skepticism and sentiment. Comments already labelled are left out.
    """
    result = api.export_labels(
        out, db, n=n, seed=seed, at_random=at_random, overwrite=force, taxonomy=taxonomy, model=model, wait=wait
    )
    click.echo(result.describe())
