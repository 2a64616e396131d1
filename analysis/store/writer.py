"""Write canonical batches into the database: set-based SQL over registered polars frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from ..ingest.model import REJECT_SCHEMA, Batch
from ..ingest.pseudonym import author_keys
from .db import registered, run, run_count


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
    if not comments.select((missing | repeated).any()).item():
        return comments, pl.DataFrame(schema=REJECT_SCHEMA)
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


_KEYS = {"article_id": pl.String, "comment_id": pl.String}
_MAX_DEPTH = 10_000  # as in update_depths_full: a reply is not followed below this depth


@dataclass
class FileDepths:
    """What the batches of one file learnt about reply depth, for `update_depths` at its end.

    Each new comment goes in with its depth already worked out from its parent: a top-level
    comment 0, a reply to a comment stored before (or earlier in the file) that one's depth + 1, a
    reply to a comment of the same batch one more than that, a reply to an absent comment 1, and
    a reply caught in a loop of replies (which no top-level comment leads to) 1.
    """

    added_after: int  # comments of this file have a higher comment_pk (from the sequence)
    added: int = 0
    # replies whose parent was absent when they went in: (article_id, parent_id)
    missing: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_KEYS))
    # new comments no top-level comment leads to: (article_id, comment_id)
    unreached: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_KEYS))
    # articles where a new comment answers a comment stored before the file
    anchored: set[str] = field(default_factory=set)
    # articles to recompute in full: a parent came after its reply within the file
    recompute: set[str] = field(default_factory=set)


def _new_depths(new: pl.DataFrame, stored: pl.DataFrame, depths: FileDepths) -> pl.Series:
    """Depth of each new comment (`new`: article_id, comment_id, parent_id), given the stored
    comments among their parents (`stored`: article_id, comment_id, comment_pk, depth)."""
    keys = ["article_id", "parent_id"]
    parents = stored.select(
        "article_id",
        pl.col("comment_id").alias("parent_id"),
        pl.col("comment_pk").alias("_parent_pk"),
        pl.col("depth").alias("_parent_depth"),
    )
    in_batch = new.select("article_id", pl.col("comment_id").alias("parent_id"), _in_batch=pl.lit(True))
    looped = depths.unreached.select(
        "article_id", pl.col("comment_id").alias("parent_id"), _looped=pl.lit(True)
    )
    frame = (
        new.select("article_id", "comment_id", "parent_id")
        .with_row_index("_i")
        .join(parents, on=keys, how="left")
        .join(in_batch, on=keys, how="left")
        .join(looped, on=keys, how="left")
    )
    stored_parent = pl.col("_parent_pk").is_not_null()
    frame = frame.with_columns(
        _depth=pl.when(pl.col("parent_id").is_null())
        .then(0)
        .when(pl.col("_looped").is_not_null() | pl.col("_in_batch").is_not_null())
        .then(None)
        .when(stored_parent & (pl.col("_parent_depth") < _MAX_DEPTH))
        .then(pl.col("_parent_depth") + 1)
        .when(stored_parent)
        .then(None)
        .otherwise(1)
        .cast(pl.Int32)
    )
    depths.missing = pl.concat(
        [
            depths.missing,
            frame.filter(
                pl.col("parent_id").is_not_null()
                & pl.col("_parent_pk").is_null()
                & pl.col("_in_batch").is_null()
                & pl.col("_looped").is_null()
            ).select("article_id", pl.col("parent_id").alias("comment_id")),
        ]
    ).unique()
    depths.anchored.update(
        frame.filter(pl.col("_parent_pk") <= depths.added_after).get_column("article_id").unique().to_list()
    )
    # a reply whose parent is in the batch: one more than the parent, level by level
    done = frame.filter(pl.col("_depth").is_not_null()).select("_i", "article_id", "comment_id", "_depth")
    todo = frame.filter(pl.col("_depth").is_null() & pl.col("_in_batch").is_not_null()).select(
        "_i", "article_id", "comment_id", "parent_id"
    )
    found = [done]
    level = done
    while todo.height and level.height:
        level = todo.join(
            level.filter(pl.col("_depth") < _MAX_DEPTH).select(
                "article_id", pl.col("comment_id").alias("parent_id"), (pl.col("_depth") + 1).alias("_depth")
            ),
            on=keys,
        ).select("_i", "article_id", "comment_id", "_depth")
        todo = todo.join(level.select("_i"), on="_i", how="anti")
        found.append(level)
    resolved = pl.concat(found).select("_i", "_depth")
    result = frame.select("_i", "article_id", "comment_id").join(resolved, on="_i", how="left").sort("_i")
    # the rest is in (or below) a loop of replies: depth 1, and so are their replies to come
    loops = result.filter(pl.col("_depth").is_null())
    if loops.height:
        depths.unreached = pl.concat([depths.unreached, loops.select("article_id", "comment_id")])
    return result.get_column("_depth").fill_null(1)


def _write_comments(
    conn: duckdb.DuckDBPyConnection, comments: pl.DataFrame, depths: FileDepths | None
) -> tuple[int, int]:
    """Insert new comments; for stored ones take the source's status and text if they changed.

    A newer export is the platform's current truth: a comment moderated away since the last import
    becomes 'deleted' or 'spam', an edited one gets its new text. Edited comments lose their scores
    (their `scored` marks), so the next `readerpulse score` scores them again.
    Returns (new comments, changed comments).

    One join on the keys alone finds the comments already stored and the stored parents of the
    new ones (their text is read only for the former); the new ones go in with a plain INSERT and
    their depth (see FileDepths), no second look-up.
    """
    comments = comments.with_row_index("_row")
    wanted = pl.concat(
        [
            comments.select("article_id", "comment_id"),
            comments.select("article_id", pl.col("parent_id").alias("comment_id")).drop_nulls(),
        ]
    ).unique()
    with registered(conn, "_rp_keys", wanted):
        found = conn.sql(
            "SELECT k.article_id, k.comment_id, c.comment_pk, c.depth"
            " FROM _rp_keys k JOIN comments c USING (article_id, comment_id)"
        ).pl()
    stored = comments.join(found, on=["article_id", "comment_id"]).select("_row", "comment_pk")
    updated = 0
    if stored.height:
        known = comments.join(stored, on="_row").select(
            "comment_pk", "status", pl.col("text").fill_null(""), "source_id"
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
    if depths is None:
        comments = comments.with_columns(depth=pl.lit(0, pl.Int32))
    else:
        earlier = comments.select("article_id", "comment_id").join(depths.missing, on=["article_id", "comment_id"])
        depths.recompute.update(earlier.get_column("article_id").unique().to_list())
        comments = comments.with_columns(depth=_new_depths(comments, found, depths))
    with registered(conn, "_rp_comments", comments):
        new = run_count(
            conn,
            """
            INSERT INTO comments (article_id, comment_id, parent_id, depth, author_key, author_name,
                                  posted_at, text, status, source_id)
            SELECT article_id, comment_id, parent_id, depth, author_key, author_name,
                   posted_at, coalesce(text, ''), status, source_id
            FROM _rp_comments
            """,
        )
    if depths is not None:
        depths.added += new
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
    depths: FileDepths | None = None,
) -> WriteCounts:
    """Insert one batch inside the caller's transaction; return how many rows are new.

    With `depths` (one per file) new comments go in with their reply depth, which
    `update_depths` completes at the end of the file; without, `update_depths_full` must run.
    """
    if isinstance(batch, Batch):
        batch = prepare_batch(batch, secret=secret, keep_author_names=keep_author_names)
    counts = WriteCounts()
    source = pl.lit(source_id, pl.Int32).alias("source_id")
    if batch.articles.height:
        counts.articles = _write_articles(conn, batch.articles.with_columns(source))
    if batch.passages.height:
        counts.passages = _write_passages(conn, batch.passages)
    if batch.comments.height:
        counts.comments, counts.updated = _write_comments(conn, batch.comments.with_columns(source), depths)
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


def update_depths(conn: duckdb.DuckDBPyConnection, source_id: int, depths: FileDepths | None) -> None:
    """Reply depth at the end of a file whose new comments went in with theirs (`FileDepths`).

    The same depths as `update_depths_full` (which recomputes every comment of every article the
    source touched, a cost that grows with the database) without reading those articles again.
    Articles where the depths known when the replies went in may be wrong are recomputed in full:

    * a comment answers one that came after it (later in the file, or in this file when it was
      stored before): its depth, and its replies', change;
    * a new comment answers a stored comment that no top-level comment leads to (in or below a
      loop of replies): it is not parent's depth + 1 but 1. Such a stored comment shows as
      *suspicious*: depth 1 with a parent that is itself a reply (every loop holds one; a reachable
      depth-1 reply answers a top-level comment).
    """
    if depths is None:
        update_depths_full(conn, source_id)
        return
    if not depths.added:
        return
    found = run_count(
        conn,
        "SELECT count(*) FROM comments WHERE comment_pk > $floor AND source_id = $source",
        {"floor": depths.added_after, "source": source_id},
    )
    if found != depths.added:  # comment_pk not from the sequence (hand-made rows): no shortcut
        update_depths_full(conn, source_id)
        return
    recompute = pl.DataFrame({"article_id": sorted(depths.recompute)}, schema={"article_id": pl.String})
    anchored = pl.DataFrame({"article_id": sorted(depths.anchored)}, schema={"article_id": pl.String})
    with registered(conn, "_rp_recompute", recompute), registered(conn, "_rp_anchored", anchored):
        run(
            conn,
            """
            CREATE OR REPLACE TEMP TABLE _rp_depth_scope AS
            SELECT article_id FROM _rp_recompute
            UNION
            SELECT s.article_id
            FROM (SELECT article_id, parent_id FROM comments
                  WHERE comment_pk <= $floor AND parent_id IS NOT NULL) s
            JOIN (SELECT article_id, comment_id FROM comments WHERE comment_pk > $floor) n
              ON n.article_id = s.article_id AND n.comment_id = s.parent_id
            UNION
            SELECT s.article_id
            FROM (SELECT article_id, parent_id FROM comments
                  WHERE comment_pk <= $floor AND depth = 1 AND parent_id IS NOT NULL
                    AND article_id IN (SELECT article_id FROM _rp_anchored)) s
            JOIN (SELECT article_id, comment_id FROM comments WHERE parent_id IS NOT NULL) p
              ON p.article_id = s.article_id AND p.comment_id = s.parent_id
            """,
            {"floor": depths.added_after},
        )
    if not run_count(conn, "SELECT count(*) FROM _rp_depth_scope"):
        run(conn, "DROP TABLE _rp_depth_scope")
        return
    # there, the new comments start from the column default as update_depths_full expects
    run(
        conn,
        "UPDATE comments SET depth = 0 WHERE comment_pk > $floor AND depth <> 0"
        " AND article_id IN (SELECT article_id FROM _rp_depth_scope)",
        {"floor": depths.added_after},
    )
    _full_depths(conn)
