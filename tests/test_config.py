"""Settings from options, environment and defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from readerpulse import config
from readerpulse.errors import UsageError


def test_db_path_option_then_environment_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READERPULSE_DB", raising=False)
    assert config.db_path(None) == Path("readerpulse.duckdb")
    monkeypatch.setenv("READERPULSE_DB", "/data/env.duckdb")
    assert config.db_path(None) == Path("/data/env.duckdb")
    assert config.db_path("given.duckdb") == Path("given.duckdb")


def test_timezone_option_then_environment_then_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READERPULSE_TZ", raising=False)
    assert config.timezone(None).key == "UTC"
    monkeypatch.setenv("READERPULSE_TZ", "Asia/Yerevan")
    assert config.timezone(None).key == "Asia/Yerevan"
    assert config.timezone("Europe/Paris").key == "Europe/Paris"


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", ""])
def test_unknown_zone_is_a_usage_error(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READERPULSE_TZ", "UTC")
    if not name:
        assert config.timezone(name).key == "UTC"  # empty means "not given"
        return
    with pytest.raises(UsageError, match="unknown time zone"):
        config.timezone(name)
