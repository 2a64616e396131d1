"""docs/api.md's worked example runs as written, on the small scored fixture database."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import altair as alt
import polars as pl
import pytest

from tests.conftest import REPO

EXAMPLE = re.compile(r"## Worked example\n.*?```python\n(.*?)```", re.S)


def test_the_worked_example_runs(reader_week_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    match = EXAMPLE.search((REPO / "docs" / "api.md").read_text("utf-8"))
    assert match, "docs/api.md has no python block under '## Worked example'"
    shutil.copy(reader_week_path, tmp_path / "readerpulse.duckdb")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(match.group(1), "docs/api.md", "exec"), namespace)  # noqa: S102 -- the docs' own example
    printed = capsys.readouterr().out
    assert "mean_tone" in printed and "skeptical" in printed
    scores, tone = namespace["scores"], namespace["tone"]
    assert isinstance(scores, pl.DataFrame) and scores["text"].str.starts_with("Who verified").to_list() == [True, False]
    assert isinstance(tone, pl.DataFrame) and tone["day"].min() == date(2023, 9, 18)
    assert (tmp_path / "tone.html").is_file()
    for name in ("chart", "panel"):
        assert isinstance(namespace[name], alt.TopLevelMixin)
        spec = namespace[name].to_dict()  # type: ignore[attr-defined]
        rows = [*spec.get("datasets", {}).values(), spec.get("data", {}).get("values", [])]
        assert any(rows), f"{name}: a chart without rows"
