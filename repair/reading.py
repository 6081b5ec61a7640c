"""Reading a data file the user named (a table, a dictionary, a config file) whole, within a bound.

Such a file is read into memory in one piece to be parsed. Named by mistake
it can be anything: ``/dev/zero`` or a pipe that never ends, or a corpus
given as ``--table``; read unbounded, it takes all memory before any
message is possible. Text to repair is never read this way: it is streamed
in chunks (``repair.files``).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

#: Largest table, dictionary or synonym list read: real spinner tables are a few MB (a
#: 40,000-pair table is 0.6 MB), so this is a mistake, not a table, and the parsed entries
#: of anything larger would not fit a worker's memory either.
MAX_DATA_BYTES = 64 << 20
#: Largest configuration file (``.unspin.yaml``, ``pyproject.toml``) read.
MAX_CONFIG_BYTES = 8 << 20


class TooLarge(ValueError):
    """A file is larger than the bound it is read with (the message says which bound)."""


#: Piece read at a time from a pipe or device (whose size is not known beforehand).
_PIECE = 1 << 20


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, or :class:`TooLarge` once it is known to hold more than ``limit``.

    A regular file is measured first and read in one call (``read(limit)`` would
    allocate the whole bound up front, for every small table); a pipe or device
    is read a piece at a time and given up on past the bound. ``OSError`` is the
    caller's to report, as for ``Path.read_bytes``.
    """
    too_large = TooLarge(f"larger than {limit >> 20} MiB, so it is not read (is it the right file?)")
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if stat.S_ISREG(st.st_mode):
            if st.st_size > limit:
                raise too_large
            data = fh.read()  # a file that grew since fstat is caught below
            if len(data) > limit:
                raise too_large
            return data
        pieces, size = [], 0
        while piece := fh.read(_PIECE):
            size += len(piece)
            if size > limit:
                raise too_large
            pieces.append(piece)
    return b"".join(pieces)
