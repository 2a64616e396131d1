"""The DuckDB file: connection, numbered migrations, batch writes."""

from .db import connect, migrate, schema_version

__all__ = ["connect", "migrate", "schema_version"]
