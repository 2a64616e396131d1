"""Ingest: readers of every supported input format, each handing the store polars frames."""
