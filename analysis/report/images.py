"""Chart images for the report: SVG, and PNG drawn from that SVG, in worker processes.

vl-convert holds the GIL while it lays out and draws a chart, so on threads it would stall the
report's queries and chart building (and two threads would draw one at a time). Each worker is
`python -m readerpulse.report.images`: it reads one job per line on its standard input (JSON: spec,
Vega-Lite version, the two paths), draws it, and answers one line per job. This module imports
nothing heavy, so a worker is ready quickly.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from ..errors import ReaderpulseError


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
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - vl-convert's panics are BaseExceptions; the parent raises it
            answer = f"{type(exc).__name__}: {exc}"
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


class _Worker:
    """One worker process, and a thread reading its answers as they come (so that neither side
    can block the other on a full pipe)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "readerpulse.report.images"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.answers: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.waiting = 0
        self.reader = threading.Thread(target=self._read, daemon=True, name="chart-image-answers")
        self.reader.start()

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        for line in stdout:
            self.answers.put(json.loads(line))
        self.answers.put(None)  # the worker stopped

    def send(self, job: dict[str, Any]) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(job) + "\n")
            stdin.flush()
        except OSError as exc:
            raise ReaderpulseError(f"the chart image worker stopped ({exc})") from exc
        self.waiting += 1

    def answer(self) -> str:
        found = self.answers.get()
        self.waiting -= 1
        if found is None:
            self.answers.put(None)  # every later job gets the same answer
            return "the chart image worker stopped"
        return found

    def stop(self, *, kill: bool) -> None:
        if kill:
            self.process.kill()
        try:
            if self.process.stdin:
                self.process.stdin.close()
        except OSError:
            pass  # it stopped already
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join()
        if self.process.stdout:
            self.process.stdout.close()


class Drawer:
    """Worker processes drawing charts; each job goes to the worker with the fewest waiting."""

    def __init__(self, workers: int) -> None:
        self.workers: list[_Worker] = []
        self.jobs: list[tuple[_Worker, Path]] = []  # in the order handed in
        try:
            for _ in range(max(1, workers)):
                self.workers.append(_Worker())
        except BaseException:
            self.close()
            raise

    def submit(self, spec: dict[str, Any], vl_version: str, svg_path: Path, png_path: Path) -> None:
        """Hand one chart to a worker."""
        worker = min(self.workers, key=lambda w: w.waiting - w.answers.qsize())
        worker.send({"spec": spec, "vl_version": vl_version, "svg": str(svg_path), "png": str(png_path)})
        self.jobs.append((worker, svg_path))

    def finish(self) -> None:
        """Wait for every chart handed in; one that could not be drawn is a ReaderpulseError."""
        failed = []
        total = len(self.jobs)
        for worker, svg_path in self.jobs:
            answer = worker.answer()
            if answer != "ok":
                failed.append((svg_path, answer))
        self.jobs = []
        if failed:
            # one line however many failed: a full disk fails every chart the same way
            path, answer = failed[0]
            raise ReaderpulseError(
                f"{path.parent}: could not write {len(failed)} of {total} chart images; the first, {path.stem}: {answer}"
            )

    def close(self) -> None:
        """Stop the workers: after `finish`, once they are idle; otherwise at once (charts not
        drawn yet are dropped)."""
        abort = bool(self.jobs)
        for worker in self.workers:
            worker.stop(kill=abort)
        self.jobs = []


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
