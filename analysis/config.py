"""Settings resolved, in this order, from the command-line option, the environment variable, the
project (the nearest readerpulse.toml from the working directory upwards) and the defaults.

Every resolver returns a `Setting` that says where its value came from (`readerpulse info`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import defaults, project
from .errors import UsageError

DEFAULT_DB = "readerpulse.duckdb"
DB_ENV = "READERPULSE_DB"
TZ_ENV = "READERPULSE_TZ"
DEFAULT_TZ = "UTC"
OUTPUT_ENV = "READERPULSE_OUTPUT"
DEFAULT_OUTPUT = "reports/out"
TAXONOMY_ENV = "READERPULSE_TAXONOMY"
QUERIES_ENV = "READERPULSE_QUERIES"
REPORTS_ENV = "READERPULSE_REPORTS"
MODEL_ENV = "READERPULSE_MODEL"


@dataclass(frozen=True)
class Setting:
    """A value and where it came from: 'option --db', '$READERPULSE_DB', the project file,
    'packaged' or 'default'."""

    value: str
    source: str

    @property
    def path(self) -> Path:
        return Path(self.value)


def resolve(key: str, option: str | os.PathLike[str] | None, flag: str, env: str) -> Setting | None:
    """The option, else the environment variable, else the project's key; None when none is set."""
    if option:
        return Setting(os.fspath(option), f"option {flag}")
    if os.environ.get(env):
        return Setting(os.environ[env], f"${env}")
    found = project.find()
    value = found.get(key) if found else None
    if found is not None and value is not None:
        return Setting(str(value), str(found.path))
    return None


def database(option: str | os.PathLike[str] | None = None) -> Setting:
    return resolve("database", option, "--db", DB_ENV) or Setting(DEFAULT_DB, "default (working directory)")


def db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The database file: the option, else $READERPULSE_DB, else the project's, else ./readerpulse.duckdb."""
    return database(option).path


def timezone_setting(option: str | None = None) -> Setting:
    return resolve("timezone", option, "--tz", TZ_ENV) or Setting(DEFAULT_TZ, "default")


def timezone(option: str | None = None) -> ZoneInfo:
    """Zone assumed for timestamps written without one (e.g. "September 21, 2023 - 10:41 am").

    The option, else $READERPULSE_TZ, else the project's, else UTC.
    """
    name = timezone_setting(option).value
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown time zone {name!r} (use an IANA name such as 'Europe/Paris')"
        ) from exc


def output(option: str | os.PathLike[str] | None = None) -> Setting:
    """Where reports are written: --out, $READERPULSE_OUTPUT, the project's, else ./reports/out."""
    return resolve("output", option, "--out", OUTPUT_ENV) or Setting(DEFAULT_OUTPUT, "default (working directory)")


def taxonomy(option: str | os.PathLike[str] | None = None) -> Setting:
    return resolve("taxonomy", option, "--taxonomy", TAXONOMY_ENV) or Setting(
        str(defaults.taxonomy_path()), "packaged"
    )


def queries(option: str | os.PathLike[str] | None = None) -> list[Setting]:
    """The query folders, the one that wins a name first: the option's, $READERPULSE_QUERIES or the
    project's folder, then the packaged library."""
    packaged = Setting(str(defaults.queries_dir()), "packaged")
    own = resolve("queries", option, "--queries", QUERIES_ENV)
    return [own, packaged] if own else [packaged]


def reports(option: str | os.PathLike[str] | None = None) -> list[Setting]:
    """The report folders, the one that wins a name first (as `queries`)."""
    packaged = Setting(str(defaults.reports_dir()), "packaged")
    own = resolve("reports", option, "--reports", REPORTS_ENV)
    return [own, packaged] if own else [packaged]


def model(option: str | os.PathLike[str] | None = None) -> Setting | None:
    """The model file named by --model, $READERPULSE_MODEL or the project; None leaves the choice
    to the database (its own model beside it, else the packaged one)."""
    return resolve("model", option, "--model", MODEL_ENV)
