"""A database that cannot be written (disk full, file size limit): the run stops at that file,
names it, keeps the files before it, prints the summary so far and exits 1 without a traceback."""

from __future__ import annotations

import csv
import errno
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from readerpulse.store.failures import write_failure

HEADER = ["id", "thread_id", "reply_to", "username", "created_at", "body"]


def _comments(path: Path, n: int, start: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for i in range(start, start + n):
            out.writerow([f"c{i}", f"t{i % 20}", "", f"user{i % 300}", "2023-09-21T10:00:00Z",
                          f"Comment number {i}: " + "the convoy reached the city after long talks " * 6])
    return path


def _readerpulse(*args: str, max_file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # every file the process writes stops growing at this size, as on a full disk
        if max_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_size, max_file_size))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return subprocess.run(
        [sys.executable, "-m", "readerpulse", *args], capture_output=True, text=True, timeout=300,
        preexec_fn=limit, check=False,
    )


def test_a_full_disk_stops_the_run_at_the_file_that_filled_it(tmp_path: Path) -> None:
    db = tmp_path / "full.duckdb"
    first = _comments(tmp_path / "first.csv", 30, 0)
    small = _comments(tmp_path / "small.csv", 30, 100)
    big = _comments(tmp_path / "big.csv", 20_000, 1000)
    after = _comments(tmp_path / "after.csv", 30, 200)
    assert _readerpulse("ingest", str(first), "--db", str(db), "--no-score").returncode == 0
    limit = os.path.getsize(db) + 1024 * 1024

    result = _readerpulse("ingest", str(small), str(big), str(after), "--db", str(db), "--no-score",
                          max_file_size=limit)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {big}: could not write the database (")
    assert "it is as it was before this file; the run stopped, 1 more file(s) not read" in errors[0]
    assert "1 file loaded, 0 unchanged, 1 failed; new: 0 articles, 0 passages, 30 comments" in result.stdout
    assert str(after) not in result.stderr.replace(errors[0], "")  # never opened

    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM comments").fetchone() == (60,)  # first and small
        paths = {r[0] for r in conn.execute("SELECT path FROM sources").fetchall()}
    assert paths == {str(first), str(small)}


@pytest.mark.parametrize(
    "error",
    [
        duckdb.IOException('IO Error: Could not write file "x.duckdb": No space left on device'),
        duckdb.TransactionException("TransactionContext Error: Failed to commit: Could not write file: Disk quota exceeded"),
        duckdb.FatalException("FATAL Error: database has been invalidated because of a previous fatal error"),
        OSError(errno.ENOSPC, "No space left on device"),
    ],
)
def test_write_failures_are_told_apart(error: BaseException) -> None:
    assert write_failure(error)


@pytest.mark.parametrize(
    "error",
    [
        duckdb.IOException('IO Error: No files found that match the pattern "x.csv"'),
        duckdb.ConversionException("Conversion Error: could not convert"),
        OSError(errno.ENOENT, "No such file or directory"),
        ValueError("bad record"),
    ],
)
def test_other_failures_are_the_file_s(error: BaseException) -> None:
    assert write_failure(error) is None
