-- JSON Lines: one row per non-blank line, every column text; a line that is not a record is a row
-- of NULLs (ignore_errors), explained afterwards by its line.
SELECT row_number() OVER () AS ord, *
FROM read_json($path, format = 'newline_delimited', records = true, columns = $columns, ignore_errors = true)
