-- name: topic_weekly
-- description: Weekly volume and mean sentiment per topic (ISO weeks, Monday to Sunday, UTC).
-- param: start DATE = NULL -- first day included (default: the first day with comments)
-- param: end DATE = NULL -- last day included (default: the last day with comments)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id, whole_span := true)
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
