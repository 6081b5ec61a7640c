"""Reading a corpus as a stream of texts, for ``unspin learn``.

Files and folders are walked as the other commands walk them (ignore files,
``--include``/``--exclude``); plain text is read in bounded chunks, Markdown
and HTML give their prose only (read whole, within the bound ``fix`` and ``check``
read them with), JSON Lines give one field per record. A corpus is read twice by the learner (candidates, then scores), so
:class:`Corpus` is re-iterable; stdin and other streams are copied to a temporary file once.
"""
from __future__ import annotations

import io
import sys
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Callable, Iterator

from ..errors import InputError, UnspinError
from ..reading import is_stream, open_binary
from . import runner, textio
from .formats import html_segments, markdown_segments
from .records import get_field, parse_record
from .textio import SUFFIX_KINDS, SkipFile, read_chunks, sniff, unreadable
from .walk import FileSelector

#: Plain text is handed to the learner in pieces of at most this many characters.
CHUNK = 1 << 16


@dataclass
class Corpus:
    """The texts of some files, folders and/or stdin (``-``), readable more than once."""

    paths: tuple[str, ...]
    field_name: str | None = None
    encoding: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: Files not for unspin (binary), and JSON Lines records without the field: one note each.
    skipped: list[str] = dc_field(default_factory=list)
    #: Files and folders that could not be read, one message each (``learn`` exits 2, as ``check`` does).
    errors: list[str] = dc_field(default_factory=list)
    #: Temporary copies of the streams read (stdin, pipes, FIFOs), removed by :meth:`close`.
    _copies: list[Path] = dc_field(default_factory=list)
    _files: list[tuple[str, Path]] | None = None

    def files(self) -> list[tuple[str, Path]]:
        """(shown name, path) of every input file, stdin and other streams copied to temporary files.

        Selected once: ``learn`` reads the corpus twice (and sizes it, and checks its output is
        none of it), and both passes must read the same files, so the folders are walked once.
        """
        if self._files is None:
            self._files = self._select()
        return self._files

    def _select(self) -> list[tuple[str, Path]]:
        streams = [p for p in self.paths if p == "-" or is_stream(p)]
        out = [("<stdin>" if p == "-" else p, self._copy(p)) for p in streams]
        names = [p for p in self.paths if p not in streams]
        if names:
            selector = FileSelector(self.include, self.exclude)
            out.extend((str(t.rel), t.path) for t in selector.select(names))
            self.errors.extend(f"{shown}: {why}" for shown, why in selector.errors)
        return out

    def _copy(self, name: str) -> Path:
        """Stdin (``-``) or a pipe, FIFO or ``<(…)`` copied to a temporary file: a stream can be
        read once only, and the learner reads the corpus twice (a FIFO read once to check its
        encoding was then waited on for ever)."""
        tmp = tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False)
        self._copies.append(Path(tmp.name))  # first: close() removes it however the copy ends (a full disk)
        source = nullcontext(sys.stdin.buffer) if name == "-" else open_binary(name)  # stdin stays open
        with tmp, source as src:
            while block := src.read(1 << 20):
                tmp.write(block)
        return self._copies[-1]

    def size(self) -> int:
        """Total bytes of the inputs (for a progress bar)."""
        return sum(_size(p) for _, p in self.files())

    def texts(self, progress=None) -> Iterator[str]:
        """Every text of the corpus in order; ``progress(nbytes)`` is called after each file.

        A file that cannot be read is recorded in :attr:`errors` (a binary one in :attr:`skipped`)
        and the rest is read, as ``check`` and ``fix`` go on past one; each message is kept once
        over both passes.
        """
        for name, path in self.files():
            try:
                yield from read_texts(name, path, self.field_name, self.encoding, self._problem)
            except (SkipFile, UnspinError, OSError) as exc:
                message, error = unreadable(name, exc)  # as check and fix report it
                kept = self.errors if error else self.skipped
                if message not in kept:
                    kept.append(message)
            if progress is not None:
                progress(_size(path))

    def _problem(self, message: str, error: bool) -> None:
        """A record that could not be read (the rest of its file is), or records without the field:
        kept once over both passes."""
        kept = self.errors if error else self.skipped
        if message not in kept:
            kept.append(message)

    def close(self) -> None:
        """Remove the copies of the streams read."""
        while self._copies:
            self._copies.pop().unlink(missing_ok=True)
        self._files = None  # selected again if read again (a stream is gone with its temporary copy)


