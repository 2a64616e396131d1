-- 0006: each topic's definition as each topics run used it.
--
-- A fingerprint is the SHA-256 of what decides a topic's hits (its compiled cues, weights,
-- look-alike mask, threshold, required groups and the scorer version; not its label). A comment
-- marked scored by a topics run carries that run's hits for every topic the run defined, so
-- after a taxonomy edit only the topics whose fingerprint changed need tagging again. Runs from
-- before this migration have no rows here: every topic counts as changed for their comments.

CREATE TABLE topic_definitions (
    run_id       INTEGER NOT NULL,
    topic        VARCHAR NOT NULL,
    fingerprint  VARCHAR NOT NULL,
    PRIMARY KEY (run_id, topic)
);
