"""Report definitions: the TOML files in reports/ that say which sections a report shows.

They are looked up in the project's reports folder (or --reports, $READERPULSE_REPORTS), then
in the packaged ones (`config.reports`); a template in the definition's own folder, else there.

A section names a query from the library and how to show its rows: a chart registered in
analysis/report/charts.py (with options), or one of the ready-made displays in SHOWS. See
docs/reports.md for the format; `load` checks every name and option so that a typo fails fast
with a message, not halfway through a report.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import config, queries
from ..errors import ReaderpulseError, UsageError
from . import charts

REPORTS_ENV = config.REPORTS_ENV

# How a section without a chart shows its rows.
SHOWS = {
    "figures": "headline numbers with the change against the previous period (rows of period_summary)",
    "quotes": "comments quoted with their time, commenter pseudonym and scores (needs text and posted_at)",
    "table": "the rows as a table",
}
# Parameters the report itself fills in for every query that declares them.
PERIOD_PARAMS = ("start", "end", "article_id")
SECTION_ID = re.compile(r"^[a-z][a-z0-9-]*$")
# A report is named by its definition's file name in the definitions folder, never by a path.
REPORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class ReportDefinitionError(ReaderpulseError):
    """A report definition that names a missing query, chart or option."""


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    query: str
    text: str = ""
    chart: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    show: str = "chart"
    params: dict[str, Any] = field(default_factory=dict)
    empty: str = "Nothing to show for this period."
    limit: int | None = None


@dataclass(frozen=True)
class Articles:
    """The per-article part: which articles (a query), their passages, and panels beside them."""

    title: str
    query: str
    passages: str
    text: str = ""
    limit: int = 8
    panels: tuple[Section, ...] = ()


@dataclass(frozen=True)
class ReportDefinition:
    name: str
    title: str
    path: Path
    template: str
    template_dirs: tuple[Path, ...] = ()  # where the template is looked for, in order
    intro: str = ""
    notes: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    articles: Articles | None = None


def report_dirs(option: str | os.PathLike[str] | None = None) -> list[Path]:
    """Where report definitions live, the folder that wins a name first: the option's,
    $READERPULSE_REPORTS or the project's, then the packaged ones."""
    return [setting.path for setting in config.reports(option)]


def available(directory: Path | None = None) -> list[str]:
    folders = [directory] if directory is not None else report_dirs()
    return sorted({p.stem for folder in folders for p in folder.glob("*.toml")})


