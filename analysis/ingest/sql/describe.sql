-- The columns and types a reader gives.
DESCRIBE ({source})
