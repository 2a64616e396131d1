"""Labels in the database: import (one transaction per file, unchanged skipped, last import wins,
rejects kept) and the export of a sample to label, which imports again as it is."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import polars as pl
import pytest
from readerpulse.errors import ReaderpulseError, UsageError
from readerpulse.store import labels as store_labels
from readerpulse.store.labels import export_sample, import_labels

from tests.store.label_helpers import (
    PUBLISHED,
    RAW_NAMES,
    add_comments,
    table,
    topic_ids,
    write_csv,
    write_taxonomy,
)

HEADER = ["id", "author", "posted_at", "parent_id", "text", "aid", "un_role", "skepticism", "sentiment"]


@pytest.fixture
def topics(tmp_path: Path) -> list[str]:
    return topic_ids(write_taxonomy(tmp_path))


def labels(conn: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT comment_key, label, value, text, parent_id, source_id FROM labels ORDER BY 1, 2"
    ).fetchall()


def first_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "first.csv",
        HEADER,
        [
            ["c1", "Dana Reader", "", "", 'Aid, at last: "finally" 🙏', 1, 0, "", 2],
            ["n9", "", "", "c1", "Not in the database, kept anyway", "", 1, 1, ""],
            ["c5", "", "", "", "Who counted these?", "", "", "", ""],  # nothing labelled
        ],
    )


def test_import_stores_one_row_per_label_and_records_the_file(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]
) -> None:
    add_comments(conn)
    path = first_file(tmp_path)
    [result] = import_labels(conn, [path], topics)
    assert (result.status, result.comments, result.labels, result.rejects) == ("imported", 2, 5, 0)
    assert result.describe() == f"imported {path}: 2 comments, 5 labels, 0 rejects"
    sid = result.source_id
    assert labels(conn) == [
        ("c1", "aid", 1, 'Aid, at last: "finally" 🙏', None, sid),
        ("c1", "sentiment", 2, 'Aid, at last: "finally" 🙏', None, sid),
        ("c1", "un_role", 0, 'Aid, at last: "finally" 🙏', None, sid),
        ("n9", "skepticism", 1, "Not in the database, kept anyway", "c1", sid),
        ("n9", "un_role", 1, "Not in the database, kept anyway", "c1", sid),
    ]
    source = conn.execute(
        "SELECT path, format, status, n_comments, n_rejects, length(sha256) FROM sources WHERE source_id = ?",
        [sid],
    ).fetchone()
    assert source == (str(path), "labels", "loaded", 2, 0, 64)


def test_comment_labels_links_stored_comments_by_id(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]
) -> None:
    add_comments(conn)
    path = write_csv(
        tmp_path / "l.csv",
        HEADER,
        [["c1", "", "", "", "Aid", 1, "", "", ""], ["zz", "", "", "", "Elsewhere", 1, "", "", ""],
         ["x1", "", "", "", "Same id", 0, "", "", ""]],
    )
    import_labels(conn, [path], topics)
    rows = conn.execute("SELECT comment_key, comment_pk, article_id FROM comment_labels ORDER BY 1").fetchall()
    # x1 is stored under two articles: no guess; zz is not stored at all
    assert rows == [("c1", 1, "a1"), ("x1", None, None), ("zz", None, None)]


def test_reimporting_the_same_file_changes_nothing(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]
) -> None:
    path = write_csv(
        tmp_path / "l.csv", HEADER, [["c1", "", "", "", "Aid", 1, "", "", ""], ["", "", "", "", "no id", 1, "", "", ""]]
    )
    [first] = import_labels(conn, [path], topics)
    before = {name: table(conn, name) for name in ("labels", "sources", "rejects")}
    [again] = import_labels(conn, [path], topics)
    assert (again.status, again.source_id) == ("unchanged", first.source_id)
    assert again.describe() == f"unchanged {path} (already imported as source {first.source_id})"
    assert {name: table(conn, name) for name in ("labels", "sources", "rejects")} == before


def test_a_changed_file_wins_and_empty_cells_keep_earlier_labels(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]
) -> None:
    path = tmp_path / "l.csv"
    write_csv(path, HEADER, [["c1", "", "", "", "Aid", 1, 0, "", -1], ["c2", "", "", "", "UN?", "", 1, "", ""]])
    [first] = import_labels(conn, [path], topics)
    # the analyst corrects c1's aid label, leaves its un_role cell empty, and labels c3
    write_csv(path, HEADER, [["c1", "", "", "", "Aid", 0, "", "", -1], ["c3", "", "", "", "Agreed", "", "", 0, ""]])
    [second] = import_labels(conn, [path], topics)
    assert second.status == "imported" and second.source_id != first.source_id
    assert (second.comments, second.labels, second.changed) == (2, 3, 1)
    assert second.describe().endswith("2 comments, 3 labels, 1 changed, 0 rejects")
    one, two = first.source_id, second.source_id
    assert labels(conn) == [
        ("c1", "aid", 0, "Aid", None, two),  # the last import wins
        ("c1", "sentiment", -1, "Aid", None, one),  # given again unchanged: keeps its first import
        ("c1", "un_role", 0, "Aid", None, one),  # empty now: not labelled, the earlier label stands
        ("c2", "un_role", 1, "UN?", None, one),  # not in the new file
        ("c3", "skepticism", 0, "Agreed", None, two),
    ]
    assert conn.execute("SELECT n_updated FROM sources WHERE source_id = ?", [two]).fetchone() == (1,)


def test_a_later_file_wins_over_an_earlier_one_in_the_same_run(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]
) -> None:
    a = write_csv(tmp_path / "a.csv", HEADER, [["c1", "", "", "", "Aid", 1, "", "", ""]])
    b = write_csv(tmp_path / "b.csv", HEADER, [["c1", "", "", "", "Aid (edited)", 0, "", "", ""]])
    results = import_labels(conn, [a, b], topics)
    assert [r.status for r in results] == ["imported", "imported"]
    assert labels(conn) == [("c1", "aid", 0, "Aid (edited)", None, results[1].source_id)]


def test_rejected_rows_go_to_rejects_with_their_row_and_reason(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]
) -> None:
    path = write_csv(
        tmp_path / "l.csv",
        HEADER,
        [
            ["c1", "", "", "", "Aid", 1, "", "", ""],
            ["c2", "", "", "", "UN", 2, "", "", ""],
            ["c3", "", "", "", "", 1, "", "", ""],
            ["c4", "", "", "", "Trucks", "", "", "", 5],
            ["c1", "", "", "", "Aid again", 0, "", "", ""],
        ],
    )
    [result] = import_labels(conn, [path], topics)
    assert (result.comments, result.labels, result.rejects) == (1, 1, 4)
    rows = conn.execute("SELECT source_id, location, reason, raw FROM rejects ORDER BY location").fetchall()
    sid = result.source_id
    assert rows == [
        (sid, "row 3", "aid must be 0 or 1", "c2,UN"),
        (sid, "row 4", "no text", "c3,"),
        (sid, "row 5", "sentiment must be an integer from -2 to 2", "c4,Trucks"),
        (sid, "row 6", "id already labelled earlier", "c1,Aid again"),
    ]
    assert labels(conn) == [("c1", "aid", 1, "Aid", None, sid)]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["id", "text", "unknown_topic"], "no label column"),
        (["id", "body", "aid"], "no column text"),
    ],
)
def test_a_bad_file_writes_nothing(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str], header: list[str], message: str
) -> None:
    good = write_csv(tmp_path / "good.csv", HEADER, [["c1", "", "", "", "Aid", 1, "", "", ""]])
    bad = write_csv(tmp_path / "bad.csv", header, [["c1", "Aid", "1"]])
    before = {name: table(conn, name) for name in ("labels", "sources", "rejects")}
    with pytest.raises(UsageError, match=message):
        import_labels(conn, [good, bad], topics)
    with pytest.raises(UsageError, match="no such file"):
        import_labels(conn, [good, tmp_path / "missing.csv"], topics)
    assert {name: table(conn, name) for name in ("labels", "sources", "rejects")} == before


def test_a_failure_half_way_leaves_the_database_as_before_that_file(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a = write_csv(tmp_path / "a.csv", HEADER, [["c1", "", "", "", "Aid", 1, "", "", ""]])
    b = write_csv(tmp_path / "b.csv", HEADER, [["c2", "", "", "", "UN", "", 1, "", ""], ["", "", "", "", "x", 1, "", "", ""]])
    [done] = import_labels(conn, [a], topics)
    before = {name: table(conn, name) for name in ("labels", "sources", "rejects")}
    write = store_labels._write_labels

    def crash(*args: object) -> int:
        write(*args)  # type: ignore[arg-type]
        raise duckdb.IOException("disk went away")

    monkeypatch.setattr(store_labels, "_write_labels", crash)
    with pytest.raises(duckdb.IOException):
        import_labels(conn, [b], topics)
    assert {name: table(conn, name) for name in ("labels", "sources", "rejects")} == before
    monkeypatch.undo()
    [later] = import_labels(conn, [b], topics)  # not recorded as imported: it loads now
    assert later.status == "imported" and later.source_id != done.source_id


# --- export ---------------------------------------------------------------------------------------


def read_export(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def test_export_writes_a_label_file_of_unlabelled_published_comments(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]
) -> None:
    add_comments(conn)
    import_labels(conn, [write_csv(tmp_path / "l.csv", HEADER, [["c4", "", "", "", "Trucks", "", "", "", 1]])], topics)
    out = tmp_path / "out.csv"
    result = export_sample(conn, out, topics, n=50)
    frame = read_export(out)
    assert frame.columns == [
        "id", "article_id", "author", "posted_at", "parent_id", "text", "parent_text",
        "aid", "un_role", "skepticism", "sentiment",
    ]
    # c4 is labelled, c6 deleted, c7 spam; x1 (two articles) once
    assert sorted(frame["id"]) == sorted(PUBLISHED - {"c4"})
    assert (result.rows, result.candidates) == (5, 5)
    assert result.describe() == f"wrote {out}: 5 of 5 unlabelled comments (random sample)"
    for column in ("aid", "un_role", "skepticism", "sentiment"):
        assert frame[column].null_count() == frame.height
    c3 = frame.filter(pl.col("id") == "c3").row(0, named=True)
    assert c3 == {
        "id": "c3", "article_id": "a1", "author": "u_cccc", "posted_at": "2023-09-21T12:00:00Z", "parent_id": "c2",
        "text": '  Agreed, "nobody" — sad ', "parent_text": "Where is the UN?\nNobody, as usual.",
        "aid": None, "un_role": None, "skepticism": None, "sentiment": None,
    }
    c1 = frame.filter(pl.col("id") == "c1").row(0, named=True)
    assert (c1["author"], c1["posted_at"]) == ("u_aaaa", "2023-09-21T08:00:00Z")  # UTC
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets then read UTF-8
    content = out.read_text(encoding="utf-8-sig")
    assert not any(name in content for name in RAW_NAMES)


def test_export_is_a_seeded_random_sample(conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]) -> None:
    add_comments(conn)
    orders = {}
    for seed in range(6):
        export_sample(conn, tmp_path / f"s{seed}.csv", topics, n=3, seed=seed)
        orders[seed] = read_export(tmp_path / f"s{seed}.csv")["id"].to_list()
    export_sample(conn, tmp_path / "again.csv", topics, n=3, seed=0)
    assert read_export(tmp_path / "again.csv")["id"].to_list() == orders[0]
    assert all(len(ids) == 3 and set(ids) <= PUBLISHED for ids in orders.values())
    assert len({tuple(ids) for ids in orders.values()}) > 1  # the seed matters


def test_export_takes_the_comments_the_models_are_least_sure_about(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]
) -> None:
    add_comments(conn)
    seen: list[pl.DataFrame] = []

    doubt = {1: 0.2, 2: 0.4, 3: 0.9, 4: 0.1, 5: 0.7, 8: float("nan")}  # by comment_pk

    def models(frame: pl.DataFrame) -> pl.Series:
        seen.append(frame)
        return frame["comment_pk"].replace_strict(doubt, return_dtype=pl.Float64)

    result = export_sample(conn, tmp_path / "u.csv", topics, n=4, uncertainty=models)
    assert result.by_uncertainty and result.describe().endswith("(least sure first)")
    assert seen[0].columns == ["comment_pk", "text", "parent_text"]
    assert seen[0].filter(pl.col("comment_pk") == 3)["parent_text"].to_list() == ["Where is the UN?\nNobody, as usual."]
    # the least sure first; NaN counts as the surest
    assert read_export(tmp_path / "u.csv")["id"].to_list() == ["c3", "c5", "c2", "c1"]

    # equal uncertainty: the seeded random order decides, the same as without any
    for seed in (0, 1, 2):
        export_sample(conn, tmp_path / f"flat{seed}.csv", topics, n=4, seed=seed,
                      uncertainty=lambda f: pl.Series([0.5] * f.height))
        export_sample(conn, tmp_path / f"rand{seed}.csv", topics, n=4, seed=seed)
        assert read_export(tmp_path / f"flat{seed}.csv")["id"].to_list() == read_export(tmp_path / f"rand{seed}.csv")["id"].to_list()

    with pytest.raises(ReaderpulseError, match="uncertainty gave 1 values for 6 comments"):
        export_sample(conn, tmp_path / "bad.csv", topics, uncertainty=lambda f: pl.Series([1.0]))


def test_export_does_not_replace_a_file_unless_asked(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]
) -> None:
    add_comments(conn)
    out = tmp_path / "out.csv"
    out.write_text("half-labelled work\n")
    with pytest.raises(UsageError, match="exists"):
        export_sample(conn, out, topics)
    assert out.read_text() == "half-labelled work\n"
    export_sample(conn, out, topics, overwrite=True)
    assert read_export(out).height == 6


def test_export_fill_import_round_trips(conn: duckdb.DuckDBPyConnection, tmp_path: Path, topics: list[str]) -> None:
    """Exported, filled in with another CSV writer (as a spreadsheet would), imported as it is."""
    add_comments(conn)
    out = tmp_path / "to_label.csv"
    export_sample(conn, out, topics, n=10)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    filled = {"c1": {"aid": "1", "sentiment": "2"}, "c2": {"un_role": "1", "skepticism": "0"},
              "c3": {"sentiment": "-1"}}
    for row in rows:
        row.update(filled.get(row["id"], {}))
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    [result] = import_labels(conn, [out], topics)
    assert (result.comments, result.labels, result.rejects) == (3, 5, 0)
    stored = conn.execute(
        "SELECT l.comment_key, l.label, l.value, l.text = c.text, cl.comment_pk = c.comment_pk"
        " FROM labels l JOIN comment_labels cl USING (comment_key, label)"
        " JOIN comments c ON c.comment_id = l.comment_key ORDER BY 1, 2"
    ).fetchall()
    assert stored == [
        ("c1", "aid", 1, True, True),
        ("c1", "sentiment", 2, True, True),
        ("c2", "skepticism", 0, True, True),
        ("c2", "un_role", 1, True, True),
        ("c3", "sentiment", -1, True, True),
    ]
    # the labelled comments no longer come out
    export_sample(conn, tmp_path / "next.csv", topics, n=10)
    assert set(read_export(tmp_path / "next.csv")["id"]) == PUBLISHED - {"c1", "c2", "c3"}
