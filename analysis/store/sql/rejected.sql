-- The staged comments that are rejected: those the reader rejected, those without an id, and
-- those whose id repeats an earlier comment of the same article in the file.
CREATE OR REPLACE TEMP TABLE _rp_rejected AS
WITH readable AS (
    SELECT ord, location, article_id, comment_id, text FROM _rp_stage WHERE reason IS NULL
),
repeated AS (
    SELECT article_id, comment_id, min(ord) AS first
    FROM readable
    GROUP BY article_id, comment_id
    HAVING count(*) > 1
)
SELECT ord, location, reason, raw FROM _rp_stage WHERE reason IS NOT NULL
UNION ALL
SELECT ord, location, 'comment has no id', text
FROM readable
WHERE comment_id IS NULL OR trim(comment_id) = '' OR article_id IS NULL
UNION ALL
SELECT r.ord, r.location, 'comment id repeats an earlier comment of the same article', r.text
FROM readable r JOIN repeated d USING (article_id, comment_id)
WHERE r.ord > d.first
