-- view: stg_comments
-- description: Published comments with their UTC day and ISO week, the commenter's pseudonym (or the raw name when it was kept on purpose), and their scores (VADER's sentiment, the model's reader tone, skepticism; NULL where not scored yet): stg_comments_in with no limits.

SELECT * FROM stg_comments_in(NULL, NULL, NULL)
