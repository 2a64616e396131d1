-- macro: stg_period_comments(start_day, end_day, only_article, whole_span := false)
-- description: The published comments (stg_comments rows) of the period stg_period(start_day, end_day, whole_span) resolves; only those of the article only_article unless it is NULL.

SELECT c.*
FROM stg_period(start_day, end_day, whole_span := whole_span) AS p,
     stg_comments_in(p.first_day, p.last_day, only_article) AS c
