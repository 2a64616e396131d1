-- One scoring run begins (its id drawn from scoring_run_seq by the caller).
INSERT INTO scoring_runs (run_id, scorer, scorer_version, lexicon_hash, taxonomy_hash, model_sha256, started_at)
VALUES (?, ?, ?, ?, ?, ?, now())
