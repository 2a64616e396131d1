"""Chart images drawn in worker processes (`analysis.report.images`)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from analysis.errors import ReaderpulseError
from analysis.report import images, render

SPEC = {
    "data": {"values": [{"day": "Mon", "n": 3}, {"day": "Tue", "n": 5}]},
    "mark": "bar",
    "encoding": {"x": {"field": "day", "type": "nominal"}, "y": {"field": "n", "type": "quantitative"}},
}


def test_workers_write_svg_and_png(tmp_path: Path) -> None:
    drawer = images.Drawer(2)
    try:
        paths = [(tmp_path / f"c{i}.svg", tmp_path / f"c{i}.png") for i in range(3)]
        for svg, png in paths:
            drawer.submit(SPEC, render.vega_lite_version(), svg, png)
        drawer.finish()
    finally:
        drawer.close()
    for svg, png in paths:
        assert svg.read_text("utf-8").lstrip().startswith("<svg")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_chart_that_cannot_be_drawn_is_an_error_naming_it(tmp_path: Path) -> None:
    drawer = images.Drawer(1)
    try:
        drawer.submit(SPEC, render.vega_lite_version(), tmp_path / "good.svg", tmp_path / "good.png")
        drawer.submit({"mark": "bar"}, "v0_0", tmp_path / "bad.svg", tmp_path / "bad.png")
        with pytest.raises(ReaderpulseError, match="bad:"):
            drawer.finish()
    finally:
        drawer.close()
    assert (tmp_path / "good.png").exists() and not (tmp_path / "bad.png").exists()


def test_the_worker_answers_each_job_in_order(tmp_path: Path) -> None:
    jobs = [
        {"spec": SPEC, "vl_version": render.vega_lite_version(), "svg": str(tmp_path / "a.svg"), "png": str(tmp_path / "a.png")},
        {"spec": SPEC, "vl_version": render.vega_lite_version(), "svg": str(tmp_path / "no" / "b.svg"), "png": str(tmp_path / "b.png")},
    ]
    answers = io.StringIO()
    images.serve(io.StringIO("".join(json.dumps(job) + "\n" for job in jobs)), answers)
    first, second = (json.loads(line) for line in answers.getvalue().splitlines())
    assert first == "ok"
    assert second.startswith("FileNotFoundError")
