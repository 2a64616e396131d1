-- Every record of a reader, counted: reads the whole file (errors surface here).
SELECT count(*) FROM ({source})
