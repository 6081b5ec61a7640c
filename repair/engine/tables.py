"""Spinner synonym tables brought by users (``--table``).

Spinners ship their tables in a handful of line formats. Each pair ``A B``
is used by spinners in both directions, so each becomes two candidates
(``A`` garbled from ``B`` and ``B`` garbled from ``A``) decided by the same
engine as the built-in entries: a table says what *could* have been
swapped, never that it was.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import DictionaryError
from .dictionary import Entry

# Order matters: the arrow forms before the bare "-" and ",", so "A->B" is not split at "-".
_SEPARATOR = re.compile(r"\s*(?:→|->|=>|\t|,|，|-|=|\|)\s*")
#: Encodings spinner tables are seen in, tried in order.
TABLE_ENCODINGS = ("utf-8-sig", "gb18030")


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DictionaryError(str(path), None, exc.strerror or str(exc)) from None
    if b"\x00" in data[:8192]:
        raise DictionaryError(str(path), None, "looks like a binary file, not a synonym table")
    for enc in TABLE_ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DictionaryError(str(path), None, "neither UTF-8 nor GB18030")


def parse_table(text: str, path: str) -> list[Entry]:
    """Both-direction entries of a table; ``#`` comments and blank lines are skipped."""
    entries: list[Entry] = []
    name = Path(path).name
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = _SEPARATOR.split(line, maxsplit=1)
        if len(parts) != 2 or not parts[0] or not parts[1] or any(c.isspace() for c in "".join(parts)):
            raise DictionaryError(path, lineno, f"expected 'A-B', 'A→B', 'A,B' or 'A<TAB>B', got {line[:40]!r}")
        a, b = parts
        if a == b:
            continue
        src = f"{name}:{lineno}"
        entries.append(Entry(a, (b,), "table", src))
        entries.append(Entry(b, (a,), "table", src))
    return entries


def load_table(path: Path) -> list[Entry]:
    """Entries of a spinner table file in UTF-8 or GB18030."""
    return parse_table(_decode(path), str(path))
