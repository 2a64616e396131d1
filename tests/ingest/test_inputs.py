"""Files as the parsers receive them: regular, not empty, unpacked within limits, in UTF-8."""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path

import duckdb
import pytest
from readerpulse.errors import UnreadableSource, UsageError
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.ingest.inputs import (
    Limits,
    check_encoding,
    decode_input,
    detect_encoding,
    open_input,
)

from tests.conftest import FIXTURES

HEADER = "comment_id,article_id,text\n"


def _comments(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(conn.execute("SELECT comment_id, text FROM comments").fetchall())


def _failure(conn: duckdb.DuckDBPyConnection, path: Path, **options: object) -> str:
    [result] = ingest(conn, [path], ImportOptions(**options))  # type: ignore[arg-type]
    assert result.status == "failed"
    assert result.error is not None
    reason = conn.execute("SELECT reason FROM rejects WHERE location = 'file'").fetchall()[-1][0]
    assert reason == result.error  # the failure is kept beside the file's source row
    return result.error


# --- only regular, non-empty files ------------------------------------------------------------


def test_a_fifo_is_refused_without_waiting_for_a_writer(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert _failure(conn, fifo) == f"{fifo}: not a regular file (a FIFO); only regular files are read"


def test_a_device_is_refused(conn: duckdb.DuckDBPyConnection) -> None:
    error = _failure(conn, Path("/dev/zero"))
    assert error == "/dev/zero: not a regular file (a character device); only regular files are read"


def test_an_empty_file_says_so(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    empty = tmp_path / "comments.csv"
    empty.touch()
    assert _failure(conn, empty) == f"{empty}: empty file"
    packed = tmp_path / "comments.csv.gz"
    packed.write_bytes(gzip.compress(b""))
    assert _failure(conn, packed) == f"{packed}: empty file (once unpacked)"


def test_open_input_hashes_the_file_as_given(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 100_000)
    source = open_input(path)
    assert (source.size, len(source.head), source.data) == (100_000, 64 * 1024, None)
    with pytest.raises(UnreadableSource, match="cannot read file"):
        open_input(tmp_path / "missing.csv")


# --- gzip -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("c.jsonl.gz", '{"comment_id": "1", "article_id": "a", "text": "packed"}\n'),
        ("c.csv.gz", HEADER + "1,a,packed\n"),
        ("export.gz", HEADER + "1,a,packed\n"),  # recognised by its bytes, not its name
    ],
)
def test_gzip_files_are_read(conn: duckdb.DuckDBPyConnection, tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(content.encode()))
    [result] = ingest(conn, [path], ImportOptions())
    assert result.status == "loaded", result.error
    assert _comments(conn) == {"1": "packed"}


def test_a_gzipped_parquet_table_is_read(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import polars as pl

    table = tmp_path / "c.parquet"
    pl.DataFrame({"comment_id": ["1"], "article_id": ["a"], "text": ["packed"]}).write_parquet(table)
    path = tmp_path / "c.parquet.gz"
    path.write_bytes(gzip.compress(table.read_bytes()))
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.format) == ("loaded", "parquet"), result.error
    assert _comments(conn) == {"1": "packed"}


@pytest.mark.parametrize(
    ("fixture", "fmt", "comments"),
    [("disqus/replies.xml", "disqus", 6), ("commento/bom.json", "commento", 1), ("page/encoding.txt", "page", 2)],
)
def test_gzipped_exports_are_read_as_their_format(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, fixture: str, fmt: str, comments: int
) -> None:
    path = tmp_path / (Path(fixture).name + ".gz")
    path.write_bytes(gzip.compress((FIXTURES / fixture).read_bytes()))
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.format, result.counts.comments) == ("loaded", fmt, comments), result.error


def test_a_gzip_file_that_unpacks_too_far_fails_alone(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    limits = Limits(max_unpacked_bytes=1 << 20, max_ratio=100, ratio_checked_above=1 << 30)
    big = tmp_path / "big.csv.gz"
    big.write_bytes(gzip.compress((HEADER + "1,a,text\n" * 200_000).encode()))
    assert _failure(conn, big, limits=limits) == (
        f"{big}: unpacks to more than 1 MiB, the limit for a gzip file; not read"
    )


def test_a_gzip_bomb_fails_by_its_ratio_and_leaves_no_temporary_file(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (1 << 20), 9) * 50)  # 50 KiB packed, 50 MiB unpacked
    limits = Limits(max_ratio=100, ratio_checked_above=1 << 20)
    error = _failure(conn, bomb, limits=limits)
    assert error.startswith(f"{bomb}: unpacks to more than 100 times its size (")
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_broken_gzip_file_says_so(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    noise = random.Random(1).randbytes(50_000)
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress(noise)[:20_000])
    assert _failure(conn, path).startswith(f"{path}: a broken gzip file (")


