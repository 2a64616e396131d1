-- name: skepticism_cues
-- description: The words and phrases that marked comments as skeptical about verification, most frequent first.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: limit INTEGER = 15 -- at most this many cues

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
),

skeptical AS (
    SELECT * FROM scoped WHERE skeptical
),

cues AS (
    SELECT DISTINCT comment_pk, article_id, lower(trim(unnest(skepticism_cues))) AS cue
    FROM skeptical
)

SELECT
    cue,
    count(*) AS comments,
    count(DISTINCT article_id) AS articles,
    round(count(*) / (SELECT count(*) FROM skeptical), 3) AS share_of_skeptical
FROM cues
GROUP BY cue
ORDER BY comments DESC, cue
LIMIT $limit
