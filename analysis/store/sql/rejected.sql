-- The staged comments that are rejected: those the reader rejected, those without an id, and
-- those whose id repeats an earlier comment of the same article in the file.
CREATE OR REPLACE TEMP TABLE _rp_rejected AS
SELECT ord, location, reason, raw FROM _rp_stage WHERE reason IS NOT NULL
UNION ALL
SELECT s.ord, s.location,
       CASE WHEN k.missing THEN 'comment has no id'
            ELSE 'comment id repeats an earlier comment of the same article' END,
       s.text
FROM (SELECT article_id, comment_id, ord AS first, missing FROM _rp_keys WHERE missing OR repeats) k
JOIN _rp_stage s
  ON s.article_id IS NOT DISTINCT FROM k.article_id AND s.comment_id IS NOT DISTINCT FROM k.comment_id
WHERE s.reason IS NULL AND (k.missing OR s.ord > k.first)
