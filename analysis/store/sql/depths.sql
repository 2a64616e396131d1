-- Reply depth of every comment of the articles the file adds comments to, stored or new:
-- 0 for a top-level comment, its parent's depth + 1 for a reply. A reply whose parent is not in
-- the database counts as depth 1, and so does a reply in (or below) a loop of replies, which no
-- top-level comment leads to. Threads are not followed below depth 10,000.
-- node: comment_pk of a stored comment, -ord of a new one (the recursion joins integers).
CREATE OR REPLACE TEMP TABLE _rp_depths AS
WITH RECURSIVE
new AS MATERIALIZED (
    SELECT ord, article_id, comment_id, parent_id
    FROM _rp_keys
    WHERE comment_pk IS NULL AND NOT missing
),
scope AS MATERIALIZED (
    SELECT -ord AS node, article_id, comment_id, parent_id FROM new
    UNION ALL
    SELECT comment_pk, article_id, comment_id, parent_id
    FROM comments
    WHERE article_id IN (SELECT DISTINCT article_id FROM new)
),
edges AS MATERIALIZED (
    SELECT s.node, p.node AS parent_node, s.parent_id IS NOT NULL AS is_reply
    FROM scope s
    LEFT JOIN scope p ON p.article_id = s.article_id AND p.comment_id = s.parent_id
),
tree (node, depth) AS (
    SELECT node, CASE WHEN is_reply THEN 1 ELSE 0 END FROM edges WHERE parent_node IS NULL
    UNION ALL
    SELECT e.node, t.depth + 1
    FROM edges e JOIN tree t ON e.parent_node = t.node
    WHERE t.depth < 10000
)
SELECT e.node, coalesce(t.depth, CASE WHEN e.is_reply THEN 1 ELSE 0 END) AS depth
FROM edges e LEFT JOIN tree t USING (node)
