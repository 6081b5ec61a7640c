"""Reading files as text without losing anything: encoding, BOM, line endings, size.

Files are decoded exactly as stored (no newline translation, so CRLF stays
CRLF), the BOM is remembered and written back once, where it was, and a file
that is not valid in the expected encoding is refused before any work is
done rather than "repaired" with replacement characters. Every input (a
file, stdin, a pipe) is decoded in bounded pieces by :class:`TextReader`, so
``unspin < /dev/urandom`` is refused at its first bad byte and
``unspin < /dev/zero`` at its first NUL, in constant memory. Large inputs
are cut into chunks at paragraph, line or sentence boundaries (never inside
a run of Han characters when any other place exists), so a word is never
split between two chunks and memory stays bounded whatever the size.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Iterator, Protocol

from ..errors import InputError, UnspinError
from .atomic import reason
from .links import broken_link

BOM = codecs.BOM_UTF8
#: The kind a file's suffix names when no ``--kind`` is given (anything else is plain text): one
#: table for the commands that repair files and for ``learn``, which reads them as a corpus.
SUFFIX_KINDS = {".md": "markdown", ".markdown": "markdown", ".mdx": "markdown",
                ".html": "html", ".htm": "html", ".xhtml": "html",
                ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: Largest chunk of a file handed to the engine, in characters (≤ 1 MiB of UTF-8 for Chinese).
CHUNK_CHARS = 1 << 18
#: Largest chunk of stdin or a pipe (the filter and ``fix -``/``check -`` share it).
STREAM_CHUNK_CHARS = 1 << 16
#: Longest JSON Lines record (one line) read: a record is repaired whole, so a longer line, which is
#: rather a whole JSON document on one line (a minified array), is refused instead of taking all memory.
RECORD_MAX_CHARS = 32 << 20
BINARY_PROBE = 8192
#: Bytes read from a stream at a time.
READ_BYTES = 1 << 16

#: Byte-order marks, longest first (a UTF-32-LE BOM starts like a UTF-16-LE one).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (BOM, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_WIDE = ("utf-16", "utf-32")


class SkipFile(Exception):
    """A file that is not for unspin (binary, or JSON Lines without ``--field``): noted, not an error."""


def unreadable(name: str, exc: SkipFile | UnspinError | OSError) -> tuple[str, bool]:
    """How an input that could not be read as text is reported: the message, and whether it is
    an error (exit 2). One wording and one rule for every command that reads files (check, fix,
    score, explain, learn): a binary file is not for unspin (a note); bytes that do not decode,
    bad JSON or an OS error mean text meant to be read was not, which a script must see."""
    if isinstance(exc, SkipFile):
        return str(exc), False
    if isinstance(exc, OSError):
        link = broken_link(exc.filename) if exc.filename is not None else None
        return f"{name}: {link or f'cannot be read ({reason(exc)})'}; skipped", True
    return str(exc), True


@dataclass(frozen=True)
class Encoding:
    """How an input is stored: the codec of its body and the BOM before it (``b""`` for none).

    ``name`` is a BOM-less codec (``utf-8``, ``utf-16-le``, ``gb18030``…), so
    each chunk can be encoded on its own; :meth:`header` is written once, at
    the start, and only when the input had it.
    """

    name: str = "utf-8"
    bom: bytes = b""

    @property
    def reader(self) -> str:
        """A codec for ``open()`` that swallows this input's BOM."""
        if not self.bom:
            return self.name
        return "utf-8-sig" if self.name == "utf-8" else self.name.rsplit("-", 1)[0]  # utf-16-le -> utf-16

    def header(self) -> bytes:
        """Bytes to write before the text."""
        return self.bom

    @property
    def wide(self) -> bool:
        """UTF-16 or UTF-32: NUL bytes are normal there."""
        return self.name.startswith(_WIDE)


def detect(head: bytes, encoding: str | None, shown: str) -> Encoding:
    """The encoding of an input starting with ``head``, given ``--encoding`` (None: UTF-8 or a BOM's).

    Raises :class:`InputError` for UTF-16/32 without a byte-order mark.
    """
    codec = codecs.lookup(encoding).name if encoding else None
    found = next(((bom, name) for bom, name in _BOMS if head.startswith(bom)), None)
    if codec is None:
        return Encoding(found[1], found[0]) if found else Encoding()
    if codec in ("utf-8", "utf-8-sig"):
        return Encoding("utf-8", BOM if head.startswith(BOM) else b"")
    if codec in ("utf-16", "utf-32"):
        if found is None or not found[1].startswith(codec):
            raise InputError(f"{shown}: {codec} without a byte-order mark; "
                             f"pass --encoding {codec}-le or {codec}-be")
        return Encoding(found[1], found[0])
    return Encoding(codec)


