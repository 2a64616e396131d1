"""The named-query machinery: headers, parameter binding and validation, the `query` command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner
from readerpulse import queries
from readerpulse.cli import main
from readerpulse.errors import UsageError


def write_sql(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.sql"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    root = tmp_path / "queries"
    (root / "staging").mkdir(parents=True)
    write_sql(root / "staging", "stg_b", "-- view: stg_b\n-- description: reads stg_a\nSELECT x + 1 AS y FROM stg_a\n")
    write_sql(root / "staging", "stg_a", "-- view: stg_a\n-- description: a number\nSELECT 41 AS x\n")
    write_sql(
        root,
        "answer",
        "-- name: answer\n"
        "-- description: The answer, shifted.\n"
        "-- param: shift INTEGER = 0 -- added to the answer\n"
        "-- param: label VARCHAR = 'hello world' -- a label\n"
        "-- param: day DATE = 2023-09-18\n"
        "-- param: when_null DOUBLE = NULL\n"
        "\n"
        "-- free comments are fine here\n"
        "SELECT y + $shift AS answer, $label AS label, $day AS day, $when_null::DOUBLE AS n FROM stg_b;\n",
    )
    return root


def test_header_is_parsed(library_dir: Path) -> None:
    query = queries.library(library_dir)["answer"]
    assert query.description == "The answer, shifted."
    assert [(p.name, p.type, p.default, p.required) for p in query.params] == [
        ("shift", "INTEGER", 0, False),
        ("label", "VARCHAR", "hello world", False),
        ("day", "DATE", date(2023, 9, 18), False),
        ("when_null", "DOUBLE", None, False),
    ]
    assert query.params[0].help == "added to the answer"
    assert query.sql.startswith("SELECT y + $shift")  # free comments among the header lines are skipped
    assert not query.sql.endswith(";")


def test_staging_views_are_created_in_dependency_order(library_dir: Path) -> None:
    assert [v.name for v in queries.staging_views(library_dir)] == ["stg_a", "stg_b"]


def test_values_are_bound_by_duckdb_not_formatted(
    library_dir: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    query = queries.library(library_dir)["answer"]
    frame = queries.run(conn, query, {"shift": "1", "label": "x'); DROP TABLE comments; --"})
    assert frame.rows() == [(43, "x'); DROP TABLE comments; --", date(2023, 9, 18), None)]
    assert conn.execute("SELECT count(*) FROM comments").fetchone() == (0,)


def test_iso_weeks_are_dates(library_dir: Path) -> None:
    query = queries.library(library_dir)["answer"]
    assert query.bind({"day": "2023-W38"})["day"] == date(2023, 9, 18)
    assert query.bind({"day": date(2023, 1, 2)})["day"] == date(2023, 1, 2)


def test_unknown_parameter_names_the_expected_ones(library_dir: Path) -> None:
    query = queries.library(library_dir)["answer"]
    with pytest.raises(UsageError) as info:
        query.bind({"shfit": "1"})
    message = str(info.value)
    assert "has no parameter 'shfit'" in message
    assert "shift INTEGER = 0  -- added to the answer" in message
    assert "day DATE = 2023-09-18" in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [("shift", "ten"), ("shift", "1.5"), ("day", "18/09/2023"), ("when_null", "x"), ("shift", True)],
)
def test_wrong_type_is_a_usage_error(library_dir: Path, name: str, value: object) -> None:
    query = queries.library(library_dir)["answer"]
    with pytest.raises(UsageError, match=f"parameter '{name}' of query 'answer' must be"):
        query.bind({name: value})


def test_required_parameter(tmp_path: Path) -> None:
    write_sql(tmp_path, "need", "-- name: need\n-- description: d\n-- param: n INTEGER\nSELECT $n AS n\n")
    query = queries.library(tmp_path)["need"]
    assert query.params[0].describe() == "n INTEGER (required)"
    with pytest.raises(UsageError, match="needs parameter 'n'"):
        query.bind({})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-- description: d\nSELECT 1\n", "exactly one '-- name:'"),
        ("-- name: other\n-- description: d\nSELECT 1\n", "must match the file name"),
        ("-- name: bad\nSELECT 1\n", "exactly one '-- description:'"),
        ("-- name: bad\n-- description: d\n-- param: n INTEGER = 1\nSELECT 1\n", "never uses ['n']"),
        ("-- name: bad\n-- description: d\nSELECT $n\n", "undeclared parameters ['n']"),
        ("-- name: bad\n-- description: d\n-- param: n BLOB\nSELECT $n\n", "use one of DATE"),
        ("-- name: bad\n-- description: d\n-- param: n INTEGER = x\nSELECT $n\n", "not a INTEGER"),
        ("-- name: bad\n-- description: d\n", "no SQL after the header"),
    ],
)
def test_malformed_headers_are_reported(tmp_path: Path, text: str, message: str) -> None:
    write_sql(tmp_path, "bad", text)
    with pytest.raises(queries.QueryDefinitionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        queries.library(tmp_path)


def test_parse_assignments() -> None:
    assert queries.parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(UsageError, match="not key=value"):
        queries.parse_assignments(["a"])
    with pytest.raises(UsageError, match="given twice"):
        queries.parse_assignments(["a=1", "a=2"])


def test_the_library_has_at_least_ten_documented_queries() -> None:
    library = queries.library()
    assert len(library) >= 10
    for query in library.values():
        assert query.description.endswith(".")
        assert all(p.help for p in query.params), query.name


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_list_shows_names_descriptions_and_parameters(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "--list"])
    assert result.exit_code == 0, result.output
    assert "review_queue\n  Comments needing review: very negative and skeptical" in result.stdout
    assert "  max_sentiment DOUBLE = -0.5  -- only comments whose sentiment" in result.stdout
    for name in queries.library():
        assert f"\n{name}\n" in f"\n{result.stdout}"


def test_query_prints_a_table(runner: CliRunner, reader_week_path: Path) -> None:
    result = runner.invoke(
        main, ["query", "review_queue", "--db", str(reader_week_path), "-p", "max_sentiment=-0.25"]
    )
    assert result.exit_code == 0, result.output
    assert "| c5 " in result.stdout and "| c7 " in result.stdout and "c10" not in result.stdout


def test_query_as_json_and_csv(runner: CliRunner, reader_week_path: Path) -> None:
    args = ["query", "skeptical_comments", "--db", str(reader_week_path), "-p", "start=2023-W38"]
    result = runner.invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["comment_id"] for r in rows] == ["c5", "c7", "c10"]
    assert rows[0]["cues"] == ["any proof", "propaganda"]
    result = runner.invoke(main, [*args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "any proof; propaganda" in result.stdout.splitlines()[1]


def test_query_to_parquet_file(runner: CliRunner, reader_week_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "topics.parquet"
    result = runner.invoke(main, ["query", "topic_weekly", "--db", str(reader_week_path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame.height == 5 and frame.columns[:3] == ["week_start", "iso_week", "topic"]
    assert "5 rows" in result.stderr


def test_parquet_needs_a_file(runner: CliRunner, reader_week_path: Path) -> None:
    result = runner.invoke(main, ["query", "topic_weekly", "--db", str(reader_week_path), "--format", "parquet"])
    assert result.exit_code == 2
    assert "give --output FILE" in result.stderr


def test_csv_to_a_file(runner: CliRunner, reader_week_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "cues.csv"
    result = runner.invoke(main, ["query", "skepticism_cues", "--db", str(reader_week_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8").splitlines()[0] == "cue,comments,articles,share_of_skeptical"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "review_queue", "-p", "max_sentimnt=1"], "has no parameter 'max_sentimnt'"),
        (["query", "review_queue", "-p", "limit=ten"], "parameter 'limit' of query 'review_queue' must be INTEGER"),
        (["query", "review_queue", "-p", "start=last week"], "must be DATE"),
        (["query", "review_queue", "-p", "limit"], "is not key=value"),
        (["query", "no_such_query"], "no query named 'no_such_query'"),
        (["query"], "name a query or use --list"),
    ],
)
def test_wrong_parameters_exit_2_with_the_expected_ones(
    runner: CliRunner, reader_week_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(main, [*args, "--db", str(reader_week_path)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    if "parameter" in message and "key=value" not in message:
        assert "expected parameters:\n  start DATE = NULL" in result.stderr


def test_missing_database(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["query", "topic_weekly", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no such database" in result.stderr


def test_a_staging_macro_is_installed_after_the_views_it_reads(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    write_sql(staging, "stg_a", "-- macro: stg_a(n,step := 1)\n-- description: d\nSELECT x + step AS y FROM stg_b WHERE x < n\n")
    write_sql(staging, "stg_b", "-- view: stg_b\n-- description: d\nSELECT range AS x FROM range(5)\n")
    assert [(v.name, v.args) for v in queries.staging_views(tmp_path)] == [("stg_b", None), ("stg_a", "n, step := 1")]
    conn = duckdb.connect()
    queries.install_staging(conn, tmp_path)
    queries.install_staging(conn, tmp_path)  # refreshing replaces the macro
    rows = conn.execute("SELECT y FROM stg_a($n, step := 10) ORDER BY y", {"n": 3}).fetchall()
    assert rows == [(10,), (11,), (12,)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-- macro: stg_m(a; DROP TABLE comments)\n-- description: d\nSELECT 1\n", "cannot read the macro signature"),
        ("-- macro: stg_m(a := now())\n-- description: d\nSELECT a\n", "cannot read the macro signature"),
        ("-- macro: other(a)\n-- description: d\nSELECT a\n", "must match the file name"),
        ("-- macro: stg_m(a)\n-- view: stg_m\n-- description: d\nSELECT a\n", "either a '-- view:' or a '-- macro:'"),
        ("-- macro: stg_m(a)\n-- description: d\nSELECT $a\n", "cannot take $parameters"),
    ],
)
def test_malformed_staging_macros_are_reported(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "staging").mkdir()
    write_sql(tmp_path / "staging", "stg_m", text)
    with pytest.raises(queries.QueryDefinitionError, match=message.replace("$", r"\$")):
        queries.staging_views(tmp_path)


@pytest.mark.parametrize(
    ("start", "end", "whole_span", "first_day", "last_day"),
    [
        (None, None, False, date(2023, 9, 18), date(2023, 9, 24)),  # the latest week with comments
        (None, None, True, date(2023, 9, 12), date(2023, 9, 24)),  # the first to the last day with comments
        (date(2023, 9, 11), None, False, date(2023, 9, 11), date(2023, 9, 17)),
        (None, date(2023, 9, 20), False, date(2023, 9, 14), date(2023, 9, 20)),
        (None, date(2023, 9, 20), True, date(2023, 9, 12), date(2023, 9, 20)),
        (date(2023, 9, 20), date(2023, 9, 21), True, date(2023, 9, 20), date(2023, 9, 21)),
    ],
)
def test_stg_period_resolves_the_default_period(
    reader_week: duckdb.DuckDBPyConnection,
    start: date | None,
    end: date | None,
    whole_span: bool,
    first_day: date,
    last_day: date,
) -> None:
    queries.install_staging(reader_week)  # a read-only connection: temp views and macros still work
    row = reader_week.execute(
        "SELECT first_day, last_day FROM stg_period($start, $end, whole_span := $whole_span)",
        {"start": start, "end": end, "whole_span": whole_span},
    ).fetchall()
    assert row == [(first_day, last_day)]


def test_stg_period_comments_scopes_by_period_and_article(reader_week: duckdb.DuckDBPyConnection) -> None:
    queries.install_staging(reader_week)

    def scoped(start: date | None, end: date | None, article: str | None, whole_span: bool = False) -> pl.DataFrame:
        frame: pl.DataFrame = reader_week.sql(
            "SELECT * FROM stg_period_comments($start, $end, $article, whole_span := $whole_span)",
            params={"start": start, "end": end, "article": article, "whole_span": whole_span},
        ).pl()
        return frame

    every = reader_week.sql("SELECT * FROM stg_comments").pl()
    assert scoped(None, None, None, True).sort("comment_pk").equals(every.sort("comment_pk"))
    week = scoped(None, None, None)
    assert week.height > 0
    assert week["posted_day"].is_between(date(2023, 9, 18), date(2023, 9, 24)).all()
    assert week.height == every.filter(pl.col("posted_day") >= date(2023, 9, 18)).height
    a2 = scoped(None, None, "a2", True)
    assert set(a2["article_id"]) == {"a2"}
    assert a2.height == every.filter(pl.col("article_id") == "a2").height
    assert scoped(date(2023, 9, 12), date(2023, 9, 12), "a2").height == every.filter(
        (pl.col("article_id") == "a2") & (pl.col("posted_day") == date(2023, 9, 12))
    ).height
    assert scoped(None, None, "no-such-article", True).is_empty()
