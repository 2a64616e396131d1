-- name: skepticism_by_article
-- description: Share of scored comments that doubt verification, per article and ISO week.
-- param: start DATE = NULL -- first day included (default: the first day with comments)
-- param: end DATE = NULL -- last day included (default: the last day with comments)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

WITH
given AS (
    SELECT
        $start::DATE AS given_start,
        $end::DATE AS given_end,
        (SELECT min(posted_day) FROM stg_comments) AS first_comment_day,
        (SELECT max(posted_day) FROM stg_comments) AS last_comment_day
),

params AS (
    SELECT
        coalesce(given_start, first_comment_day) AS first_day,
        coalesce(given_end, last_comment_day) AS last_day,
        $article_id::VARCHAR AS article_id
    FROM given
),

scoped AS (
    SELECT c.*
    FROM stg_comments AS c, params AS p
    WHERE c.posted_day BETWEEN p.first_day AND p.last_day
      AND (p.article_id IS NULL OR c.article_id = p.article_id)
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
