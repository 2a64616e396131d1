-- Parquet: native types, rows numbered from 1.
SELECT file_row_number + 1 AS ord, * EXCLUDE (file_row_number)
FROM read_parquet($path, file_row_number = true)
