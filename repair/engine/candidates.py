"""Finding candidates: every known garbled form in a text, in one pass.

One Aho-Corasick automaton (pyahocorasick) holds every garbled form and every
original form. Garbled forms are *candidates* for restoration; originals seen
intact are evidence that the spinner left this document alone, which the
document spin-rate estimate needs as much as the candidates themselves.
Overlapping matches are all kept: spinners garble across our word boundaries
(督查问责 → 督盘问责 swaps 查问 → 盘问), and the decision stage picks among
them with context.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, NamedTuple

import ahocorasick

from .changes import span_mask
from .dictionary import Entry


class Candidate(NamedTuple):
    """A garbled form found at ``start:end`` of the analysis copy (a tuple: there are many)."""

    start: int
    end: int
    garbled: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Matches:
    """Candidates, and how many intact original forms the text holds."""

    candidates: tuple[Candidate, ...]
    intact: int


class Finder:
    """The automaton over all forms of a lexicon, built once."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        by_garbled: dict[str, list[Entry]] = {}
        originals: set[str] = set()
        for e in entries:
            by_garbled.setdefault(e.garbled, []).append(e)
            originals.update(e.originals)
        # Two automata: a text with no garbled form (most clean text) costs one
        # pass that yields nothing; intact originals are counted only when needed.
        self._garbled = ahocorasick.Automaton()
        for g, es in by_garbled.items():
            self._garbled.add_word(g, (g, tuple(es)))
        self._originals = ahocorasick.Automaton()
        for o in originals - by_garbled.keys():
            if len(o) > 1:  # single characters are not counted (see _count_intact)
                self._originals.add_word(o, len(o))
        self.empty = not by_garbled
        if not self.empty:
            self._garbled.make_automaton()
        if len(self._originals):
            self._originals.make_automaton()

    def find(self, text: str) -> Matches:
        """All candidates (overlaps included) and the count of intact originals."""
        if self.empty:
            return Matches((), 0)
        cands = [Candidate(end + 1 - len(form), end + 1, form, entries)
                 for end, (form, entries) in self._garbled.iter(text)]
        if not cands:
            return Matches((), 0)
        cands.sort(key=lambda c: (c.start, -c.end))
        return Matches(tuple(cands), self._count_intact(text, cands))

    def _count_intact(self, text: str, cands: list[Candidate]) -> int:
        """Intact original words, as a spinner would have seen them.

        Longest matches without overlaps, apart from candidates, and no single
        characters (大, 和): each 大 is not a word the spinner chose to leave
        alone, and counting them would make every document look barely spun.
        """
        if not len(self._originals):
            return 0
        taken = span_mask(len(text), ((c.start, c.end) for c in cands))
        return sum(1 for end, n in self._originals.iter_long(text) if taken.find(1, end + 1 - n, end + 1) < 0)


#: Opening → closing quotation marks; a form quoted on its own is being talked about.
QUOTES = {"「": "」", "『": "』", "“": "”", "‘": "’", '"': '"', "《": "》", "〈": "〉"}


def drop_mentions(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Candidates that are not quoted on their own.

    「客岁」一词 talks *about* the word: a garbled form that is the whole
    content of a quotation is a mention, and restoring it would change
    what the sentence says.
    """
    out = []
    for c in cands:
        if c.start > 0 and c.end < len(text) and QUOTES.get(text[c.start - 1]) == text[c.end]:
            continue
        out.append(c)
    return out
