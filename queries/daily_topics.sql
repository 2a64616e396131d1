-- name: daily_topics
-- description: Comments and their mean sentiment per topic and day, one row for every day of the period and every topic raised in it.
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

hits AS (
    SELECT h.posted_day, h.topic, h.topic_label, h.sentiment
    FROM stg_topic_hits AS h
    WHERE h.comment_pk IN (SELECT comment_pk FROM scoped)
),

topics_seen AS (
    SELECT DISTINCT topic, topic_label FROM hits
),

per_day AS (
    SELECT posted_day AS day, topic, count(*) AS comments, avg(sentiment) AS mean_sentiment
    FROM hits
    GROUP BY ALL
)

SELECT
    d.day,
    t.topic,
    t.topic_label,
    coalesce(x.comments, 0) AS comments,
    round(x.mean_sentiment, 3) AS mean_sentiment
FROM days AS d
CROSS JOIN topics_seen AS t
LEFT JOIN per_day AS x ON x.day = d.day AND x.topic = t.topic
ORDER BY d.day, t.topic
