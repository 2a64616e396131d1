"""Settings resolved from options, environment variables and defaults."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import UsageError

DEFAULT_DB = "readerpulse.duckdb"
DB_ENV = "READERPULSE_DB"
TZ_ENV = "READERPULSE_TZ"
DEFAULT_TZ = "UTC"


def db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The database file: the option, else $READERPULSE_DB, else ./readerpulse.duckdb."""
    if option:
        return Path(option)
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def timezone(option: str | None = None) -> ZoneInfo:
    """Zone assumed for timestamps written without one (e.g. "September 21, 2023 - 10:41 am").

    The option, else $READERPULSE_TZ, else UTC.
    """
    name = option or os.environ.get(TZ_ENV) or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown time zone {name!r} (use an IANA name such as 'Europe/Paris')"
        ) from exc
