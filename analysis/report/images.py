"""Chart images for the report: SVG, and PNG drawn from that SVG, in worker processes.

vl-convert holds the GIL while it lays out and draws a chart, so on threads it would stall the
report's queries and chart building (and two threads would draw one at a time). Each worker is
`python -m analysis.report.images`: it reads one job per line on its standard input (JSON: spec,
Vega-Lite version, the two paths), draws it, and answers one line per job. This module imports
nothing heavy, so a worker is ready quickly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

from analysis.errors import ReaderpulseError


def draw(spec: dict[str, Any], vl_version: str, svg_path: Path, png_path: Path) -> None:
    """Write the chart as SVG and as PNG (twice the size) drawn from that SVG: the same pixels as
    vegalite_to_png, without laying the chart out again."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec, vl_version=vl_version)
    svg_path.write_text(svg, "utf-8")
    png_path.write_bytes(vl_convert.svg_to_png(svg, scale=2))


def serve(jobs: IO[str], answers: IO[str]) -> None:
    """The worker's loop: one job per line in, one answer per line out ("ok" or the error)."""
    import vl_convert

    vl_convert.vegalite_to_svg({"mark": "point"})  # load the JavaScript runtime before any job
    for line in jobs:
        job = json.loads(line)
        try:
            draw(job["spec"], job["vl_version"], Path(job["svg"]), Path(job["png"]))
            answer = "ok"
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
            answer = f"{type(exc).__name__}: {exc}"
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


class Drawer:
    """Worker processes drawing charts; jobs go to the worker with the fewest waiting."""

    def __init__(self, workers: int) -> None:
        self.workers = [
            subprocess.Popen(
                [sys.executable, "-m", "analysis.report.images"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            for _ in range(max(1, workers))
        ]
        self.waiting = [0] * len(self.workers)
        self.jobs: list[tuple[int, Path]] = []  # (worker, svg path) in the order handed in

    def submit(self, spec: dict[str, Any], vl_version: str, svg_path: Path, png_path: Path) -> None:
        """Hand one chart to a worker."""
        worker = min(range(len(self.workers)), key=self.waiting.__getitem__)
        job = {"spec": spec, "vl_version": vl_version, "svg": str(svg_path), "png": str(png_path)}
        stdin = self.workers[worker].stdin
        assert stdin is not None
        stdin.write(json.dumps(job) + "\n")
        stdin.flush()
        self.waiting[worker] += 1
        self.jobs.append((worker, svg_path))

    def finish(self) -> None:
        """Wait for every chart; a chart that could not be drawn is a ReaderpulseError."""
        failed = []
        for worker, svg_path in self.jobs:
            stdout = self.workers[worker].stdout
            assert stdout is not None
            line = stdout.readline()
            answer = json.loads(line) if line else "the image worker stopped"
            if answer != "ok":
                failed.append(f"{svg_path.stem}: {answer}")
        self.jobs = []
        if failed:
            raise ReaderpulseError("could not draw chart images: " + "; ".join(failed))

    def close(self) -> None:
        """Stop the workers (charts they have not drawn yet are dropped)."""
        for process in self.workers:
            if process.stdin:
                process.stdin.close()
        for process in self.workers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
