"""Findings as text for people, JSON for scripts, rdjson for reviewdog, annotations for GitHub.

Every format carries the same facts; only the column convention differs:
characters for people and GitHub, UTF-8 bytes for reviewdog (its rdjson
spec counts bytes), so a finding after Chinese text lands on the right spot
in each tool.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import sys
import unicodedata
from typing import Callable, Iterable, Iterator, TextIO

import click

from ..engine.changes import Change
from ..engine.config import DEFAULT_THRESHOLD
from ..errors import UnspinError
from ..files.documents import Finding
from ..files.runner import MAX_JOBS_PER_CPU

FORMATS = ("text", "json", "rdjson", "github")
#: Control characters, C1 ones included: U+009B is a CSI to a UTF-8 terminal, as ESC [ is.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: What ``json.dumps(..., ensure_ascii=False)`` leaves raw of them (it escapes the rest).
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f]")
#: How a reported change that ``fix`` would not make is labelled, in every format.
SUGGESTION = "suggestion, not applied"
_threshold = DEFAULT_THRESHOLD
#: How every failure starts (one line each, exit 2).
ERROR = "unspin: error: "


def set_threshold(threshold: float) -> None:
    """The run's threshold: findings below it (``--min-confidence``) are labelled as suggestions."""
    global _threshold
    _threshold = threshold


def is_suggestion(change: Change, threshold: float | None = None) -> bool:
    """Whether ``fix`` would leave this change out: a suggestion of the engine (below the threshold,
    or a suggest-tier pair not sure enough), or below this run's threshold."""
    return not change.applied or change.confidence < (_threshold if threshold is None else threshold)


def _message(c: Change) -> str:
    extra = f"; {SUGGESTION}" if is_suggestion(c) else ""
    return f"{c.old} -> {c.new} ({c.confidence:.2f}, {c.reason}{extra})"


def cell_width(s: str) -> int:
    """Terminal cells of ``s`` without its colour codes (wide and fullwidth characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in click.unstyle(s))


def wrap_cells(s: str, width: int) -> list[str]:
    """``s`` cut into rows of at most ``width`` terminal cells.

    Colour codes take no cells; a style still open where a row ends is reset
    there and opened again at the start of the next row.
    """
    rows: list[str] = []
    row: list[str] = []
    active: list[str] = []
    used, i = 0, 0
    while i < len(s):
        if s[i] == "\x1b":  # an ANSI sequence: zero width, kept whole
            end = s.find("m", i)
            end = len(s) - 1 if end < 0 else end
            seq = s[i:end + 1]
            active = [] if seq == "\x1b[0m" else [*active, seq]
            row.append(seq)
            i = end + 1
            continue
        ch = s[i]
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
        if used + w > width and used:
            rows.append("".join(row) + ("\x1b[0m" if active else ""))
            row, used = list(active), 0
        row.append(ch)
        used += w
        i += 1
    if row or not rows:
        rows.append("".join(row))
    return rows


def problem_line(message: str, error: bool) -> str:
    """A message for stderr as one line: ``unspin: error: …`` when it counts for exit 2, else the
    bare note. The names in it are made printable (see :func:`printable_path`), so a newline or
    an escape sequence in a file name cannot split the line or drive the terminal."""
    return (ERROR if error else "") + printable_path(message)


def printable_path(path: str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 (surrogate escapes) shown as ``\\xNN``."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        path = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", path)  # no terminal escapes from a name


def json_path(path: str) -> str:
    """A file name for a JSON field: the name itself when it is UTF-8, since JSON escapes control
    characters on its own (see :func:`json_text`) and a reader must find the file by it (``\\xNN``
    sent it to a name that does not exist); else :func:`printable_path` (JSON text is UTF-8)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return printable_path(path)
    return path


def json_text(value: object, **kwargs) -> str:  # noqa: ANN003 - json.dumps's own
    """``json.dumps(value, ensure_ascii=False)``, with DEL and the C1 controls escaped too
    (``\\u009b``): only a string can hold them, so the JSON read back is the same."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False, **kwargs))


def text_line(path: str, f: Finding) -> str:
    """``path:line:col: old -> new (confidence, reason)``, as :func:`repair.report.format_change_line`."""
    return f"{printable_path(path)}:{f.line}:{f.col}: {_message(f.change)}"


def json_line(path: str, f: Finding) -> str:
    """One finding as a JSON object on one line."""
    row = {"path": json_path(path), "line": f.line, "col": f.col, **f.change.to_dict(), "applied": not is_suggestion(f.change)}
    if not row["applied"]:
        row["note"] = SUGGESTION
    return json_text(row)


def github_path(path: str) -> str:
    """A file name for a GitHub annotation's ``file`` property: the name itself where a workflow
    command can carry it (a newline or a carriage return escaped with the property, a tab as it
    is), so the annotation lands on the file (``\\x09`` named a file that does not exist); other
    control characters as ``\\xNN``, as in the text format (no terminal escape from a name)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return printable_path(path)
    return _CONTROL.sub(lambda m: m.group() if m.group() in "\t\n\r" else f"\\x{ord(m.group()):02x}", path)


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github_line(path: str, f: Finding) -> str:
    """A GitHub Actions workflow command that annotates the line in a pull request."""
    message = _escape_data(_message(f.change))
    level = "notice" if is_suggestion(f.change) else "warning"
    return (f"::{level} file={_escape_property(github_path(path))},line={f.line},col={f.col},"
            f"endColumn={f.end_col},title=unspin::{message}")


