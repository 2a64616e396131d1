-- view: stg_comment_topics
-- description: One row per comment that raises a topic: its topics, strongest first, each a struct (topic, topic_label, score, evidence) whose evidence lists the matched keywords, then the words of the comment that pushed the model's decision most. Read it for a few chosen comments (WHERE comment_pk IN ...): the filter on comment_pk is applied before the grouping.

SELECT
    h.comment_pk,
    list(
        {
            'topic': h.topic,
            'topic_label': coalesce(t.label, h.topic),
            'score': h.score,
            'evidence': coalesce(h.evidence, []::VARCHAR[])
        }
        ORDER BY h.score DESC, coalesce(t.label, h.topic)
    ) AS topics
FROM topic_hits AS h
LEFT JOIN topics AS t USING (topic)
GROUP BY h.comment_pk
