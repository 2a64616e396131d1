-- name: skepticism_by_article
-- description: Share of scored comments that doubt verification, per article and ISO week.
-- param: start DATE = NULL -- first day included (default: the first day with comments)
-- param: end DATE = NULL -- last day included (default: the last day with comments)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id, whole_span := true)
)

SELECT
    c.week_start,
    c.iso_week,
    c.article_id,
    a.article_title,
    count(*) AS comments,
    count(c.skeptical) AS scored_comments,
    count(*) FILTER (WHERE c.skeptical) AS skeptical_comments,
    round(count(*) FILTER (WHERE c.skeptical) / nullif(count(c.skeptical), 0), 3) AS skeptical_share
FROM scoped AS c
JOIN stg_articles AS a USING (article_id)
GROUP BY ALL
ORDER BY c.week_start, skeptical_share DESC NULLS LAST, c.article_id
