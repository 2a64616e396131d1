-- name: daily_skepticism
-- description: Doubts about verification day by day: comments, comments scored for skepticism, skeptical comments and their share.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

WITH
params AS (
    SELECT * FROM stg_period($start, $end)
),

scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
),

days AS (
    SELECT CAST(unnest(generate_series(first_day, last_day, INTERVAL 1 DAY)) AS DATE) AS day
    FROM params
),

per_day AS (
    SELECT
        posted_day AS day,
        count(*) AS comments,
        count(skeptical) AS scored_comments,
        count(*) FILTER (WHERE skeptical) AS skeptical_comments,
        avg(skepticism_score) AS mean_skepticism_score
    FROM scoped
    GROUP BY ALL
)

SELECT
    d.day,
    coalesce(x.comments, 0) AS comments,
    coalesce(x.scored_comments, 0) AS scored_comments,
    coalesce(x.skeptical_comments, 0) AS skeptical_comments,
    round(x.skeptical_comments / nullif(x.scored_comments, 0), 3) AS skeptical_share,
    round(x.mean_skepticism_score, 3) AS mean_skepticism_score
FROM days AS d
LEFT JOIN per_day AS x USING (day)
ORDER BY d.day
