-- Stored comments whose reply depth the file changed (a parent that arrived after its replies).
UPDATE comments SET depth = d.depth
FROM (SELECT article_id, comment_id, depth FROM _rp_depths WHERE stored) d
WHERE comments.article_id = d.article_id AND comments.comment_id = d.comment_id
  AND comments.depth <> d.depth
