-- The pending comments with their parents' texts, both cut at the first ? characters.
SELECT c.comment_pk, c.article_id, left(c.text, ?) AS text, left(p.text, ?) AS parent_text
FROM comments c
LEFT JOIN comments p ON p.article_id = c.article_id AND p.comment_id = c.parent_id
WHERE c.comment_pk IN (SELECT comment_pk FROM _rp_pending)
