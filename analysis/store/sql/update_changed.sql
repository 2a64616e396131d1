-- The stored comments this file changed take its status and text (and name it as their source).
UPDATE comments SET status = n.status, text = n.text, source_id = $source_id
FROM _rp_changed AS n
WHERE comments.comment_pk = n.comment_pk
