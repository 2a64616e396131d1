"""Import files into the database: one transaction per file, rejects kept, re-imports skipped."""

from __future__ import annotations

from collections.abc import Callable, Container, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from ..errors import UnreadableSource, one_line
from ..store.batches import Batch, Item
from ..store.bounds import bound_batch
from ..store.db import memory_limit, run, transaction
from ..store.failures import write_failure
from ..store.keys import pseudonym_key
from ..store.writer import FileRecord, FileWriter, WriteCounts, record_failure
from .formats import Format, detect
from .inputs import DEFAULT_LIMITS, Limits, decode_input, open_input
from .model import ParseContext, SourceFile


@dataclass
class FileResult:
    """What one file did to the database."""

    path: Path
    format: str | None
    status: str  # 'loaded', 'unchanged' (already imported) or 'failed'
    counts: WriteCounts = field(default_factory=WriteCounts)
    source_id: int | None = None
    error: str | None = None
    stopped: bool = False  # the database could not be written: the run stopped at this file


@dataclass
class ImportOptions:
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    keep_author_names: bool = False
    format: str | None = None
    batch_size: int = 100_000
    encoding: str | None = None  # the files' text encoding; None: detected file by file
    limits: Limits = DEFAULT_LIMITS
    key_file: Path | None = None  # the pseudonym key's file (default: see store.keys)
    # DuckDB's memory for the import (its staging tables, joins and the recursive depth query
    # spill to disk beyond it): the budget that keeps a large file from growing the process
    memory_limit: str = "600MB"


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


def _loaded_contents(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(row[0]) for row in run(conn, "SELECT DISTINCT sha256 FROM sources WHERE status = 'loaded'")}


@dataclass
class _Opened:
    """A file opened (hashed, format detected) with its first batch parsed, ahead of its turn."""

    source: SourceFile
    fmt: Format | None = None
    detect_error: UnreadableSource | None = None  # raised only if the file is not 'unchanged'
    batches: Iterator[Item] | None = None
    first: Item | BaseException | None = None  # a parser error is raised where it was due
    started: bool = False  # format detected and parsing begun (not for content loaded before)

    def close(self) -> None:
        if isinstance(self.batches, Generator):
            self.batches.close()
        self.source.discard()


def _open(path: Path, options: ImportOptions, secret: bytes, loaded: Container[str]) -> _Opened:
    """Hash the file; unless its content was loaded before, detect its format and parse a batch."""
    opened = _Opened(open_input(path))
    if opened.source.sha256 not in loaded:
        _start(opened, options, secret)
    return opened


def _start(opened: _Opened, options: ImportOptions, secret: bytes) -> None:
    opened.started = True
    try:
        opened.source = decode_input(opened.source, options.encoding, options.limits)
        opened.fmt = detect(opened.source, options.format)
    except UnreadableSource as exc:
        opened.detect_error = exc
        return
    opened.batches = opened.fmt.parse(opened.source, ParseContext(tz=options.tz, batch_size=options.batch_size))
    opened.first = _next_batch(opened.batches)


def _next_batch(batches: Iterator[Item]) -> Item | BaseException | None:
    """The next batch parsed (or the file's scan), or the parser's error."""
    try:
        item = next(batches, None)
        # a parsed batch is held to the store's bounds here; a scan checks them in SQL (scan.py)
        return bound_batch(item) if isinstance(item, Batch) else item
    except Exception as exc:  # raised in the writer's thread, inside the file's transaction
        return exc


class _Reader:
    """Parses on one thread ahead of the writer: the next batch of this file while the current one
    is written, and the next file (hashing, detection, first batch) while this one's reply depths
    and commit run. Parsing (polars) and writing (DuckDB) both release the GIL, so they overlap;
    at most two batches are in memory.
    """

    def __init__(
        self, pool: ThreadPoolExecutor, options: ImportOptions, secret: bytes, loaded: set[str]
    ) -> None:
        self.pool = pool
        self.options = options
        self.secret = secret
        self.loaded = loaded  # sha256 of the contents loaded so far: no parsing ahead for those
        self.ahead: tuple[Path, Future[_Opened]] | None = None

    def open(self, path: Path) -> _Opened:
        """The file opened, on the thread ahead of time if `prepare` named it."""
        if self.ahead is not None and self.ahead[0] == path:
            future = self.ahead[1]
            self.ahead = None
            return future.result()
        self.discard()
        return self.pool.submit(_open, path, self.options, self.secret, self.loaded).result()

    def prepare(self, path: Path | None) -> None:
        """Start opening `path` (the file after this one) on the thread."""
        if path is not None and self.ahead is None:
            self.ahead = (path, self.pool.submit(_open, path, self.options, self.secret, self.loaded))

    def discard(self) -> None:
        if self.ahead is not None:
            future = self.ahead[1]
            self.ahead = None
            with suppress(Exception):
                future.result().close()

    def batches(self, opened: _Opened) -> Generator[Item, None, None]:
        """`opened`'s batches in order, each next one parsed on the thread meanwhile."""
        assert opened.batches is not None
        batch = opened.first
        coming: Future[Item | BaseException | None] | None = None
        try:
            while batch is not None:
                if isinstance(batch, BaseException):
                    raise batch
                coming = self.pool.submit(_next_batch, opened.batches)
                yield batch
                batch = coming.result()
                coming = None
        finally:
            if coming is not None:  # the writer stopped early: let the parser finish its batch
                coming.result()


