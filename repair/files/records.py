"""JSON Lines records: read and replace one text field by a dotted path.

Data pipelines diff and hash their records, so a record whose field did not
change is passed through byte for byte, and in a changed one only the bytes
of the repaired words change: the new words are spliced into the field's
JSON string where the old ones stood (:func:`splice_field`), so numbers
(``1.50``, ``1e400``), escapes (``\\u00e9``), duplicate keys and spacing
elsewhere stay exactly as written.
"""
from __future__ import annotations

import json
import re
from json.decoder import scanstring
from typing import Any, Iterable

from ..errors import InputError


def get_field(record: Any, path: str) -> Any:
    """The value at dotted ``path`` (``meta.body``; list indices as numbers), or None."""
    value = record
    for key in path.split("."):
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def parse_record(line: str, where: str) -> Any:
    """Decode one JSON Lines record; a broken one is an input error naming its line.

    A record nested deeper than Python's recursion limit (``[[[[…]]]]`` a hundred thousand deep)
    makes ``json.loads`` raise RecursionError: it is that record's error too, not one that fails
    every record read with it (a whole chunk) or, in ``learn``, the run with a traceback.
    """
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{where}: cannot be read as JSON (nested too deeply)") from None


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _ws(doc: str, idx: int) -> int:
    return _WS.match(doc, idx).end()  # type: ignore[union-attr]


def field_span(doc: str, path: str) -> tuple[int, int] | None:
    """Where the JSON string at dotted ``path`` stands in ``doc`` (quotes included), or None.

    ``doc`` must be valid JSON (it was parsed already); with duplicate keys
    the last one counts, as for :func:`json.loads`.
    """
    idx = _ws(doc, 0)
    for key in path.split("."):
        if doc.startswith("{", idx):
            found, idx = None, _ws(doc, idx + 1)
            while doc.startswith('"', idx):
                name, idx = scanstring(doc, idx + 1)
                idx = _ws(doc, _ws(doc, idx) + 1)  # past the colon
                if name == key:
                    found = idx
                idx = _ws(doc, _DECODER.raw_decode(doc, idx)[1])
                if not doc.startswith(",", idx):
                    break
                idx = _ws(doc, idx + 1)
            if found is None:
                return None
            idx = found
        elif doc.startswith("[", idx) and key.isdigit():
            idx = _ws(doc, idx + 1)
            for _ in range(int(key)):
                if doc.startswith("]", idx):
                    return None
                idx = _ws(doc, _DECODER.raw_decode(doc, idx)[1])
                if not doc.startswith(",", idx):
                    return None
                idx = _ws(doc, idx + 1)
            if doc.startswith("]", idx):
                return None
        else:
            return None
    if not doc.startswith('"', idx):
        return None
    return idx, scanstring(doc, idx + 1)[1]


def _raw_offsets(raw: str, wanted: Iterable[int]) -> tuple[dict[int, int], int]:
    """Offset in ``raw`` (a JSON string's body) of each decoded character index in ``wanted``,
    and how many characters ``raw`` decodes to.

    One pass that jumps from escape to escape, keeping only the offsets asked for: a list
    of every character's offset cost ~56 bytes a character (a 50 MB record, gigabytes).
    """
    targets = sorted(set(wanted))
    found: dict[int, int] = {}
    t, chars, i, n = 0, 0, 0, len(raw)
    while True:
        esc = raw.find("\\", i)
        stop = n if esc < 0 else esc
        while t < len(targets) and targets[t] <= chars + stop - i:  # plain characters map one to one
            found[targets[t]] = i + targets[t] - chars
            t += 1
        chars += stop - i
        if esc < 0:
            return found, chars
        i = esc + 2
        if raw[esc + 1] == "u":
            high = 0xD800 <= int(raw[esc + 2:esc + 6], 16) < 0xDC00
            i = esc + 6
            if high and raw.startswith("\\u", i) and 0xDC00 <= int(raw[i + 2:i + 6], 16) < 0xE000:
                i += 6  # a surrogate pair is one character
        chars += 1


def splice_field(doc: str, span: tuple[int, int], value: str, changes: Iterable[Any]) -> str:
    """``doc`` with each change (offsets into ``value``, the field's text) spliced into its JSON string."""
    start, end = span
    body = doc[start + 1:end - 1]
    changes = sorted(changes, key=lambda c: c.start)
    offsets, length = _raw_offsets(body, [c.start for c in changes] + [c.end for c in changes])
    if length != len(value):  # cannot map (should not happen): write the field anew
        from ..engine.changes import apply_changes

        return doc[:start] + json.dumps(apply_changes(value, changes), ensure_ascii=False) + doc[end:]
    parts, pos = [doc[:start + 1]], 0  # joined once: linear in the record, however many changes
    for ch in changes:
        parts += [body[pos:offsets[ch.start]], json.dumps(ch.new, ensure_ascii=False)[1:-1]]
        pos = offsets[ch.end]
    parts += [body[pos:], doc[end - 1:]]
    return "".join(parts)
