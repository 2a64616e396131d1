"""The library's errors: messages on one line."""

from __future__ import annotations

import duckdb
import pytest
from readerpulse.errors import one_line


def test_duckdb_s_pointer_into_the_statement_is_left_out() -> None:
    with pytest.raises(duckdb.Error) as info:
        duckdb.connect().execute("SELECT no_such_column FROM range(3)")
    assert "\nLINE 1:" in str(info.value)
    message = one_line(info.value)
    assert message.startswith("Binder Error: Referenced column") and "no_such_column" in message
    assert "\n" not in message and "LINE 1" not in message and "^" not in message


def test_the_other_lines_are_joined() -> None:
    error = RuntimeError("Fatal: the database is invalidated\nOriginal error:  disk full\n\nLINE 12: SELECT 1\n   ^^^\n")
    assert one_line(error) == "Fatal: the database is invalidated Original error: disk full"


def test_an_empty_message_gives_the_type() -> None:
    assert one_line(ValueError("  \n")) == "ValueError"