def _bad_bytes(shown: str, encoding: Encoding, at: int, given: bool) -> InputError:
    if encoding.bom:  # another --encoding would not help: the text is not what its own mark says
        hint = f"its byte-order mark says {encoding.name}: a damaged or truncated file?"
    else:
        hint = "wrong --encoding?" if given else "pass --encoding (e.g. gb18030 or big5) to read it"
    return InputError(f"{shown}: not valid {encoding.name} at byte {at}; skipped ({hint})")


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` or ``-be`` when ``head`` (which holds NUL bytes) reads as lines of text in it:
    every NUL is the high byte of a character, a line break is among them and every character
    is printable; else None (binary data, or a stray NUL in UTF-8 text)."""
    even = head[:len(head) - len(head) % 2]
    for name, low in (("utf-16-le", even[0::2]), ("utf-16-be", even[1::2])):
        if b"\0" in low:
            continue
        try:
            text = even.decode(name)
        except UnicodeDecodeError:  # binary, or a surrogate pair cut at the end of the head
            continue
        if "\n" in text and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
            return name
    return None


def detect_head(head: bytes, encoding: str | None, shown: str) -> Encoding:
    """:func:`detect`, and an :class:`InputError` with the ``--encoding`` to pass when ``head`` (the
    first :data:`BINARY_PROBE` bytes) reads as UTF-16 without a byte-order mark: for a file and for
    stdin or a pipe alike, where it would otherwise be called binary or not UTF-8."""
    enc = detect(head, encoding, shown)
    if encoding is None and not enc.wide and b"\0" in head:
        wide = _utf16_without_bom(head)
        if wide:
            raise InputError(f"{shown}: looks like {wide.upper()} without a byte-order mark; "
                             f"skipped (pass --encoding {wide} to read it)")
    return enc


def sniff(path: Path, encoding: str | None, name: str | None = None) -> Encoding:
    """Check ``path`` decodes in ``encoding`` (default UTF-8, or what its BOM says) from end to end.

    Raises :class:`SkipFile` for binary data and :class:`InputError`, with
    the byte offset and a hint, for anything that does not decode; both
    messages start with ``name`` (default: the path).
    """
    shown = name or str(path)
    with path.open("rb") as fh:
        head = fh.read(BINARY_PROBE)
        enc = detect_head(head, encoding, shown)
        if not enc.wide and b"\0" in head:
            raise SkipFile(f"{shown}: binary file (NUL bytes), skipped")
        decoder = codecs.getincrementaldecoder(enc.name)()
        offset, block = len(enc.bom), head[len(enc.bom):]
        try:
            while True:
                buffered = len(decoder.getstate()[0])  # bytes of a sequence the last block cut short
                decoder.decode(block, final=not block)
                if not block:
                    break
                offset += len(block)
                block = fh.read(1 << 20)
        except UnicodeDecodeError as exc:
            raise _bad_bytes(shown, enc, offset - buffered + max(exc.start, 0), encoding is not None) from None
    return enc


class TextReader:
    """A text stream over a binary one, decoded in bounded pieces, newlines untouched.

    It skips the BOM of ``encoding`` (the writer puts it back once), raises
    :class:`InputError` with the byte offset at the first byte that does not
    decode, and, when ``binary_is_error`` (stdin, pipes: nothing was sniffed),
    at the first NUL byte. ``digest`` is the SHA-256 of every byte read, so a
    writer can tell whether the file still holds exactly what was repaired;
    with ``hashed=False`` (a stream, which is never written back) it is None,
    and ``hashlib`` is not imported: its OpenSSL binding costs the one-line
    filter a few milliseconds of start-up, for a digest no-one reads.
    """

    def __init__(self, raw: BinaryIO, encoding: Encoding, shown: str, given: bool = True,
                 binary_is_error: bool = False, hashed: bool = True) -> None:
        self.raw, self.encoding, self.shown, self.given = raw, encoding, shown, given
        self.binary_is_error = binary_is_error and not encoding.wide
        self.decoder = codecs.getincrementaldecoder(encoding.name)()
        self.hash = None
        if hashed:
            import hashlib  # noqa: PLC0415 - see the docstring

            self.hash = hashlib.sha256()
        self.offset = 0
        self.pending = ""
        self.eof = False
        self._skip = len(encoding.bom)

    def _fill(self) -> None:
        block = self.raw.read(READ_BYTES)
        if self.hash is not None:
            self.hash.update(block)
        if self._skip and block:
            drop = min(self._skip, len(block))
            block, self._skip, self.offset = block[drop:], self._skip - drop, self.offset + drop
            if not block:  # the block was all BOM: not the end of the input
                return
        nul = block.find(b"\0") if self.binary_is_error else -1
        buffered = len(self.decoder.getstate()[0])
        try:
            # the bytes before a NUL are decoded first: the message names the first problem, and a
            # byte that is not UTF-8 before the NUL is that, not "binary data"
            self.pending += self.decoder.decode(block[:nul] if nul >= 0 else block, final=not block)
            if nul >= 0:
                raise InputError(f"{self.shown}: binary data (NUL byte at byte {self.offset + nul}); "
                                 "unspin reads text")
        except UnicodeDecodeError as exc:
            at = self.offset - buffered + max(exc.start, 0)
            if self.binary_is_error:  # a stream: cannot be retried with another --encoding by unspin itself
                raise InputError(f"{self.shown}: not valid {self.encoding.name.upper()} at byte {at}; "
                                 "convert it first, e.g. `iconv -f GB18030 -t UTF-8`") from None
            raise _bad_bytes(self.shown, self.encoding, at, self.given) from None
        self.offset += len(block)
        self.eof = not block

    def read(self, n: int = -1) -> str:
        """Up to ``n`` characters (all the rest when ``n`` < 0); ``""`` at the end."""
        while not self.eof and (n < 0 or len(self.pending) < n):
            self._fill()
        if n < 0 or n >= len(self.pending):
            text, self.pending = self.pending, ""
        else:
            text, self.pending = self.pending[:n], self.pending[n:]
        return text

    @property
    def digest(self) -> str | None:
        return self.hash.hexdigest() if self.hash is not None else None

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> "TextReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Readable(Protocol):
    def read(self, n: int = -1) -> str: ...


#: Places to cut a run of text, best first: after a blank line, a line, sentence
#: punctuation, any other punctuation or space, and finally anything but a Han character.
_SENTENCE = re.compile(r"[。！？；!?;…]")
_PUNCT = re.compile(r"[，、：,:（）()《》「」『』“”\"'\s]")


@lru_cache(maxsize=1)
def _not_han() -> re.Pattern:
    """Anything but a Han character, compiled on first need: only a chunk with no line end and no
    punctuation to cut at needs it, and ``re`` compiles its ranges a character at a time, a few
    milliseconds at every start of the filter."""
    return re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def _last_match(pattern: re.Pattern, buf: str, window: int) -> int:
    """Offset just after the last match of ``pattern`` within the last ``window`` characters, else 0."""
    start = max(0, len(buf) - window)
    last = 0
    for m in pattern.finditer(buf, start):
        last = m.end()
    return last


def _cut(buf: str, paragraphs: bool) -> int:
    """Where to end a full buffer so that no word is split: see :data:`_SENTENCE`."""
    if paragraphs:
        para = max(buf.rfind("\n\n") + 2, buf.rfind("\n\r\n") + 3)
        if para > 3:
            return para
    line = buf.rfind("\n") + 1
    if line > 0:
        return line
    window = max(1, len(buf) // 2)  # look in the second half only: a chunk stays at least half full
    for pattern in (_SENTENCE, _PUNCT, _not_han()):
        cut = _last_match(pattern, buf, window)
        if cut > 0:
            return cut
    return len(buf)  # a run of Han characters longer than half a chunk: nothing better exists


def record_too_long(where: str) -> InputError:
    """The error for a JSON Lines line longer than :data:`RECORD_MAX_CHARS` (``where``: the file)."""
    n = RECORD_MAX_CHARS
    bound = f"{n >> 20} Mi characters" if n >= 1 << 20 else f"{n} characters"
    return InputError(f"{where}: a JSON Lines record (one line) longer than {bound}; skipped (JSON Lines has "
                      "one record a line: a JSON array or object on one line is not that)")


def read_chunks(stream: _Readable, paragraphs: bool, limit: int | None = None,
                records: bool = False) -> Iterator[str]:
    """The text of ``stream`` in pieces of at most ``limit`` characters, cut at boundaries.

    With ``records`` (JSON Lines) a piece ends only at a newline, however
    long one line is, so a record is never cut in two.
    """
    limit = limit or CHUNK_CHARS
    buf = ""
    while True:
        data = stream.read(max(1, limit - len(buf)))
        if not data:
            if buf:
                yield buf
            return
        buf += data
        if len(buf) < limit:
            continue
        if not records:
            cut = _cut(buf, paragraphs)
        elif (cut := buf.rfind("\n") + 1) == 0:
            # one record longer than a chunk: read on to its end, scanning only new text
            parts, size = [buf], len(buf)
            while True:
                more = stream.read(limit)
                if not more:
                    yield "".join(parts)
                    return
                nl = more.find("\n")
                if nl >= 0:
                    parts.append(more[:nl + 1])
                    buf = more[nl + 1:]
                    break
                parts.append(more)
                size += len(more)
                if size > RECORD_MAX_CHARS:  # a record is read whole: a line with no end is not one
                    raise record_too_long(getattr(stream, "shown", "input"))
            yield "".join(parts)
            continue
        yield buf[:cut]
        buf = buf[cut:]
