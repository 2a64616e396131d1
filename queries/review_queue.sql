-- name: review_queue
-- description: Comments needing review: very negative and skeptical about verification, most negative (by VADER's sentiment) first, with the model's reader tone, their topics with the evidence and their skepticism cues.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: max_sentiment DOUBLE = -0.5 -- only comments whose sentiment is at or below this (-1 to 1)
-- param: limit INTEGER = 50 -- at most this many comments

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
),

queue AS (
    SELECT *
    FROM scoped
    WHERE skeptical
      AND sentiment <= $max_sentiment
    ORDER BY sentiment, posted_at, comment_pk
    LIMIT $limit
),

queue_topics AS (
    SELECT comment_pk, topics
    FROM stg_comment_topics
    WHERE comment_pk IN (SELECT comment_pk FROM queue)
)

SELECT
    c.posted_at,
    c.article_id,
    a.article_title,
    c.comment_id,
    c.commenter,
    round(c.sentiment, 3) AS sentiment,
    round(c.skepticism_score, 3) AS skepticism_score,
    c.skepticism_cues AS cues,
    c.text,
    round(c.tone, 3) AS tone,
    c.tone_label,
    coalesce(t.topics, []) AS topics
FROM queue AS c
JOIN stg_articles AS a USING (article_id)
LEFT JOIN queue_topics AS t USING (comment_pk)
ORDER BY c.sentiment, c.posted_at, c.comment_pk
