-- A parsed batch's comments (registered as _rp_batch_comments) into the stage, numbered after
-- the rows already staged ($offset).
INSERT INTO _rp_stage
SELECT $offset + row_number() OVER () AS ord, location, article_id, comment_id, parent_id, author,
       posted_at, text, status, NULL, NULL, false
FROM _rp_batch_comments
