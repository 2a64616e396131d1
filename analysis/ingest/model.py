"""What the parsers share: the file to import (`SourceFile`), the context of a parse, and
`BatchBuilder`, which turns the records of tree-shaped formats into the store's batches
(store/batches.py: the frames every source format is turned into before it reaches the database).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import polars as pl

from ..store.batches import (
    ARTICLE_SCHEMA,
    COMMENT_SCHEMA,
    COMMENT_STATUSES,
    PASSAGE_KINDS,
    PASSAGE_SCHEMA,
    REJECT_SCHEMA,
    Batch,
)

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A file to import: its path, size, content hash and first bytes (for format sniffing).

    `path`, `size` and `sha256` are those of the file as given. When the file had to be unpacked
    (gzip) or re-encoded to UTF-8 first (see `inputs.decode_input`), `data` is the temporary file
    the parsers read instead, `head` is its first bytes and `encoding` says what it now is.
    """

    path: Path
    size: int
    sha256: str
    head: bytes
    data: Path | None = None
    encoding: str | None = None  # the data's text encoding when known for certain (re-encoded)

    @classmethod
    def open_path(cls, path: Path) -> SourceFile:
        with path.open("rb") as fh:
            return cls.from_stream(path, fh)

    @classmethod
    def from_stream(cls, path: Path, fh: IO[bytes]) -> SourceFile:
        """The file `path`, read (hashed) from `fh`, opened on it."""
        digest = hashlib.sha256()
        size = 0
        head = b""
        while chunk := fh.read(1 << 20):
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            digest.update(chunk)
            size += len(chunk)
        return cls(path=path, size=size, sha256=digest.hexdigest(), head=head)

    @property
    def data_path(self) -> Path:
        """The file to read the records from (the file itself unless unpacked or re-encoded)."""
        return self.data or self.path

    def read_bytes(self) -> bytes:
        return self.data_path.read_bytes()

    def open(self) -> IO[bytes]:
        return self.data_path.open("rb")

    def head_text(self) -> str:
        """The first bytes decoded leniently, BOM removed: for sniffing only."""
        return self.head.decode("utf-8", errors="replace").lstrip("\ufeff")

    def first_line(self, limit: int) -> bytes:
        """The first line that is not blank (at most `limit` bytes): for sniffing a record that
        does not fit in `head`."""
        if b"\n" in self.head.lstrip() or len(self.head) < HEAD_BYTES:
            return self.head.lstrip().split(b"\n", 1)[0]
        with self.open() as fh:
            while fh.tell() < limit and (line := fh.readline(limit)):
                if line.strip():
                    return line.rstrip(b"\r\n")
        return b""

    def discard(self) -> None:
        """Delete the temporary data file, if any (the file as given is never touched)."""
        if self.data is not None:
            self.data.unlink(missing_ok=True)


@dataclass(frozen=True)
class ParseContext:
    """What a parser needs besides the file: the zone for naive times, the batch size."""

    tz: ZoneInfo
    batch_size: int = 100_000


class BatchBuilder:
    """Collects records of tree-shaped formats (XML, JSON) and turns them into typed frames.

    Parsing a tree is element by element; the rows leave here as columnar batches.
    """

    def __init__(self) -> None:
        self.articles: list[dict[str, Any]] = []
        self.passages: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.rejects: list[dict[str, Any]] = []

    def article(
        self,
        article_id: str,
        *,
        url: str | None = None,
        outlet: str | None = None,
        title: str | None = None,
        byline: str | None = None,
        published_at: datetime | None = None,
    ) -> None:
        self.articles.append(
            {
                "article_id": article_id,
                "url": url,
                "outlet": outlet,
                "title": title,
                "byline": byline,
                "published_at": published_at,
            }
        )

    def passage(
        self, article_id: str, passage_no: int, kind: str, text: str, heading: str | None = None
    ) -> None:
        if kind not in PASSAGE_KINDS:
            raise ValueError(f"unknown passage kind {kind!r}")
        self.passages.append(
            {
                "article_id": article_id,
                "passage_no": passage_no,
                "kind": kind,
                "heading": heading,
                "text": text,
            }
        )

    def comment(
        self,
        article_id: str,
        comment_id: str,
        *,
        text: str,
        location: str,
        parent_id: str | None = None,
        author: str | None = None,
        posted_at: datetime | None = None,
        status: str = "published",
    ) -> None:
        if status not in COMMENT_STATUSES:
            raise ValueError(f"unknown comment status {status!r}")
        self.comments.append(
            {
                "article_id": article_id,
                "comment_id": comment_id,
                "parent_id": parent_id,
                "author": author,
                "posted_at": posted_at,
                "text": text,
                "status": status,
                "location": location,
            }
        )

    def reject(self, location: str, reason: str, raw: str | None = None) -> None:
        self.rejects.append({"location": location, "reason": reason, "raw": raw})

    def __len__(self) -> int:
        return len(self.articles) + len(self.passages) + len(self.comments) + len(self.rejects)

    def build(self) -> Batch:
        """The collected rows as one batch; the builder starts empty again."""
        batch = Batch(
            articles=pl.DataFrame(self.articles, schema=ARTICLE_SCHEMA),
            passages=pl.DataFrame(self.passages, schema=PASSAGE_SCHEMA),
            comments=pl.DataFrame(self.comments, schema=COMMENT_SCHEMA),
            rejects=pl.DataFrame(self.rejects, schema=REJECT_SCHEMA),
        )
        self.articles, self.passages, self.comments, self.rejects = [], [], [], []
        return batch

    def batches(self, every: int) -> Iterator[Batch]:
        """Yield a batch when the builder holds `every` records or more (for streaming parsers)."""
        if len(self) >= every:
            yield self.build()
