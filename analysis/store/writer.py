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
    keys = comments.select("article_id", "comment_id")
    if not (keys.null_count().sum_horizontal().item() or keys.is_duplicated().any()) and not (
        comments.get_column("comment_id").str.strip_chars().eq("").any()
    ):
        return comments, pl.DataFrame(schema={"location": pl.String, "reason": pl.String, "raw": pl.String})
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

    One join on the keys alone finds the comments already stored (their text is read only for
    those); the others go in with a plain INSERT, no second look-up.
    """
    comments = comments.with_columns(coalesce_text=pl.col("text").fill_null("")).with_row_index("_row")
    with registered(conn, "_rp_comments", comments.select("_row", "article_id", "comment_id")):
        stored = conn.sql(
            "SELECT n._row, c.comment_pk FROM _rp_comments n JOIN comments c USING (article_id, comment_id)"
        ).pl()
    updated = 0
    if stored.height:
        known = comments.join(stored, on="_row").select(
            "comment_pk", "status", pl.col("coalesce_text").alias("text"), "source_id"
        )
        with registered(conn, "_rp_known", known):
            run(
                conn,
                """
                CREATE OR REPLACE TEMP TABLE _rp_changed AS
                SELECT n.comment_pk, n.status, n.text, n.source_id,
                       c.text IS DISTINCT FROM n.text AS edited
                FROM _rp_known n JOIN comments c USING (comment_pk)
                WHERE c.status IS DISTINCT FROM n.status OR c.text IS DISTINCT FROM n.text
                """,
            )
        updated = run_count(conn, "SELECT count(*) FROM _rp_changed")
        if updated:
            run(
                conn,
                "DELETE FROM scored WHERE comment_pk IN (SELECT comment_pk FROM _rp_changed WHERE edited)",
            )
            # the stored comments this source changed take its status and text
            run(
                conn,
                """
                UPDATE comments SET status = n.status, text = n.text, source_id = n.source_id
                FROM _rp_changed AS n WHERE comments.comment_pk = n.comment_pk
                """,
            )
        run(conn, "DROP TABLE _rp_changed")
        comments = comments.join(stored, on="_row", how="anti")
    # ... and the comments not stored yet are added
    if not comments.height:
        return 0, updated
    with registered(conn, "_rp_comments", comments):
        new = run_count(
            conn,
            """
            INSERT INTO comments (article_id, comment_id, parent_id, author_key, author_name,
                                  posted_at, text, status, source_id)
            SELECT article_id, comment_id, parent_id, author_key, author_name,
                   posted_at, coalesce_text, status, source_id
            FROM _rp_comments
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


@dataclass
class PreparedBatch:
    """A batch ready for the database: ids checked, stub articles added, pseudonyms computed.

    Made by `prepare_batch`, which needs no connection: it runs on the parse thread.
    """

    articles: pl.DataFrame
    passages: pl.DataFrame
    comments: pl.DataFrame
    rejects: pl.DataFrame


def prepare_batch(batch: Batch, *, secret: bytes, keep_author_names: bool) -> PreparedBatch:
    comments, bad = _split_bad_comments(batch.comments)
    rejects = pl.concat([batch.rejects, bad]) if bad.height else batch.rejects
    # Articles named only by comments get a stub row, filled in when the article itself arrives.
    stubs = comments.select("article_id").unique().join(batch.articles, on="article_id", how="anti")
    articles = pl.concat([batch.articles, stubs], how="diagonal").unique(
        "article_id", keep="first", maintain_order=True
    )
    if comments.height:
        comments = comments.with_columns(
            author_key=author_keys(comments["author"], secret),
            author_name=pl.col("author") if keep_author_names else pl.lit(None, pl.String),
        )
    return PreparedBatch(articles, batch.passages, comments, rejects)


def write_batch(
    conn: duckdb.DuckDBPyConnection,
    batch: Batch | PreparedBatch,
    *,
    source_id: int,
    secret: bytes,
    keep_author_names: bool,
) -> WriteCounts:
    """Insert one batch inside the caller's transaction; return how many rows are new."""
    if isinstance(batch, Batch):
        batch = prepare_batch(batch, secret=secret, keep_author_names=keep_author_names)
    counts = WriteCounts()
    source = pl.lit(source_id, pl.Int32).alias("source_id")
    if batch.articles.height:
        counts.articles = _write_articles(conn, batch.articles.with_columns(source))
    if batch.passages.height:
        counts.passages = _write_passages(conn, batch.passages)
    if batch.comments.height:
        counts.comments, counts.updated = _write_comments(conn, batch.comments.with_columns(source))
    if batch.rejects.height:
        counts.rejects = _write_rejects(conn, batch.rejects.with_columns(source))
    return counts


_FULL_DEPTHS = """
    UPDATE comments SET depth = d.depth
    FROM (
        WITH RECURSIVE
        scope AS (
            SELECT article_id, comment_id, parent_id FROM comments
            WHERE article_id IN (SELECT article_id FROM {scope})
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
"""
_FULL_LOOPS = """
    UPDATE comments SET depth = 1
    WHERE depth = 0 AND parent_id IS NOT NULL
      AND article_id IN (SELECT article_id FROM {scope})
"""


