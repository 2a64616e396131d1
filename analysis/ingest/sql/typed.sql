-- A reader's records mapped onto the canonical columns (input of check_comments.sql).
-- {source} gives `ord` and the file's columns; {columns} are the typed canonical columns.
SELECT ord, {location} AS location, {columns}, {unreadable} AS unreadable FROM ({source})
