-- Accepted comments already stored whose status or text this file changes: a newer export is
-- the platform's current truth (moderated away, edited). `edited`: the text changed.
CREATE OR REPLACE TEMP TABLE _rp_changed AS
SELECT c.comment_pk, s.status, coalesce(s.text, '') AS text,
       c.text IS DISTINCT FROM coalesce(s.text, '') AS edited
FROM (SELECT ord, comment_pk FROM _rp_keys WHERE comment_pk IS NOT NULL AND NOT missing) k
JOIN _rp_stage s USING (ord)
JOIN comments c ON c.comment_pk = k.comment_pk
WHERE c.status IS DISTINCT FROM s.status OR c.text IS DISTINCT FROM coalesce(s.text, '')
