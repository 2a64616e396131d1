"""Exceptions the library raises; the CLI turns them into one clear line and an exit code."""


class ReaderpulseError(Exception):
    """Base class: an error with a message meant for the user."""

    exit_code = 1


class UnreadableSource(ReaderpulseError):
    """A file that cannot be read at all (missing, unknown format, not decodable)."""


class UsageError(ReaderpulseError):
    """Wrong parameters from the caller."""

    exit_code = 2
