-- 0005: a sentence's scores say where the sentence is in its comment instead of copying its text.
--
-- start_char and end_char are code point offsets into comments.text (0-based, end exclusive):
-- the sentence is substring(text, start_char + 1, end_char - start_char). The view `sentences`
-- shows each scored sentence with its text. Rows scored before this migration get their
-- offsets by finding each sentence in its comment after the end of the one before.

CREATE TABLE sentence_sentiment_0005 (
    comment_pk   BIGINT NOT NULL,
    sentence_no  INTEGER NOT NULL,
    start_char   INTEGER NOT NULL,          -- code point offset of the sentence in comments.text
    end_char     INTEGER NOT NULL,          -- ... of the character after it
    neg          DOUBLE NOT NULL,
    neu          DOUBLE NOT NULL,
    pos          DOUBLE NOT NULL,
    compound     DOUBLE NOT NULL,
    label        VARCHAR NOT NULL,
    run_id       INTEGER NOT NULL
);

INSERT INTO sentence_sentiment_0005
WITH RECURSIVE placed (comment_pk, sentence_no, start_char, end_char) AS (
    SELECT s.comment_pk, s.sentence_no,
           strpos(c.text, s.text) - 1,
           strpos(c.text, s.text) - 1 + length(s.text)
    FROM sentence_sentiment s JOIN comments c USING (comment_pk)
    WHERE s.sentence_no = 1
    UNION ALL
    SELECT s.comment_pk, s.sentence_no,
           p.end_char + strpos(substring(c.text, p.end_char + 1), s.text) - 1,
           p.end_char + strpos(substring(c.text, p.end_char + 1), s.text) - 1 + length(s.text)
    FROM placed p
    JOIN sentence_sentiment s ON s.comment_pk = p.comment_pk AND s.sentence_no = p.sentence_no + 1
    JOIN comments c ON c.comment_pk = s.comment_pk
)
SELECT s.comment_pk, s.sentence_no, p.start_char, p.end_char, s.neg, s.neu, s.pos, s.compound, s.label, s.run_id
FROM sentence_sentiment s JOIN placed p USING (comment_pk, sentence_no);

DROP TABLE sentence_sentiment;
ALTER TABLE sentence_sentiment_0005 RENAME TO sentence_sentiment;

-- Every scored sentence with its text. A comment whose text changed since it was scored (a newer
-- export edited it: its `scored` marks are gone until it is scored again) shows no sentences.
CREATE VIEW sentences AS
SELECT
    s.comment_pk,
    s.sentence_no,
    s.start_char,
    s.end_char,
    substring(c.text, s.start_char + 1, s.end_char - s.start_char) AS text,
    s.neg,
    s.neu,
    s.pos,
    s.compound,
    s.label,
    s.run_id
FROM sentence_sentiment s
JOIN comments c USING (comment_pk)
WHERE s.comment_pk IN (SELECT comment_pk FROM scored WHERE scorer = 'sentiment');
