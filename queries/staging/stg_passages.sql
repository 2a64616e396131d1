-- view: stg_passages
-- description: The article text passage by passage, with a short label (¶3) for charts.

SELECT
    article_id,
    passage_no,
    kind,
    heading,
    text AS passage_text,
    '¶' || passage_no AS passage_label
FROM passages
