"""Reading a data file the user named (a table, a dictionary, a config file) whole, within a bound.

Such a file is read into memory in one piece to be parsed. Named by mistake
it can be anything: ``/dev/zero`` or a pipe that never ends, or a corpus
given as ``--table``; read unbounded, it takes all memory before any
message is possible. Text to repair is never read this way: it is streamed
in chunks (``repair.files``).
"""
from __future__ import annotations

import errno
import os
import re
import select
import stat
from pathlib import Path
from typing import BinaryIO

#: Largest table, dictionary or synonym list read: real spinner tables are a few MB (a
#: 40,000-pair table is 0.6 MB), so this is a mistake, not a table, and the parsed entries
#: of anything larger would not fit a worker's memory either.
MAX_DATA_BYTES = 64 << 20
#: Largest configuration file (``.unspin.yaml``, ``pyproject.toml``) read.
MAX_CONFIG_BYTES = 8 << 20


#: How long a named FIFO may stay without a writer before it is given up on (seconds).
FIFO_WAIT = 5.0


class TooLarge(ValueError):
    """A file is larger than the bound it is read with (the message says which bound)."""


#: Piece read at a time from a pipe or device (whose size is not known beforehand).
_PIECE = 1 << 20


def is_stream(path: Path | str) -> bool:
    """Whether ``path`` names something other than a folder or a regular file: a pipe, a FIFO,
    a device, ``<(…)`` (``/dev/fd/N``), or an open descriptor by name (``/dev/stdin``, even
    when it is a file redirected with ``<``). Such an input can be read once only, as it comes."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)) or names_descriptor(path)


_DESCRIPTOR = re.compile(r"/(dev/fd|proc/(self|thread-self|[0-9]+)/fd)/[0-9]+")


def names_descriptor(path: Path | str) -> bool:
    """Whether ``path`` is, or links to, an open file descriptor's name (``/dev/stdin``,
    ``/dev/fd/0``, ``/proc/self/fd/3``). Resolved, such a name is the file behind the descriptor
    (``unspin fix -w /dev/stdin < f.txt`` wrote f.txt, and showed it as f.txt): it is read as a
    stream, under the name given, and never written back."""
    here = os.path.abspath(path)
    for _ in range(40):  # the kernel's own bound on a chain of links
        if _DESCRIPTOR.fullmatch(here):
            return True
        try:
            link = os.readlink(here)
        except OSError:
            return False
        here = os.path.normpath(os.path.join(os.path.dirname(here), link))
    return False


def open_binary(path: Path | str) -> BinaryIO:
    """``path`` open for reading, in binary; a FIFO once someone writes to it.

    Opening a FIFO waits for a writer, for ever if none comes (``cat`` waits so), and a FIFO
    named by mistake, as an input or a ``--table``, looked like a hang without a word. After
    :data:`FIFO_WAIT` seconds without one this raises ``TimeoutError`` (an ``OSError`` whose
    ``strerror`` says so), which callers report as they report any file that cannot be read.
    """
    if not stat.S_ISFIFO(os.stat(path).st_mode):
        return open(path, "rb")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    if not poll.poll(int(FIFO_WAIT * 1000)):
        os.close(fd)
        raise TimeoutError(errno.ETIMEDOUT, f"FIFO with no writer after {FIFO_WAIT:g} s", str(path))
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _too_large(limit: int) -> TooLarge:
    """What a file or stream over ``limit`` bytes is refused with."""
    return TooLarge(f"larger than {limit >> 20} MiB, so it is not read (is it the right file?)")


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, or :class:`TooLarge` once it is known to hold more than ``limit``.

    A regular file is measured first and read in one call (``read(limit)`` would
    allocate the whole bound up front, for every small table); a pipe or device
    is read a piece at a time and given up on past the bound. ``OSError`` is the
    caller's to report, as for ``Path.read_bytes``.
    """
    too_large = _too_large(limit)
    with open_binary(path) as fh:
        st = os.fstat(fh.fileno())
        if stat.S_ISREG(st.st_mode):
            if st.st_size > limit:
                raise too_large
            data = fh.read()  # a file that grew since fstat is caught below
            if len(data) > limit:
                raise too_large
            return data
        return read_stream_bounded(fh, limit)


def read_stream_bounded(fh: BinaryIO, limit: int) -> bytes:
    """The bytes of a stream (a pipe, a device, stdin) to its end, a piece at a time, or
    :class:`TooLarge` as soon as more than ``limit`` have come: its size is not known beforehand,
    and ``< /dev/zero`` must be refused, not take all memory."""
    pieces, size = [], 0
    while piece := fh.read(_PIECE):
        size += len(piece)
        if size > limit:
            raise _too_large(limit)
        pieces.append(piece)
    return b"".join(pieces)
