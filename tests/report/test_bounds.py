"""Reports on absurd dates and ranges, report names that are paths, and files that cannot be written."""

from __future__ import annotations

import errno
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from readerpulse.cli import main
from readerpulse.report.weekly import MAX_DAYS, Period
from readerpulse.store import connect

FUTURE_COMMENT = """
INSERT INTO comments (comment_pk, article_id, comment_id, author_key, posted_at, text, source_id)
VALUES (99, 'a1', 'c99', 'u_far', TIMESTAMPTZ '9999-12-31 23:59:00+00', 'Written in the far future.', 1)
"""


@pytest.fixture
def far_future(reader_week_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "future.duckdb"
    shutil.copy(reader_week_path, path)
    with connect(path) as conn:
        conn.execute(FUTURE_COMMENT)
    return path


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_comment_dated_9999_neither_crashes_nor_takes_the_latest_week(far_future: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "weekly", "--db", str(far_future), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()).name == "weekly-2023-W38.html"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "0001-01-01", "--end", "9999-12-31"], "outside the days a report can cover"),
        (["--start", "2020-01-01", "--end", "2023-12-31"], f"a report covers at most {MAX_DAYS} days"),
        (["--start", "9999-12-31"], "outside the days a report can cover"),
        (["--end", "0001-01-01"], "outside the days a report can cover"),
        (["--week", "9999-W52"], "not a week"),
    ],
)
def test_absurd_periods_are_refused_in_one_line(far_future: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["report", "weekly", "--db", str(far_future), "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in _one_error_line(result.stderr)


def test_a_year_is_allowed(far_future: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["report", "weekly", "--db", str(far_future), "--out", str(tmp_path), "--start", "2023-01-01",
               "--end", "2023-12-31"],
    )
    assert result.exit_code == 0, result.output
    assert Period(date(2023, 1, 1), date(2023, 12, 31)).days <= MAX_DAYS


@pytest.mark.parametrize("name", ["../pyproject", "/etc/passwd", "weekly/../weekly", "..", "weekly.toml"])
def test_a_report_name_is_a_name_not_a_path(reader_week_path: Path, tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(main, ["report", name, "--db", str(reader_week_path), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a report name" in _one_error_line(result.stderr)


def test_an_output_folder_that_cannot_be_made_is_one_line(reader_week_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(
        main, ["report", "weekly", "--db", str(reader_week_path), "--week", "2023-W38", "--out", str(blocker / "sub")]
    )
    assert result.exit_code == 1
    line = _one_error_line(result.stderr)
    assert str(blocker) in line and "cannot write the report" in line


def test_a_full_disk_while_writing_the_page_is_one_line(
    reader_week_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.write_text

    def full(self: Path, *args: object, **kwargs: object) -> int:
        if self.suffix == ".html":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", full)
    result = CliRunner().invoke(
        main, ["report", "weekly", "--db", str(reader_week_path), "--week", "2023-W38", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    line = _one_error_line(result.stderr)
    assert "weekly-2023-W38.html: cannot write the report (No space left on device)" in line
