-- view: stg_passage_links
-- description: The passage each comment responds to best (rank 1 link), with the comment's day, sentiment and skepticism.

SELECT
    c.comment_pk,
    c.article_id,
    c.posted_day,
    c.sentiment,
    c.sentiment_label,
    c.skeptical,
    l.passage_no,
    l.similarity
FROM passage_links AS l
JOIN stg_comments AS c
    ON c.comment_pk = l.comment_pk
   AND c.article_id = l.article_id
WHERE l.rank = 1