def _text(table: dict[str, Any], key: str, where: str, *, required: bool = False, default: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or (required and not value.strip()):
        raise ReportDefinitionError(f"{where}: '{key}' must be {'a non-empty ' if required else ''}string")
    return value.strip()


def _section(table: dict[str, Any], where: str, library: dict[str, queries.Query]) -> Section:
    known = {"id", "title", "text", "query", "chart", "options", "show", "params", "empty", "limit"}
    extra = sorted(set(table) - known)
    if extra:
        raise ReportDefinitionError(f"{where}: unknown keys {extra}; a section has {sorted(known)}")
    section_id = _text(table, "id", where, required=True)
    where = f"{where} ({section_id})"
    if not SECTION_ID.match(section_id):
        raise ReportDefinitionError(f"{where}: id must be lower-case letters, digits and dashes")
    query_name = _text(table, "query", where, required=True)
    query = library.get(query_name)
    if query is None:
        raise ReportDefinitionError(f"{where}: no query named {query_name!r} in the query library")
    chart = table.get("chart")
    show = table.get("show", "chart" if chart else None)
    if chart is not None:
        if show != "chart":
            raise ReportDefinitionError(f"{where}: give either 'chart' or 'show', not both")
        options = table.get("options", {})
        if not isinstance(options, dict):
            raise ReportDefinitionError(f"{where}: 'options' must be a table")
        problem = charts.options_error(str(chart), options)
        if problem:
            raise ReportDefinitionError(f"{where}: {problem}")
    elif show not in SHOWS:
        choices = "; ".join(f"{k}: {v}" for k, v in SHOWS.items())
        raise ReportDefinitionError(f"{where}: needs a 'chart' (one of {', '.join(sorted(charts.REGISTRY))}) or a 'show' ({choices})")
    params = table.get("params", {})
    if not isinstance(params, dict):
        raise ReportDefinitionError(f"{where}: 'params' must be a table")
    clash = sorted(set(params) & set(PERIOD_PARAMS))
    if clash:
        raise ReportDefinitionError(f"{where}: {clash} come from the report's period and --article")
    try:
        query.bind(params)
    except UsageError as exc:
        raise ReportDefinitionError(f"{where}: {exc}") from exc
    limit = table.get("limit")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ReportDefinitionError(f"{where}: 'limit' must be a positive whole number")
    return Section(
        id=section_id,
        title=_text(table, "title", where, required=True),
        query=query_name,
        text=_text(table, "text", where),
        chart=str(chart) if chart is not None else None,
        options=dict(table.get("options", {})),
        show=str(show),
        params=dict(params),
        empty=_text(table, "empty", where, default=Section.empty),
        limit=limit,
    )


def load(name: str, directory: Path | None = None, library: dict[str, queries.Query] | None = None) -> ReportDefinition:
    """The report definition NAME.toml (from `directory` alone when given), checked against the
    query library and the charts."""
    if not REPORT_NAME.match(name):
        raise UsageError(
            f"{name!r} is not a report name (letters, digits, '-' and '_': a file NAME.toml in the report "
            f"definitions folder); known reports: {', '.join(available(directory)) or '(none)'}"
        )
    folders = [directory] if directory is not None else report_dirs()
    path = next((folder / f"{name}.toml" for folder in folders if (folder / f"{name}.toml").is_file()), None)
    if path is None:
        raise UsageError(f"no report named {name!r}; known reports: {', '.join(available(directory)) or '(none)'}")
    root = path.parent
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ReportDefinitionError(f"{path}: {exc}") from exc
    library = library if library is not None else queries.library()
    where = str(path)
    sections = tuple(
        _section(table, f"{where}: sections[{index}]", library)
        for index, table in enumerate(data.get("sections", []))
    )
    articles = None
    if "articles" in data:
        table = data["articles"]
        panels = tuple(
            _section(panel, f"{where}: articles.panels[{index}]", library)
            for index, panel in enumerate(table.get("panels", []))
        )
        for key in ("query", "passages"):
            if _text(table, key, f"{where}: articles", required=True) not in library:
                raise ReportDefinitionError(f"{where}: articles.{key} names no query in the library")
        limit = table.get("limit", 8)
        if not isinstance(limit, int) or limit < 1:
            raise ReportDefinitionError(f"{where}: articles.limit must be a positive whole number")
        articles = Articles(
            title=_text(table, "title", f"{where}: articles", required=True),
            query=table["query"],
            passages=table["passages"],
            text=_text(table, "text", f"{where}: articles"),
            limit=limit,
            panels=panels,
        )
    ids = [s.id for s in sections] + [p.id for p in (articles.panels if articles else ())]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ReportDefinitionError(f"{where}: section ids must be unique; repeated: {duplicates}")
    template = _text(data, "template", where, default=f"{name}.html.j2")
    template_dirs = tuple(dict.fromkeys([root, *folders]))
    if not any((folder / template).is_file() for folder in template_dirs):
        raise ReportDefinitionError(f"{where}: template {template!r} not found in {root}")
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise ReportDefinitionError(f"{where}: 'notes' must be a list of strings")
    return ReportDefinition(
        name=name,
        title=_text(data, "title", where, required=True),
        path=path,
        template=template,
        template_dirs=template_dirs,
        intro=_text(data, "intro", where),
        notes=tuple(notes),
        sections=sections,
        articles=articles,
    )
