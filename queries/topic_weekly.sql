-- name: topic_weekly
-- description: Weekly volume and mean sentiment per topic (ISO weeks, Monday to Sunday, UTC).
-- param: start DATE = NULL -- first day included (default: the first day with comments)
-- param: end DATE = NULL -- last day included (default: the last day with comments)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

WITH
params AS (
    SELECT * FROM stg_period($start, $end, whole_span := true)
),

hits AS (
    -- the hits of the period's comments: posted on one of its days (a comment's day is its
    -- date as stg_comments gives it, the days stg_period_comments selects by)
    SELECT h.*
    FROM stg_topic_hits AS h, params AS p
    WHERE h.posted_day BETWEEN p.first_day AND p.last_day
      AND ($article_id::VARCHAR IS NULL OR h.article_id = $article_id::VARCHAR)
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
