"""Reading files as text without losing anything: encoding, BOM, line endings, size.

Files are decoded exactly as stored (no newline translation, so CRLF stays
CRLF), the BOM is remembered and written back, and a file that is not valid
in the expected encoding is refused before any work is done rather than
"repaired" with replacement characters. Large files are read in chunks cut
at paragraph or line boundaries, so memory stays bounded whatever the size.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

from ..errors import InputError

BOM = codecs.BOM_UTF8
#: Largest chunk handed to the engine, in characters (≤ 1 MiB of UTF-8 for Chinese).
CHUNK_CHARS = 1 << 18
BINARY_PROBE = 8192


class SkipFile(Exception):
    """A file that is not for unspin (binary, or JSON Lines without ``--field``): noted, not an error."""


@dataclass(frozen=True)
class Encoding:
    """How a file is stored: its codec and whether it starts with a UTF-8 BOM."""

    name: str = "utf-8"
    bom: bool = False

    @property
    def reader(self) -> str:
        """The codec to read with (``utf-8-sig`` swallows the BOM)."""
        return "utf-8-sig" if self.bom else self.name

    def header(self) -> bytes:
        """Bytes to write before the text."""
        return BOM if self.bom else b""


def sniff(path: Path, encoding: str | None, name: str | None = None) -> Encoding:
    """Check ``path`` decodes in ``encoding`` (default UTF-8) from end to end.

    Raises :class:`SkipFile` for binary data and :class:`InputError`, with
    the byte offset and a hint, for anything that does not decode; both
    messages start with ``name`` (default: the path).
    """
    shown = name or str(path)
    codec = codecs.lookup(encoding or "utf-8").name
    with path.open("rb") as fh:
        head = fh.read(BINARY_PROBE)
        if b"\0" in head:
            raise SkipFile(f"{shown}: binary file (NUL bytes), skipped")
        bom = codec == "utf-8" and head.startswith(BOM)
        decoder = codecs.getincrementaldecoder(codec)()
        offset, block = 0, head
        try:
            while block:
                decoder.decode(block)
                offset += len(block)
                block = fh.read(1 << 20)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            at = offset + max(exc.start, 0)
            hint = "pass --encoding (e.g. gb18030 or big5) to read it" if encoding is None else "wrong --encoding?"
            raise InputError(f"{shown}: not valid {codec} at byte {at}; skipped ({hint})") from None
    return Encoding(codec, bom)


def _cut(buf: str, paragraphs: bool) -> int:
    """Where to end a full buffer: after its last blank line, else its last newline."""
    if paragraphs:
        para = max(buf.rfind("\n\n") + 2, buf.rfind("\n\r\n") + 3)
        if para > 3:
            return para
    line = buf.rfind("\n") + 1
    return line if line > 0 else len(buf)


def read_chunks(stream: IO[str], paragraphs: bool, limit: int | None = None) -> Iterator[str]:
    """The text of ``stream`` in pieces of at most ``limit`` characters, cut at boundaries."""
    limit = limit or CHUNK_CHARS
    buf = ""
    while True:
        data = stream.read(limit - len(buf))
        buf += data
        if not data or len(buf) >= limit:
            if not data:
                if buf:
                    yield buf
                return
            cut = _cut(buf, paragraphs)
            yield buf[:cut]
            buf = buf[cut:]
