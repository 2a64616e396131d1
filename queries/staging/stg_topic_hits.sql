-- view: stg_topic_hits
-- description: One row per comment and topic it raises, with the topic's display label and the comment's day and sentiment.

SELECT
    c.comment_pk,
    c.article_id,
    c.posted_day,
    c.week_start,
    c.iso_week,
    c.sentiment,
    c.skeptical,
    h.topic,
    coalesce(t.label, h.topic) AS topic_label,
    h.score AS topic_score,
    h.evidence
FROM topic_hits AS h
JOIN stg_comments AS c USING (comment_pk)
LEFT JOIN topics AS t USING (topic)
