"""JSON Lines records: read and replace one text field by a dotted path.

Data pipelines diff and hash their records, so a record whose field did not
change is passed through byte for byte, and a changed one is re-serialised
with its key order, with ``ensure_ascii=False`` (Chinese stays readable) and
in the original's separator style when that can be recognised.
"""
from __future__ import annotations

import json
from typing import Any

from ..errors import InputError

_STYLES = ((", ", ": "), (",", ":"), (",", ": "))


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


def set_field(record: Any, path: str, new: str) -> None:
    """Replace the value at dotted ``path`` (which :func:`get_field` found) in place."""
    *parents, last = path.split(".")
    target = record
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if isinstance(target, list):
        target[int(last)] = new
    else:
        target[last] = new


def parse_record(line: str, where: str) -> Any:
    """Decode one JSON Lines record; a broken one is an input error naming its line."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None


def dump_record(original: str, record: Any) -> str:
    """``record`` serialised in the separator style of ``original`` (the line without its newline)."""
    stripped = original.strip()
    try:
        before = json.loads(stripped)
    except json.JSONDecodeError:
        before = None
    for item_sep, key_sep in _STYLES:
        if json.dumps(before, ensure_ascii=False, separators=(item_sep, key_sep)) == stripped:
            return json.dumps(record, ensure_ascii=False, separators=(item_sep, key_sep))
    return json.dumps(record, ensure_ascii=False)
