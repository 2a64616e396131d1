"""Project folders: `init`, the nearest readerpulse.toml, the lookup order, and `info`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from readerpulse import config, defaults, project, queries
from readerpulse.cli import main
from readerpulse.report import definition

OWN_QUERY = """\
-- name: loud_commenters
-- description: Commenters by comment count.
SELECT author_key, count(*) AS comments FROM comments GROUP BY ALL ORDER BY comments DESC
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh project, the working directory inside it, no environment variable in the way."""
    for name in (config.DB_ENV, config.TZ_ENV, config.OUTPUT_ENV, config.QUERIES_ENV, config.REPORTS_ENV):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "newsroom"
    project.init(root)
    monkeypatch.chdir(root)
    return root


def test_init_writes_the_settings_and_editable_copies(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["init", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    root = tmp_path / "p"
    assert project.load(root / "readerpulse.toml").settings["database"] == root / "readerpulse.duckdb"
    assert (root / "topics.toml").read_bytes() == defaults.taxonomy_path().read_bytes()
    packaged = sorted(p.name for p in defaults.queries_dir().glob("*.sql"))
    assert sorted(p.name for p in (root / "queries").glob("*.sql")) == packaged
    assert list((root / "queries" / "staging").glob("*.sql"))
    assert (root / "reports" / "weekly.toml").is_file() and (root / "reports" / "weekly.html.j2").is_file()
    again = runner.invoke(main, ["init", str(root)])
    assert again.exit_code == 2
    assert "exists already" in again.stderr
    assert "Traceback" not in again.output


def test_the_nearest_project_file_upwards_and_paths_relative_to_it(proj: Path) -> None:
    (proj / "readerpulse.toml").write_text('database = "db/news.duckdb"\ntimezone = "Europe/Paris"\n', "utf-8")
    deeper = proj / "notebooks" / "2023"
    deeper.mkdir(parents=True)
    found = project.find(deeper)
    assert found is not None and found.path == proj / "readerpulse.toml"
    assert found.get("database") == proj / "db" / "news.duckdb"
    assert project.find(proj.parent) is None


def test_option_beats_environment_beats_project_beats_default(proj: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (proj / "readerpulse.toml").write_text('database = "p.duckdb"\ntimezone = "Asia/Yerevan"\n', "utf-8")
    assert config.database() == config.Setting(str(proj / "p.duckdb"), str(proj / "readerpulse.toml"))
    assert config.timezone().key == "Asia/Yerevan"
    assert config.output() == config.Setting(config.DEFAULT_OUTPUT, "default (working directory)")
    monkeypatch.setenv(config.DB_ENV, "/env.duckdb")
    assert config.database() == config.Setting("/env.duckdb", "$READERPULSE_DB")
    assert config.database("opt.duckdb") == config.Setting("opt.duckdb", "option --db")


def test_a_teams_query_is_listed_beside_the_packaged_ones_and_wins_a_name(proj: Path) -> None:
    (proj / "queries" / "loud_commenters.sql").write_text(OWN_QUERY, "utf-8")
    (proj / "queries" / "daily_tone.sql").unlink()  # not in the project: the packaged one serves
    (proj / "queries" / "top_commenters.sql").write_text(
        OWN_QUERY.replace("loud_commenters", "top_commenters").replace("by comment count", "our way"), "utf-8"
    )
    library = queries.library()
    assert library["loud_commenters"].path == proj / "queries" / "loud_commenters.sql"
    assert library["daily_tone"].path.parent == defaults.queries_dir()
    assert library["top_commenters"].description == "Commenters our way."
    assert set(library) == {p.stem for p in defaults.queries_dir().glob("*.sql")} | {"loud_commenters"}


def test_query_list_and_run_use_the_project(runner: CliRunner, proj: Path) -> None:
    (proj / "queries" / "loud_commenters.sql").write_text(OWN_QUERY, "utf-8")
    listed = runner.invoke(main, ["query", "--list"])
    assert "loud_commenters\n  Commenters by comment count." in listed.stdout
    from tests.conftest import FIXTURES

    loaded = runner.invoke(main, ["ingest", "-q", "--no-score", str(FIXTURES / "canonical" / "comments.csv")])
    assert loaded.exit_code == 0, loaded.output
    assert (proj / "readerpulse.duckdb").is_file()
    ran = runner.invoke(main, ["query", "loud_commenters", "--format", "csv"])
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.startswith("author_key,comments\n")


def test_a_projects_report_definition_wins(proj: Path) -> None:
    weekly = proj / "reports" / "weekly.toml"
    weekly.write_text(weekly.read_text("utf-8").replace('title = "', 'title = "Our ', 1), "utf-8")
    (proj / "reports" / "weekly.html.j2").unlink()  # the packaged template serves
    loaded = definition.load("weekly")
    assert loaded.path == weekly and loaded.title.startswith("Our ")
    assert loaded.template_dirs == (proj / "reports", defaults.reports_dir())


def test_info_says_where_each_setting_came_from(runner: CliRunner, proj: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.TZ_ENV, "Europe/Paris")
    result = runner.invoke(main, ["info"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"project   {proj / 'readerpulse.toml'}"
    assert f"database  {proj / 'readerpulse.duckdb'}  [{proj / 'readerpulse.toml'}]" in lines
    assert "timezone  Europe/Paris  [$READERPULSE_TZ]" in lines
    assert f"queries   {defaults.queries_dir()}  [packaged]" in lines


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('databse = "x.duckdb"\n', "unknown keys ['databse']"),
        ("database = 3\n", "'database' must be a non-empty string"),
        ("database = \n", "not valid TOML"),
    ],
)
def test_a_bad_project_file_is_one_clear_line(runner: CliRunner, proj: Path, text: str, message: str) -> None:
    (proj / "readerpulse.toml").write_text(text, "utf-8")
    result = runner.invoke(main, ["info"])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_init_keeps_the_pseudonym_key_out_of_git(tmp_path: Path) -> None:
    from readerpulse import project

    project.init(tmp_path / "proj")
    ignored = (tmp_path / "proj" / ".gitignore").read_text().split()
    assert "*.duckdb.key" in ignored


@pytest.mark.parametrize("fail_at", ["reports", project.PROJECT_FILE])
def test_a_failed_init_leaves_the_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: str) -> None:
    """A failure while copying (the reports) or while moving into place (the project file, moved
    last) takes back everything: no project file, no half copies, no hidden staging folder."""
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "notes.txt").write_text("ours")
    real_copytree, real_replace = project.shutil.copytree, project.os.replace

    def copytree(src: Path, dst: Path, *args: Any, **kwargs: Any) -> Any:
        if Path(dst).name == fail_at:
            raise OSError(28, "No space left on device")
        return real_copytree(src, dst, *args, **kwargs)

    def replace(src: Path, dst: Path) -> None:
        if Path(dst).name == fail_at:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(project.shutil, "copytree", copytree)
    monkeypatch.setattr(project.os, "replace", replace)
    with pytest.raises(project.ProjectError, match="No space left"):
        project.init(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    monkeypatch.undo()
    written = project.init(folder)  # and it can be done again
    assert written[0] == folder / project.PROJECT_FILE
    assert {p.name for p in folder.iterdir()} == {"notes.txt", ".gitignore", "topics.toml", "queries", "reports", project.PROJECT_FILE}


def test_a_failed_init_takes_back_the_folder_it_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = project.os.replace

    def replace(src: Path, dst: Path) -> None:
        if Path(dst).name == project.PROJECT_FILE:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(project.os, "replace", replace)
    with pytest.raises(project.ProjectError, match="No space left"):
        project.init(tmp_path / "new")
    assert list(tmp_path.iterdir()) == []
