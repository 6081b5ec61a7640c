"""What to call a name that is there only as a symbolic link leading nowhere.

``os.path.exists`` is False for a link loop (``ln -s loop loop``) and for a link to a missing
file, so a check of existence calls both "does not exist", and the user goes looking for a
file that is plainly listed by ``ls``. Every place that reports a path it cannot open (the
arguments of a command, the files of a run, the config file, the tables it names) asks
:func:`broken_link` first and says what the name really is.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path


def broken_link(path: str | Path) -> str | None:
    """``a symbolic-link loop (…)`` or ``a dangling symbolic link to TARGET`` when ``path`` is
    one (a loop anywhere along it counts), else None: the path opens, or is simply missing."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"a symbolic-link loop ({exc.strerror})"
        if exc.errno == errno.ENOENT and os.path.islink(path):
            try:
                target = os.readlink(path)
            except OSError:  # pragma: no cover - removed between the two calls
                return None
            return f"a dangling symbolic link to {target} (which does not exist)"
    return None