def _size(path: Path) -> int:
    """The size of ``path`` for the progress bar; 0 if it is gone (its read error is reported)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def kind_of(name: str, field_name: str | None) -> str:
    if field_name:
        return "jsonl"
    return SUFFIX_KINDS.get(Path(name).suffix.lower(), "text")


def markup_too_big(name: str, kind: str) -> InputError:
    """The error for a Markdown or HTML corpus file over :data:`runner.MARKUP_MAX_BYTES`.

    Its prose is cut out of the markup as one document (a code fence or an element may
    span any place a chunk could end), so it is read whole, and a file of gigabytes would
    take all memory: it is refused under the bound ``fix`` and ``check`` use, with the way
    to learn from it anyway (stdin is read as plain text, in chunks).
    """
    n = runner.MARKUP_MAX_BYTES
    bound = f"{n >> 20} MiB" if n >= 1 << 20 else f"{n} bytes"
    what = "Markdown" if kind == "markdown" else "HTML"
    return InputError(f"{name}: {what} file over {bound}, which is read whole; skipped "
                      "(`unspin learn - < FILE` reads it as plain text, markup included)")


#: Where :func:`read_texts` says what it met and went on past: (message, whether it is an error).
Problem = Callable[[str, bool], None]


def read_texts(name: str, path: Path, field_name: str | None, encoding: str | None,
               problem: Problem | None = None) -> Iterator[str]:
    """The texts of one file: chunks of plain text, prose of Markdown/HTML, a field per JSON Lines record.

    A record that is not JSON is given to ``problem`` and the next one is read, as ``check``
    and ``fix`` go on past it (one broken line must not hide the thousands after it); without
    ``problem`` it ends the file with its :class:`InputError`.
    """
    kind = kind_of(name, field_name)
    if kind in ("markdown", "html") and path.stat().st_size > runner.MARKUP_MAX_BYTES:
        raise markup_too_big(name, kind)  # before the sniff, which would read it all for nothing
    enc = sniff(path, encoding, name)
    with path.open("r", encoding=enc.reader, newline="") as fh:
        if kind == "jsonl":
            yield from _records(fh, name, field_name or "text", problem)
            return
        if kind == "text":
            yield from read_chunks(fh, paragraphs=True, limit=CHUNK)
            return
        text = fh.read(runner.MARKUP_MAX_BYTES + 1)  # characters: never fewer than the bytes' worth
        if len(text) > runner.MARKUP_MAX_BYTES:  # it grew since it was measured
            raise markup_too_big(name, kind)
    segments = markdown_segments(text) if kind == "markdown" else html_segments(text)
    for seg in segments:
        yield text[seg.start:seg.end]


def _records(fh: io.TextIOBase, name: str, key: str, problem: Problem | None) -> Iterator[str]:
    """The text at ``key`` of each JSON Lines record of ``fh`` (see :func:`read_texts`).

    Records are read as ``check`` reads them, and what it says of them is said: a record that is
    not JSON is an error for its line (the next is read), and a file where no record has the field
    is an error (a typo in ``--field`` learnt nothing, silently, with exit 0), some without it a note.
    """
    lineno = records = found = 0
    while line := fh.readline(textio.RECORD_MAX_CHARS + 1):  # bounded, as fix reads a record
        lineno += 1
        if len(line) > textio.RECORD_MAX_CHARS:
            raise textio.record_too_long(f"{name}:{lineno}")
        if not line.strip():
            continue
        records += 1
        body = line[:-1] if line.endswith("\n") else line  # as fix reads it: the same columns
        try:
            record = parse_record(body[:-1] if body.endswith("\r") else body, f"{name}:{lineno}")
        except InputError as exc:
            if problem is None:
                raise
            problem(str(exc), True)
            continue
        value = get_field(record, key)
        if isinstance(value, str):
            found += 1
            yield value
    if problem is not None and records and not found:
        problem(f"{name}: no record has a text field {key!r} ({records} records); check --field", True)
    elif problem is not None and found < records:
        problem(f"{name}: {records - found} of {records} records have no text field {key!r}", False)
