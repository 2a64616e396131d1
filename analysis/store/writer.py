"""Every write of an import, in set-based SQL: one `FileWriter` per file, inside its transaction.

Comments are staged first (`_rp_stage`: DuckDB's readers insert straight into it; the parsers of
the platform formats hand it their batches once), then merged at the end of the file: rejects
recorded, new comments inserted with their pseudonyms and reply depths, stored ones given the
file's status and text. Articles and passages of parsed batches are written as they come.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from ..text import SCORED_CHARS
from . import bounds
from .batches import Batch, CommentScan, Item
from .db import registered, run, run_count, transaction
from .pseudonyms import keys_of


def _sql(name: str) -> str:
    return resources.files(__package__ or __name__).joinpath("sql", f"{name}.sql").read_text("utf-8")


SQL = {
    name: _sql(name)
    for name in (
        "stage",
        "stage_batch",
        "keys",
        "summary",
        "rejected",
        "locate_rejects",
        "recheck",
        "changed",
        "update_changed",
        "stub_articles",
        "depths",
        "insert_comments",
        "update_depths",
        "long_comments",
    )
}


@dataclass
class WriteCounts:
    articles: int = 0
    passages: int = 0
    comments: int = 0
    rejects: int = 0
    updated: int = 0  # comments already stored whose status or text this source changed

    def add(self, other: WriteCounts) -> None:
        self.articles += other.articles
        self.passages += other.passages
        self.comments += other.comments
        self.rejects += other.rejects
        self.updated += other.updated


def _write_articles(conn: duckdb.DuckDBPyConnection, articles: pl.DataFrame) -> int:
    with registered(conn, "_rp_articles", articles):
        new = run_count(
            conn,
            "SELECT count(*) FROM _rp_articles a"
            " WHERE NOT EXISTS (SELECT 1 FROM articles x WHERE x.article_id = a.article_id)",
        )
        run(
            conn,
            """
            INSERT INTO articles (article_id, url, outlet, title, byline, published_at, source_id)
            SELECT article_id, url, outlet, title, byline, published_at, source_id FROM _rp_articles
            WHERE coalesce(url, outlet, title, byline, published_at::VARCHAR) IS NOT NULL
            ON CONFLICT (article_id) DO UPDATE SET
                url = coalesce(excluded.url, articles.url),
                outlet = coalesce(excluded.outlet, articles.outlet),
                title = coalesce(excluded.title, articles.title),
                byline = coalesce(excluded.byline, articles.byline),
                published_at = coalesce(excluded.published_at, articles.published_at)
            """,
        )
        # stubs (articles named only by comments) would update nothing: only the missing ones go in
        run(
            conn,
            """
            INSERT INTO articles (article_id, url, outlet, title, byline, published_at, source_id)
            SELECT article_id, url, outlet, title, byline, published_at, source_id FROM _rp_articles a
            WHERE coalesce(url, outlet, title, byline, published_at::VARCHAR) IS NULL
              AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.article_id = a.article_id)
            """,
        )
    return new


def _write_passages(conn: duckdb.DuckDBPyConnection, passages: pl.DataFrame) -> int:
    """Replace the passages of each article in the batch; return how many passages are new.

    When an article's text changed, its comments' passage links point at passages that moved or
    went: the links and their `scored` marks are dropped, so the next `score` links them again.
    """
    passages = passages.unique(["article_id", "passage_no"], keep="first", maintain_order=True)
    with registered(conn, "_rp_passages", passages):
        new = run_count(
            conn,
            "SELECT count(*) FROM (SELECT article_id, passage_no, kind, heading, text FROM _rp_passages"
            " EXCEPT SELECT article_id, passage_no, kind, heading, text FROM passages)",
        )
        run(
            conn,
            """
            CREATE OR REPLACE TEMP TABLE _rp_stale_links AS
            SELECT comment_pk FROM comments WHERE article_id IN (
                SELECT article_id FROM (
                    (SELECT article_id, passage_no, text FROM passages
                     WHERE article_id IN (SELECT article_id FROM _rp_passages)
                     EXCEPT SELECT article_id, passage_no, text FROM _rp_passages)
                    UNION ALL
                    (SELECT article_id, passage_no, text FROM _rp_passages
                     EXCEPT SELECT article_id, passage_no, text FROM passages)
                )
            )
            """,
        )
        run(conn, "DELETE FROM scored WHERE scorer = 'links' AND comment_pk IN (FROM _rp_stale_links)")
        run(conn, "DELETE FROM passage_links WHERE comment_pk IN (FROM _rp_stale_links)")
        run(conn, "DROP TABLE _rp_stale_links")
        run(
            conn,
            "DELETE FROM passages WHERE article_id IN (SELECT DISTINCT article_id FROM _rp_passages)",
        )
        run(
            conn,
            "INSERT INTO passages (article_id, passage_no, kind, heading, text)"
            " SELECT article_id, passage_no, kind, heading, text FROM _rp_passages",
        )
    return new


def _write_rejects(conn: duckdb.DuckDBPyConnection, rejects: pl.DataFrame) -> int:
    with registered(conn, "_rp_rejects", rejects):
        return run_count(
            conn,
            "INSERT INTO rejects (source_id, location, reason, raw)"
            " SELECT source_id, location, reason, raw FROM _rp_rejects",
        )




@dataclass(frozen=True)
class FileRecord:
    """What `sources` keeps of an imported file."""

    path: Path
    format: str | None
    sha256: str
    size: int


def _next_source_id(conn: duckdb.DuckDBPyConnection) -> int:
    return int(run(conn, "SELECT nextval('source_id_seq')")[0][0])


def record_failure(conn: duckdb.DuckDBPyConnection, file: FileRecord, message: str) -> int:
    """A file that could not be imported, in a transaction of its own: a failed source and one
    reject saying why."""
    with transaction(conn):
        source_id = _next_source_id(conn)
        run(
            conn,
            "INSERT INTO sources (source_id, path, format, sha256, size_bytes, imported_at, status, error)"
            " VALUES (?, ?, ?, ?, ?, now(), 'failed', ?)",
            [source_id, str(file.path), file.format, file.sha256, file.size, message],
        )
        run(conn, "INSERT INTO rejects VALUES (?, 'file', ?, NULL)", [source_id, message])
    return source_id


def _set_time_zone(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    """The session's zone: the one naive times are read in."""
    run(conn, "SET TimeZone = ?", [name])


