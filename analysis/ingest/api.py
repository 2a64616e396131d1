"""Import files into the database: one transaction per file, rejects kept, re-imports skipped."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from analysis.errors import UnreadableSource
from analysis.ingest.formats import detect
from analysis.ingest.model import Batch, ParseContext, SourceFile
from analysis.store.db import pseudonym_secret, run, transaction
from analysis.store.writer import WriteCounts, max_comment_pk, update_depths, write_batch


@dataclass
class FileResult:
    """What one file did to the database."""

    path: Path
    format: str | None
    status: str  # 'loaded', 'unchanged' (already imported) or 'failed'
    counts: WriteCounts = field(default_factory=WriteCounts)
    source_id: int | None = None
    error: str | None = None


@dataclass
class ImportOptions:
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    keep_author_names: bool = False
    format: str | None = None
    batch_size: int = 100_000


Progress = Callable[[FileResult, int, int], None]

SKIPPED_NAMES = {".DS_Store", "Thumbs.db"}


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, folders walked recursively in name order (hidden entries skipped)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.name not in SKIPPED_NAMES:
                    yield child
        else:
            yield path


def _already_loaded(conn: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    rows = run(
        conn, "SELECT min(source_id) FROM sources WHERE sha256 = ? AND status = 'loaded'", [sha256]
    )
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def _next_source_id(conn: duckdb.DuckDBPyConnection) -> int:
    return int(run(conn, "SELECT nextval('source_id_seq')")[0][0])


def _prefetched(batches: Iterator[Batch]) -> Iterator[Batch]:
    """`batches` in order, the next one parsed on a thread while the caller writes this one.

    Parsing (polars) and writing (DuckDB) both release the GIL, so they overlap; at most two
    batches are in memory. A parser error is raised where that batch would have come.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse") as pool:
        coming = pool.submit(next, batches, None)
        while (batch := coming.result()) is not None:
            coming = pool.submit(next, batches, None)
            yield batch


def import_file(conn: duckdb.DuckDBPyConnection, path: Path, options: ImportOptions) -> FileResult:
    """Import one file in one transaction. A failure leaves the database as it was before it."""
    try:
        source = SourceFile.open_path(path)
    except OSError as exc:
        raise UnreadableSource(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    existing = _already_loaded(conn, source.sha256)
    if existing is not None:
        return FileResult(path, None, "unchanged", source_id=existing)
    fmt = detect(source, options.format)
    secret = pseudonym_secret(conn)
    ctx = ParseContext(tz=options.tz, batch_size=options.batch_size)
    result = FileResult(path, fmt.name, "loaded")
    with transaction(conn):
        source_id = _next_source_id(conn)
        result.source_id = source_id
        added_after = max_comment_pk(conn)
        for batch in _prefetched(fmt.parse(source, ctx)):
            result.counts.add(
                write_batch(
                    conn,
                    batch,
                    source_id=source_id,
                    secret=secret,
                    keep_author_names=options.keep_author_names,
                )
            )
        update_depths(conn, source_id, added_after=added_after, added=result.counts.comments)
        run(
            conn,
            "INSERT INTO sources (source_id, path, format, sha256, size_bytes, imported_at, status,"
            " n_articles, n_passages, n_comments, n_rejects, n_updated)"
            " VALUES (?, ?, ?, ?, ?, now(), 'loaded', ?, ?, ?, ?, ?)",
            [
                source_id,
                str(path),
                fmt.name,
                source.sha256,
                source.size,
                result.counts.articles,
                result.counts.passages,
                result.counts.comments,
                result.counts.rejects,
                result.counts.updated,
            ],
        )
    return result


def record_failure(conn: duckdb.DuckDBPyConnection, path: Path, message: str) -> int:
    """Keep a trace of a file that could not be imported: a failed source and one reject."""
    try:
        source = SourceFile.open_path(path)
        sha, size = source.sha256, source.size
    except OSError:
        sha, size = "", 0
    with transaction(conn):
        source_id = _next_source_id(conn)
        run(
            conn,
            "INSERT INTO sources (source_id, path, format, sha256, size_bytes, imported_at, status, error)"
            " VALUES (?, ?, NULL, ?, ?, now(), 'failed', ?)",
            [source_id, str(path), sha, size, message],
        )
        run(conn, "INSERT INTO rejects VALUES (?, 'file', ?, NULL)", [source_id, message])
    return source_id


def ingest(
    conn: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> list[FileResult]:
    """Import every file under `paths`. A file that fails is recorded and the others still load."""
    options = options or ImportOptions()
    files = list(expand_paths(paths))
    results = []
    for index, path in enumerate(files, start=1):
        try:
            result = import_file(conn, path, options)
        except UnreadableSource as exc:
            result = FileResult(path, None, "failed", error=str(exc))
            result.source_id = record_failure(conn, path, str(exc))
        except Exception as exc:  # any failure of one file is that file's; the run goes on
            message = f"{path}: import failed and was rolled back: {type(exc).__name__}: {exc}"
            result = FileResult(path, None, "failed", error=message)
            result.source_id = record_failure(conn, path, message)
        results.append(result)
        if progress:
            progress(result, index, len(files))
    return results
