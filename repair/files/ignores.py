"""Inline opt-outs: ``unspin: ignore`` on a line, ``unspin: off`` … ``unspin: on`` regions.

Like ``codespell:ignore`` or ``# fmt: off``, these let an author keep a word
the engine would change (a quotation, a deliberate 集会) without a config
file. They work in any file type because they are read from raw lines, so an
HTML or Markdown comment (``<!-- unspin: off -->``) does the job. Changes are
dropped *after* the engine ran, so the surrounding text still counts as
context and for the document's spin estimate.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterable

from ..engine.changes import Change

_DIRECTIVE = re.compile(r"unspin:\s*(ignore|off|on)\b")
_REGION = re.compile(r"unspin:\s*(off|on)\b")


def off_after(text: str, off: bool) -> bool:
    """Whether an ``unspin: off`` region is still open at the end of ``text``."""
    last = None
    for last in _REGION.finditer(text):
        pass
    return off if last is None else last.group(1) == "off"


def blocked_spans(text: str, off: bool = False) -> list[tuple[int, int]]:
    """Offsets of the lines whose changes must be dropped; ``off`` is the state at the start."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        end = pos + len(line)
        words = [m.group(1) for m in _DIRECTIVE.finditer(line)]
        if off or words:
            spans.append((pos, end))
        for word in words:
            if word in ("off", "on"):
                off = word == "off"
        pos = end
    return spans


def drop_ignored(text: str, changes: Iterable[Change], off: bool = False) -> list[Change]:
    """``changes`` minus those on ignored lines or inside an off region."""
    spans = blocked_spans(text, off)  # sorted and disjoint: one bisect per change
    starts = [s for s, _ in spans]
    kept = []
    for ch in changes:
        i = bisect_right(starts, ch.start) - 1
        if i < 0 or ch.start >= spans[i][1]:
            kept.append(ch)
    return kept
