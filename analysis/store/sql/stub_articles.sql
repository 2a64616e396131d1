-- Articles named only by comments get a stub row, filled in when the article itself arrives.
INSERT INTO articles (article_id, source_id)
SELECT DISTINCT k.article_id, $source_id
FROM _rp_keys k
WHERE NOT k.missing
  AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = k.article_id)
