"""Project folders: a `readerpulse.toml` and the team's own taxonomy, queries and reports.

`readerpulse init DIR` writes one; every command then finds the nearest `readerpulse.toml` from
the working directory upwards. Paths in the file are relative to the file. See docs/projects.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import defaults
from .errors import ReaderpulseError, UsageError

PROJECT_FILE = "readerpulse.toml"
# key -> what it is; every value is a string, the path keys relative to the file.
KEYS = {
    "database": "the DuckDB file",
    "timezone": "IANA zone for timestamps written without one",
    "output": "folder that `readerpulse report` writes into",
    "taxonomy": "the topic taxonomy TOML",
    "queries": "folder of named queries (and staging/ views) beside the packaged ones",
    "reports": "folder of report definitions and templates",
    "model": "a scoring model file (default: beside the database, else the packaged one)",
}
PATH_KEYS = frozenset(KEYS) - {"timezone"}

TEMPLATE = """\
# readerpulse project. Paths are relative to this file; see `readerpulse info`.
database = "readerpulse.duckdb"
timezone = "UTC"
output = "reports/out"
taxonomy = "topics.toml"
queries = "queries"
reports = "reports"
"""
GITIGNORE = """\
*.duckdb
*.duckdb.wal
*.duckdb.model
*.duckdb.key
*.duckdb.tmp/
reports/out/
"""


class ProjectError(ReaderpulseError):
    """A readerpulse.toml that cannot be read, or a project that cannot be written."""

    exit_code = 2


@dataclass(frozen=True)
class Project:
    """One project file and its settings (path settings made absolute)."""

    path: Path
    settings: dict[str, str | Path]

    @property
    def root(self) -> Path:
        return self.path.parent

    def get(self, key: str) -> str | Path | None:
        return self.settings.get(key)


def load(path: Path) -> Project:
    """Read and check one readerpulse.toml."""
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(document) - set(KEYS))
    if unknown:
        raise ProjectError(f"{path}: unknown keys {unknown}; a project has {sorted(KEYS)}")
    settings: dict[str, str | Path] = {}
    for key, value in document.items():
        if not isinstance(value, str) or not value.strip():
            raise ProjectError(f"{path}: '{key}' must be a non-empty string ({KEYS[key]})")
        settings[key] = (path.parent / value).resolve() if key in PATH_KEYS else value
    return Project(path.resolve(), settings)


def find(start: Path | None = None) -> Project | None:
    """The project whose readerpulse.toml is nearest from `start` (the working directory) upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return load(candidate)
    return None


def init(directory: Path) -> list[Path]:
    """Write a new project into `directory`: readerpulse.toml, .gitignore and editable copies of
    the packaged taxonomy, queries (with staging/) and report definitions. Returns what it wrote."""
    target = directory / PROJECT_FILE
    if target.exists():
        raise UsageError(f"{target} exists already: {directory} is a project")
    taken = [directory / name for name in ("topics.toml", "queries", "reports") if (directory / name).exists()]
    if taken:
        raise UsageError(f"{', '.join(map(str, taken))} exist already; choose an empty or new folder")
    created = not directory.exists()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".readerpulse-init-", dir=directory))
    except OSError as exc:
        raise ProjectError(f"{directory}: cannot write the project ({exc})") from exc
    # Everything is written into a hidden folder first, then moved into place, readerpulse.toml
    # last; a failure takes back what was moved (and the folder, when init made it), so the
    # folder is left as it was.
    moved: list[Path] = []
    try:
        shutil.copyfile(defaults.taxonomy_path(), staging / "topics.toml")
        shutil.copytree(defaults.queries_dir(), staging / "queries", ignore=_not_sql)
        shutil.copytree(defaults.reports_dir(), staging / "reports", ignore=_not_report)
        names = ["topics.toml", "queries", "reports"]
        if not (directory / ".gitignore").exists():  # a team's own .gitignore stays as it is
            (staging / ".gitignore").write_text(GITIGNORE, "utf-8")
            names.insert(0, ".gitignore")
        (staging / PROJECT_FILE).write_text(TEMPLATE, "utf-8")
        for name in [*names, PROJECT_FILE]:
            os.replace(staging / name, directory / name)
            moved.append(directory / name)
    except OSError as exc:
        for path in reversed(moved):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        if created:  # nothing in it but what init wrote
            shutil.rmtree(directory, ignore_errors=True)
        raise ProjectError(f"{directory}: cannot write the project ({exc})") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target, *(directory / name for name in names)]


def _not_sql(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if not (n.endswith(".sql") or n == "staging")]


def _not_report(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if not n.endswith((".toml", ".j2"))]
