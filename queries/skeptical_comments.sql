-- name: skeptical_comments
-- description: The skeptical comments of a period with the cues that flagged them, VADER's sentiment and the model's reader tone, most skeptical first.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: limit INTEGER = 100 -- at most this many comments

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
)

SELECT
    c.posted_at,
    c.article_id,
    a.article_title,
    c.comment_id,
    c.commenter,
    round(c.skepticism_score, 3) AS skepticism_score,
    c.skepticism_cues AS cues,
    round(c.sentiment, 3) AS sentiment,
    c.text,
    round(c.tone, 3) AS tone,
    c.tone_label
FROM scoped AS c
JOIN stg_articles AS a USING (article_id)
WHERE c.skeptical
ORDER BY c.skepticism_score DESC, c.posted_at, c.comment_pk
LIMIT $limit
