-- name: daily_tone
-- description: Reader tone (the model's) beside VADER's sentiment day by day: comments, comments each scored, their means and the share each calls negative.
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
    -- means and shares cover the comments each scorer scored (count(x) skips NULL)
    SELECT
        posted_day AS day,
        count(*) AS comments,
        count(sentiment) AS sentiment_comments,
        avg(sentiment) AS mean_sentiment,
        avg(CAST(sentiment_label = 'negative' AS INTEGER)) AS negative_share,
        count(tone) AS tone_comments,
        avg(tone) AS mean_tone,
        avg(CAST(tone_label = 'negative' AS INTEGER)) AS negative_tone_share
    FROM scoped
    GROUP BY ALL
)

SELECT
    d.day,
    coalesce(x.comments, 0) AS comments,
    coalesce(x.sentiment_comments, 0) AS sentiment_comments,
    round(x.mean_sentiment, 3) AS mean_sentiment,
    round(x.negative_share, 3) AS negative_share,
    coalesce(x.tone_comments, 0) AS tone_comments,
    round(x.mean_tone, 3) AS mean_tone,
    round(x.negative_tone_share, 3) AS negative_tone_share
FROM days AS d
LEFT JOIN per_day AS x USING (day)
ORDER BY d.day
