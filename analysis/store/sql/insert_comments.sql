-- The accepted comments not stored yet, with their commenter's pseudonym (_rp_authors: one row
-- per distinct name of the file) and reply depth (_rp_depths).
INSERT INTO comments (article_id, comment_id, parent_id, depth, author_key, author_name,
                      posted_at, text, status, source_id)
SELECT s.article_id, s.comment_id, s.parent_id, coalesce(d.depth, 0), a.author_key,
       CASE WHEN $keep_names THEN s.author END, s.posted_at, coalesce(s.text, ''), s.status, $source_id
FROM _rp_stage s
LEFT JOIN _rp_authors a ON a.author = s.author
LEFT JOIN _rp_depths d ON d.article_id = s.article_id AND d.comment_id = s.comment_id
WHERE s.reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.article_id = s.article_id AND c.comment_id = s.comment_id)
ORDER BY s.ord
