"""Safe in-place writes: a file is always either its old or its new self.

Output goes to a temporary file in the target's own directory (so the final
``os.replace`` is a same-filesystem rename, which POSIX makes atomic), with the
target's permission bits copied over. Before the rename the target's
``mtime_ns`` and size are compared with what they were when we read it, so an
edit made by someone else during a long run is never overwritten. Every open
temporary file is registered, so a Ctrl-C anywhere can remove them all.
"""
from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import InputError

#: Temporary files not yet renamed or removed; cleaned on interrupt.
_PENDING: set[Path] = set()


@dataclass(frozen=True)
class Snapshot:
    """What a file looked like when we read it (enough to notice a change)."""

    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> "Snapshot":
        """The current snapshot of ``path``."""
        st = path.stat()
        return cls(st.st_mtime_ns, st.st_size)


class AtomicWriter:
    """A binary temp file beside ``target`` that replaces it on :meth:`commit`.

    ``expect`` is the snapshot of ``target`` taken before reading it; if the
    file differs at commit time an :class:`InputError` is raised and the
    target is left alone. :meth:`abort` (or a failed commit) removes the temp file.
    """

    def __init__(self, target: Path, expect: Snapshot | None = None) -> None:
        self.target = target
        self.expect = expect
        self.target.parent.mkdir(parents=True, exist_ok=True)
        # Register the name *before* the file exists: a Ctrl-C between creating
        # the file and registering it would otherwise leave it behind.
        while True:
            self.tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.unspin-tmp"
            _PENDING.add(self.tmp)
            try:
                fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                break
            except FileExistsError:
                _PENDING.discard(self.tmp)
        self.file: IO[bytes] = os.fdopen(fd, "wb")

    def commit(self) -> None:
        """Rename the temp file over the target, unless the target changed meanwhile."""
        self.file.close()
        try:
            if self.target.exists():
                if self.expect is not None and Snapshot.of(self.target) != self.expect:
                    raise InputError(f"{self.target}: changed on disk during the run; not overwritten")
                os.chmod(self.tmp, stat.S_IMODE(self.target.stat().st_mode))
            else:
                os.chmod(self.tmp, 0o666 & ~_umask())
            os.replace(self.tmp, self.target)
        finally:
            discard(self.tmp)

    def abort(self) -> None:
        """Drop the temp file; the target is untouched."""
        self.file.close()
        discard(self.tmp)


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def discard(path: Path) -> None:
    """Remove a temp file if it still exists and forget it."""
    _PENDING.discard(path)
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def discard_all() -> None:
    """Remove every pending temp file (called when the run is interrupted)."""
    for path in list(_PENDING):
        discard(path)
