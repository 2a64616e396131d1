-- pending_comments.sql with the comments' stored VADER scores (null where not scored).
SELECT c.comment_pk, c.article_id, left(c.text, ?) AS text, left(p.text, ?) AS parent_text,
       s.neg, s.neu, s.pos, s.compound
FROM comments c
LEFT JOIN comments p ON p.article_id = c.article_id AND p.comment_id = c.parent_id
LEFT JOIN sentiment s ON s.comment_pk = c.comment_pk
WHERE c.comment_pk IN (SELECT comment_pk FROM _rp_pending)
