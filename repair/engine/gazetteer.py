"""Fuzzy phrase restoration from a gazetteer of canonical phrases.

A spinner garbles a fixed phrase word by word (中央信访工作联席会议 →
中心信访工作联席集会), so the garbled phrase is "close" to a canonical one
and every difference is a known substitution. Rather than fuzzy-search every
window of every document at run time, we enumerate, once at load, the
variants of each canonical phrase that known substitutions can produce
(capped per phrase) and add them to the automaton as phrase entries: exact
matching at run time, the same result as a fuzzy match restricted to known
substitutions.

The enumeration runs at every start of the engine, so the filter pays it for
each line a pipeline feeds it: it looks up only substrings that start with a
character some original starts with, and stops walking a phrase where no
substitution can start any more.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from .dictionary import Entry

#: At most this many garbled variants per canonical phrase.
MAX_VARIANTS = 64
#: the tiers whose pairs are safe to compose into a phrase (not ``suggest``, nor ``phrase`` itself)
_KINDS = ("marker", "ambiguous", "table")

#: Garbled forms of each original, with whether the pair is a user's table's.
Garbles = dict[str, list[tuple[str, bool]]]


def _garbles(phrases: list[str], entries: Sequence[Entry]) -> Garbles:
    """Originals of the composable tiers with their garbled forms, in the order of ``entries``:
    each one found inside some phrase, and with a small lexicon every one.

    A big table or dictionary (a million entries) would otherwise be copied whole: its originals
    are checked against the set of every substring of the phrases up to the longest original.
    A lexicon with fewer entries than that set could hold (the shipped one) is kept whole, which
    costs less than making the set: an original no phrase holds is never looked up (:func:`_starts`).
    """
    longest = max((len(e.originals[0]) for e in entries if e.kind in _KINDS), default=0)
    inside = None
    if len(entries) > longest * sum(map(len, phrases)):
        inside = {p[i:j] for p in phrases for i in range(len(p)) for j in range(i + 1, min(len(p), i + longest) + 1)}
    garbles: Garbles = {}
    for e in entries:
        if e.kind in _KINDS and (inside is None or e.originals[0] in inside):
            garbles.setdefault(e.originals[0], []).append((e.garbled, e.kind == "table"))
    return garbles


def _lengths_by_first(garbles: Garbles) -> dict[str, list[int]]:
    """The lengths of the originals starting with each character, longest first."""
    lengths: dict[str, set[int]] = {}
    for o in garbles:
        lengths.setdefault(o[0], set()).add(len(o))
    return {c: sorted(ls, reverse=True) for c, ls in lengths.items()}


#: Per start of a phrase that some original starts at, (end, garble) of each such original.
Starts = dict[int, list[tuple[int, tuple[str, bool]]]]


def _starts(phrase: str, garbles: Garbles, lengths: dict[str, list[int]]) -> Starts:
    """Where in ``phrase`` known originals start: per start, (end, garble) of each, longest
    original first. Found once per phrase, not once per partial variant that reaches that start;
    a character no original starts with costs one lookup."""
    n = len(phrase)
    starts: Starts = {}
    for i, c in enumerate(phrase):
        ks = lengths.get(c)
        if ks:
            found = [(i + k, g) for k in ks if i + k <= n for g in garbles.get(phrase[i:i + k], ())]
            if found:
                starts[i] = found
    return starts


def _variants(phrase: str, starts: Starts) -> list[tuple[str, bool]]:
    """The first :data:`MAX_VARIANTS` garbled variants of ``phrase`` (with whether a table's pair
    made them), in the order of a walk that at each start tries every garble before the phrase's
    own character. Past the last start the rest of the phrase is copied, not walked."""
    last = max(starts) + 1
    variants: list[tuple[str, bool]] = []

    def walk(i: int, built: str, changed: bool, tabled: bool) -> None:
        if len(variants) >= MAX_VARIANTS:
            return
        if i >= last:  # only the phrase's own characters are left
            if changed:
                variants.append((built + phrase[i:], tabled))
            return
        for j, (g, from_table) in starts.get(i, ()):
            walk(j, built + g, True, tabled or from_table)
        walk(i + 1, built + phrase[i], changed, tabled)

    walk(0, "", False, False)
    return variants


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
    garbles = _garbles(phrases, entries)
    lengths = _lengths_by_first(garbles)
    out: list[Entry] = []
    seen = set(known)
    for phrase in phrases:
        starts = _starts(phrase, garbles, lengths)
        if not starts:
            continue  # nothing in it a known substitution can garble (most phrases)
        for v, tabled in _variants(phrase, starts):
            if v not in seen and v != phrase:
                seen.add(v)
                out.append(Entry(v, (phrase,), "table" if tabled else "phrase", f"gazetteer:{phrase}"))
    return out
