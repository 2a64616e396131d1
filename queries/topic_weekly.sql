-- name: topic_weekly
-- description: Weekly volume and mean sentiment per topic (ISO weeks, Monday to Sunday, UTC).
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
),

hits AS (
    SELECT h.*
    FROM stg_topic_hits AS h
    WHERE h.comment_pk IN (SELECT comment_pk FROM scoped)
)

SELECT
    week_start,
    iso_week,
    topic,
    topic_label,
    count(*) AS comments,
    round(avg(sentiment), 3) AS mean_sentiment,
    round(avg(CAST(skeptical AS INTEGER)), 3) AS skeptical_share
FROM hits
GROUP BY ALL
ORDER BY week_start, comments DESC, topic
