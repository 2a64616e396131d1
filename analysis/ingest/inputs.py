"""Files as the parsers receive them: regular and not empty, unpacked, and in UTF-8.

`open_input` reads a file as given: only a regular file (a FIFO, a device such as /dev/zero, a
socket is refused at once, never opened for reading), not empty; it hashes the bytes (that hash
is how a re-import is recognised). `decode_input` then makes it readable for the parsers:

- gzip (recognised by its magic bytes, whatever the name) is unpacked as a stream into a
  temporary file, within two limits (`Limits`): the unpacked size, and the unpacked size over
  the packed size once past a floor (a "gzip bomb" stops there, memory stays one chunk);
- text in another encoding than UTF-8 is re-encoded into a temporary UTF-8 file: UTF-16 with a
  byte-order mark, UTF-16 without one when the zero bytes say so, and Windows-1252 when the file
  is not UTF-8 (a file that is UTF-8 apart from a few damaged bytes stays UTF-8: only the
  records holding those bytes are rejected); or the encoding the caller names.

XML that declares its encoding, Parquet and other binary data are left as they are.
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
import stat
import tempfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import UnreadableSource, UsageError
from .model import HEAD_BYTES, SourceFile

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1 << 20
UTF16_SAMPLE_BYTES = 4096
_XML_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=""")
# C0 control bytes other than tab, line feed, form feed, carriage return and escape: text has
# (almost) none, binary data about one byte in ten.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
BINARY_CONTROL_SHARE = 0.01
UTF8_DAMAGE = 10
CLEARLY_NOT_UTF8 = 1000  # invalid sequences


@dataclass(frozen=True)
class Limits:
    """How far a gzip file may unpack.

    The ratio is the unpacked size over the packed size; it is checked once more than
    `ratio_checked_above` bytes are unpacked, so a small file of repeated lines is fine.
    """

    max_unpacked_bytes: int = 4 << 30  # 4 GiB
    max_ratio: int = 100
    ratio_checked_above: int = 64 << 20  # 64 MiB


DEFAULT_LIMITS = Limits()


def open_input(path: Path) -> SourceFile:
    """The file hashed, or UnreadableSource if it is not a regular, non-empty, readable file."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then says what it is
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise UnreadableSource(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb", buffering=0) as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableSource(
                f"{path}: not a regular file ({_file_kind(mode)}); only regular files are read"
            )
        try:
            source = SourceFile.from_stream(path, fh)
        except OSError as exc:
            raise UnreadableSource(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    if source.size == 0:
        raise UnreadableSource(f"{path}: empty file")
    return source


def _file_kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a file")


def decode_input(
    source: SourceFile, encoding: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> SourceFile:
    """`source` unpacked and in UTF-8, reading a temporary file if either was needed.

    `encoding` names the text encoding instead of detecting it. The caller deletes the temporary
    file with `SourceFile.discard` once parsed.
    """
    unpacked = _gunzip(source, limits) if source.head.startswith(GZIP_MAGIC) else source
    try:
        return _reencode(unpacked, encoding)
    except BaseException:
        unpacked.discard()
        raise


def check_encoding(name: str) -> str:
    """The codec's canonical name, or UsageError for an unknown one."""
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise UsageError(f"unknown text encoding {name!r} (e.g. utf-8, utf-16, cp1252, latin-1)") from exc


# --- gzip -------------------------------------------------------------------------------------


def _size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{round(n / (1 << shift), 1):g} {unit}"
    return f"{n} bytes"


def _gunzip(source: SourceFile, limits: Limits) -> SourceFile:
    label = source.path
    out = _temporary(source.path.name.removesuffix(".gz").removesuffix(".GZ"))
    total = 0
    try:
        with out.open("wb") as sink, gzip.open(source.path, "rb") as stream:
            while True:
                try:
                    chunk = stream.read(CHUNK_BYTES)
                except (OSError, EOFError, zlib.error) as exc:
                    raise UnreadableSource(f"{label}: a broken gzip file ({exc or type(exc).__name__})") from exc
                if not chunk:
                    break
                total += len(chunk)
                if total > limits.max_unpacked_bytes:
                    raise UnreadableSource(
                        f"{label}: unpacks to more than {_size(limits.max_unpacked_bytes)}, "
                        "the limit for a gzip file; not read"
                    )
                if total > limits.ratio_checked_above and total > limits.max_ratio * source.size:
                    raise UnreadableSource(
                        f"{label}: unpacks to more than {limits.max_ratio} times its size "
                        f"({_size(source.size)} packed), the limit for a gzip file (a gzip bomb?); not read"
                    )
                _write(sink, chunk, label)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    if total == 0:
        out.unlink(missing_ok=True)
        raise UnreadableSource(f"{label}: empty file (once unpacked)")
    return replace(source, data=out, head=_head(out))


def _temporary(name: str) -> Path:
    suffix = "".join(Path(name).suffixes[-2:])
    fd, temp = tempfile.mkstemp(prefix="readerpulse-", suffix=suffix)
    os.close(fd)
    return Path(temp)


