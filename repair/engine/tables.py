"""Spinner synonym tables brought by users (``--table``).

Spinners ship their tables in a handful of line formats (``A-B``, ``A→B``,
``A,B``, ``A|B``, ``A<TAB>B``), and real tables are messy: idiom chains
``种瓜得瓜-种豆得豆-因果报应`` (a synonym set: every member stands for every
other), a note after the pair, the same pair in both directions. Every pair
is used by spinners in both directions, so ``A B`` becomes two candidates (A
garbled from B, and B garbled from A), decided by the same engine as the
built-in entries: a table says what *could* have been swapped, never that it
was.

Import is lenient, like a browser reading HTML: a line that is not a pair or
a set is skipped, and one :class:`TableWarning` counts them and shows the
first few with their line numbers. ``strict=True`` (``--strict-table``)
raises on the first instead.
"""
from __future__ import annotations

import codecs
import re
import warnings
from itertools import permutations
from pathlib import Path

from ..errors import DictionaryError
from ..reading import MAX_DATA_BYTES, TooLarge, read_bounded
from .dictionary import Entry

# Order matters: the arrow forms before the bare "-" and ",", so "A->B" is not split at "-".
_SEPARATOR = re.compile(r"\s*(?:→|->|=>|,|，|-|=|\|)\s*")
#: Byte-order marks of the wide encodings, UTF-32 first (its LE mark starts like UTF-16's);
#: Python's "utf-16"/"utf-32" codecs read the mark and drop it.
_WIDE = (((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "utf-32"),
         ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16"))
#: Encodings spinner tables are seen in, tried in order.
TABLE_ENCODINGS = ("utf-8-sig", "gb18030")
#: Longest member kept: longer "words" are sentences or notes, not table entries.
MAX_MEMBER = 16
#: A member: no blank, at least one Han character (Latin-only lines are notes or headers).
_MEMBER = re.compile("[^\\s]*[\u3400-\u9fff\uf900-\ufaff][^\\s]*")
#: Skipped lines shown in the warning.
SHOWN = 3


class TableWarning(UserWarning):
    """Some lines of a spinner table were skipped (the message counts and shows them)."""


class NotText(ValueError):
    """The bytes of a table (or of a list read as one) are not text in an encoding tables come in."""


def decode_table(data: bytes, what: str = "a synonym table") -> str:
    """The text of a table's bytes: UTF-16/32 after its byte-order mark (Windows Notepad and Excel
    save "Unicode" so: full of NUL bytes, yet text), else :data:`TABLE_ENCODINGS` in order; NUL
    bytes otherwise mean a binary file, ``what`` the file should have been. :class:`NotText` says
    why not, for the caller to name the file."""
    wide = next((codec for boms, codec in _WIDE if data.startswith(boms)), None)
    if wide is not None:
        try:
            return data.decode(wide)
        except UnicodeDecodeError:
            raise NotText(f"starts with a {wide.upper()} byte-order mark but is not {wide.upper()}") from None
    if b"\x00" in data[:8192]:
        raise NotText(f"looks like a binary file, not {what}")
    for enc in TABLE_ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise NotText("neither UTF-8 nor GB18030")


def _decode(path: Path) -> str:
    try:
        return decode_table(read_bounded(path, MAX_DATA_BYTES))
    except OSError as exc:
        raise DictionaryError(str(path), None, exc.strerror or str(exc)) from None
    except (TooLarge, NotText) as exc:
        raise DictionaryError(str(path), None, str(exc)) from None


#: A member of the usual line: no blank, no separator, no ``<``/``>`` (``A->B`` is not split at ``-``),
#: at least one Han character (the look-ahead stays inside the member: separators end it).
_PLAIN_MEMBER = r"((?=[^\s→,，\-=|<>]*[\u3400-\u9fff\uf900-\ufaff])[^\s→,，\-=|<>]{1,%d})" % MAX_MEMBER
#: The usual line, ``A-B`` (or ``A<TAB>B``) with one one-character separator and Chinese members:
#: read in one match. Anything else takes :func:`_members_general`, which gives the same words for
#: these lines (and None for a line whose members are not Chinese words).
_PLAIN_PAIR = re.compile(rf"{_PLAIN_MEMBER}[→,，\-=|\t]{_PLAIN_MEMBER}")


def _members(line: str) -> list[str] | None:
    """The words of one table line (two for a pair, more for a set), or None if it is neither."""
    m = _PLAIN_PAIR.fullmatch(line)
    if m is None:
        return _members_general(line)
    a, b = m.groups()
    return [a, b] if a != b else [a]


def _members_general(line: str) -> list[str] | None:
    """:func:`_members` for every line shape (TSV, sets, notes after a blank, ``A B``)."""
    if "\t" in line:
        # TSV (also what ``unspin learn`` writes): the first two fields are the pair, the rest notes
        fields = [f.strip() for f in line.split("\t")]
        parts = fields[:2]
    else:
        tokens = line.split()
        head = tokens[0]
        parts = _SEPARATOR.split(head)
        if len(parts) == 1:
            if len(tokens) != 2:  # "A B" is a pair; anything else is prose
                return None
            parts = tokens
        # text after the first blank is a note ("A-B  (口语)"), not part of the pair
    if len(parts) < 2 or not all(len(p) <= MAX_MEMBER and _MEMBER.fullmatch(p) for p in parts):
        return None  # members are Chinese words: a line of Latin text is a note or a header
    return list(dict.fromkeys(parts))


def parse_table(text: str, path: str, strict: bool = False) -> list[Entry]:
    """Both-direction entries of a table; ``#`` comments and blank lines are skipped."""
    entries: list[Entry] = []
    name = Path(path).name
    skipped: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()  # tables list pairs twice (A-B and B-A): one candidate each way
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        members = _members(line)
        if members is None:
            if strict:
                raise DictionaryError(path, lineno, f"expected 'A-B', 'A→B', 'A,B', 'A<TAB>B' or 'A-B-C', "
                                                    f"got {line[:40]!r}")
            skipped.append((lineno, line))
            continue
        src = f"{name}:{lineno}"
        for a, b in permutations(members, 2):  # members are distinct
            pair = (b, a)
            if pair not in seen:
                seen.add(pair)
                entries.append(Entry(b, (a,), "table", src))
    if skipped:
        shown = "; ".join(f"line {n}: {line[:30]!r}" for n, line in skipped[:SHOWN])
        more = f" and {len(skipped) - SHOWN} more" if len(skipped) > SHOWN else ""
        warnings.warn(TableWarning(f"{path}: skipped {len(skipped)} line(s) that are not pairs or sets "
                                   f"({shown}{more}); --strict-table to fail instead"), stacklevel=2)
    elif not entries:
        # an empty download, a truncated copy, the wrong file: a table that can change nothing is
        # worth a word, as a run that used it would otherwise look like one on clean text
        warnings.warn(TableWarning(f"{path}: no pairs in it (empty, or only comments and blank lines); "
                                   "it changes nothing"), stacklevel=2)
    return entries


def load_table(path: Path, strict: bool = False) -> list[Entry]:
    """Entries of a spinner table file in UTF-8 or GB18030."""
    return parse_table(_decode(path), str(path), strict)
