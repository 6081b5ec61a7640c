"""Where a text writes a set of words, found in one pass: for the table decisions that ask
"how often does the page write this form, and does it write that original anywhere else?".

Those questions come once per table decision, and a dense page has tens of thousands of
decisions over thousands of distinct pairs: answered with ``str.count`` and ``str.replace``
each one read the whole text again, which made a 50,000-character page spun with a big
thesaurus spend most of its time there (quadratic in the page). One Aho-Corasick pass over
the text finds every occurrence of every word asked about, and each answer is then a walk
over that word's own occurrences. The answers are exactly ``str.count`` and
``original in text.replace(garbled, "\\0")``: both replace leftmost non-overlapping matches.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Iterable

import ahocorasick


def _latin(text: str) -> str:
    """``text`` in UTF-8, one latin-1 character per byte: the automaton reads bytes, and since
    UTF-8 keeps the order of characters, which spans overlap or contain others does not change."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


class Occurrences:
    """Every occurrence in ``text`` of each of ``words`` (byte offsets of its UTF-8 form)."""

    def __init__(self, text: str, words: Iterable[str]) -> None:
        keys = {w: _latin(w) for w in words if w}
        self._keys = keys
        self._at: dict[str, list[int]] = {k: [] for k in keys.values()}
        self._spans: dict[str, tuple[list[int], list[int]]] = {}
        #: :meth:`written_outside`'s answers: each table decision asks it of its pair, and the
        #: repairer asks again in every round of its choice
        self._outside: dict[tuple[str, str], bool] = {}
        if not keys:
            return
        automaton = ahocorasick.Automaton()
        for key in self._at:
            automaton.add_word(key, key)
        automaton.make_automaton()
        for end, key in automaton.iter(_latin(text)):
            self._at[key].append(end + 1 - len(key))
        for starts in self._at.values():
            starts.sort()

    def _taken(self, word: str) -> tuple[list[int], list[int]]:
        """The starts and ends of ``word``'s leftmost non-overlapping occurrences (what
        ``str.count`` counts and ``str.replace`` replaces)."""
        key = self._keys[word]
        spans = self._spans.get(key)
        if spans is None:
            starts, ends, end = [], [], -1
            for s in self._at[key]:
                if s >= end:
                    end = s + len(key)
                    starts.append(s)
                    ends.append(end)
            spans = self._spans[key] = (starts, ends)
        return spans

    def count(self, word: str) -> int:
        """``text.count(word)``."""
        return len(self._taken(word)[0])

    def written_outside(self, word: str, inside: str) -> bool:
        """``word in text.replace(inside, "\\0")``: an occurrence of ``word`` that no replaced
        occurrence of ``inside`` touches."""
        known = self._outside.get((word, inside))
        if known is None:
            known = self._outside[(word, inside)] = self._written_outside(word, inside)
        return known

    def _written_outside(self, word: str, inside: str) -> bool:
        """:meth:`written_outside`, worked out."""
        starts, ends = self._taken(inside)
        size = len(self._keys[word])
        for s in self._at[self._keys[word]]:
            i = bisect_right(starts, s + size - 1) - 1  # the last replaced span starting within it
            if i < 0 or ends[i] <= s:
                return True
        return False
