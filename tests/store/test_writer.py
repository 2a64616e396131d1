"""Writing batches: idempotent re-import, one transaction per file, duplicate ids, reply depth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from readerpulse.ingest.api import ImportOptions, ingest

from tests.conftest import FIXTURES, SAMPLE

TABLES = ("sources", "articles", "passages", "comments", "rejects")


def counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # type: ignore[index]


def test_importing_the_same_files_twice_changes_nothing(conn: duckdb.DuckDBPyConnection) -> None:
    paths = [SAMPLE, FIXTURES / "canonical"]
    first = ingest(conn, paths, ImportOptions())
    before = counts(conn)
    again = ingest(conn, paths, ImportOptions())
    assert counts(conn) == before
    assert {r.status for r in first} == {"loaded"}
    assert {r.status for r in again} == {"unchanged"}
    assert all(r.counts.comments == 0 for r in again)


def test_a_changed_file_adds_only_what_is_new(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "c.jsonl"
    record = '{{"comment_id": "{0}", "article_id": "a", "text": "t{0}"}}\n'
    path.write_text(record.format(1) + record.format(2))
    ingest(conn, [path], ImportOptions())
    path.write_text(record.format(1) + record.format(2) + record.format(3))
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.counts.comments) == ("loaded", 1)
    assert conn.execute("SELECT count(*) FROM comments").fetchone() == (3,)


def test_failure_mid_import_rolls_the_file_back(
    conn: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    import readerpulse.ingest.api as api

    ingest(conn, [SAMPLE / "000_9b1a4bb79ebfd41b.txt"], ImportOptions())
    before = counts(conn)

    def crash(*args: object, **kwargs: object) -> None:
        raise duckdb.IOException("disk full (simulated)")

    monkeypatch.setattr(api, "update_depths", crash)  # after every batch of the file was written
    [result] = ingest(conn, [FIXTURES / "canonical" / "comments.jsonl"], ImportOptions())
    assert result.status == "failed"
    assert (
        result.error is not None and "rolled back" in result.error and "disk full" in result.error
    )
    after = counts(conn)
    # nothing of the file stayed; only the record of the failure was added
    assert after["comments"] == before["comments"]
    assert after["articles"] == before["articles"]
    assert after["sources"] == before["sources"] + 1
    assert after["rejects"] == before["rejects"] + 1
    assert conn.execute(
        "SELECT status FROM sources ORDER BY source_id DESC LIMIT 1"
    ).fetchone() == ("failed",)
    monkeypatch.undo()
    [retry] = ingest(conn, [FIXTURES / "canonical" / "comments.jsonl"], ImportOptions())
    assert (retry.status, retry.counts.comments) == ("loaded", 5)


def test_repeated_and_missing_ids_are_rejected(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "dups.jsonl"
    path.write_text(
        '{"comment_id": "1", "article_id": "a", "text": "first"}\n'
        '{"comment_id": "1", "article_id": "a", "text": "second with the same id"}\n'
        '{"comment_id": "1", "article_id": "b", "text": "same id, other article"}\n'
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.counts.comments, result.counts.rejects) == (2, 1)
    assert conn.execute("SELECT location, reason, raw FROM rejects").fetchall() == [
        (
            "line 2",
            "comment id repeats an earlier comment of the same article",
            "second with the same id",
        )
    ]


def test_depth_follows_replies_and_orphans_count_as_depth_one(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "tree.jsonl"
    path.write_text(
        '{"comment_id": "r", "article_id": "a", "text": "root"}\n'
        '{"comment_id": "r1", "parent_id": "r", "article_id": "a", "text": "reply"}\n'
        '{"comment_id": "r11", "parent_id": "r1", "article_id": "a", "text": "reply to reply"}\n'
        '{"comment_id": "o", "parent_id": "missing", "article_id": "a", "text": "orphan"}\n'
        '{"comment_id": "o1", "parent_id": "o", "article_id": "a", "text": "reply to orphan"}\n'
        '{"comment_id": "p", "parent_id": "q", "article_id": "a", "text": "loop one"}\n'
        '{"comment_id": "q", "parent_id": "p", "article_id": "a", "text": "loop two"}\n'
        '{"comment_id": "s", "parent_id": "s", "article_id": "a", "text": "answers itself"}\n'
    )
    ingest(conn, [path], ImportOptions())
    assert dict(conn.execute("SELECT comment_id, depth FROM comments").fetchall()) == {
        "r": 0,
        "r1": 1,
        "r11": 2,
        "o": 1,
        "o1": 2,
        "p": 1,
        "q": 1,
        "s": 1,
    }


def test_a_reply_arriving_in_a_later_file_gets_its_depth(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    first.write_text('{"comment_id": "r", "article_id": "a", "text": "root"}\n')
    second.write_text(
        '{"comment_id": "x", "parent_id": "r", "article_id": "a", "text": "late reply"}\n'
    )
    ingest(conn, [first], ImportOptions())
    ingest(conn, [second], ImportOptions())
    assert conn.execute("SELECT depth FROM comments WHERE comment_id = 'x'").fetchone() == (1,)


def test_unreadable_file_is_recorded_and_others_still_load(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    binary = tmp_path / "a_binary.bin"
    binary.write_bytes(b"\x00\x01\x02garbage")
    results = ingest(
        conn,
        [binary, tmp_path / "missing.jsonl", SAMPLE / "001_76c7e58964da143c.txt"],
        ImportOptions(),
    )
    assert [r.status for r in results] == ["failed", "failed", "loaded"]
    assert results[1].error is not None and "cannot read file" in results[1].error
    assert conn.execute("SELECT count(*) FROM comments").fetchone() == (10,)
    assert conn.execute("SELECT count(*) FROM rejects WHERE location = 'file'").fetchone() == (2,)


def test_a_newer_export_updates_moderation_status_and_edited_text(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    from readerpulse.score.runner import ScoreOptions, score_database

    first, newer = tmp_path / "week1.jsonl", tmp_path / "week2.jsonl"
    first.write_text(
        '{"comment_id": "1", "article_id": "a", "text": "The UN did nothing."}\n'
        '{"comment_id": "2", "article_id": "a", "text": "Abusive words."}\n'
        '{"comment_id": "3", "article_id": "a", "text": "Original wording."}\n'
    )
    newer.write_text(
        '{"comment_id": "1", "article_id": "a", "text": "The UN did nothing."}\n'
        '{"comment_id": "2", "article_id": "a", "text": "Abusive words.", "status": "deleted"}\n'
        '{"comment_id": "3", "article_id": "a", "text": "Edited wording, who verified this?"}\n'
        '{"comment_id": "4", "article_id": "a", "text": "A new one."}\n'
    )
    ingest(conn, [first], ImportOptions())
    score_database(conn, ScoreOptions(workers=1))
    [result] = ingest(conn, [newer], ImportOptions())
    assert (result.counts.comments, result.counts.updated) == (1, 2)
    assert conn.execute(
        "SELECT comment_id, status, text FROM comments ORDER BY comment_id"
    ).fetchall() == [
        ("1", "published", "The UN did nothing."),
        ("2", "deleted", "Abusive words."),
        ("3", "published", "Edited wording, who verified this?"),
        ("4", "published", "A new one."),
    ]
    assert conn.execute(
        "SELECT n_comments, n_updated FROM sources ORDER BY source_id DESC LIMIT 1"
    ).fetchone() == (1, 2)
    # the edited comment (3) lost its scores' mark and is scored again with the new one (4)
    summary = score_database(conn, ScoreOptions(workers=1))
    assert summary.comments == 2
    assert conn.execute(
        "SELECT skeptical FROM comment_facts WHERE comment_id = '3'"
    ).fetchone() == (True,)
    assert conn.execute("SELECT count(*) FROM comment_facts").fetchone() == (3,)


def test_any_error_in_one_file_is_recorded_and_the_next_file_still_loads(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import readerpulse.ingest.api as api

    real = api.write_batch
    calls = {"n": 0}

    def fail_first_file(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("parser bug (simulated)")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "write_batch", fail_first_file)
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    first.write_text('{"comment_id": "a", "article_id": "x", "text": "one"}\n')
    second.write_text('{"comment_id": "b", "article_id": "x", "text": "two"}\n')
    results = ingest(conn, [first, second], ImportOptions())
    assert [r.status for r in results] == ["failed", "loaded"]
    assert results[0].error is not None and "RuntimeError: parser bug (simulated)" in results[0].error
    assert conn.execute("SELECT comment_id FROM comments").fetchall() == [("b",)]


def test_a_repeated_article_id_is_rejected_and_the_other_articles_load(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text(
        '{"article_id": "D", "title": "First D", "body": "Body of the first D."}\n'
        '{"article_id": "D", "title": "Second D", "body": "Body of the second D."}\n'
        '{"article_id": "E", "title": "E", "body": "Body of E."}\n'
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.counts.articles, result.counts.rejects) == ("loaded", 2, 1)
    assert conn.execute("SELECT location, reason FROM rejects").fetchall() == [
        ("line 2", "article id repeats an earlier article of the file")
    ]
    assert conn.execute("SELECT text FROM passages WHERE article_id = 'D' AND passage_no = 1").fetchone() == (
        "Body of the first D.",
    )


def test_a_changed_article_text_relinks_its_comments(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from readerpulse.score.runner import ScoreOptions, score_database

    v1, v2, comments = tmp_path / "v1.jsonl", tmp_path / "v2.jsonl", tmp_path / "c.jsonl"
    v1.write_text(
        '{"article_id": "k", "title": "T", "body": "Casualty figures were disputed by both sides.\\n\\n'
        'The council met to discuss the ceasefire."}\n'
    )
    v2.write_text(
        '{"article_id": "k", "title": "T", "body": "A new first paragraph about aid convoys.\\n\\n'
        'Casualty figures were disputed by both sides.\\n\\nThe council met to discuss the ceasefire."}\n'
    )
    comments.write_text('{"comment_id": "1", "article_id": "k", "text": "Who verified these casualty figures?"}\n')
    ingest(conn, [v1, comments], ImportOptions())
    score_database(conn, ScoreOptions(workers=1))
    link = "SELECT p.text FROM comment_facts f JOIN passages p USING (article_id, passage_no)"
    assert conn.execute(link).fetchone() == ("Casualty figures were disputed by both sides.",)
    [result] = ingest(conn, [v2], ImportOptions())
    assert result.counts.passages == 3  # every numbered passage moved or is new
    assert conn.execute("SELECT count(*) FROM passage_links").fetchone() == (0,)
    assert score_database(conn, ScoreOptions(workers=1)).comments == 1
    assert conn.execute(link).fetchone() == ("Casualty figures were disputed by both sides.",)
    # the same text again changes nothing
    v3 = tmp_path / "v3.jsonl"
    v3.write_text(v2.read_text() + "\n")
    [again] = ingest(conn, [v3], ImportOptions())
    assert again.counts.passages == 0
    assert conn.execute("SELECT count(*) FROM passage_links").fetchone()[0] > 0  # type: ignore[index]


def test_comments_on_a_stored_article_leave_it_as_it_is(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    articles, comments = tmp_path / "a.jsonl", tmp_path / "c.jsonl"
    articles.write_text('{"article_id": "k", "title": "T", "url": "https://x.example/k", "body": "B."}\n')
    comments.write_text('{"comment_id": "1", "article_id": "k", "text": "hi"}\n'
                        '{"comment_id": "2", "article_id": "new", "text": "stub"}\n')
    ingest(conn, [articles], ImportOptions())
    [result] = ingest(conn, [comments], ImportOptions())
    assert result.counts.articles == 1  # the stub of "new"
    assert conn.execute("SELECT article_id, title, url, source_id FROM articles ORDER BY 1").fetchall() == [
        ("k", "T", "https://x.example/k", 1),
        ("new", None, None, 2),
    ]
