"""The analysis copy: the text as the engine reads it, never as it is written.

Traditional characters are read as Simplified (OpenCC ``t2s``) and full-width
ASCII as half-width, so one Simplified dictionary serves every input. The
user's own text is never rewritten this way: the copy keeps the same length
(one character for one character), so an offset in the copy is the same
offset in the input, and restored words are written back in the input's
script with OpenCC ``s2t``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import opencc

_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
#: a run of Han characters: whether a text has any, and (deleted) how many it has. One pattern
#: for both: ``re`` compiles a class by setting a flag per character of each range, a millisecond
#: per pattern at every start of the filter
HAN_RUN = re.compile("[\u3400-\u9fff\uf900-\ufaff]+")


def han_count(text: str) -> int:
    """How many Han characters ``text`` has: its length less what is left with every run deleted
    (a list of every Han character, ``findall``, cost five times as much, on every first round)."""
    return len(text) - len(HAN_RUN.sub("", text))


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter, built on first use (each costs ~20 ms to load)."""
    return opencc.OpenCC(config)


def _fold_width(text: str) -> str:
    """Full-width ASCII (！-～) to half-width; length-preserving."""
    if not _FULL_WIDTH.search(text):
        return text
    return "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in text)


@dataclass(frozen=True)
class Analysis:
    """The original text and its same-length analysis copy."""

    original: str
    simplified: str
    #: True if OpenCC changed any character: only then can a change need writing back in Traditional
    traditional: bool = False


_SURROGATE = re.compile("[\ud800-\udfff]")


def analysis_copy(text: str) -> Analysis:
    """A same-length Simplified, half-width copy of ``text`` for matching and scoring.

    OpenCC converts phrase by phrase and may change the length of a phrase;
    when that happens for the whole text we fall back to converting each
    line, then each character, so offsets always line up.
    """
    t2s = _converter("t2s")
    # a lone surrogate (text decoded with surrogateescape, or built in Python) cannot go
    # through OpenCC; it is no Chinese either, so the analysis copy reads U+FFFD there
    folded = _SURROGATE.sub("\ufffd", _fold_width(text))
    simp = t2s.convert(folded)
    traditional = simp != folded
    if len(simp) != len(folded):
        lines = folded.split("\n")
        out = []
        for line in lines:
            conv = t2s.convert(line)
            if len(conv) != len(line):
                conv = "".join(c if len(c) == 1 else ch for ch, c in ((ch, t2s.convert(ch)) for ch in line))
            out.append(conv)
        simp = "\n".join(out)
    return Analysis(text, simp, traditional)


def to_input_script(analysis: Analysis, start: int, end: int, replacement: str) -> str:
    """``replacement`` (Simplified) in the script the input uses around ``start:end``.

    A span such as 中心 reads the same in both scripts, so the neighbourhood
    (the surrounding line, up to 40 characters each side) decides.
    """
    if not analysis.traditional:
        return replacement
    # the newlines are looked for within the 40 characters only: a text of one long line
    # (a page with its line breaks stripped) would be searched to its ends for every change
    lo = max(0, analysis.original.rfind("\n", max(0, start - 40), start) + 1, start - 40)
    hi = analysis.original.find("\n", end, end + 40)
    hi = min(end + 40, len(analysis.original) if hi < 0 else hi)
    window = _fold_width(analysis.original[lo:hi])
    simplified = analysis.simplified[lo:hi]
    if window == simplified:  # the usual case in a mostly Simplified text: nothing to count
        return replacement
    traditional = sum(a != b for a, b in zip(window, simplified))
    s2t = _converter("s2t")
    # Some characters are Traditional-looking yet normal in Simplified text (乾 in 乾隆):
    # the window is Traditional only if it has more Traditional-only than Simplified-only characters.
    simplified_only = sum(a != b for a, b in zip(window, s2t.convert(window)))
    return s2t.convert(replacement) if traditional > simplified_only else replacement
