"""Safe in-place writes: a file is always either its old or its new self.

Output goes to a temporary file beside the real file (a symlink is written
through, as codespell and ruff do; the rename is then same-filesystem, which
POSIX makes atomic). Every byte goes out through ``os.write`` and is counted;
before anything is replaced the temp file is flushed to disk (``fsync``) and
its size checked against that count, so a full disk, a quota or an I/O error
leaves the original as it was and no temp file behind. The temp file takes
the original's owner and group, mode and extended attributes; where one of
them cannot be set (a user writing someone else's file), the original's inode
is rewritten instead, as for hard links below.

Before the rename the target is compared with what was read: it must still
exist (a file deleted during the run is not re-created) and hold exactly the
bytes that were repaired (SHA-256 over the content, not only mtime and
size), so an edit made by someone else during a long run is never
overwritten. A file with several hard links is rewritten through its inode
(after the temp file is complete, with the space reserved first) so every
link sees the new text; such a rewrite is not atomic, so a commit holds Ctrl-C
and SIGTERM until it is done. Every temporary file is registered, so Ctrl-C or
SIGTERM anywhere can remove them all.
"""
from __future__ import annotations

import errno
import io
import os
import stat
import struct
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .links import broken_link
from .signals import deferred

#: Seconds a commit waits for another process's advisory lock (``flock``) on the file it replaces.
LOCK_WAIT = 2.0
#: Suffix of temporary files; files with it are never inputs.
TMP_SUFFIX = ".unspin-tmp"
#: Temporary files not yet renamed or removed; cleaned on interrupt.
_PENDING: set[Path] = set()
#: Folders a writer made for a new file not yet written (deepest last); removed, if still empty,
#: with the temporary files: a run that writes nothing leaves no empty folder of its own behind.
_MADE: list[Path] = []


#: Longest file name where the file system does not say (``NAME_MAX`` of Linux and macOS), in bytes.
NAME_MAX = 255


def temp_name(name: str, folder: Path) -> str:
    """A fresh temporary file name for ``name`` in ``folder``: ``.NAME.XXXXXXXX.unspin-tmp``.

    It is 21 bytes longer than ``name``, so for a name of 235 bytes or more it was past the file
    system's limit and the file could not be written at all (ENAMETOOLONG, blamed on the folder).
    ``NAME`` is then cut, in bytes, to fit: the dot before it and the suffix after it, which keep it
    out of every walk and mark it as unspin's, stay; a last character that may be cut in two is dropped.
    """
    # os.urandom, as secrets.token_hex does: importing secrets pulls in hashlib (see file_digest)
    tail = f".{os.urandom(4).hex()}{TMP_SUFFIX}"
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):  # no such limit to ask for, or no folder yet: the common one
        limit = NAME_MAX
    raw, room = os.fsencode(name), max(1, limit - 1 - len(tail))
    if len(raw) > room:
        raw = raw[:room]
        while raw and 0x80 <= raw[-1] < 0xC0:  # continuation bytes of a character cut short
            raw = raw[:-1]
        if raw and raw[-1] >= 0xC0:  # and its lead byte
            raw = raw[:-1]
    return f".{os.fsdecode(raw)}{tail}"


class WrittenWithWarning(InputError):
    """The file was written, and something about it still needs the user (an error, exit 2)."""


@dataclass(frozen=True)
class Snapshot:
    """What a file looked like when we read it (enough to notice a change)."""

    mtime_ns: int
    size: int
    ino: int = 0
    dev: int = 0

    @classmethod
    def of(cls, path: Path) -> "Snapshot":
        """The current snapshot of ``path``."""
        st = path.stat()
        return cls(st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes.

    ``hashlib`` is imported here, not with the module: the filter imports this module for its
    error reasons and never writes a file back, and the OpenSSL binding costs every start a few
    milliseconds.
    """
    import hashlib  # noqa: PLC0415

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def reason(exc: OSError) -> str:
    """A short human reason for an OS error (``Permission denied``, ``No space left on device``)."""
    return exc.strerror or str(exc)


def read_only(path: Path) -> bool:
    """Whether ``path`` is read-only for writers: no write bit at all (root too, as codespell checks)."""
    st = os.stat(path)
    return not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


#: Linux inode flags (``chattr``): FS_IOC_GETFLAGS reads them, an int whatever the ioctl's name says.
_FS_IOC_GETFLAGS = 0x80086601 if struct.calcsize("P") == 8 else 0x80046601
_FS_IMMUTABLE_FL, _FS_APPEND_FL = 0x10, 0x20


def locked(path: Path) -> str | None:
    """Why no one may replace or rewrite ``path``, whatever its mode, root and ``--force``
    included: an immutable or append-only file (``chattr +i``/``+a`` on Linux, ``chflags
    uchg``/``uappnd`` on BSD and macOS), described with how to see and clear it; else None.

    ``os.access`` reports such a file as not writable, like one without a write bit, but
    only its owner's tool (root's ``chattr``) can change that, so it needs a message of its own.
    """
    flags = getattr(os.stat(path), "st_flags", None)  # BSD, macOS
    if flags is not None:
        if flags & (stat.UF_IMMUTABLE | stat.SF_IMMUTABLE):
            return "immutable file (ls -lO shows its uchg or schg flag; chflags nouchg or noschg clears it)"
        if flags & (stat.UF_APPEND | stat.SF_APPEND):
            return "append-only file (ls -lO shows its uappnd or sappnd flag; chflags nouappnd or nosappnd clears it)"
        return None
    flags = _inode_flags(path)
    if flags & _FS_IMMUTABLE_FL:
        return "immutable file (lsattr shows its i attribute; chattr -i, as root, clears it)"
    if flags & _FS_APPEND_FL:
        return "append-only file (lsattr shows its a attribute; chattr -a, as root, clears it)"
    return None


def _inode_flags(path: Path) -> int:
    """The Linux inode flags of ``path`` (0 where there are none: another system, a filesystem without them)."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows
        return 0
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return 0
    try:
        buf = bytearray(8)
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, buf)
        return int.from_bytes(buf[:4], sys.byteorder)
    except OSError:
        return 0
    finally:
        os.close(fd)


