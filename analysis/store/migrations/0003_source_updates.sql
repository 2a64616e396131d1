-- 0003: count the comments a source changed (moderation status or edited text) beside the new ones.
ALTER TABLE sources ADD COLUMN n_updated INTEGER NOT NULL DEFAULT 0;
