-- Articles named only by comments get a stub row, filled in when the article itself arrives.
INSERT INTO articles (article_id, source_id)
SELECT DISTINCT s.article_id, $source_id
FROM _rp_stage s
WHERE s.reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = s.article_id)