class FileWriter:
    """The writes of one file's import, inside the caller's transaction.

    `write` each batch or scan the file's parser gives, then `finish` once: it merges the staged
    comments and returns what the file added. Pseudonyms are computed once per distinct name of
    the file; reply depths in SQL over the threads the file adds to.
    """

    def __init__(
        self, conn: duckdb.DuckDBPyConnection, file: FileRecord, *, secret: bytes, keep_author_names: bool
    ) -> None:
        self.conn = conn
        self.file = file
        self.source_id = _next_source_id(conn)
        self.secret = secret
        self.keep_author_names = keep_author_names
        self.counts = WriteCounts()
        self.staged = 0  # ordinal of the last staged comment
        self.scans: list[CommentScan] = []
        run(conn, SQL["stage"])

    def write(self, item: Item) -> None:
        if isinstance(item, CommentScan):
            self._stage_scan(item)
        else:
            self._write_batch(item)

    def _stage_scan(self, scan: CommentScan) -> None:
        conn = self.conn
        if scan.rejects is not None and scan.rejects.height:
            self.counts.rejects += _write_rejects(conn, self._sourced(scan.rejects))
        if scan.tz != "UTC":
            _set_time_zone(conn, scan.tz)
        before = self.staged
        params = {**scan.params, **bounds.sql_params()}
        try:
            if scan.frame is None:
                self.staged += run_count(conn, "INSERT INTO _rp_stage " + scan.select, params)
            else:
                with registered(conn, "_rp_scan_frame", scan.frame):
                    self.staged += run_count(conn, "INSERT INTO _rp_stage " + scan.select, params)
        finally:
            if scan.tz != "UTC":
                with suppress(duckdb.Error):  # after a failed INSERT the transaction is over anyway
                    run(conn, "SET TimeZone = 'UTC'")
        self.scans.append(scan)
        if scan.locate is not None:
            self._recheck(scan.locate, before)
        # comments longer than the scorers read are kept whole, with a note (bounds.py)
        self.counts.rejects += run_count(
            conn,
            SQL["long_comments"],
            {
                "source_id": self.source_id,
                "offset": before,
                "limit": SCORED_CHARS,
                "long_reason": bounds.LONG_REASON,
                "raw_chars": bounds.RAW_CHARS,
            },
        )

    def _recheck(self, locate: Callable[[list[int]], pl.DataFrame], offset: int) -> None:
        """The records staged after `offset` that their scan marked `recheck`, judged again by its
        reader (`locate`: their line's reason)."""
        conn = self.conn
        rows = run(conn, "SELECT ord FROM _rp_stage WHERE recheck AND ord > ? ORDER BY ord", [offset])
        if rows:
            with registered(conn, "_rp_located", locate([int(row[0]) for row in rows])):
                run(conn, SQL["recheck"])

    def _sourced(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(source_id=pl.lit(self.source_id, pl.Int32))

    def _write_batch(self, batch: Batch) -> None:
        conn, counts = self.conn, self.counts
        if batch.articles.height:
            counts.articles += _write_articles(conn, self._sourced(batch.articles))
        if batch.passages.height:
            counts.passages += _write_passages(conn, batch.passages)
        if batch.rejects.height:
            counts.rejects += _write_rejects(conn, self._sourced(batch.rejects))
        if batch.comments.height:
            with registered(conn, "_rp_batch_comments", batch.comments):
                self.staged += run_count(conn, SQL["stage_batch"], {"offset": self.staged})

    def finish(self) -> WriteCounts:
        """Merge the staged comments into the database and record the file (`sources`); its counts."""
        conn, counts = self.conn, self.counts
        if self.staged:
            self._merge()
        file = self.file
        run(
            conn,
            "INSERT INTO sources (source_id, path, format, sha256, size_bytes, imported_at, status,"
            " n_articles, n_passages, n_comments, n_rejects, n_updated)"
            " VALUES (?, ?, ?, ?, ?, now(), 'loaded', ?, ?, ?, ?, ?)",
            [
                self.source_id, str(file.path), file.format, file.sha256, file.size,
                counts.articles, counts.passages, counts.comments, counts.rejects, counts.updated,
            ],
        )
        return counts

    def _merge(self) -> None:
        conn, counts = self.conn, self.counts
        params = {"source_id": self.source_id}
        run(conn, SQL["keys"])
        unreadable, bad_keys, stored, new = run(conn, SQL["summary"])[0]
        if unreadable or bad_keys:
            self._reject()
        counts.articles += run_count(conn, SQL["stub_articles"], params)
        if stored:
            counts.updated += run_count(conn, SQL["changed"])
            if counts.updated:
                # edited comments lose their scores' marks: the next `score` scores them again
                run(conn, "DELETE FROM scored WHERE comment_pk IN (SELECT comment_pk FROM _rp_changed WHERE edited)")
                run(conn, SQL["update_changed"], params)
        if new:
            in_scope = run_count(conn, SQL["depths"])
            authors = self._pseudonyms()
            counts.comments += run_count(
                conn, SQL["insert_comments"], {**params, **authors, "keep_names": self.keep_author_names}
            )
            if in_scope > new:  # stored comments share threads with new ones: their depth may change
                run(conn, SQL["update_depths"])
        run(conn, "DROP TABLE _rp_stage")

    def _reject(self) -> None:
        """Record the rejected comments, with their reader's location for them (the records it
        judged again have theirs already)."""
        conn = self.conn
        run(conn, SQL["rejected"])
        rows = run(conn, "SELECT ord FROM _rp_rejected JOIN _rp_stage USING (ord) WHERE NOT recheck ORDER BY ord")
        ords = [int(row[0]) for row in rows]
        for scan in self.scans:
            if scan.locate is not None and ords:
                with registered(conn, "_rp_located", scan.locate(ords)):
                    run(conn, SQL["locate_rejects"])
        self.counts.rejects += run_count(
            conn,
            "INSERT INTO rejects (source_id, location, reason, raw)"
            " SELECT $source_id, location, reason, raw FROM _rp_rejected ORDER BY ord",
            {"source_id": self.source_id},
        )

    def _pseudonyms(self) -> dict[str, object]:
        """Each distinct name of the file's new comments and its pseudonym (hashed once), as the
        lists `insert_comments` binds."""
        rows = run(
            self.conn,
            "SELECT DISTINCT s.author FROM _rp_stage s JOIN _rp_depths d ON d.node = -s.ord"
            " WHERE s.author IS NOT NULL",
        )
        names = [str(row[0]) for row in rows]
        return {"names": names, "keys": keys_of(names, self.secret)}
