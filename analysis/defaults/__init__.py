"""The packaged defaults: the query library, the report definitions and the topic taxonomy.

In the source tree `queries`, `reports` and `topics.toml` here are links to the top-level
folders queries/ and reports/ and to data/topics.toml, so an editable install reads those files
as they are edited; a wheel or sdist carries copies (pyproject's package-data). Commands reach
them through `importlib.resources`, never through a path relative to a checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def root() -> Path:
    """The folder of the packaged defaults (an installed package is always unpacked to disk)."""
    return Path(str(resources.files(__name__)))


def queries_dir() -> Path:
    """The packaged query library (named queries, and staging views in staging/)."""
    return root() / "queries"


def reports_dir() -> Path:
    """The packaged report definitions and their templates."""
    return root() / "reports"


def taxonomy_path() -> Path:
    """The packaged topic taxonomy."""
    return root() / "topics.toml"
