-- name: topic_trend
-- description: Week-over-week change in comments per topic, with a spike flag for sudden jumps.
-- param: start DATE = NULL -- first day included (default: the first day with comments)
-- param: end DATE = NULL -- last day included (default: the last day with comments)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: spike_ratio DOUBLE = 2.0 -- a spike is at least this many times the previous week's comments
-- param: min_comments INTEGER = 3 -- and at least this many comments in the week

WITH
params AS (
    SELECT * FROM stg_period($start, $end, whole_span := true)
),

weeks AS (
    -- the week before the first one too, so that the first week has a previous week to compare with
    SELECT CAST(unnest(generate_series(
        CAST(date_trunc('week', first_day) AS DATE) - 7,
        CAST(date_trunc('week', last_day) AS DATE),
        INTERVAL 7 DAY
    )) AS DATE) AS week_start
    FROM params
),

hits AS (
    SELECT h.comment_pk, h.posted_day, h.week_start, h.topic, h.topic_label
    FROM stg_topic_hits AS h, params AS p
    WHERE h.posted_day BETWEEN CAST(date_trunc('week', p.first_day) AS DATE) - 7 AND p.last_day
      AND ($article_id::VARCHAR IS NULL OR h.article_id = $article_id::VARCHAR)
),

topics_seen AS (
    -- the topics with a hit in the period itself (hits also holds the week before it)
    SELECT DISTINCT h.topic, h.topic_label
    FROM hits AS h, params AS p
    WHERE h.posted_day >= p.first_day
),

per_week AS (
    SELECT week_start, topic, count(*) AS comments
    FROM hits
    GROUP BY ALL
),

series AS (
    SELECT
        w.week_start,
        t.topic,
        t.topic_label,
        coalesce(x.comments, 0) AS comments,
        lag(coalesce(x.comments, 0)) OVER (PARTITION BY t.topic ORDER BY w.week_start) AS previous_comments
    FROM weeks AS w
    CROSS JOIN topics_seen AS t
    LEFT JOIN per_week AS x ON x.week_start = w.week_start AND x.topic = t.topic
)

SELECT
    s.week_start,
    strftime(s.week_start, '%G-W%V') AS iso_week,
    s.topic,
    s.topic_label,
    s.comments,
    s.previous_comments,
    s.comments - s.previous_comments AS change,
    round(100.0 * (s.comments - s.previous_comments) / nullif(s.previous_comments, 0), 1) AS change_pct,
    s.comments >= $min_comments AND s.comments >= $spike_ratio * s.previous_comments AS spike
FROM series AS s, params AS p
WHERE s.week_start >= CAST(date_trunc('week', p.first_day) AS DATE)
ORDER BY s.week_start, s.topic
