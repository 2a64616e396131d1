-- The passages of the articles the pending comments belong to.
SELECT article_id, passage_no, kind, text FROM passages
WHERE article_id IN (SELECT DISTINCT c.article_id FROM comments c JOIN _rp_pending USING (comment_pk))
