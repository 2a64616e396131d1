"""Several readers at once, a read-only file, migrations only by writers, a writer's lock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from readerpulse.cli import main
from readerpulse.store import connect, db, schema_version

from tests.conftest import FIXTURES

# Holds the database open (read-only or read-write) in a process of its own until stdin closes
# or `seconds` pass; prints "ready" once it holds it.
HOLDER = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
if sys.argv[2] == "rw":
    conn.execute("CREATE TABLE IF NOT EXISTS busy (x INTEGER)")
print("ready", flush=True)
time.sleep(float(sys.argv[3]))
conn.close()
"""


def _hold(path: Path, mode: str, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), mode, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _readerpulse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readerpulse", *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def loaded(db_path: Path) -> Path:
    result = CliRunner().invoke(main, ["ingest", str(FIXTURES / "canonical" / "comments.csv"), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    return db_path


def test_readers_run_side_by_side(loaded: Path, tmp_path: Path) -> None:
    """Another process reading the file does not stop a read-only command (which once opened the
    file read-write to migrate it first, and failed on the reader's lock), nor do they stop
    each other."""
    holder = _hold(loaded, "ro", 60)
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "readerpulse", *args, "--db", str(loaded)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for args in (["sql", "SELECT count(*) AS n FROM comments", "--format", "csv"],
                         ["query", "top_commenters", "--format", "csv"],
                         ["report", "weekly", "--week", "2023-W38", "--out", str(tmp_path / "report")],
                         ["label", "export", str(tmp_path / "sample.csv"), "--random"])
        ]
        outputs = [proc.communicate(timeout=180) for proc in procs]
    finally:
        holder.kill()
        holder.wait()
    assert [proc.returncode for proc in procs] == [0, 0, 0, 0], outputs
    assert outputs[0][0] == "n\n3\n"
    assert outputs[1][0].startswith("commenter,")
    assert Path(outputs[2][0].strip()).is_file()
    assert (tmp_path / "sample.csv").is_file()


def test_a_read_only_file_can_be_read(loaded: Path) -> None:
    loaded.chmod(0o444)
    before = loaded.read_bytes()
    try:
        result = _readerpulse("sql", "SELECT count(*) AS n FROM comments", "--db", str(loaded), "--format", "csv")
    finally:
        loaded.chmod(0o600)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "n\n3\n"
    assert loaded.read_bytes() == before


def test_a_writer_s_lock_is_one_line_and_wait_retries(loaded: Path) -> None:
    holder = _hold(loaded, "rw", 30)
    try:
        result = _readerpulse("sql", "SELECT 1", "--db", str(loaded))
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "in use by another readerpulse command that writes" in result.stderr
    assert "--wait SECONDS" in result.stderr
    assert "Traceback" not in result.stderr

    holder = _hold(loaded, "rw", 1.5)  # lets go after 1.5 s
    try:
        started = time.monotonic()
        result = _readerpulse("sql", "SELECT count(*) AS n FROM comments", "--db", str(loaded), "--format", "csv",
                              "--wait", "60")
    finally:
        holder.wait(timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "n\n3\n"
    assert time.monotonic() - started < 60


def test_wait_gives_up_after_its_time(loaded: Path) -> None:
    holder = _hold(loaded, "rw", 30)
    try:
        result = _readerpulse("query", "top_commenters", "--db", str(loaded), "--wait", "0.5")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert "after waiting 0.5s" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_read_only_command_never_migrates(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    every = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: every[:-1])
    connect(db_path).close()
    monkeypatch.undo()
    before = db_path.read_bytes()
    runner = CliRunner()
    for args in (["sql", "SELECT 1"], ["query", "top_commenters"], ["report", "weekly"]):
        result = runner.invoke(main, [*args, "--db", str(db_path)])
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.count("\n") == 1
        assert "needs upgrading" in result.stderr and "readerpulse migrate" in result.stderr
    assert db_path.read_bytes() == before
    result = runner.invoke(main, ["migrate", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    with connect(db_path, read_only=True) as conn:
        assert schema_version(conn) == every[-1].version


def test_database_files_are_created_owner_only(loaded: Path) -> None:
    assert loaded.stat().st_mode & 0o777 == 0o600


def test_migrations_may_leave_gaps_and_each_one_runs_once(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    every = db.migrations()
    late = db.Migration(every[-1].version + 2, "late", "CREATE TABLE late_table (x INTEGER)")
    early = db.Migration(every[-1].version + 1, "early", "CREATE TABLE early_table (x INTEGER)")
    monkeypatch.setattr(db, "migrations", lambda: [*every, late])
    connect(db_path).close()
    monkeypatch.setattr(db, "migrations", lambda: [*every, early, late])  # arrives after a later one
    conn = connect(db_path)
    names = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"late_table", "early_table"} <= names
    assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(every) + 2,)
    conn.close()


def test_a_writer_meeting_a_reader_says_so(loaded: Path) -> None:
    holder = _hold(loaded, "ro", 30)
    try:
        result = _readerpulse("score", "--db", str(loaded))
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "a command that writes needs the file alone" in result.stderr


def test_opening_a_missing_file_read_only_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="cannot open the database") as info:
        connect(tmp_path / "none.duckdb", read_only=True)
    assert not isinstance(info.value, duckdb.Error)
    assert not os.path.exists(tmp_path / "none.duckdb")
