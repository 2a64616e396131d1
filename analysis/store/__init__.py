"""The DuckDB file: connection, numbered migrations, batch writes."""

from analysis.store.db import connect, migrate, schema_version

__all__ = ["connect", "migrate", "schema_version"]