def import_file(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    options: ImportOptions,
    *,
    reader: _Reader | None = None,
    next_path: Path | None = None,
) -> FileResult:
    """Import one file in one transaction. A failure leaves the database as it was before it."""
    if reader is None:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse") as pool:
            reader = _Reader(pool, options, pseudonym_key(conn, options.key_file), _loaded_contents(conn))
            return import_file(conn, path, options, reader=reader)
    opened = reader.open(path)
    source = opened.source
    existing = _already_loaded(conn, source.sha256)
    if existing is not None:
        opened.close()
        return FileResult(path, None, "unchanged", source_id=existing)
    if not opened.started:
        reader.pool.submit(_start, opened, options, reader.secret).result()
    if opened.detect_error is not None:
        opened.close()
        raise opened.detect_error
    assert opened.fmt is not None
    result = FileResult(path, opened.fmt.name, "loaded")
    batches = reader.batches(opened)
    try:
        with transaction(conn):
            writer = FileWriter(
                conn,
                FileRecord(path, opened.fmt.name, source.sha256, source.size),
                secret=reader.secret,
                keep_author_names=options.keep_author_names,
            )
            result.source_id = writer.source_id
            for item in batches:
                writer.write(item)
            reader.prepare(next_path)  # read ahead while the comments are merged and committed
            result.counts = writer.finish()
    finally:
        batches.close()
        opened.close()
    reader.loaded.add(source.sha256)
    return result


def _failed_file(path: Path) -> FileRecord:
    """A file that could not be imported, as its `sources` row records it (its hash when readable)."""
    try:
        source = open_input(path)
    except UnreadableSource:
        return FileRecord(path, None, "", 0)
    return FileRecord(path, None, source.sha256, source.size)


def ingest(
    conn: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> list[FileResult]:
    """Import every file under `paths`. A file that fails is recorded and the others still load;
    a failure to write the database (disk full) stops the run at that file, as it was before it."""
    options = options or ImportOptions()
    files = list(expand_paths(paths))
    results = []
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse") as pool,
        memory_limit(conn, options.memory_limit),
    ):
        reader = _Reader(pool, options, pseudonym_key(conn, options.key_file), _loaded_contents(conn))
        try:
            for index in range(1, len(files) + 1):
                try:
                    results.append(_import_one(conn, reader, files, index, options))
                except Exception as exc:
                    reason = write_failure(exc)
                    if reason is None:
                        raise
                    left = len(files) - index
                    message = (
                        f"{files[index - 1]}: could not write the database ({reason}); it is as it was before "
                        "this file; the run stopped" + (f", {left} more file(s) not read" if left else "")
                    )
                    results.append(FileResult(files[index - 1], None, "failed", error=message, stopped=True))
                if progress:
                    progress(results[-1], index, len(files))
                if results[-1].stopped:
                    break
        finally:
            reader.discard()
    return results


def _import_one(
    conn: duckdb.DuckDBPyConnection, reader: _Reader, files: list[Path], index: int, options: ImportOptions
) -> FileResult:
    """Import files[index - 1]; a failure is recorded and returned, not raised."""
    path = files[index - 1]
    next_path = files[index] if index < len(files) else None
    try:
        return import_file(conn, path, options, reader=reader, next_path=next_path)
    except UnreadableSource as exc:
        result = FileResult(path, None, "failed", error=str(exc))
        result.source_id = record_failure(conn, _failed_file(path), str(exc))
    except Exception as exc:  # any failure of one file is that file's; the run goes on
        if write_failure(exc) is not None:  # ... unless the database cannot be written: the run stops
            raise
        message = f"{path}: import failed and was rolled back: {type(exc).__name__}: {one_line(exc)}"
        result = FileResult(path, None, "failed", error=message)
        result.source_id = record_failure(conn, _failed_file(path), message)
    return result
