"""Assemble a report: resolve the period, run each section's query, build the charts, write the files.

The output folder holds one self-contained HTML page (the Vega libraries inlined once, every chart
spec in one JSON block) and, for each chart, a PNG and an SVG file for slides and chat.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from .. import queries
from ..errors import ReaderpulseError, UsageError
from . import charts, images, render
from .definition import PERIOD_PARAMS, ReportDefinition, Section, load

WEEK = re.compile(r"^\d{4}-W\d{2}$")
# A report covers at most a year, between these days: a longer or absurd range is refused in one
# line rather than run for minutes (the previous period, for comparison, is as long again).
MAX_DAYS = 366
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
# The default period is the latest week with comments posted up to a day from now: a comment
# dated years ahead (a bad clock, a hostile file) does not take it over.
_LATEST_WEEK = "SELECT max(week_start) FROM stg_comments WHERE posted_at <= now() + INTERVAL 1 DAY"


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included (UTC)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_iso_week(self) -> bool:
        return self.start.weekday() == 0 and self.days == 7

    @property
    def iso_week(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def slug(self) -> str:
        return self.iso_week if self.is_iso_week else f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def label(self) -> str:
        span = f"{_long_day(self.start, with_year=self.start.year != self.end.year)} – {_long_day(self.end, with_year=True)}"
        if self.is_iso_week:
            year, week, _ = self.start.isocalendar()
            return f"Week {week} of {year}: {span}"
        return span

    @property
    def previous(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def previous_label(self) -> str:
        return "the previous week" if self.is_iso_week else f"the previous {self.days} days"


def _long_day(day: date, *, with_year: bool) -> str:
    text = f"{day:%A} {day.day} {day:%B}"
    return f"{text} {day.year}" if with_year else text


def parse_week(text: str) -> Period:
    if not WEEK.match(text.strip()):
        raise UsageError(f"--week must be an ISO week such as 2023-W38, got {text!r}")
    try:
        start = date.fromisoformat(text.strip())
        return Period(start, start + timedelta(days=6))
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{text!r} is not a week of that year") from exc


def resolve_period(
    conn: duckdb.DuckDBPyConnection, week: str | None, start: date | None, end: date | None
) -> Period:
    """--week, or --start/--end (one of them alone means seven days), else the latest week with
    comments (up to a day from now); at most MAX_DAYS days from FIRST_DAY to LAST_DAY."""
    for day in (start, end):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise UsageError(f"{day} is outside the days a report can cover ({FIRST_DAY} to {LAST_DAY})")
    period = _period(conn, week, start, end)
    if not (period.start >= FIRST_DAY and period.end <= LAST_DAY):
        raise UsageError(f"{period.start} to {period.end} is outside the days a report can cover ({FIRST_DAY} to {LAST_DAY})")
    if period.days > MAX_DAYS:
        raise UsageError(
            f"{period.start} to {period.end} is {period.days} days; a report covers at most {MAX_DAYS} days"
        )
    return period


def _period(conn: duckdb.DuckDBPyConnection, week: str | None, start: date | None, end: date | None) -> Period:
    if week and (start or end):
        raise UsageError("give either --week or --start/--end, not both")
    if week:
        return parse_week(week)
    if start and end:
        if end < start:
            raise UsageError(f"--end {end} is before --start {start}")
        return Period(start, end)
    if start:
        return Period(start, start + timedelta(days=6))
    if end:
        return Period(end - timedelta(days=6), end)
    row = conn.execute(_LATEST_WEEK).fetchone()
    if not row or row[0] is None:
        raise ReaderpulseError("no comments dated up to now in the database, so no latest week: give --week or --start")
    latest: date = row[0]
    return Period(latest, latest + timedelta(days=6))


@dataclass
class ChartOutput:
    """One chart: where it sits in the page, its Vega-Lite spec, and its exported files."""

    id: str
    title: str
    spec: dict[str, Any]
    subtitle: str = ""
    png: str = ""  # paths relative to the HTML file
    svg: str = ""


@dataclass
class SectionOutput:
    section: Section
    frame: pl.DataFrame
    chart: ChartOutput | None = None

    @property
    def rows(self) -> list[dict[str, Any]]:
        frame = self.frame.head(self.section.limit) if self.section.limit else self.frame
        return frame.to_dicts()

    @property
    def is_empty(self) -> bool:
        return self.frame.is_empty() or (self.section.show == "chart" and self.chart is None)


@dataclass
class ArticleOutput:
    index: int
    overview: dict[str, Any]
    passages: list[dict[str, Any]]
    charts: list[SectionOutput] = field(default_factory=list)
    others: list[SectionOutput] = field(default_factory=list)


@dataclass
class Report:
    definition: ReportDefinition
    period: Period
    article_id: str | None
    generated_at: datetime
    database: str
    sections: list[SectionOutput]
    articles: list[ArticleOutput]
    article_total: int

    @property
    def charts(self) -> list[ChartOutput]:
        found = [s.chart for s in self.sections if s.chart]
        for article in self.articles:
            found += [s.chart for s in article.charts if s.chart]
        return found


@dataclass(frozen=True)
class ReportResult:
    html: Path
    images: list[Path]
    report: Report
    timings: dict[str, float]


def _query_params(query: queries.Query, period: Period, article_id: str | None, extra: dict[str, Any]) -> dict[str, Any]:
    given: dict[str, Any] = {"start": period.start, "end": period.end, "article_id": article_id}
    values = {k: v for k, v in given.items() if k in PERIOD_PARAMS and query.param(k) is not None}
    return {**values, **extra}


def _run(conn: duckdb.DuckDBPyConnection, library: dict[str, queries.Query], name: str,
         period: Period, article_id: str | None, extra: dict[str, Any] | None = None) -> pl.DataFrame:
    query = library[name]
    return queries.run(conn, query, _query_params(query, period, article_id, extra or {}))


def section_frame(conn: duckdb.DuckDBPyConnection, section: Section, period: Period, article_id: str | None) -> pl.DataFrame:
    """The rows of one section's query for the period (the staging views installed already)."""
    return _run(conn, queries.library(), section.query, period, article_id, section.params)


