"""Write canonical batches into the database: set-based SQL over registered polars frames."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from analysis.ingest.model import Batch
from analysis.ingest.pseudonym import author_keys
from analysis.store.db import registered, run, run_count


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


def _split_bad_comments(comments: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Comments without an id, or whose id repeats within an article, become rejects."""
    missing = (
        pl.col("comment_id").is_null()
        | (pl.col("comment_id").str.strip_chars() == "")
        | pl.col("article_id").is_null()
    )
    repeated = pl.struct("article_id", "comment_id").is_first_distinct().not_()
    reason = (
        pl.when(missing)
        .then(pl.lit("comment has no id"))
        .when(repeated)
        .then(pl.lit("comment id repeats an earlier comment of the same article"))
    )
    marked = comments.with_columns(_reason=reason)
    rejects = marked.filter(pl.col("_reason").is_not_null()).select(
        "location", pl.col("_reason").alias("reason"), pl.col("text").alias("raw")
    )
    return marked.filter(pl.col("_reason").is_null()).drop("_reason"), rejects


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
            ON CONFLICT (article_id) DO UPDATE SET
                url = coalesce(excluded.url, articles.url),
                outlet = coalesce(excluded.outlet, articles.outlet),
                title = coalesce(excluded.title, articles.title),
                byline = coalesce(excluded.byline, articles.byline),
                published_at = coalesce(excluded.published_at, articles.published_at)
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


def _write_comments(conn: duckdb.DuckDBPyConnection, comments: pl.DataFrame) -> tuple[int, int]:
    """Insert new comments; for stored ones take the source's status and text if they changed.

    A newer export is the platform's current truth: a comment moderated away since the last import
    becomes 'deleted' or 'spam', an edited one gets its new text. Edited comments lose their scores
    (their `scored` marks), so the next `readerpulse score` scores them again.
    Returns (new comments, changed comments).
    """
    with registered(conn, "_rp_comments", comments):
        updated = run_count(
            conn,
            "SELECT count(*) FROM comments c JOIN _rp_comments n USING (article_id, comment_id)"
            " WHERE c.status IS DISTINCT FROM n.status OR c.text IS DISTINCT FROM coalesce(n.text, '')",
        )
        if updated:
            run(
                conn,
                "DELETE FROM scored WHERE comment_pk IN (SELECT c.comment_pk FROM comments c"
                " JOIN _rp_comments n USING (article_id, comment_id)"
                " WHERE c.text IS DISTINCT FROM coalesce(n.text, ''))",
            )
            # the stored comments this source changed take its status and text ...
            run(
                conn,
                """
                UPDATE comments SET
                    status = n.status,
                    text = coalesce(n.text, ''),
                    source_id = n.source_id
                FROM _rp_comments AS n
                WHERE comments.article_id = n.article_id AND comments.comment_id = n.comment_id
                  AND (comments.status IS DISTINCT FROM n.status
                       OR comments.text IS DISTINCT FROM coalesce(n.text, ''))
                """,
            )
        # ... and the comments not stored yet are added (an anti-join, then a plain INSERT: cheaper
        # than INSERT ... ON CONFLICT at a million rows)
        new = run_count(
            conn,
            """
            INSERT INTO comments (article_id, comment_id, parent_id, author_key, author_name,
                                  posted_at, text, status, source_id)
            SELECT article_id, comment_id, parent_id, author_key, author_name,
                   posted_at, coalesce(text, ''), status, source_id
            FROM _rp_comments AS n
            WHERE NOT EXISTS (SELECT 1 FROM comments AS c
                              WHERE c.article_id = n.article_id AND c.comment_id = n.comment_id)
            """,
        )
        return new, updated


def _write_rejects(conn: duckdb.DuckDBPyConnection, rejects: pl.DataFrame) -> int:
    with registered(conn, "_rp_rejects", rejects):
        return run_count(
            conn,
            "INSERT INTO rejects (source_id, location, reason, raw)"
            " SELECT source_id, location, reason, raw FROM _rp_rejects",
        )


def write_batch(
    conn: duckdb.DuckDBPyConnection,
    batch: Batch,
    *,
    source_id: int,
    secret: bytes,
    keep_author_names: bool,
) -> WriteCounts:
    """Insert one batch inside the caller's transaction; return how many rows are new."""
    counts = WriteCounts()
    source = pl.lit(source_id, pl.Int32).alias("source_id")
    comments, bad = _split_bad_comments(batch.comments)
    rejects = pl.concat([batch.rejects, bad])

    # Articles named only by comments get a stub row, filled in when the article itself arrives.
    stubs = comments.select("article_id").unique().join(batch.articles, on="article_id", how="anti")
    articles = pl.concat([batch.articles, stubs], how="diagonal").unique(
        "article_id", keep="first", maintain_order=True
    )
    if articles.height:
        counts.articles = _write_articles(conn, articles.with_columns(source))
    if batch.passages.height:
        counts.passages = _write_passages(conn, batch.passages)
    if comments.height:
        prepared = comments.with_columns(
            author_key=author_keys(comments["author"], secret),
            author_name=pl.col("author") if keep_author_names else pl.lit(None, pl.String),
        ).with_columns(source)
        counts.comments, counts.updated = _write_comments(conn, prepared)
    if rejects.height:
        counts.rejects = _write_rejects(conn, rejects.with_columns(source))
    return counts


def update_depths(conn: duckdb.DuckDBPyConnection, source_id: int) -> None:
    """Reply depth for the articles a source touched: 0 for top level, parent's depth + 1 below.

    A reply whose parent is not in the database counts as depth 1, and so does a reply caught in a
    loop of replies (a comment answering itself, or two answering each other), which no top-level
    comment leads to.
    """
    run(
        conn,
        """
        UPDATE comments SET depth = d.depth
        FROM (
            WITH RECURSIVE
            scope AS (
                SELECT article_id, comment_id, parent_id FROM comments
                WHERE article_id IN (SELECT article_id FROM comments WHERE source_id = ?)
            ),
            roots AS (
                SELECT s.article_id, s.comment_id,
                       CASE WHEN s.parent_id IS NULL THEN 0 ELSE 1 END AS depth
                FROM scope s
                WHERE s.parent_id IS NULL
                   OR NOT EXISTS (SELECT 1 FROM scope p
                                  WHERE p.article_id = s.article_id AND p.comment_id = s.parent_id)
            ),
            tree(article_id, comment_id, depth) AS (
                SELECT article_id, comment_id, depth FROM roots
                UNION ALL
                SELECT s.article_id, s.comment_id, t.depth + 1
                FROM scope s JOIN tree t ON s.article_id = t.article_id AND s.parent_id = t.comment_id
                WHERE t.depth < 10000
            )
            SELECT article_id, comment_id, max(depth) AS depth FROM tree GROUP BY ALL
        ) d
        WHERE comments.article_id = d.article_id AND comments.comment_id = d.comment_id
          AND comments.depth IS DISTINCT FROM d.depth
        """,
        [source_id],
    )
    run(
        conn,
        """
        UPDATE comments SET depth = 1
        WHERE depth = 0 AND parent_id IS NOT NULL
          AND article_id IN (SELECT article_id FROM comments WHERE source_id = ?)
        """,
        [source_id],
    )
