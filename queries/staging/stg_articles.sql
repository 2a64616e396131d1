-- view: stg_articles
-- description: One row per article: a display title (the id when the page had none), outlet, link and publication time.

WITH
body_passages AS (
    SELECT article_id, count(*) AS passages
    FROM passages
    WHERE kind <> 'title'
    GROUP BY article_id
)

SELECT
    a.article_id,
    coalesce(nullif(trim(a.title), ''), a.article_id) AS article_title,
    a.outlet,
    a.url,
    a.byline,
    a.published_at,
    coalesce(b.passages, 0) AS passages
FROM articles AS a
LEFT JOIN body_passages AS b USING (article_id)
