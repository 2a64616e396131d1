-- The new comments of the file (those with a negative node in _rp_depths), with their reply depth
-- and their commenter's pseudonym ($names and $keys: each distinct name of the file's new comments
-- and its pseudonym).
INSERT INTO comments (article_id, comment_id, parent_id, depth, author_key, author_name,
                      posted_at, text, status, source_id)
SELECT s.article_id, s.comment_id, s.parent_id, d.depth, a.author_key,
       CASE WHEN $keep_names THEN s.author END, s.posted_at, coalesce(s.text, ''), s.status, $source_id
FROM (SELECT -node AS ord, depth FROM _rp_depths WHERE node < 0) d
JOIN _rp_stage s USING (ord)
LEFT JOIN (SELECT unnest($names::VARCHAR[]) AS author, unnest($keys::VARCHAR[]) AS author_key) a
       ON a.author = s.author