def update_depths_full(conn: duckdb.DuckDBPyConnection, source_id: int) -> None:
    """Reply depth for every comment of the articles a source touched: 0 for top level, parent's
    depth + 1 below.

    A reply whose parent is not in the database counts as depth 1, and so does a reply caught in a
    loop of replies (a comment answering itself, or two answering each other), which no top-level
    comment leads to. This is the definition; `update_depths` gives the same depths working from
    the comments the source added.
    """
    run(
        conn,
        "CREATE OR REPLACE TEMP TABLE _rp_depth_scope AS"
        " SELECT DISTINCT article_id FROM comments WHERE source_id = ?",
        [source_id],
    )
    _full_depths(conn)


def _full_depths(conn: duckdb.DuckDBPyConnection) -> None:
    """`update_depths_full` for the articles listed in the temp table _rp_depth_scope."""
    if run_count(conn, "SELECT count(*) FROM _rp_depth_scope"):
        run(conn, _FULL_DEPTHS.format(scope="_rp_depth_scope"))
        run(conn, _FULL_LOOPS.format(scope="_rp_depth_scope"))
    run(conn, "DROP TABLE _rp_depth_scope")


def max_comment_pk(conn: duckdb.DuckDBPyConnection) -> int:
    """The highest comment_pk stored: comments added afterwards have higher ones (a sequence)."""
    return run_count(conn, "SELECT coalesce(max(comment_pk), 0) FROM comments")


def update_depths(
    conn: duckdb.DuckDBPyConnection, source_id: int, *, added_after: int, added: int
) -> None:
    """Reply depth after a source added `added` comments, all with comment_pk > `added_after`.

    The same depths as `update_depths_full` (which recomputes every comment of every article the
    source touched, a cost that grows with the database), from the new comments only:

    * a stored comment's depth changes only when one of its ancestors is new, i.e. when a new
      comment is the parent a stored reply was missing. Articles where that happens are
      recomputed in full (rare: a reply imported before the comment it answers);
    * a new comment whose parent is stored gets the parent's depth + 1, which is right when the
      parent is reachable from a top-level comment. A stored comment that no top-level comment
      leads to (in or below a loop of replies) shows as a *suspicious* one: depth 1 with a parent
      that is itself a reply (every loop holds one; a reachable depth-1 reply answers a top-level
      comment). Articles holding one are recomputed in full too;
    * the rest is a walk down from the new comments whose parent is absent, top level or stored.
      New comments it does not reach are in a loop of new replies: depth 1.
    """
    if not added:
        return
    params = {"floor": added_after}
    found = run_count(
        conn,
        "SELECT count(*) FROM comments WHERE comment_pk > $floor AND source_id = $source",
        {"floor": added_after, "source": source_id},
    )
    if found != added:  # comment_pk not from the sequence (hand-made rows): no shortcut
        update_depths_full(conn, source_id)
        return
    # the new comments, with their parent if it is stored or new
    run(
        conn,
        """
        CREATE OR REPLACE TEMP TABLE _rp_new AS
        SELECT n.comment_pk, n.article_id, n.comment_id, n.parent_id,
               p.comment_pk AS parent_pk, p.depth AS parent_depth
        FROM (SELECT comment_pk, article_id, comment_id, parent_id FROM comments
              WHERE comment_pk > $floor) n
        LEFT JOIN comments p ON p.article_id = n.article_id AND p.comment_id = n.parent_id
        """,
        params,
    )
    # Articles recomputed in full: a stored comment answers a new one, or a stored comment is
    # suspicious (see above) in an article where a new comment answers a stored one.
    run(
        conn,
        """
        CREATE OR REPLACE TEMP TABLE _rp_depth_scope AS
        SELECT s.article_id
        FROM (SELECT article_id, parent_id FROM comments
              WHERE comment_pk <= $floor AND parent_id IS NOT NULL) s
        JOIN _rp_new n ON n.article_id = s.article_id AND n.comment_id = s.parent_id
        UNION
        SELECT s.article_id
        FROM (SELECT article_id, parent_id FROM comments
              WHERE comment_pk <= $floor AND depth = 1 AND parent_id IS NOT NULL
                AND article_id IN (SELECT article_id FROM _rp_new WHERE parent_pk <= $floor)) s
        JOIN (SELECT article_id, comment_id FROM comments WHERE parent_id IS NOT NULL) p
          ON p.article_id = s.article_id AND p.comment_id = s.parent_id
        """,
        params,
    )
    run(
        conn,
        """
        UPDATE comments SET depth = d.depth
        FROM (
            WITH RECURSIVE
            new AS (
                SELECT * FROM _rp_new
                WHERE article_id NOT IN (SELECT article_id FROM _rp_depth_scope)
            ),
            tree(article_id, comment_id, depth) AS (
                SELECT article_id, comment_id,
                       CASE WHEN parent_id IS NULL THEN 0
                            WHEN parent_pk IS NULL THEN 1
                            ELSE parent_depth + 1 END
                FROM new
                WHERE parent_pk IS NULL OR parent_pk <= $floor
                UNION ALL
                SELECT n.article_id, n.comment_id, t.depth + 1
                FROM new n JOIN tree t ON n.article_id = t.article_id AND n.parent_id = t.comment_id
                WHERE t.depth < 10000
            )
            SELECT n.comment_pk, coalesce(max(t.depth), 1) AS depth
            FROM new n LEFT JOIN tree t USING (article_id, comment_id)
            GROUP BY n.comment_pk
        ) d
        WHERE comments.comment_pk = d.comment_pk AND comments.depth IS DISTINCT FROM d.depth
        """,
        params,
    )
    run(conn, "DROP TABLE _rp_new")
    _full_depths(conn)
