"""The source formats, detected from content first and the file name second."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import UnreadableSource
from ..store.batches import Item
from .model import ParseContext, SourceFile

Sniffer = Callable[[SourceFile], bool]
# parsed batches, or (canonical comment files) one scan that DuckDB runs over the file itself
Parser = Callable[[SourceFile, ParseContext], Iterator[Item]]


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    sniff: Sniffer
    parse: Parser


def registry() -> list[Format]:
    """All formats, most specific first: the first whose sniffer accepts a file parses it."""
    from . import canonical, commento, disqus, isso, page, reddit, remark42, wxr

    return [
        # comment-platform exports: each recognised by its own markers in the content
        *disqus.FORMATS,
        *wxr.FORMATS,
        *commento.FORMATS,
        *remark42.FORMATS,
        *reddit.FORMATS,
        *isso.FORMATS,
        *canonical.FORMATS,
        *page.FORMATS,  # plain text last: it accepts any readable text
    ]


def detect(source: SourceFile, forced: str | None = None) -> Format:
    """The format of a file; `forced` names one explicitly (skips sniffing)."""
    formats = registry()
    if forced:
        for fmt in formats:
            if fmt.name == forced:
                return fmt
        names = ", ".join(f.name for f in formats)
        raise UnreadableSource(f"unknown format {forced!r}; known formats: {names}")
    for fmt in formats:
        if fmt.sniff(source):
            return fmt
    raise UnreadableSource(f"{source.path}: not a format readerpulse knows (see `readerpulse formats`)")
