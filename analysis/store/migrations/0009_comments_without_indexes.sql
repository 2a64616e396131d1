-- 0009: `comments` loses its PRIMARY KEY and UNIQUE (article_id, comment_id) constraints.
--
-- Comments are written only by an import (analysis/store/writer.py), which inserts a file's
-- comments in one statement after an anti-join on (article_id, comment_id) against the stored
-- ones and after rejecting the ids a file repeats, so a key is never stored twice and comment_pk
-- comes from its sequence; tests/store/test_writer.py checks both after repeated, overlapping
-- and edited imports. The two indexes (an ART over two strings for every comment) cost more
-- than the insert itself on large imports and memory that grows with the archive; every join
-- on these keys is a hash join that does not use them. DuckDB cannot drop a constraint in
-- place: the table is rebuilt with its rows, in comment_pk order.

CREATE TABLE comments_0009 (
    comment_pk   BIGINT NOT NULL DEFAULT nextval('comment_pk_seq'),
    article_id   VARCHAR NOT NULL,
    comment_id   VARCHAR NOT NULL,
    parent_id    VARCHAR,
    depth        INTEGER NOT NULL DEFAULT 0,
    author_key   VARCHAR,
    author_name  VARCHAR,
    posted_at    TIMESTAMPTZ,
    text         VARCHAR NOT NULL,
    status       VARCHAR NOT NULL DEFAULT 'published',
    source_id    INTEGER NOT NULL
);
INSERT INTO comments_0009
SELECT comment_pk, article_id, comment_id, parent_id, depth, author_key, author_name, posted_at,
       text, status, source_id
FROM comments
ORDER BY comment_pk;
DROP TABLE comments;
ALTER TABLE comments_0009 RENAME TO comments;