def _chart(section: Section, frame: pl.DataFrame, chart_id: str, subtitle: str = "") -> ChartOutput | None:
    if section.chart is None or frame.is_empty():
        return None
    try:
        spec = charts.build(section.chart, frame, section.options).to_dict()
    except charts.NothingToShow:
        return None
    spec.pop("$schema", None)  # the page names the mode itself; no reference to any web address
    return ChartOutput(id=f"chart-{chart_id}", title=section.title, spec=spec, subtitle=subtitle)


def build_report(
    conn: duckdb.DuckDBPyConnection,
    definition: ReportDefinition,
    period: Period,
    *,
    article_id: str | None = None,
    database: str = "",
    library: dict[str, queries.Query] | None = None,
    on_chart: Callable[[ChartOutput], None] | None = None,
) -> Report:
    """Run every section's query for the period and build its chart spec (no files written).

    `on_chart`, when given, is called with each chart as soon as it is built (write_report
    starts its image export there, while the next queries run).
    """
    library = library if library is not None else queries.library()
    queries.install_staging(conn)
    frames: dict[str, pl.DataFrame] = {}

    def run(name: str, extra: dict[str, Any] | None = None) -> pl.DataFrame:
        """The query's rows; a query asked twice with the same parameters runs once."""
        key = f"{name} {sorted((extra or {}).items())!r}"
        if key not in frames:
            frames[key] = _run(conn, library, name, period, article_id, extra)
        return frames[key]

    def chart(section: Section, frame: pl.DataFrame, chart_id: str, subtitle: str = "") -> ChartOutput | None:
        built = _chart(section, frame, chart_id, subtitle)
        if built is not None and on_chart is not None:
            on_chart(built)
        return built

    # The article panels first: they are most of the charts, whose images are drawn (on_chart)
    # while the sections' queries run. The page shows the sections first all the same.
    articles: list[ArticleOutput] = []
    article_total = 0
    spec = definition.articles
    if spec is not None:
        overview = run(spec.query)
        article_total = overview.height
        chosen = overview.head(spec.limit)
        ids = chosen["article_id"].to_list() if chosen.height else []
        passages = run(spec.passages)
        panel_frames = {panel.id: run(panel.query, panel.params) for panel in spec.panels}
        for panel in spec.panels:
            if "article_id" not in panel_frames[panel.id].columns:
                raise ReaderpulseError(f"query {panel.query!r} of panel {panel.id!r} has no article_id column")
        for index, (row, current) in enumerate(zip(chosen.to_dicts(), ids, strict=True), start=1):
            article = ArticleOutput(
                index=index,
                overview=row,
                passages=passages.filter(pl.col("article_id") == current).to_dicts() if passages.height else [],
            )
            for panel in spec.panels:
                frame = panel_frames[panel.id].filter(pl.col("article_id") == current)
                about = str(row.get("article_title") or current)
                output = SectionOutput(panel, frame, chart(panel, frame, f"a{index}-{panel.id}", about))
                (article.charts if panel.show == "chart" else article.others).append(output)
            articles.append(article)

    sections: list[SectionOutput] = []
    for section in definition.sections:
        frame = run(section.query, section.params)
        sections.append(SectionOutput(section, frame, chart(section, frame, section.id)))

    return Report(
        definition=definition,
        period=period,
        article_id=article_id,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        database=database,
        sections=sections,
        articles=articles,
        article_total=article_total,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:60] or "article"


