-- name: skepticism_cues
-- description: The words and phrases that marked comments as skeptical about verification, most frequent first.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: limit INTEGER = 15 -- at most this many cues

WITH
given AS (
    SELECT
        $start::DATE AS given_start,
        $end::DATE AS given_end,
        (SELECT max(week_start) FROM stg_comments) AS latest_week
),

params AS (
    SELECT
        coalesce(given_start, given_end - 6, latest_week) AS first_day,
        coalesce(given_end, first_day + 6) AS last_day,
        $article_id::VARCHAR AS article_id
    FROM given
),

scoped AS (
    SELECT c.*
    FROM stg_comments AS c, params AS p
    WHERE c.posted_day BETWEEN p.first_day AND p.last_day
      AND (p.article_id IS NULL OR c.article_id = p.article_id)
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
