-- Accepted comments already stored whose status or text this file changes: a newer export is
-- the platform's current truth (moderated away, edited). `edited`: the text changed.
CREATE OR REPLACE TEMP TABLE _rp_changed AS
SELECT c.comment_pk, s.status, coalesce(s.text, '') AS text,
       c.text IS DISTINCT FROM coalesce(s.text, '') AS edited
FROM _rp_stage s
JOIN comments c ON c.article_id = s.article_id AND c.comment_id = s.comment_id
WHERE s.reason IS NULL
  AND (c.status IS DISTINCT FROM s.status OR c.text IS DISTINCT FROM coalesce(s.text, ''))
