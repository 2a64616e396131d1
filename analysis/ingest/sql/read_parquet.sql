-- Parquet: native types, rows numbered from 1 as `ord`; a column of the file with that name (any
-- case) is left out. (Not read_parquet's file_row_number option: a file may have that column.)
SELECT row_number() OVER () AS ord, COLUMNS(lambda c: lower(c) <> 'ord')
FROM read_parquet($path)
