-- Reply depth of every comment of the articles the file adds comments to, stored or new:
-- 0 for a top-level comment, its parent's depth + 1 for a reply. A reply whose parent is not in
-- the database counts as depth 1, and so does a reply in (or below) a loop of replies, which no
-- top-level comment leads to. Threads are not followed below depth 10,000.
-- `stored`: the comment is in `comments` already (its depth may change: a parent came later).
CREATE OR REPLACE TEMP TABLE _rp_depths AS
WITH RECURSIVE
new AS MATERIALIZED (
    SELECT article_id, comment_id, parent_id
    FROM _rp_stage s
    WHERE reason IS NULL
      AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.article_id = s.article_id AND c.comment_id = s.comment_id)
),
scope AS MATERIALIZED (
    SELECT article_id, comment_id, parent_id, false AS stored FROM new
    UNION ALL
    SELECT article_id, comment_id, parent_id, true AS stored
    FROM comments
    WHERE article_id IN (SELECT DISTINCT article_id FROM new)
),
roots AS (
    SELECT s.article_id, s.comment_id, CASE WHEN s.parent_id IS NULL THEN 0 ELSE 1 END AS depth
    FROM scope s
    WHERE s.parent_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM scope p WHERE p.article_id = s.article_id AND p.comment_id = s.parent_id)
),
tree (article_id, comment_id, depth) AS (
    SELECT article_id, comment_id, depth FROM roots
    UNION ALL
    SELECT s.article_id, s.comment_id, t.depth + 1
    FROM scope s JOIN tree t ON s.article_id = t.article_id AND s.parent_id = t.comment_id
    WHERE t.depth < 10000
),
reached AS (
    SELECT article_id, comment_id, max(depth) AS depth FROM tree GROUP BY article_id, comment_id
)
SELECT s.article_id, s.comment_id, s.stored,
       coalesce(r.depth, CASE WHEN s.parent_id IS NULL THEN 0 ELSE 1 END) AS depth
FROM scope s LEFT JOIN reached r USING (article_id, comment_id)