# --- encodings --------------------------------------------------------------------------------

TEXT = "naïve “café” – ok"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", "\ufeff"), ("utf-16", ""), ("utf-16-le", ""), ("utf-16-be", ""), ("cp1252", "")],
)
def test_csv_in_other_encodings_is_read(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, encoding: str, bom: str
) -> None:
    """UTF-16 with a BOM (what Excel writes) or without one, and Windows-1252, are detected."""
    path = tmp_path / "comments.csv"
    path.write_bytes((bom + HEADER + f"1,a,{TEXT}\n2,a,plain\n").encode(encoding))
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.format, result.counts.rejects) == ("loaded", "csv", 0), result.error
    assert _comments(conn) == {"1": TEXT, "2": "plain"}


def test_utf8_with_a_damaged_byte_stays_utf8(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Mostly valid UTF-8: only the record with the bad byte is rejected, nothing is misread."""
    path = tmp_path / "comments.csv"
    path.write_bytes((HEADER + f"1,a,{TEXT}\n").encode() + b"2,a,caf\xe9\n")
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.counts.comments, result.counts.rejects) == (1, 1)
    assert _comments(conn) == {"1": TEXT}
    assert conn.execute("SELECT reason FROM rejects").fetchone() == ("not valid UTF-8",)


def test_the_encoding_can_be_named(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_bytes((HEADER + "1,a,Ωmega\n").encode("iso-8859-7"))
    [result] = ingest(conn, [path], ImportOptions(encoding="iso-8859-7"))
    assert result.status == "loaded"
    assert _comments(conn) == {"1": "Ωmega"}


def test_a_file_not_in_the_named_encoding_fails_with_the_reason(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "comments.csv"
    path.write_bytes((HEADER + "1,a,x\n").encode("utf-16-le") + b"\x00")
    error = _failure(conn, path, encoding="utf-16-le")
    assert error == (
        f"{path}: not valid utf-16-le text (truncated data at byte 67); "
        "name the file's encoding with --encoding"
    )


def test_unknown_encoding_names_are_a_usage_error() -> None:
    assert check_encoding("Windows-1252") == "cp1252"
    with pytest.raises(UsageError, match="unknown text encoding 'klingon'"):
        check_encoding("klingon")


def test_binary_data_and_declared_xml_are_left_alone(tmp_path: Path) -> None:
    noise = tmp_path / "noise.bin"
    noise.write_bytes(random.Random(2).randbytes(10_000).replace(b"\0", b"\1"))
    assert detect_encoding(open_input(noise)) is None
    xml = tmp_path / "export.xml"
    xml.write_bytes('<?xml version="1.0" encoding="ISO-8859-1"?><disqus>é</disqus>'.encode("latin-1"))
    source = decode_input(open_input(xml))
    assert (source.data, detect_encoding(source)) == (None, None)


def test_re_encoded_copies_are_temporary(tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_bytes(gzip.compress((HEADER + "1,a,ol\xe9\n").encode("cp1252")))
    source = decode_input(open_input(path))
    assert source.data is not None and source.data.exists()
    assert source.read_bytes() == (HEADER + "1,a,olé\n").encode()
    assert (source.path, source.encoding) == (path, "utf-8")
    source.discard()
    assert not source.data.exists() and path.exists()


def test_the_command_takes_an_encoding(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from readerpulse.cli import main

    path = tmp_path / "comments.csv"
    path.write_bytes((HEADER + "1,a,Ωmega\n").encode("iso-8859-7"))
    db = str(tmp_path / "t.duckdb")
    unknown = CliRunner().invoke(main, ["ingest", str(path), "--db", db, "--encoding", "klingon"])
    assert unknown.exit_code == 2 and "unknown text encoding 'klingon'" in unknown.stderr
    named = CliRunner().invoke(main, ["ingest", str(path), "--db", db, "--no-score", "--encoding", "iso-8859-7"])
    assert named.exit_code == 0, named.output
    with duckdb.connect(db, read_only=True) as conn:
        assert _comments(conn) == {"1": "Ωmega"}