class ImageExporter:
    """Writes charts as PNG and SVG into folder/charts/ as they are handed in, in worker
    processes (`images.Drawer`), while the report's next queries run."""

    def __init__(self, folder: Path, *, workers: int = 2) -> None:
        self.target = folder / "charts"
        self.target.mkdir(parents=True, exist_ok=True)
        self.version = render.vega_lite_version()
        self.drawer = images.Drawer(workers)
        self.pending: list[tuple[ChartOutput, Path, Path]] = []

    def submit(self, chart: ChartOutput) -> None:
        """Start drawing `chart` (its title is added for use out of context)."""
        title: dict[str, Any] = {"text": chart.title, "anchor": "start", "fontSize": 14}
        if chart.subtitle:  # an article panel: the article's title under the panel's, cut to the chart's width
            title["subtitle"] = chart.subtitle if len(chart.subtitle) <= 70 else chart.subtitle[:69].rstrip() + "…"
        spec = {**chart.spec, "title": title}
        name = chart.id.removeprefix("chart-")
        svg_path, png_path = self.target / f"{name}.svg", self.target / f"{name}.png"
        self.drawer.submit(spec, self.version, svg_path, png_path)
        self.pending.append((chart, png_path, svg_path))

    def finish(self) -> list[Path]:
        """Wait for every image; the files written, PNG then SVG per chart, in the order handed in."""
        try:
            self.drawer.finish()
            written: list[Path] = []
            for chart, png_path, svg_path in self.pending:
                chart.svg = f"charts/{svg_path.name}"
                chart.png = f"charts/{png_path.name}"
                written += [png_path, svg_path]
            return written
        finally:
            self.close()

    def close(self) -> None:
        """Stop: images not started are not drawn."""
        self.drawer.close()


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """A failure to write `path` (no permission, disk full) is one line naming the file."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or path
        raise ReaderpulseError(f"{where}: cannot write the report ({exc.strerror or exc})") from exc


def write_report(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    out_dir: Path,
    *,
    week: str | None = None,
    start: date | None = None,
    end: date | None = None,
    article_id: str | None = None,
    database: str = "",
    images: bool = True,
) -> ReportResult:
    """Build the report NAME (reports/NAME.toml) and write its HTML page and chart images."""
    timings: dict[str, float] = {}
    began = time.perf_counter()
    library = queries.library()
    definition = load(name, library=library)
    queries.install_staging(conn)
    period = resolve_period(conn, week, start, end)
    slug = f"{name}-{period.slug}" + (f"-{_slug(article_id)}" if article_id else "")
    folder = out_dir / slug
    with _writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
        exporter = ImageExporter(folder) if images else None
    try:
        report = build_report(
            conn, definition, period, article_id=article_id, database=database, library=library,
            on_chart=exporter.submit if exporter else None,
        )
    except BaseException:
        if exporter:
            exporter.close()
        raise
    timings["queries_and_specs"] = time.perf_counter() - began
    step = time.perf_counter()
    written = exporter.finish() if exporter else []
    timings["images_after_queries"] = time.perf_counter() - step

    step = time.perf_counter()
    html_path = folder / f"{slug}.html"
    page = render.render_html(report)
    with _writing(html_path):
        html_path.write_text(page, "utf-8")
    timings["html"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - began
    return ReportResult(html=html_path, images=written, report=report, timings=timings)
