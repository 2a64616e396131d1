"""The named SQL queries in queries/: load them, list them, bind their parameters, run them.

A named query is one ``.sql`` file whose header says what it is::

    -- name: review_queue
    -- description: Very negative comments that also doubt verification.
    -- param: start DATE = NULL -- first day included (default: Monday of the latest week)
    -- param: max_sentiment DOUBLE = -0.5 -- only comments at or below this compound score

The body refers to each parameter as ``$name``; DuckDB binds the values, the SQL text is
never formatted with them. The views in ``queries/staging/`` (``-- view:`` headers) are
created as temporary views before a query runs, so the marts read from them; a staging file
with a ``-- macro: NAME(ARGS)`` header instead is created as a temporary table macro.

The library is the packaged one with the project's own folder over it (`config.queries`): a
query or staging view there is listed beside the packaged ones, and replaces one of the same name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from . import config
from .errors import ReaderpulseError, UsageError
from .output import FORMATS as TEXT_FORMATS
from .output import render
from .store.db import create_temp_view

QUERIES_ENV = config.QUERIES_ENV
OUTPUT_FORMATS = (*TEXT_FORMATS, "parquet")

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
HEADER = re.compile(r"^--\s*(name|view|macro|description|param):\s*(.*?)\s*$")
PARAM = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]*)\s+(?P<type>[A-Za-z]+)"
    r"(?:\s*=\s*(?P<default>'[^']*'|[^\s]+))?"
    r"(?:\s+--\s*(?P<help>.*))?$"
)
# A table macro's signature: NAME(arg, arg, arg := literal); the defaults are plain literals.
MACRO = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\((?P<args>[^()]*)\)$")
MACRO_ARG = re.compile(r"^[a-z][a-z0-9_]*(?:\s*:=\s*(?:NULL|true|false|-?[0-9]+(?:\.[0-9]+)?|'[^']*'))?$", re.I)
PLACEHOLDER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Parameters that are counts: LIMIT $n, OFFSET $n.
COUNT_PLACEHOLDER = re.compile(r"(?i)\b(?:LIMIT|OFFSET)\s+\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryDefinitionError(ReaderpulseError):
    """A .sql file in the library whose header or body is malformed."""


def _parse_date(text: str) -> date:
    # Python 3.11 reads 2023-09-18, 20230918 and ISO weeks: 2023-W38 (its Monday), 2023-W38-7.
    return date.fromisoformat(text)


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "1", "on"):
        return True
    if lowered in ("false", "no", "0", "off"):
        return False
    raise ValueError(text)


# Parameter types: what the header may declare, and how a text value is read.
PARSERS: dict[str, Callable[[str], Any]] = {
    "DATE": _parse_date,
    "INTEGER": int,
    "DOUBLE": float,
    "VARCHAR": str,
    "BOOLEAN": _parse_bool,
}
TYPE_HINTS = {
    "DATE": "a date such as 2023-09-18 or an ISO week such as 2023-W38 (its Monday)",
    "INTEGER": "a whole number",
    "DOUBLE": "a number",
    "VARCHAR": "text",
    "BOOLEAN": "true or false",
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any  # None means NULL
    required: bool
    help: str
    minimum: int | None = None  # a count (LIMIT/OFFSET $name) cannot be negative

    def describe(self) -> str:
        if self.required:
            default = "(required)"
        elif self.default is None:
            default = "= NULL"
        else:
            default = f"= {_format_value(self.default)}"
        text = f"{self.name} {self.type} {default}"
        return f"{text}  -- {self.help}" if self.help else text

    def coerce(self, value: object) -> Any:
        """The value as this parameter's Python type; text is parsed, native values checked."""
        if value is None:
            return None
        if isinstance(value, str):
            return PARSERS[self.type](value.strip() if self.type != "VARCHAR" else value)
        expected: tuple[type, ...] = {
            "DATE": (date,),
            "INTEGER": (int,),
            "DOUBLE": (int, float),
            "VARCHAR": (str,),
            "BOOLEAN": (bool,),
        }[self.type]
        if isinstance(value, bool) and self.type != "BOOLEAN":
            raise ValueError(value)
        if not isinstance(value, expected):
            raise ValueError(value)
        if self.type == "DOUBLE" and isinstance(value, int | float):
            return float(value)
        return value


