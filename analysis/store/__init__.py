"""The DuckDB file: connection, numbered migrations, batch writes."""

from .access import connect, writing
from .db import migrate, schema_version

__all__ = ["connect", "migrate", "schema_version", "writing"]
