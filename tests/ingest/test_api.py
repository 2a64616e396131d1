"""The import loop: files are opened and parsed one file ahead of the writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from readerpulse.ingest import canonical, scan
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.store.writer import FileWriter


def _comment(comment_id: str, text: str = "hello") -> str:
    return f'{{"comment_id": "{comment_id}", "article_id": "a", "text": "{text}"}}\n'


def test_the_same_content_twice_in_one_run_is_unchanged_the_second_time(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "1.jsonl").write_text(_comment("x"))
    (folder / "2.jsonl").write_text(_comment("x"))
    (folder / "3.jsonl").write_text(_comment("y"))
    results = ingest(conn, [folder], ImportOptions())
    assert [r.status for r in results] == ["loaded", "unchanged", "loaded"]
    assert results[1].source_id == results[0].source_id
    assert conn.execute("SELECT count(*) FROM comments").fetchone() == (2,)


def test_a_parser_error_in_a_file_read_ahead_fails_that_file_only(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = scan.jsonl_scan

    def reader(path: Path, *args: Any) -> Any:
        if b"boom" in path.read_bytes():
            raise RuntimeError("parser bug (simulated)")
        return real(path, *args)

    monkeypatch.setattr(scan, "jsonl_scan", reader)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, comment_id in (("1.jsonl", "a"), ("2.jsonl", "boom"), ("3.jsonl", "c")):
        (folder / name).write_text(_comment(comment_id))
    results = ingest(conn, [folder], ImportOptions())
    assert [r.status for r in results] == ["loaded", "failed", "loaded"]
    assert results[1].error is not None and "rolled back" in results[1].error
    assert conn.execute("SELECT comment_id FROM comments ORDER BY 1").fetchall() == [("a",), ("c",)]


def test_a_writer_error_mid_file_waits_for_the_parser_and_the_next_file_loads(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = FileWriter.write
    calls = {"n": 0}

    def fail_second_batch(self: FileWriter, item: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise duckdb.IOException("disk full (simulated)")
        real(self, item)

    monkeypatch.setattr(FileWriter, "write", fail_second_batch)
    monkeypatch.setattr(canonical, "JSONL_BLOCK_BYTES", 64)  # articles: a batch per line or two
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "1.jsonl").write_text(
        "".join(f'{{"article_id": "k{i}", "title": "T{i}", "body": "Body {i}."}}\n' for i in range(6))
    )
    (folder / "2.jsonl").write_text(_comment("d"))
    results = ingest(conn, [folder], ImportOptions())
    assert [r.status for r in results] == ["failed", "loaded"]
    assert conn.execute("SELECT comment_id FROM comments").fetchall() == [("d",)]
    assert conn.execute("SELECT article_id FROM articles").fetchall() == [("a",)]  # the stub of "d"


def test_content_loaded_before_is_not_parsed_again(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("1.jsonl", "2.jsonl"):
        (folder / name).write_text(_comment(name))
    ingest(conn, [folder], ImportOptions())

    def no_parsing(*args: Any) -> Any:
        raise AssertionError("parsed again")

    monkeypatch.setattr(scan, "jsonl_scan", no_parsing)
    assert [r.status for r in ingest(conn, [folder], ImportOptions())] == ["unchanged", "unchanged"]


def test_a_file_not_parsed_ahead_is_parsed_at_its_turn(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import readerpulse.ingest.api as api
    from readerpulse.ingest.model import SourceFile

    path = tmp_path / "1.jsonl"
    path.write_text(_comment("x"))
    # the reader believes the content was loaded (so does not parse ahead), the database does not
    monkeypatch.setattr(api, "_loaded_contents", lambda conn: {SourceFile.open_path(path).sha256})
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.counts.comments) == ("loaded", 1)
