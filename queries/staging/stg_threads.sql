-- view: stg_threads
-- description: The thread each comment belongs to: the id of its top-level comment (a reply whose parent is missing starts its own thread). Deleted and spam comments still hold their threads together.

WITH RECURSIVE
roots AS (
    SELECT c.comment_pk, c.article_id, c.comment_id
    FROM comments AS c
    WHERE c.parent_id IS NULL
       OR NOT EXISTS (
            SELECT 1
            FROM comments AS p
            WHERE p.article_id = c.article_id
              AND p.comment_id = c.parent_id
       )
),

walk AS (
    SELECT comment_pk, article_id, comment_id, comment_id AS thread_root, 0 AS level
    FROM roots
    UNION ALL
    SELECT c.comment_pk, c.article_id, c.comment_id, w.thread_root, w.level + 1
    FROM comments AS c
    JOIN walk AS w
        ON c.article_id = w.article_id
       AND c.parent_id = w.comment_id
    WHERE w.level < 200  -- a guard against cycles in a broken export
)

SELECT comment_pk, article_id, comment_id, thread_root, level
FROM walk
