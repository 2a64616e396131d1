"""Chart images drawn in worker processes (`readerpulse.report.images`)."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from readerpulse.errors import ReaderpulseError
from readerpulse.report import images, render

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


def test_many_charts_that_cannot_be_written_are_one_line(tmp_path: Path) -> None:
    gone = tmp_path / "gone"  # as a full disk would, every chart fails the same way
    drawer = images.Drawer(2)
    try:
        for i in range(20):
            drawer.submit(SPEC, render.vega_lite_version(), gone / f"c{i}.svg", gone / f"c{i}.png")
        with pytest.raises(ReaderpulseError) as info:
            drawer.finish()
    finally:
        drawer.close()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{gone}: could not write 20 of 20 chart images; the first, c0: FileNotFoundError")
    assert message.count("FileNotFoundError") == 1


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


def test_closing_before_finish_stops_the_workers_at_once(tmp_path: Path) -> None:
    drawer = images.Drawer(2)
    for i in range(40):
        drawer.submit(SPEC, render.vega_lite_version(), tmp_path / f"c{i}.svg", tmp_path / f"c{i}.png")
    started = time.perf_counter()
    drawer.close()
    assert time.perf_counter() - started < 10
    assert all(w.process.poll() is not None for w in drawer.workers)
    assert len(list(tmp_path.glob("*.png"))) < 40  # the queued charts were dropped


def test_a_worker_that_dies_is_an_error_not_a_hang(tmp_path: Path) -> None:
    drawer = images.Drawer(1)
    try:
        drawer.submit(SPEC, render.vega_lite_version(), tmp_path / "a.svg", tmp_path / "a.png")
        drawer.workers[0].process.kill()
        drawer.workers[0].process.wait()
        with pytest.raises(ReaderpulseError, match="worker stopped"):
            drawer.submit(SPEC, render.vega_lite_version(), tmp_path / "b.svg", tmp_path / "b.png")
            drawer.finish()
    finally:
        drawer.close()
