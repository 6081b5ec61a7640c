"""How a run stops on Ctrl-C or SIGTERM without leaving a file half done.

:func:`stopping` turns the first SIGINT or SIGTERM of a run into an exception
that unwinds it (the caller removes its temporary files) and ignores the ones
after it, so they cannot cut that clean-up short.

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
from typing import Any, Callable, Iterator

#: The signals a user or a supervisor (``timeout``, systemd, a CI runner) stops a run with.
STOPS = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the run unwinds and cleans up (exit 143, not 130)."""


@contextmanager
def stopping() -> Iterator[None]:
    """Within the block the first SIGINT raises KeyboardInterrupt and the first SIGTERM
    :class:`Terminated`; every later one of either is ignored until the block is left.

    A second Ctrl-C from an impatient user was raised inside the clean-up and left temp files
    behind; ``timeout`` sends two SIGTERMs, one to unspin and one to its process group, and a
    second ``Terminated`` raised while the pool was being ended left it to hang at exit. A
    signal the parent set to be ignored stays ignored: a script's background job (``unspin fix
    -w docs &``) is started with SIGINT ignored, so a Ctrl-C meant for the foreground does not
    stop it. Outside the main thread, where handlers cannot be set, nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: h or signal.SIG_DFL for s in STOPS if (h := signal.getsignal(s)) != signal.SIG_IGN}
    with _handled(previous, _stop):
        yield


def _stop(signum: int, frame: object) -> None:
    """The handler :func:`stopping` installs: later signals ignored, then the exception raised."""
    for s in STOPS:
        signal.signal(s, signal.SIG_IGN)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done, then act on the first that came, as
    its handler would have when it arrived (a KeyboardInterrupt raised, a default SIGTERM that
    ends the process). Outside the main thread, where Python runs no handler, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # None: a handler set outside Python, which cannot be put back; SIG_IGN: nothing to hold
    previous = {s: h for s in STOPS if (h := signal.getsignal(s)) not in (None, signal.SIG_IGN)}
    caught: list[int] = []

    def hold(signum: int, frame: object) -> None:
        caught.append(signum)

    try:
        with _handled(previous, hold):
            yield
    finally:  # after the handlers are back, as if the signal had come now
        if caught:
            _deliver(caught[0], previous[caught[0]])


@contextmanager
def _handled(previous: dict[int, Any], handler: Callable[[int, Any], None]) -> Iterator[None]:
    """``handler`` for each signal of ``previous`` within the block; after it, each signal's
    handler of ``previous`` again, however the block ends."""
    for s in previous:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, was in previous.items():
            signal.signal(s, was)


def _deliver(signum: int, handler: object) -> None:
    """What ``signum`` would have done on arrival under ``handler``."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)