def _write(sink: IO[bytes], data: bytes, label: Path) -> None:
    try:
        sink.write(data)
    except OSError as exc:
        raise UnreadableSource(
            f"{label}: cannot write the unpacked or re-encoded copy to {tempfile.gettempdir()} "
            f"({exc.strerror or exc})"
        ) from exc


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


# --- encodings --------------------------------------------------------------------------------


def detect_encoding(source: SourceFile) -> str | None:
    """The text encoding of the data: a codec name, or None for binary data (or XML that names
    its own encoding), which is left as it is."""
    head = source.head
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(b"PAR1") or _XML_DECLARED_ENCODING.match(head):
        return None
    if b"\x00" in head:
        return _utf16_without_bom(head)
    if _reads_as_utf8(source.data_path):
        return "utf-8"
    if sum(head.count(byte) for byte in _CONTROL_BYTES) > BINARY_CONTROL_SHARE * len(head):
        return None
    return "cp1252"


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 when zero bytes fill one side of the byte pairs and not the other (ASCII-heavy
    text in UTF-16); None (binary) otherwise."""
    sample = head[: UTF16_SAMPLE_BYTES - UTF16_SAMPLE_BYTES % 2]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _reads_as_utf8(path: Path) -> bool:
    """Is the file UTF-8? Yes if every byte sequence is valid; also when it holds valid non-ASCII
    characters and at most UTF8_DAMAGE times as many invalid sequences (UTF-8 with damaged
    bytes: better a reject per damaged record than every character misread). Text in another
    encoding (Windows-1252) almost never forms a valid multi-byte sequence."""
    if _strictly_utf8(path):
        return True
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    valid = invalid = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            if chunk.isascii() and not decoder.getstate()[0]:
                continue
            text = decoder.decode(chunk)
            bad = text.count("\ufffd")
            invalid += bad
            valid += len(text) - len(text.encode("ascii", "ignore")) - bad
            if invalid >= CLEARLY_NOT_UTF8 and invalid > UTF8_DAMAGE * valid:
                return False  # plenty of evidence already: no need to read the rest
    invalid += decoder.decode(b"", final=True).count("\ufffd")
    return invalid == 0 or (valid > 0 and invalid <= UTF8_DAMAGE * valid)


def _strictly_utf8(path: Path) -> bool:
    """Is every byte sequence of the file valid UTF-8? The common case, checked by the codec's
    strict C path without counting anything."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                if not (chunk.isascii() and not decoder.getstate()[0]):
                    decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# Windows-1252 as browsers read it: the five bytes it leaves undefined map to the C1 controls.
_CP1252_TABLE = "".join(
    bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(256)
)


def _reencode(source: SourceFile, forced: str | None) -> SourceFile:
    codec = check_encoding(forced) if forced else detect_encoding(source)
    if codec is None or (codec == "utf-8" and not forced):
        return source
    out = _temporary(source.data_path.name)
    try:
        with source.open() as stream, out.open("wb") as sink:
            _transcode(stream, sink, codec, source.path)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    source.discard()  # the unpacked copy, if any, is replaced by the re-encoded one
    return replace(source, data=out, head=_head(out), encoding="utf-8")


def _transcode(stream: IO[bytes], sink: IO[bytes], codec: str, label: Path) -> None:
    if codec == "cp1252":
        while chunk := stream.read(CHUNK_BYTES):
            _write(sink, codecs.charmap_decode(chunk, "strict", _CP1252_TABLE)[0].encode("utf-8"), label)
        return
    decoder = codecs.getincrementaldecoder(codec)("strict")
    offset = start = 0  # bytes read; where the bytes the decoder is given start
    try:
        while chunk := stream.read(CHUNK_BYTES):
            start = offset - len(decoder.getstate()[0])
            text = decoder.decode(chunk)
            _write(sink, (text.removeprefix("\ufeff") if offset == 0 else text).encode("utf-8"), label)
            offset += len(chunk)
        start = offset - len(decoder.getstate()[0])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise UnreadableSource(
            f"{label}: not valid {codec} text ({exc.reason} at byte {start + exc.start + 1:,}); "
            "name the file's encoding with --encoding"
        ) from exc



# --- JSON nesting -----------------------------------------------------------------------------

# Levels of objects and arrays a JSON record may nest (the record itself is one). The JSON
# parsers stop near there anyway (polars at 1,024, Python's at about 1,000: RecursionError).
MAX_JSON_DEPTH = 1000
MAX_RECORD_BYTES = 256 << 20  # the longest first line read to recognise a JSON Lines file
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def too_deep(raw: bytes) -> bool:
    """Do objects and arrays nest deeper than MAX_JSON_DEPTH in this JSON text? (Brackets
    inside strings do not count; only a text with that many opening brackets is measured.)"""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return False
    codes = np.frombuffer(_JSON_STRING.sub(b"", raw), np.uint8)
    steps = ((codes == 0x5B) | (codes == 0x7B)).astype(np.int32) - ((codes == 0x5D) | (codes == 0x7D))
    return int(np.cumsum(steps).max(initial=0)) > MAX_JSON_DEPTH
