"""Headless Chromium driven over the DevTools protocol through a pipe (no port, no extra package).

Chromium's --remote-debugging-pipe reads commands on file descriptor 3 and writes replies and events
on descriptor 4, each message JSON ending in a NUL byte. A shell `exec` maps our pipes there.

Also a tool: `python -m tests.report.browser REPORT.html SHOT.png [WIDTH [HEIGHT]]` saves a screenshot
of the whole page (or of its top HEIGHT pixels).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "install Debian's chromium: apt-get install chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]

# What the page looks like once its scripts ran: every chart container, and whether Vega drew into it.
SUMMARY_JS = """
(() => {
  const charts = Array.from(document.querySelectorAll('.chart')).map((el) => {
    const svg = el.querySelector('svg');
    return {
      id: el.id,
      rendered: el.getAttribute('data-rendered') === 'true',
      svg: Boolean(svg),
      canvas: Boolean(el.querySelector('canvas')),
      marks: svg ? svg.querySelectorAll('.mark-rect path, .mark-text text, .mark-line path, .mark-symbol path').length : 0,
      width: svg ? svg.getBoundingClientRect().width : 0,
    };
  });
  return JSON.stringify({
    state: document.documentElement.getAttribute('data-charts'),
    expected: Number(document.documentElement.getAttribute('data-charts-expected')),
    charts: charts,
    scripts: Array.from(document.scripts).map((s) => s.src).filter(Boolean),
    title: document.title,
    text: document.body.innerText,
  });
})()
"""


def available() -> bool:
    return CHROMIUM.exists()


@dataclass
class PageReport:
    """What happened while a page loaded: console errors, exceptions, requests, and the chart summary."""

    console: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    exceptions: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        return [text for level, text in self.console if level in ("error", "assert")] + self.exceptions


class Chromium:
    """One headless browser; use as a context manager."""

    def __init__(self, executable: Path = CHROMIUM, width: int = 1200, height: int = 900) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="readerpulse-chromium-"))
        command = [str(executable), *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}"]
        self.process = subprocess.Popen(
            ["bash", "-c", 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>&2', *command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.ids = itertools.count(1)
        self.replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        self.width, self.height = width, height

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing anyway
            self.send("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read(self) -> None:
        assert self.process.stdout is not None
        buffer = b""
        while chunk := self.process.stdout.read1(1 << 16):
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self.lock:
                        waiting = self.replies.get(message["id"])
                    if waiting is not None:
                        waiting.put(message)
                else:
                    self.events.put(message)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30) -> dict[str, Any]:
        message_id = next(self.ids)
        reply: queue.Queue[dict[str, Any]] = queue.Queue()
        with self.lock:
            self.replies[message_id] = reply
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\0")
        self.process.stdin.flush()
        try:
            answer = reply.get(timeout=timeout)
        except queue.Empty as exc:
            raise TimeoutError(f"no answer to {method} within {timeout}s") from exc
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def _drain(self, report: PageReport) -> None:
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                report.console.append((params.get("type", ""), text))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                report.exceptions.append(details.get("exception", {}).get("description") or details.get("text", ""))
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                report.console.append((entry.get("level", ""), f"[{entry.get('source')}] {entry.get('text')}"))
            elif method == "Network.requestWillBeSent":
                report.requests.append(params.get("request", {}).get("url", ""))

    def open(self, url: str, timeout: float = 60) -> tuple[str, PageReport]:
        """Load the page, wait until its charts rendered (or failed), and return the session and report."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        report = PageReport()
        self.send("Page.navigate", {"url": url}, session=session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.evaluate(session, "document.readyState === 'complete' && document.documentElement.getAttribute('data-charts')")
            if state in ("rendered", "failed"):
                break
            time.sleep(0.1)
        time.sleep(0.3)  # late console messages
        report.summary = json.loads(self.evaluate(session, SUMMARY_JS))
        self._drain(report)
        return session, report

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluating in the page failed: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def screenshot(self, session: str, path: Path, max_height: int | None = None) -> None:
        """The whole page, as tall as it is (or its top max_height pixels)."""
        height = int(self.evaluate(session, "document.documentElement.scrollHeight"))
        height = min(height, max_height) if max_height else height
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        time.sleep(0.5)
        clip = {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1}
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip},
                         session=session)
        path.write_bytes(base64.b64decode(shot["data"]))


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python -m tests.report.browser REPORT.html SHOT.png [WIDTH [HEIGHT]]", file=sys.stderr)
        return 2
    page, shot = Path(argv[0]).resolve(), Path(argv[1])
    width = int(argv[2]) if len(argv) > 2 else 1200
    height = int(argv[3]) if len(argv) > 3 else None
    with Chromium(width=width) as browser:
        session, report = browser.open(page.as_uri())
        browser.screenshot(session, shot, height)
    print(f"{shot}: charts {report.summary['state']}, errors: {report.errors or 'none'}")
    return 0 if not report.errors else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
