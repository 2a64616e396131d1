"""readerpulse: reader-comment and sentiment analysis for newsroom audience teams.

The Python API lives in `readerpulse.api` (docs/api.md); most of its functions are also reachable
from here (`readerpulse.query(...)`), imported on first use so that the command starts fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# `ingest`, `score` and `report` are subpackages here: reach those three as readerpulse.api.*
_API = ("connect", "score_texts", "query_library", "query", "sql", "chart", "init", "info")
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
