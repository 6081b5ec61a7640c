"""Sections of work that a Ctrl-C or SIGTERM must not cut in two.

Python runs a signal's handler between two bytecodes of the main thread, so a
KeyboardInterrupt can land anywhere: between copying a file's new text into
its inode and cutting off the old text's tail, say, which leaves neither the
old file nor the new one. Inside :func:`deferred` the signal is held and
delivered as the section ends, so the run still stops, a moment later.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

#: The signals a user or a supervisor (``timeout``, systemd, a CI runner) stops a run with.
STOPS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done, then act on the first that came, as
    its handler would have when it arrived (a KeyboardInterrupt raised, a default SIGTERM that
    ends the process). Outside the main thread, where Python runs no handler, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: h for s in STOPS if (h := signal.getsignal(s)) is not None}  # None: set outside Python
    caught: list[int] = []

    def hold(signum: int, frame: object) -> None:
        caught.append(signum)

    for s in previous:
        signal.signal(s, hold)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if caught:
            _deliver(caught[0], previous[caught[0]])


def _deliver(signum: int, handler: object) -> None:
    """What ``signum`` would have done on arrival under ``handler``."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)
