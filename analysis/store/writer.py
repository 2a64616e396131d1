"""Write canonical batches into the database: set-based SQL over registered polars frames."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from analysis.ingest.model import Batch
from analysis.ingest.pseudonym import author_keys


@dataclass
class WriteCounts:
    articles: int = 0
    passages: int = 0
    comments: int = 0
    rejects: int = 0

    def add(self, other: WriteCounts) -> None:
        self.articles += other.articles
        self.passages += other.passages
        self.comments += other.comments
        self.rejects += other.rejects


def _count(result: duckdb.DuckDBPyConnection) -> int:
    row = result.fetchone()
    return int(row[0]) if row else 0


def _split_duplicate_comments(comments: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Comments without an id, or whose id repeats within an article, become rejects."""
    missing = comments["comment_id"].is_null() | (comments["comment_id"].str.strip_chars() == "")
    missing |= comments["article_id"].is_null()
    dup = comments.select(pl.struct("article_id", "comment_id").is_first_distinct().not_()).to_series()
    bad = missing | dup
    rejects = comments.filter(bad).select(
        pl.col("location"),
        pl.when(missing.filter(bad))
        .then(pl.lit("comment has no id"))
        .otherwise(pl.lit("comment id repeats an earlier comment of the same article"))
        .alias("reason"),
        pl.col("text").alias("raw"),
    )
    return comments.filter(~bad), rejects


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
    comments, dup_rejects = _split_duplicate_comments(batch.comments)
    rejects = pl.concat([batch.rejects, dup_rejects])

    # Articles named only by comments get a stub row, filled in when the article itself arrives.
    stub_ids = comments.select("article_id").unique()
    articles = pl.concat(
        [batch.articles, stub_ids.join(batch.articles.select("article_id"), on="article_id", how="anti")],
        how="diagonal",
    ).unique("article_id", keep="first", maintain_order=True)
    conn.register("_rp_articles", articles.with_columns(source_id=pl.lit(source_id, pl.Int32)))
    try:
        counts.articles = _count(
            conn.execute(
                "SELECT count(*) FROM _rp_articles a"
                " WHERE NOT EXISTS (SELECT 1 FROM articles x WHERE x.article_id = a.article_id)"
            )
        )
        conn.execute(
            """
            INSERT INTO articles BY NAME
            SELECT article_id, url, outlet, title, byline, published_at, source_id FROM _rp_articles
            ON CONFLICT (article_id) DO UPDATE SET
                url = coalesce(excluded.url, articles.url),
                outlet = coalesce(excluded.outlet, articles.outlet),
                title = coalesce(excluded.title, articles.title),
                byline = coalesce(excluded.byline, articles.byline),
                published_at = coalesce(excluded.published_at, articles.published_at)
            """
        )
    finally:
        conn.unregister("_rp_articles")

    if batch.passages.height:
        conn.register("_rp_passages", batch.passages)
        try:
            # An article's passages are replaced as a whole when a new version of it arrives.
            conn.execute(
                "DELETE FROM passages WHERE article_id IN (SELECT DISTINCT article_id FROM _rp_passages)"
            )
            counts.passages = _count(
                conn.execute("INSERT INTO passages BY NAME SELECT * FROM _rp_passages")
            )
        finally:
            conn.unregister("_rp_passages")

    if comments.height:
        prepared = comments.with_columns(
            author_key=author_keys(comments["author"], secret),
            author_name=pl.col("author") if keep_author_names else pl.lit(None, pl.String),
            source_id=pl.lit(source_id, pl.Int32),
        ).drop("author", "location")
        conn.register("_rp_comments", prepared)
        try:
            counts.comments = _count(
                conn.execute(
                    """
                    INSERT INTO comments BY NAME
                    SELECT article_id, comment_id, parent_id, author_key, author_name, posted_at,
                           coalesce(text, '') AS text, status, source_id
                    FROM _rp_comments
                    ON CONFLICT DO NOTHING
                    """
                )
            )
        finally:
            conn.unregister("_rp_comments")

    if rejects.height:
        conn.register("_rp_rejects", rejects.with_columns(source_id=pl.lit(source_id, pl.Int32)))
        try:
            counts.rejects = _count(conn.execute("INSERT INTO rejects BY NAME SELECT * FROM _rp_rejects"))
        finally:
            conn.unregister("_rp_rejects")
    return counts


def update_depths(conn: duckdb.DuckDBPyConnection, source_id: int) -> None:
    """Reply depth for the articles a source touched: 0 for top level, parent's depth + 1 below.

    A reply whose parent is not in the database counts as depth 1.
    """
    conn.execute(
        """
        UPDATE comments SET depth = d.depth
        FROM (
            WITH RECURSIVE
            scope AS (
                SELECT c.* FROM comments c
                WHERE c.article_id IN (SELECT article_id FROM comments WHERE source_id = ?)
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
