"""The generated report in headless Chromium: every chart drawn, nothing logged, nothing injected.

CI installs Debian's chromium (.ci/run); elsewhere these tests are skipped with the install command.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from readerpulse.report import render
from readerpulse.report.weekly import ReportResult

from tests.report import browser
from tests.report.conftest import SCRIPT_COMMENT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not browser.available(), reason=f"needs {browser.CHROMIUM}: {browser.INSTALL_HINT}"),
]


def test_every_chart_renders_without_errors(weekly_report: ReportResult) -> None:
    with browser.Chromium() as chromium:
        session, page = chromium.open(weekly_report.html.as_uri())
        pwned = chromium.evaluate(session, "typeof window.pwned")

    summary = page.summary
    expected = [chart.id for chart in weekly_report.report.charts]
    assert summary["state"] == "rendered", page.errors
    assert summary["expected"] == len(expected) == 9  # the tone section added one
    assert [c["id"] for c in summary["charts"]] == expected
    for chart in summary["charts"]:
        assert chart["rendered"] and (chart["svg"] or chart["canvas"]), chart
        assert chart["marks"] > 0 and chart["width"] > 100, chart
    assert page.errors == []
    assert [text for level, text in page.console if level == "warning"] == []  # Vega warns about bad specs
    # offline: the page loaded nothing but itself
    assert page.requests == [weekly_report.html.as_uri()]
    assert summary["scripts"] == []
    # the hostile comment shows as text and ran nothing
    assert pwned == "undefined"
    assert SCRIPT_COMMENT in summary["text"]
    assert "</script><script>window.pwned = 3</script>Diplomacy" in summary["text"]  # topic label, as text


def test_the_check_fails_when_a_chart_does_not_render(weekly_report: ReportResult, tmp_path: Path) -> None:
    """The check above is meaningful: a page with one broken spec is caught."""
    html = weekly_report.html.read_text("utf-8")
    pattern = re.compile(r'(<script type="application/json" id="report-specs">)(.*?)(</script>)', re.S)
    match = pattern.search(html)
    assert match is not None
    specs = json.loads(match[2])
    specs["chart-topic-volume"]["mark"] = {"type": "no-such-mark"}
    broken = html[: match.start(2)] + str(render.script_json(specs)) + html[match.end(2) :]
    page_path = tmp_path / "broken.html"
    page_path.write_text(broken, "utf-8")
    with browser.Chromium() as chromium:
        _, page = chromium.open(page_path.as_uri())
    assert page.summary["state"] == "failed"
    assert any("a chart failed to render" in error for error in page.errors)
    drawn = {c["id"]: c["svg"] for c in page.summary["charts"]}
    assert drawn["chart-topic-volume"] is False
