"""The distribution works outside the checkout: build an sdist, a wheel from that sdist, install the
wheel into a fresh virtual environment, and run the commands from a folder elsewhere.

Slow: most of the time goes to pip installing the dependencies (README, Development).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE

pytestmark = pytest.mark.slow


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh virtual environment with the wheel built from the sdist; the environment to run it in."""
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("READERPULSE_", "PYTHON", "VIRTUAL_ENV"))}
    dist = root / "dist"
    _run([sys.executable, "-m", "build", "--sdist", "--outdir", dist, REPO], root, env)
    (sdist,) = dist.glob("readerpulse-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
    prefix = sdist.name.removesuffix(".tar.gz")
    for inside in ("data/topics.toml", "queries/daily_tone.sql", "analysis/defaults/queries/daily_tone.sql",
                   "analysis/defaults/queries/staging/stg_comments.sql", "analysis/defaults/reports/weekly.toml",
                   "analysis/defaults/topics.toml"):
        assert f"{prefix}/{inside}" in names
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", dist, sdist], root, env)
    (wheel,) = dist.glob("readerpulse-*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", venv], root, env)
    # --no-compile: Python compiles what a command imports on first use, not all of every dependency
    _run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", wheel], root, env)
    yield venv, env
    shutil.rmtree(venv, ignore_errors=True)  # most of a gigabyte


def test_the_installed_wheel_works_from_a_project_folder_elsewhere(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    readerpulse = venv / "bin" / "readerpulse"
    _run([readerpulse, "init", "newsroom"], tmp_path, env)
    proj = tmp_path / "newsroom"
    (proj / "queries" / "loud_commenters.sql").write_text(
        "-- name: loud_commenters\n-- description: Commenters by comment count.\n"
        "SELECT author_key, count(*) AS comments FROM comments GROUP BY ALL ORDER BY comments DESC\n",
        "utf-8",
    )
    loaded = _run([readerpulse, "ingest", "--quiet", SAMPLE], proj, env)
    assert "5 files loaded" in loaded.stdout and "scored 10 comments" in loaded.stdout
    listed = _run([readerpulse, "query", "--list"], proj, env).stdout
    assert "loud_commenters\n" in listed and "daily_tone\n" in listed
    assert _run([readerpulse, "query", "loud_commenters", "--format", "csv"], proj, env).stdout.startswith(
        "author_key,comments\n"
    )
    html = Path(_run([readerpulse, "report", "weekly"], proj, env).stdout.strip())
    assert html.is_file() and html.is_relative_to(proj / "reports" / "out")
    info = _run([readerpulse, "info"], proj, env).stdout
    assert f"taxonomy  {proj / 'topics.toml'}" in info
    site = str(venv / "lib")
    assert any(line.startswith(f"model     {site}") and line.endswith("[packaged]") for line in info.splitlines())
    assert str(REPO) not in info


def test_without_a_project_the_packaged_defaults_serve(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    venv, env = installed
    readerpulse = venv / "bin" / "readerpulse"
    _run([readerpulse, "ingest", "--quiet", "--db", "news.duckdb", SAMPLE], tmp_path, env)
    info = _run([readerpulse, "info"], tmp_path, env).stdout
    assert "project   (none" in info and str(REPO) not in info
    assert f"queries   {venv / 'lib'}" in info
    tone = _run([readerpulse, "query", "daily_tone", "--db", "news.duckdb", "-p", "start=2023-W38"], tmp_path, env)
    assert "2023-09-18" in tone.stdout
    labels = REPO / "data" / "heldout" / "comments_heldout.csv"
    assert _run([readerpulse, "evaluate", labels], tmp_path, env).stdout.startswith(f"{labels}: ")
