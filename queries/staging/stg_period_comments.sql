-- macro: stg_period_comments(start_day, end_day, only_article, whole_span := false)
-- description: The published comments (stg_comments rows) of the period stg_period(start_day, end_day, whole_span) resolves; only those of the article only_article unless it is NULL.

SELECT c.*
FROM stg_comments AS c, stg_period(start_day, end_day, whole_span := whole_span) AS p
WHERE c.posted_day BETWEEN p.first_day AND p.last_day
  AND (CAST(only_article AS VARCHAR) IS NULL OR c.article_id = CAST(only_article AS VARCHAR))
