-- 0008: labelled comments, imported from label files by `readerpulse label import`.
--
-- One row per (comment, label): `label` is a topic id of the taxonomy, 'skepticism' (value 0/1)
-- or 'sentiment' (-2..2). `comment_key` is the label file's id; when a stored comment has that
-- comment_id the view `comment_labels` links the two. The label file carries the text, so labels
-- for comments that are not in the database are kept as well. A label file is recorded in
-- `sources` (format 'labels'); importing a changed file replaces the rows it labels again: the
-- last import wins per (comment_key, label). An empty cell labels nothing and removes nothing.

CREATE TABLE labels (
    comment_key  VARCHAR NOT NULL,          -- the label file's id (a comments.comment_id when stored)
    label        VARCHAR NOT NULL,          -- a topic id, 'skepticism' or 'sentiment'
    value        SMALLINT NOT NULL,         -- 0 or 1; sentiment -2..2
    text         VARCHAR NOT NULL,          -- the text as labelled
    parent_id    VARCHAR,                   -- the file's parent_id (thread context)
    source_id    INTEGER NOT NULL,          -- the label file's import (sources)
    imported_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (comment_key, label)
);

-- Every label with the stored comment it is about: comment_pk and article_id are NULL when no
-- stored comment has the id, or when comments of several articles share it (no guess is made).
CREATE VIEW comment_labels AS
WITH unique_ids AS (
    SELECT comment_id, any_value(comment_pk) AS comment_pk, any_value(article_id) AS article_id,
           any_value(status) AS status
    FROM comments
    GROUP BY comment_id
    HAVING count(*) = 1
)
SELECT
    l.comment_key,
    l.label,
    l.value,
    u.comment_pk,
    u.article_id,
    u.status,
    l.text,
    l.parent_id,
    l.source_id,
    l.imported_at
FROM labels l
LEFT JOIN unique_ids u ON u.comment_id = l.comment_key;
