"""No command prints a traceback: unexpected errors are one line; bad values exit 2 with our message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from readerpulse import cli
from readerpulse.cli import DEBUG_ENV, main


def test_an_unexpected_error_is_one_line_and_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> list[object]:
        raise RuntimeError("something\nunforeseen")

    monkeypatch.delenv(DEBUG_ENV, raising=False)
    monkeypatch.setattr(cli, "registry", boom)
    result = CliRunner().invoke(main, ["formats"])
    assert result.exit_code == 1
    assert result.stderr == f"error: RuntimeError: something unforeseen (set {DEBUG_ENV}=1 for the traceback)\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)

    monkeypatch.setenv(DEBUG_ENV, "1")
    result = CliRunner().invoke(main, ["formats"])
    assert isinstance(result.exception, RuntimeError)


def test_an_os_error_names_its_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def denied() -> list[object]:
        raise PermissionError(13, "Permission denied", str(tmp_path / "x"))

    monkeypatch.setattr(cli, "registry", denied)
    result = CliRunner().invoke(main, ["formats"])
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'x'}: Permission denied\n"


def test_a_negative_limit_is_a_usage_error(db_path: Path) -> None:
    assert CliRunner().invoke(main, ["migrate", "--db", str(db_path)]).exit_code == 1  # no database yet
    from readerpulse.store import connect

    connect(db_path).close()
    for param in ("limit=-1", "limit=-20"):
        result = CliRunner().invoke(main, ["query", "top_commenters", "-p", param, "--db", str(db_path)])
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == (
            f"error: parameter 'limit' of query 'top_commenters' must be 0 or more, got '{param[6:]}'"
        )
    result = CliRunner().invoke(main, ["query", "top_commenters", "-p", "limit=0", "--db", str(db_path)])
    assert result.exit_code == 0, result.output


COMMANDS = [
    ["sql", "SELECT 1"],
    ["sql", "SELECT 1", "--write"],
    ["query", "top_commenters"],
    ["report", "weekly", "--week", "2023-W38"],
    ["label", "export", "OUT", "--random"],
    ["label", "import", "LABELS"],
    ["score"],
    ["migrate"],
    ["ingest", "LABELS", "--no-score"],
]


@pytest.mark.parametrize("database", ["missing", "garbage", "empty"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_database_command_on_a_bad_file_is_one_line(tmp_path: Path, database: str, command: list[str]) -> None:
    db = tmp_path / "x.duckdb"
    if database == "garbage":
        db.write_bytes(b"this is not a database\x00" * 300)
    elif database == "empty":
        db.write_bytes(b"")
    labels = tmp_path / "labels.csv"
    labels.write_text("id,text,skepticism\nc1,hello,1\n", "utf-8")
    args = [str(tmp_path / "out.csv") if a == "OUT" else str(labels) if a == "LABELS" else a for a in command]
    result = CliRunner().invoke(main, [*args, "--db", str(db), *(["--out", str(tmp_path)] if command[0] == "report" else [])])
    if database == "missing" and (command[0] == "ingest" or command[:2] == ["label", "import"]):
        assert result.exit_code == 0, result.output  # the commands that create a database
        assert db.stat().st_mode & 0o777 == 0o600
        return
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    if database == "garbage":
        assert db.read_bytes().startswith(b"this is not a database")
