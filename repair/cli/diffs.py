"""Showing changes: unified diffs for ``fix``, inline word diffs for ``explain``.

Changes never add or remove a line, so a file's diff can be built chunk by
chunk (hunk line numbers shifted by where the chunk starts) without ever
holding the whole file, and stays a valid patch.
"""
from __future__ import annotations

import difflib
import re
from typing import Callable, Iterator, Sequence

from ..engine.changes import Change, line_col

_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")
NO_EOL = "\\ No newline at end of file\n"


def chunk_diff(old: str, new: str, first_line: int, name: str, with_header: bool) -> Iterator[str]:
    """Unified-diff lines for one chunk starting at 1-based ``first_line`` of file ``name``."""
    lines = difflib.unified_diff(_lines(old), _lines(new),
                                 patch_path(f"a/{name}"), patch_path(f"b/{name}"), n=3)
    shift = first_line - 1
    for i, line in enumerate(lines):
        if i < 2:  # difflib's ---/+++ header: told by place, as a removed "--…" line also starts with ---
            if with_header:
                yield line if line.endswith("\n") else line + "\n"
            continue
        m = _HUNK.match(line)
        if m:
            a, b = int(m.group(1)) + shift, int(m.group(3)) + shift
            yield f"@@ -{a}{m.group(2) or ''} +{b}{m.group(4) or ''} @@\n"
        elif line.endswith("\n"):
            yield line
        else:
            yield line + "\n" + NO_EOL


def _lines(text: str) -> list[str]:
    """``text`` cut after each ``\\n`` only, as ``patch``, ``git apply`` and check's line numbers
    count lines; ``str.splitlines`` also cuts at CR, form feed, U+2028, U+0085…, which made the
    patch of a CR-only file, or of scraped text holding a line separator, one that did not apply."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
            '"': '\\"', "\\": "\\\\"}
_NEEDS_QUOTES = re.compile('[\x00-\x1f\x7f"\\\\\udc80-\udcff]')  # controls, quote, backslash, bytes not UTF-8


def patch_path(path: str) -> str:
    """``path`` as git writes it in a patch: as it is, unless it holds a control character, a
    quote, a backslash or bytes that are not UTF-8 (kept as surrogates by ``os.fsdecode``); then in
    double quotes with C escapes (``"a/new\\nline.txt"``, ``"a/bad\\377.txt"``), which ``git apply``
    and GNU ``patch`` read back. A newline written as it is would end the header line, and the
    patch would name another file; an escape sequence would reach the terminal."""
    if not _NEEDS_QUOTES.search(path):
        return path
    out = []
    for ch in path:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif "\udc80" <= ch <= "\udcff":  # a byte that is not UTF-8, as its octal value
            out.append(f"\\{ord(ch) - 0xdc00:03o}")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def inline_diff(text: str, changes: Sequence[Change], old: Callable[[str], str],
                new: Callable[[str], str]) -> str:
    """``text`` with every change shown in place as ``old(...)new(...)``."""
    out, pos = [], 0
    for ch in sorted(changes, key=lambda c: c.start):
        out.append(text[pos:ch.start])
        out.append(old(ch.old) + new(ch.new))
        pos = ch.end
    out.append(text[pos:])
    return "".join(out)


def changed_lines(text: str, changes: Sequence[Change]) -> list[tuple[int, int, int, list[Change]]]:
    """(line number, start, end offset, its changes) for each line that has changes."""
    by_line: dict[int, list[Change]] = {}
    for ch in sorted(changes, key=lambda c: c.start):
        by_line.setdefault(line_col(text, ch.start)[0], []).append(ch)
    result = []
    for number, chs in by_line.items():
        start = text.rfind("\n", 0, chs[0].start) + 1
        end = text.find("\n", chs[-1].end)
        result.append((number, start, len(text) if end < 0 else end, chs))
    return result
