-- 0007: the reader tone of the scoring models, and the model each scoring run used.
--
-- Topics, skepticism and tone now come from one model artefact (analysis/score/model.py); its
-- SHA-256 is recorded with every run of those scorers, so a score can be traced to the model
-- that gave it. `tone` holds the model's reader tone in [-1, 1] and its label, beside VADER's
-- own scores in `sentiment` (kept exactly as vaderSentiment gives them).

ALTER TABLE scoring_runs ADD COLUMN model_sha256 VARCHAR;

CREATE TABLE tone (
    comment_pk  BIGINT NOT NULL,
    tone        DOUBLE NOT NULL,            -- -1 .. 1
    tone_label  VARCHAR NOT NULL,           -- 'negative', 'neutral', 'positive' (the model's cuts)
    run_id      INTEGER NOT NULL
);

CREATE OR REPLACE VIEW comment_facts AS
WITH
hits AS (
    SELECT comment_pk, list(topic ORDER BY topic) AS topics
    FROM topic_hits
    GROUP BY comment_pk
),
best_link AS (
    SELECT comment_pk, passage_no, similarity
    FROM passage_links
    WHERE rank = 1
)
SELECT
    c.comment_pk,
    c.comment_id,
    c.article_id,
    c.parent_id,
    c.depth,
    c.author_key,
    c.author_name,
    c.posted_at,
    c.text,
    s.neg,
    s.neu,
    s.pos,
    s.compound,
    s.label AS sentiment_label,
    t.tone,
    t.tone_label,
    coalesce(h.topics, []::VARCHAR[]) AS topics,
    k.score AS skepticism_score,
    k.skeptical,
    k.cues AS skepticism_cues,
    l.passage_no,
    p.kind AS passage_kind,
    p.text AS passage_text,
    l.similarity AS passage_similarity
FROM comments c
LEFT JOIN sentiment s USING (comment_pk)
LEFT JOIN tone t USING (comment_pk)
LEFT JOIN hits h USING (comment_pk)
LEFT JOIN skepticism k USING (comment_pk)
LEFT JOIN best_link l USING (comment_pk)
LEFT JOIN passages p ON p.article_id = c.article_id AND p.passage_no = l.passage_no
WHERE c.status = 'published';
