"""Fuzzy phrase restoration from a gazetteer of canonical phrases.

A spinner garbles a fixed phrase word by word (中央信访工作联席会议 →
中心信访工作联席集会), so the garbled phrase is "close" to a canonical one
and every difference is a known substitution. Rather than fuzzy-search every
window of every document at run time, we enumerate, once at load, the
variants of each canonical phrase that known substitutions can produce
(capped per phrase) and add them to the automaton as phrase entries: exact
matching at run time, the same result as a fuzzy match restricted to known
substitutions.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from .dictionary import Entry

#: At most this many garbled variants per canonical phrase.
MAX_VARIANTS = 64


def expand(phrases: Iterable[str], entries: Sequence[Entry], known: set[str]) -> list[Entry]:
    """Phrase entries for the garbled variants of each canonical phrase.

    ``entries`` supply the substitutions (original → garbled); ``known``
    holds garbled forms already in the lexicon, which are not repeated.
    Only word-level tiers that are safe to compose are used (not ``suggest``).
    A variant that takes a pair from a user's table is a *table* entry, not a
    phrase: a generic synonym table turns 操作系统 into 管理制度 and
    房地产市场 into 不动产市场, and a clean text that writes those has
    done nothing a phrase-tier prior should overrule.
    """
    phrases = list(phrases)
    if not phrases:  # a table alone (``--no-builtin``): nothing to expand, and 80,000 entries to skip
        return []
    # only originals found inside some phrase can take part: a big table or dictionary
    # (a million entries) would otherwise be copied whole into ``garbles``
    kinds = ("marker", "ambiguous", "table")
    longest = max((len(e.originals[0]) for e in entries if e.kind in kinds), default=0)
    inside = {p[i:j] for p in phrases for i in range(len(p)) for j in range(i + 1, min(len(p), i + longest) + 1)}
    garbles: dict[str, list[tuple[str, bool]]] = {}  # original -> (garbled form, from a table)
    for e in entries:
        if e.kind in kinds and e.originals[0] in inside:
            garbles.setdefault(e.originals[0], []).append((e.garbled, e.kind == "table"))
    max_len = max((len(o) for o in garbles), default=0)
    out: list[Entry] = []
    seen = set(known)
    for phrase in phrases:
        n = len(phrase)
        # per start, the garbles of the originals starting there, longest original first: found
        # once per phrase, not once per partial variant that reaches that start
        starts = [[(j, g) for j in range(min(n, i + max_len), i, -1) for g in garbles.get(phrase[i:j], ())]
                  for i in range(n)]
        if not any(starts):
            continue  # nothing in it a known substitution can garble (most phrases)
        variants: list[tuple[str, bool]] = []

        def walk(i: int, built: str, changed: bool, tabled: bool) -> None:
            if len(variants) >= MAX_VARIANTS:
                return
            if i == n:
                if changed:
                    variants.append((built, tabled))
                return
            for j, (g, from_table) in starts[i]:
                walk(j, built + g, True, tabled or from_table)
            walk(i + 1, built + phrase[i], changed, tabled)

        walk(0, "", False, False)
        for v, tabled in variants:
            if v not in seen and v != phrase:
                seen.add(v)
                out.append(Entry(v, (phrase,), "table" if tabled else "phrase", f"gazetteer:{phrase}"))
    return out
