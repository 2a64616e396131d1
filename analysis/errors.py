"""Exceptions the library raises; the CLI turns them into one clear line and an exit code."""

from __future__ import annotations

import re


class ReaderpulseError(Exception):
    """Base class: an error with a message meant for the user."""

    exit_code = 1


class UnreadableSource(ReaderpulseError):
    """A file that cannot be read at all (missing, unknown format, not decodable)."""


class UsageError(ReaderpulseError):
    """Wrong parameters from the caller."""

    exit_code = 2


# DuckDB's pointer into the statement: a "LINE 1: <the statement>" line, then one of carets.
_STATEMENT_CONTEXT = re.compile(r"^LINE \d+:.*$\n?(^[ \t]*\^+[ \t]*$)?", re.MULTILINE)


def one_line(exc: BaseException) -> str:
    """The message of `exc` on one line, for a terminal line or a `rejects.reason`: DuckDB's
    pointer into the statement left out (the statement is ours, not the user's), the other lines
    joined, runs of white space as one space; the exception's type name when it has no message."""
    return " ".join(_STATEMENT_CONTEXT.sub("", str(exc)).split()) or type(exc).__name__