class AtomicWriter:
    """A binary temp file beside ``target`` that replaces it on :meth:`commit`.

    ``expect`` is the snapshot of ``target`` taken before reading it (None:
    a new file, as under ``-o``); ``shown`` names it in messages. Any failure
    raises :class:`InputError` (``shown: reason``) after removing the temp
    file, and leaves the target alone.

    A symlink is written through and a file with several hard links is
    rewritten in its inode, unless ``replace_links`` (a mirror's copy, ``fix
    -o``): then the name itself is replaced by the new file, so a link left in
    the output folder never carries the write to the file it points at (an
    input, or anything else on the machine). A target that is not a regular
    file (a device such as ``/dev/null``, a FIFO, a folder) is never replaced.
    """

    def __init__(self, target: Path, expect: Snapshot | None = None, shown: str | None = None,
                 replace_links: bool = False) -> None:
        self.shown = shown or str(target)
        self.expect = expect
        self.replace_links = replace_links
        # write through a symlink to the file it names (the link itself stays)
        follow = os.path.islink(target) and not replace_links
        self.target = Path(os.path.realpath(target)) if follow else target
        self.followed = follow
        self.written = 0
        self.fd = -1
        self.tmp: Path | None = None
        try:
            st = os.lstat(self.target)
        except OSError:
            st = None
        if st is not None and not (stat.S_ISREG(st.st_mode) or (replace_links and stat.S_ISLNK(st.st_mode))):
            # say what it is when that is what the user will look for: a folder, a link loop
            what = ("a folder, not a file" if stat.S_ISDIR(st.st_mode) else broken_link(target)
                    or "not a regular file")
            raise InputError(f"{self.shown}: {what}; not replaced")
        #: the folders this writer made for the new file, outermost first (removed again by abort)
        self.made: list[Path] = []
        if expect is None:
            try:
                self.made = _make_folders(self.target.parent)
            except OSError as exc:
                raise InputError(f"{self.shown}: cannot write (cannot create its folder: {reason(exc)}); "
                                 "not written") from None
        try:
            # Register the name *before* the file exists: a Ctrl-C between creating
            # the file and registering it would otherwise leave it behind.
            while True:
                self.tmp = self.target.parent / temp_name(self.target.name, self.target.parent)
                _PENDING.add(self.tmp)
                try:
                    self.fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    break
                except FileExistsError:
                    _PENDING.discard(self.tmp)
        except OSError as exc:
            # the file itself may well be writable: say that its folder is what refuses (a read-only
            # folder, an immutable one), since a temporary file beside it is how it is written safely
            discard(getattr(self, "tmp", None))
            state = "not written" if expect is None else "left unchanged"
            raise InputError(f"{self.shown}: cannot write (no temporary file can be created in its folder: "
                             f"{reason(exc)}); {state}") from None
        #: a binary file object over :meth:`write` (for code that wants one, e.g. pyarrow)
        self.file = _Sink(self)

    def write(self, data: bytes) -> None:
        """Append ``data`` to the temp file (all of it, or an error)."""
        view = memoryview(data)
        try:
            while view:
                n = os.write(self.fd, view)
                if n <= 0:
                    raise OSError(errno.EIO, "short write")
                self.written += n
                view = view[n:]
        except OSError as exc:
            self.abort()
            raise InputError(f"{self.shown}: cannot write ({reason(exc)}); left unchanged") from None

    def _check_target(self, digest: str | None) -> os.stat_result | None:
        """The target's status, after checking it is still what was read (None: a new file)."""
        if self.expect is None:
            if self.replace_links:  # the new file takes the name; a link there is not followed
                try:
                    st = os.lstat(self.target)
                except FileNotFoundError:
                    return None
                return st if stat.S_ISREG(st.st_mode) and st.st_nlink == 1 else None
            return os.stat(self.target) if self.target.exists() else None
        try:
            st = os.stat(self.target)
        except FileNotFoundError:
            raise InputError(f"{self.shown}: deleted during the run; not re-created") from None
        now = Snapshot(st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)
        if now != self.expect or (digest is not None and file_digest(self.target) != digest):
            raise InputError(f"{self.shown}: changed on disk during the run; not overwritten")
        return st

    def commit(self, digest: str | None = None) -> None:
        """Replace the target, unless it changed since it was read (``digest``: SHA-256 of what was read).

        A Ctrl-C or SIGTERM waits for the end (see :func:`deferred`): the rewrite of a hard-linked
        file's inode is not atomic, and cut short it left the new text followed by the old one's tail.
        """
        with deferred():
            self._commit(digest)

    def _commit(self, digest: str | None) -> None:
        guard = -1
        try:
            try:
                os.fsync(self.fd)
                if os.fstat(self.fd).st_size != self.written:
                    raise OSError(errno.EIO, "incomplete temporary file")
                if self.expect is not None:
                    guard = self._lock_target()
                st = self._check_target(digest)
                if st is not None and (st.st_nlink > 1 or not self._take_identity(st)):
                    self._unchanged_since(st)
                    self._rewrite_inode()
                    self._keep_folders()
                    return
                if st is None:
                    os.fchmod(self.fd, 0o666 & ~_umask())
                os.close(self.fd)
                self.fd = -1
                if self.expect is not None and st is not None:
                    self._unchanged_since(st)  # the last look, right before the rename
                os.replace(self.tmp, self.target)
                _PENDING.discard(self.tmp)
                self._keep_folders()
                _fsync_dir(self.target.parent)
                if guard >= 0 and st is not None:
                    self._lost_in_replace(guard, st)
            except OSError as exc:
                raise InputError(f"{self.shown}: cannot write ({reason(exc)}); left unchanged") from None
        finally:
            if guard >= 0:
                os.close(guard)  # releases the lock
            self.abort()

    def _lock_target(self) -> int:
        """The target open for reading, held until the commit ends, with an advisory lock
        (``flock``) where there is one: a writer that locks the file too (another unspin, a tool
        run under ``flock(1)``) is waited for, up to :data:`LOCK_WAIT` seconds, then the file is
        left unchanged. A writer that takes no lock (``>>``, an editor) is not stopped by it: for
        those, :meth:`_unchanged_since` looks again right before the rename and
        :meth:`_lost_in_replace` right after it. The descriptor is also how the old file is still
        reachable after the rename."""
        try:
            fd = os.open(self.target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        except FileNotFoundError:
            raise InputError(f"{self.shown}: deleted during the run; not re-created") from None
        except OSError:
            return -1  # cannot be opened now (its mode changed): the checks below still run
        try:
            import fcntl  # noqa: PLC0415 - POSIX only
        except ImportError:  # pragma: no cover - Windows
            return fd
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    return fd  # a filesystem without flock (some network ones): the checks below remain
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise InputError(f"{self.shown}: locked by another process (flock) for "
                                     f"{LOCK_WAIT:g} s; left unchanged") from None
                time.sleep(0.05)

    def _unchanged_since(self, st: os.stat_result) -> None:
        """The target still has the inode, size and modification time it had when its content
        was compared (a write since then, an append above all, changes one of them)."""
        try:
            now = os.stat(self.target)
        except FileNotFoundError:
            raise InputError(f"{self.shown}: deleted during the run; not re-created") from None
        if (now.st_ino, now.st_dev, now.st_size, now.st_mtime_ns) != (st.st_ino, st.st_dev, st.st_size,
                                                                      st.st_mtime_ns):
            raise InputError(f"{self.shown}: changed on disk during the run; not overwritten")

    def _lost_in_replace(self, guard: int, st: os.stat_result) -> None:
        """After the rename: if the old file (still open as ``guard``) was written to between the
        last look and the rename, that write is no longer under the file's name. Nothing can take
        the rename back atomically, so the old file, with that write, is saved beside the new one
        and the error names it; nothing is lost, and the user merges."""
        after = os.fstat(guard)
        if (after.st_size, after.st_mtime_ns) == (st.st_size, st.st_mtime_ns):
            return
        saved = _free_name(self.target.parent / f"{self.target.name}.unspin-saved")
        with os.fdopen(os.dup(guard), "rb") as old, open(saved, "xb") as out:
            old.seek(0)
            while block := old.read(1 << 20):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        # beside the name shown, unless a symlink was written through: then beside the file it leads to
        shown_saved = str(saved) if self.followed else str(Path(self.shown).with_name(saved.name))
        raise WrittenWithWarning(f"{self.shown}: written, but another process wrote to it while it was being replaced "
                         f"({after.st_size - st.st_size:+d} bytes); the file as it was then, with that write, "
                         f"is saved as {shown_saved}: compare and merge it by hand")

    def _take_identity(self, st: os.stat_result) -> bool:
        """Give the temp file the original's owner and group, mode and extended attributes (ACLs and
        SELinux labels are some); False if one of them cannot be set.

        Only root may give a file away: a user who may write someone else's file would, by the
        rename, make it theirs (and drop what could not be copied). Then the caller rewrites the
        original's inode instead, which keeps all of it, as vim does in that case
        (``backupcopy=auto``); codespell, black and ruff always write in place.
        """
        try:
            os.fchown(self.fd, st.st_uid, st.st_gid)  # before the mode: a chown clears set-user-ID
        except OSError:
            return False
        os.fchmod(self.fd, stat.S_IMODE(st.st_mode))
        return _copy_xattrs(self.target, self.fd)

    def _rewrite_inode(self) -> None:
        """Copy the complete temp file into the target's own inode (hard links stay linked)."""
        with open(self.tmp, "rb") as src, open(self.target, "r+b") as dst:
            if self.written > 0 and hasattr(os, "posix_fallocate"):
                try:
                    os.posix_fallocate(dst.fileno(), 0, self.written)  # a full disk fails here, before any byte
                except OSError as exc:
                    if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                        raise
            while block := src.read(1 << 20):
                dst.write(block)
            dst.truncate()
            dst.flush()
            os.fsync(dst.fileno())

    def _keep_folders(self) -> None:
        """The file is written: the folders made for it are the user's now."""
        for folder in self.made:
            if folder in _MADE:
                _MADE.remove(folder)
        self.made = []

    def abort(self) -> None:
        """Drop the temp file, and the folders made for it if nothing else went in them; the target
        is untouched."""
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1
        discard(self.tmp)
        made, self.made = self.made, []
        _remove_folders(made)


def _free_name(path: Path) -> Path:
    """``path``, or ``path.1``, ``path.2``… the first that does not exist."""
    candidate, n = path, 0
    while os.path.lexists(candidate):
        n += 1
        candidate = path.with_name(f"{path.name}.{n}")
    return candidate


def _make_folders(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; the ones made, outermost first (registered in
    :data:`_MADE`, never one that was there before)."""
    missing = []
    here = folder
    while not os.path.lexists(here) and here != here.parent:
        missing.append(here)
        here = here.parent
    made: list[Path] = []
    try:
        for path in reversed(missing):
            try:
                os.mkdir(path)
            except FileExistsError:
                if not path.is_dir():
                    raise
                continue  # made by someone else meanwhile: theirs
            made.append(path)
            _MADE.append(path)
    except OSError:
        _remove_folders(made)  # a/ made, a/b refused: a/ goes too
        raise
    return made


def _remove_folders(made: list[Path]) -> None:
    """Remove the folders of ``made`` (outermost first) that are still empty, deepest first."""
    for folder in reversed(made):
        if folder in _MADE:
            _MADE.remove(folder)
        try:
            os.rmdir(folder)
        except OSError:  # something was put in it (or it is gone): not ours to remove
            pass


class _Sink(io.RawIOBase):
    """The temp file as a writable binary file object; every byte goes through :meth:`AtomicWriter.write`."""

    def __init__(self, writer: AtomicWriter) -> None:
        super().__init__()
        self.writer = writer

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        data = bytes(data)
        self.writer.write(data)
        return len(data)

    def tell(self) -> int:
        return self.writer.written

    def close(self) -> None:  # the writer owns the descriptor: commit or abort closes it
        super().close()


def _copy_xattrs(source: Path, fd: int) -> bool:
    """Copy every extended attribute of ``source`` onto the file open as ``fd``; False if one cannot be."""
    if not hasattr(os, "listxattr"):  # not Linux
        return True
    try:
        names = os.listxattr(source)
    except OSError as exc:
        return exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP)  # a filesystem without them: none to keep
    try:
        for name in names:
            os.setxattr(fd, name, os.getxattr(source, name))
    except OSError:
        return False
    return True


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def discard(path: Path | None) -> None:
    """Remove a temp file if it still exists and forget it."""
    if path is None:
        return
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        return  # still registered: discard_all tries again
    _PENDING.discard(path)


def discard_all() -> None:
    """Remove every pending temp file, then the folders made for them that are still empty
    (called when the run is interrupted or fails)."""
    for path in list(_PENDING):
        discard(path)
    _remove_folders(list(_MADE))