def _format_value(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Query:
    """One named query: its header and its SQL body."""

    name: str
    description: str
    params: tuple[Param, ...]
    sql: str
    path: Path

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def signature(self) -> str:
        if not self.params:
            return "  (no parameters)"
        return "\n".join(f"  {p.describe()}" for p in self.params)

    def bind(self, values: Mapping[str, object]) -> dict[str, Any]:
        """Every parameter's value: the given ones checked and typed, defaults for the rest."""
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            raise UsageError(
                f"query {self.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                f"expected parameters:\n{self.signature()}"
            )
        bound: dict[str, Any] = {}
        for param in self.params:
            if param.name not in values:
                if param.required:
                    raise UsageError(
                        f"query {self.name!r} needs parameter {param.name!r}; "
                        f"expected parameters:\n{self.signature()}"
                    )
                bound[param.name] = param.default
                continue
            raw = values[param.name]
            try:
                bound[param.name] = param.coerce(raw)
            except (ValueError, TypeError) as exc:
                raise UsageError(
                    f"parameter {param.name!r} of query {self.name!r} must be {param.type} "
                    f"({TYPE_HINTS[param.type]}), got {raw!r}; expected parameters:\n{self.signature()}"
                ) from exc
            if param.minimum is not None and bound[param.name] is not None and bound[param.name] < param.minimum:
                raise UsageError(
                    f"parameter {param.name!r} of query {self.name!r} must be {param.minimum} or more, got {raw!r}"
                )
        return bound


@dataclass(frozen=True)
class View:
    """A staging view: a SELECT created as a temporary view before the marts run.

    With ``args`` (a ``-- macro:`` file) it is a table macro taking those arguments instead.
    """

    name: str
    description: str
    sql: str
    path: Path
    args: str | None = None


def query_dirs(option: str | os.PathLike[str] | None = None) -> list[Path]:
    """The library's folders, the one that wins a name first: the option's, $READERPULSE_QUERIES
    or the project's, then the packaged library."""
    return [setting.path for setting in config.queries(option)]


def _folders(directory: Path | None) -> list[Path]:
    """The folders to read, the one that wins a name first: `directory` alone, else the library's."""
    return [directory] if directory is not None else query_dirs()


def _split_header(path: Path) -> tuple[dict[str, list[str]], str]:
    """The `-- key: value` lines at the top of the file, and the rest (the SQL body)."""
    header: dict[str, list[str]] = {}
    lines = path.read_text("utf-8").splitlines()
    body_start = len(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        match = HEADER.match(stripped)
        if match:
            header.setdefault(match.group(1), []).append(match.group(2))
            continue
        if stripped == "" or stripped.startswith("--"):
            continue  # blank lines and free comments may sit among the header lines
        body_start = index
        break
    body = "\n".join(lines[body_start:]).strip().rstrip(";").strip()
    if not body:
        raise QueryDefinitionError(f"{path}: no SQL after the header")
    return header, body


def _one(header: dict[str, list[str]], key: str, path: Path) -> str:
    values = header.get(key, [])
    if len(values) != 1 or not values[0]:
        raise QueryDefinitionError(f"{path}: needs exactly one '-- {key}:' header line")
    return values[0]


def _parse_param(text: str, path: Path) -> Param:
    match = PARAM.match(text)
    if not match:
        raise QueryDefinitionError(
            f"{path}: cannot read parameter {text!r}; write '-- param: NAME TYPE [= DEFAULT] [-- help]'"
        )
    name, type_ = match.group("name"), match.group("type").upper()
    if type_ not in PARSERS:
        raise QueryDefinitionError(f"{path}: parameter {name!r} has type {type_}; use one of {', '.join(PARSERS)}")
    raw_default = match.group("default")
    default: Any = None
    if raw_default is not None and raw_default.upper() != "NULL":
        literal = raw_default[1:-1] if raw_default.startswith("'") else raw_default
        try:
            default = PARSERS[type_](literal)
        except ValueError as exc:
            raise QueryDefinitionError(f"{path}: default of {name!r} is not a {type_}: {raw_default}") from exc
    return Param(name, type_, default, raw_default is None, (match.group("help") or "").strip())


def load_query(path: Path) -> Query:
    header, body = _split_header(path)
    name = _one(header, "name", path)
    if name != path.stem or not NAME.match(name):
        raise QueryDefinitionError(f"{path}: '-- name: {name}' must match the file name, in snake_case")
    counts = set(COUNT_PLACEHOLDER.findall(body))
    params = tuple(
        replace(param, minimum=0) if param.name in counts else param
        for param in (_parse_param(text, path) for text in header.get("param", []))
    )
    declared = {p.name for p in params}
    if len(declared) != len(params):
        raise QueryDefinitionError(f"{path}: a parameter is declared twice")
    used = set(PLACEHOLDER.findall(body))
    if used - declared:
        raise QueryDefinitionError(f"{path}: uses undeclared parameters {sorted(used - declared)}")
    if declared - used:
        raise QueryDefinitionError(f"{path}: declares parameters it never uses {sorted(declared - used)}")
    return Query(name, _one(header, "description", path), params, body, path)


def load_view(path: Path) -> View:
    header, body = _split_header(path)
    kind, args = "view", None
    if "macro" in header:
        if "view" in header:
            raise QueryDefinitionError(f"{path}: a staging file is either a '-- view:' or a '-- macro:'")
        kind = "macro"
        match = MACRO.match(_one(header, "macro", path))
        arg_list = [a.strip() for a in match.group("args").split(",")] if match else []
        if not match or not all(MACRO_ARG.match(a) for a in arg_list):
            raise QueryDefinitionError(
                f"{path}: cannot read the macro signature; write '-- macro: NAME(arg, arg := literal)'"
            )
        name, args = match.group("name"), ", ".join(arg_list)
    else:
        name = _one(header, "view", path)
    if name != path.stem or not NAME.match(name):
        raise QueryDefinitionError(f"{path}: '-- {kind}: {name}' must match the file name, in snake_case")
    if PLACEHOLDER.search(body):
        raise QueryDefinitionError(f"{path}: a staging {kind} cannot take $parameters (a macro takes arguments)")
    return View(name, _one(header, "description", path), body, path, args)


def _files(folders: list[Path], pattern: str) -> list[Path]:
    """The files matching `pattern`, one per file name: the first folder's wins, in name order."""
    found: dict[str, Path] = {}
    for folder in reversed(folders):
        found.update((p.name, p) for p in folder.glob(pattern))
    return [found[name] for name in sorted(found)]


def library(directory: Path | None = None) -> dict[str, Query]:
    """The named queries, by name, in name order (of `directory` alone when given)."""
    folders = _folders(directory)
    for root in folders:
        if not root.is_dir():
            raise UsageError(f"{root}: no query library here (set ${QUERIES_ENV} or the project's 'queries')")
    return {q.name: q for q in (load_query(p) for p in _files(folders, "*.sql"))}


def staging_views(directory: Path | None = None) -> list[View]:
    """The staging views, ordered so that each comes after the views it reads."""
    files = _files([folder / "staging" for folder in _folders(directory)], "*.sql")
    views = {v.name: v for v in (load_view(p) for p in files)}
    ordered: list[View] = []
    state: dict[str, str] = {}

    def visit(view: View) -> None:
        if state.get(view.name) == "done":
            return
        if state.get(view.name) == "visiting":
            raise QueryDefinitionError(f"{view.path}: staging views refer to each other in a cycle")
        state[view.name] = "visiting"
        for other in views.values():
            if other.name != view.name and re.search(rf"\b{other.name}\b", view.sql):
                visit(other)
        state[view.name] = "done"
        ordered.append(view)

    for view in views.values():
        visit(view)
    return ordered


def install_staging(conn: duckdb.DuckDBPyConnection, directory: Path | None = None) -> None:
    """Create (or refresh) the staging views as temporary views (and table macros) on this connection."""
    for view in staging_views(directory):
        # The name and arguments come from the library's own files (checked against NAME and MACRO), never from a user.
        create_temp_view(conn, view.name, view.sql, view.args)


def get(name: str, directory: Path | None = None) -> Query:
    queries = library(directory)
    if name not in queries:
        raise UsageError(f"no query named {name!r}; known queries: {', '.join(queries) or '(none)'}")
    return queries[name]


def run(
    conn: duckdb.DuckDBPyConnection,
    query: Query,
    values: Mapping[str, object] | None = None,
    *,
    directory: Path | None = None,
) -> pl.DataFrame:
    """Run one named query with its parameters bound by DuckDB; the staging views are refreshed first."""
    bound = query.bind(values or {})
    if directory is None and query.path.parent.resolve() not in {d.resolve() for d in query_dirs()}:
        directory = query.path.parent  # a query read from a folder of its own: its staging views
    install_staging(conn, directory)
    frame: pl.DataFrame = conn.sql(query.sql, params=bound).pl()
    return frame


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`-p key=value` options as a dict (values stay text: the query's header types them)."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"parameter {pair!r} is not key=value")
        if key.strip() in values:
            raise UsageError(f"parameter {key.strip()!r} given twice")
        values[key.strip()] = value
    return values


def describe_library(queries: Mapping[str, Query]) -> str:
    """The text of `readerpulse query --list`."""
    blocks = [f"{q.name}\n  {q.description}\n{q.signature()}" for q in queries.values()]
    return "\n\n".join(blocks) + "\n"


def output_format(fmt: str | None, output: Path | None) -> str:
    """The format asked for, else the one the output file's suffix names, else a table."""
    if fmt:
        return fmt
    if output is not None and output.suffix.lstrip(".") in OUTPUT_FORMATS:
        return output.suffix.lstrip(".")
    return "table"


def write(frame: pl.DataFrame, fmt: str, output: Path | None) -> str | None:
    """Write the frame to the file in the format; without a file, return the text to print."""
    if fmt == "parquet":
        if output is None:
            raise UsageError("parquet is a binary format: give --output FILE")
        output.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(output)
        return None
    if fmt not in TEXT_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")
    text = render(frame, fmt)
    if output is None:
        return text
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, "utf-8")
    return None
