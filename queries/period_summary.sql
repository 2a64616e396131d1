-- name: period_summary
-- description: Headline figures of a period (comments, articles, commenters, mean VADER sentiment and mean reader tone, the share negative by each, skepticism share) against the period of the same length just before.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

WITH
params AS (
    SELECT
        first_day,
        last_day,
        CAST(last_day - first_day + 1 AS INTEGER) AS days,
        first_day - days AS previous_first_day,
        first_day - 1 AS previous_last_day,
        $article_id::VARCHAR AS article_id
    FROM stg_period($start, $end)
),

periods AS (
    SELECT 'this' AS period, first_day, last_day FROM params
    UNION ALL
    SELECT 'previous' AS period, previous_first_day, previous_last_day FROM params
),

figures AS (
    SELECT
        w.period,
        count(c.comment_pk) AS comments,
        count(DISTINCT c.article_id) AS articles,
        count(DISTINCT c.commenter) AS commenters,
        avg(c.sentiment) AS mean_sentiment,
        avg(c.tone) AS mean_tone,
        -- shares of the comments each scorer scored: VADER's label, the model's tone label
        avg(CAST(c.sentiment_label = 'negative' AS INTEGER)) AS negative_share,
        avg(CAST(c.tone_label = 'negative' AS INTEGER)) AS negative_tone_share,
        avg(CAST(c.skeptical AS INTEGER)) AS skeptical_share
    FROM periods AS w
    CROSS JOIN params AS p
    LEFT JOIN stg_comments AS c
        ON c.posted_day BETWEEN w.first_day AND w.last_day
       AND (p.article_id IS NULL OR c.article_id = p.article_id)
    GROUP BY w.period
),

side_by_side AS (
    SELECT t.*, p.comments AS prev_comments, p.articles AS prev_articles,
           p.commenters AS prev_commenters, p.mean_sentiment AS prev_mean_sentiment,
           p.mean_tone AS prev_mean_tone, p.negative_share AS prev_negative_share,
           p.negative_tone_share AS prev_negative_tone_share,
           p.skeptical_share AS prev_skeptical_share
    FROM figures AS t, figures AS p
    WHERE t.period = 'this' AND p.period = 'previous'
),

metrics AS (
    SELECT 1 AS position, 'comments' AS metric, 'Comments' AS label, 'count' AS unit,
           CAST(comments AS DOUBLE) AS this_period, CAST(prev_comments AS DOUBLE) AS previous_period
    FROM side_by_side
    UNION ALL
    SELECT 2, 'articles', 'Articles commented on', 'count', articles, prev_articles FROM side_by_side
    UNION ALL
    SELECT 3, 'commenters', 'Commenters', 'count', commenters, prev_commenters FROM side_by_side
    UNION ALL
    SELECT 4, 'mean_sentiment', 'Mean sentiment (VADER)', 'score', mean_sentiment, prev_mean_sentiment FROM side_by_side
    UNION ALL
    SELECT 5, 'mean_tone', 'Mean reader tone', 'score', mean_tone, prev_mean_tone FROM side_by_side
    UNION ALL
    SELECT 6, 'negative_share', 'Negative by VADER sentiment', 'share', negative_share, prev_negative_share
    FROM side_by_side
    UNION ALL
    SELECT 7, 'negative_tone_share', 'Negative by reader tone', 'share', negative_tone_share, prev_negative_tone_share
    FROM side_by_side
    UNION ALL
    SELECT 8, 'skeptical_share', 'Skeptical about verification', 'share', skeptical_share, prev_skeptical_share FROM side_by_side
)

SELECT
    m.metric,
    m.label,
    m.unit,
    p.first_day,
    p.last_day,
    p.previous_first_day,
    p.previous_last_day,
    round(m.this_period, 3) AS this_period,
    round(m.previous_period, 3) AS previous_period,
    round(m.this_period - m.previous_period, 3) AS change
FROM metrics AS m, params AS p
ORDER BY m.position