def github_error(path: str | None, message: str) -> str:
    """A GitHub Actions error annotation for a file that could not be checked (unreadable, a
    dangling link, binary): on stderr alone it is lost in the log, and a pull request shows
    annotations; on the file when its name is known, as ruff's E902."""
    where = f"file={_escape_property(github_path(path))}," if path else ""
    return f"::error {where}title=unspin::{_escape_data(printable_path(message))}"


def rdjson_diagnostic(path: str, f: Finding) -> dict:
    """One reviewdog diagnostic with a suggestion reviewdog can apply."""
    c = f.change
    rng = {"start": {"line": f.line, "column": f.byte_col}, "end": {"line": f.line, "column": f.end_byte_col}}
    return {
        "message": _message(c),
        "location": {"path": json_path(path), "range": rng},
        "severity": "INFO" if is_suggestion(c) else "WARNING",
        "code": {"value": c.kind},
        "suggestions": [{"range": rng, "text": c.new}],
    }


def rdjson_document(diagnostics: Iterable[dict]) -> str:
    """The whole rdjson report (reviewdog reads one JSON object)."""
    return json_text({"source": {"name": "unspin"}, "severity": "WARNING", "diagnostics": list(diagnostics)},
                     indent=2)


# --- what commands show on stderr while they run ------------------------------

#: Below both of these a run is done faster by one process than by starting a pool (measured on
#: 400 small files: the pool's start-up and the engine loaded once per worker cost more than they save).
SMALL_RUN_FILES, SMALL_RUN_BYTES = 50, 1 << 20


def default_jobs(requested: int | None, sizes: list[int], cores: int | None = None) -> int:
    """Worker processes: as asked (at most :data:`MAX_JOBS_PER_CPU` per core), else one for a small
    run (< 50 files or < 1 MB), else every core; never more than there are inputs to share."""
    import os

    cores = cores or os.cpu_count() or 1
    if requested is not None:
        return max(1, min(requested, MAX_JOBS_PER_CPU * cores, max(1, len(sizes))))
    if len(sizes) < SMALL_RUN_FILES or sum(sizes) < SMALL_RUN_BYTES:
        return 1
    return max(1, min(cores, len(sizes)))


class Progress:
    """A progress line on stderr, shown only on a terminal and cleared before any output line.

    Output written through :func:`before_output` (stdout findings, stderr notes) first
    erases the line, so nothing prints glued to it; the next update draws it again.
    """

    active: "Progress | None" = None

    def __init__(self, total: int, stream, enabled: bool, label: str = "unspin") -> None:  # noqa: ANN001
        self.total, self.stream, self.enabled, self.label = max(total, 1), stream, enabled, label
        self.done, self.shown, self._last = 0, False, 0.0

    def __enter__(self) -> "Progress":
        Progress.active = self
        return self

    def __exit__(self, *exc: object) -> None:
        self.clear()
        Progress.active = None

    def update(self, n: int) -> None:
        import time

        self.done += n
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and self.done < self.total):  # the end is always drawn
            return
        self._last = now
        share = min(1.0, self.done / self.total)
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{self.label} [{bar:<30}] {share:4.0%}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def before_output() -> None:
    """Erase the progress line, if one is showing, before a line of output."""
    if Progress.active is not None:
        Progress.active.clear()


def stdout_bytes(data: bytes, what: str = "the text") -> None:
    """Repaired text out as bytes, in the input's own encoding (the locale's, LANG=C in cron
    jobs, must not matter), after any text already written and flushed at once, so a pipe sees
    results as they come. For failures, see :func:`_stdout`.
    """
    if data:
        with _stdout(what) as stream:
            stream.flush()
            stream.buffer.write(data)
            stream.buffer.flush()


def stdout_text(text: str, what: str, color: bool | None = None) -> None:
    """Command output (findings, scores, a diff) to stdout, flushed at once. For failures, see
    :func:`_stdout`: ``click.echo`` alone drops the text without a word when stdout is closed."""
    if text:
        with _stdout(what) as stream:
            click.echo(text, file=stream, nl=False, color=color)


def printer(what: str, color: bool | None = None) -> Callable[[str], None]:
    """A writer of command output to stdout; ``what`` names that output in the error if it cannot be written."""
    return functools.partial(stdout_text, what=what, color=color)


@contextlib.contextmanager
def _stdout(what: str) -> Iterator[TextIO]:
    """stdout to write ``what`` to, the progress line erased first.

    A stdout its reader closed (``| head -0``) raises BrokenPipeError, which ends the run
    quietly (exit 141). One closed before the run (``>&-``: Python then has no ``sys.stdout``)
    or that fails to take the bytes (``>/dev/full``, a quota, an I/O error) is an
    :class:`UnspinError` naming stdout, one line and exit 2, as ``cat`` reports its write error:
    ``what`` could not be written, and a script must not take the silence for "nothing found".
    """
    if sys.stdout is None:
        raise UnspinError(f"stdout is closed; nothing to write {what} to")
    before_output()
    try:
        yield sys.stdout
    except BrokenPipeError:
        raise
    except OSError as exc:
        silence_stdout()  # what is left in its buffer must not fail again, with a traceback, at exit
        raise UnspinError(f"stdout: cannot write {what} ({exc.strerror or exc})") from None


def silence_stdout() -> None:
    """Point stdout at /dev/null, so flushing what is left at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real descriptor (an embedding application, tests)
        pass
