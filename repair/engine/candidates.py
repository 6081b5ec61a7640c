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

from collections import Counter
from functools import cached_property
from typing import Callable, Iterable, NamedTuple, Sequence

import ahocorasick

from .changes import span_mask
from .dictionary import Entry
from .sources import SOURCES, source_of


class Candidate(NamedTuple):
    """A garbled form found at ``start:end`` of the analysis copy (a tuple: there are many)."""

    start: int
    end: int
    garbled: str
    entries: tuple[Entry, ...]


class Matches:
    """Candidates, and how many intact original forms of each source the text holds.

    ``intact`` is counted on first read: only the first round of decisions,
    which fits the document's spin rate, needs it, and counting costs a
    second pass over the text.
    """

    def __init__(self, candidates: tuple[Candidate, ...],
                 count: Callable[[], tuple[int, ...]] | None = None) -> None:
        self.candidates = candidates
        self._count = count

    @cached_property
    def intact(self) -> tuple[int, ...]:
        """Per source (see :mod:`.sources`), its intact originals."""
        return self._count() if self._count is not None else (0,) * len(SOURCES)


#: 1 for a UTF-8 continuation byte, else 0 (a ``bytes.translate`` table): counting them maps bytes to characters.
_CONTINUATION = bytes(int(0x80 <= b < 0xC0) for b in range(256))


def _as_bytes(text: str) -> str:
    """``text`` in UTF-8, one latin-1 character per byte (what the garbled-form automaton reads)."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


class Finder:
    """The automaton over all forms of a lexicon, built once."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries = tuple(entries)
        # each form's entries as a tuple: most forms have one entry, and a list per form, copied to
        # a tuple for the automaton, costs a big table twice as much. The few forms with more are
        # gathered in lists: a tuple grown by concatenation is copied at every entry, quadratic in a
        # hub word's partners (one word paired with 40,000 others loaded in 7 s, not 1 s)
        by_garbled: dict[str, tuple[Entry, ...]] = {}
        more: dict[str, list[Entry]] = {}
        for e in self._entries:
            g = e.garbled
            first = by_garbled.get(g)
            if first is None:
                by_garbled[g] = (e,)
            else:
                more.setdefault(g, list(first)).append(e)
        for g, es in more.items():
            by_garbled[g] = tuple(es)
        # Two automata: a text with no garbled form (most clean text) costs one
        # pass that yields nothing; intact originals are counted only when needed.
        # Garbled forms are looked for in UTF-8: pyahocorasick finds a node's child
        # by a linear scan, and over the hundreds of characters that start a form
        # that scan, at every character of the text, costs four times as much as
        # the whole search over bytes, where a node has a few children. UTF-8 is
        # self-synchronising, so a form matches only at character boundaries and
        # the matches are exactly those in the text. The intact originals are
        # counted the same way, longest match first (see ``_count_intact``), for each
        # source the original belongs to.
        self._garbled = ahocorasick.Automaton()
        for g, es in by_garbled.items():
            self._garbled.add_word(_as_bytes(g), (len(g), g, es))
        self.empty = not by_garbled
        if not self.empty:
            self._garbled.make_automaton()

    @cached_property
    def _originals(self) -> ahocorasick.Automaton:
        """The automaton of intact originals, with the sources each is an original of, built when a
        text first has a candidate: a big table loads in half the time, and clean text with no
        garbled form never needs it."""
        masks: dict[str, int] = {}  # the sources each original is one of, as bits (a table has many)
        for e in self._entries:
            bit = 1 << source_of(e)
            for o in e.originals:
                masks[o] = masks.get(o, 0) | bit
        flags = {m: tuple(bool(m >> t & 1) for t in SOURCES) for m in set(masks.values())}
        garbled = {e.garbled for e in self._entries}
        automaton = ahocorasick.Automaton()
        for o, m in masks.items():
            # single characters are not counted (see _count_intact), nor forms that are garbled too
            if len(o) > 1 and o not in garbled:
                automaton.add_word(_as_bytes(o), (len(o.encode("utf-8", "surrogatepass")), flags[m]))
        if len(automaton):
            automaton.make_automaton()
        return automaton

    def find(self, text: str) -> Matches:
        """All candidates (overlaps included) and the count of intact originals."""
        if self.empty:
            return Matches(())
        data = text.encode("utf-8", "surrogatepass")
        hits = list(self._garbled.iter(data.decode("latin-1")))
        if not hits:
            return Matches(())
        if len(data) == len(text):  # ASCII: a byte offset is a character offset
            cands = [Candidate(end + 1 - n, end + 1, form, entries) for end, (n, form, entries) in hits]
        else:
            continuation = data.translate(_CONTINUATION)
            cands = []
            byte = char = 0  # one point of the text, in bytes and in characters (hits come by end)
            for end, (n, form, entries) in hits:
                end += 1
                if end != byte:
                    char += end - byte - continuation.count(1, byte, end)
                    byte = end
                cands.append(Candidate(char - n, char, form, entries))
        cands.sort(key=lambda c: (c.start, -c.end))
        found = tuple(cands)
        return Matches(found, lambda: self._count_intact(text, data, found))

    def _count_intact(self, text: str, data: bytes, cands: Sequence[Candidate]) -> tuple[int, ...]:
        """Intact original words of each source, as a spinner would have seen them.

        Longest matches without overlaps, apart from candidates, and no single
        characters (大, 和): each 大 is not a word the spinner chose to leave
        alone, and counting them would make every document look barely spun.
        Matched over the UTF-8 bytes ``data`` of ``text``, like the garbled
        forms, and in bytes a form's longest match is the same as in characters.
        A word that is an original of both sources counts for both.
        """
        if not len(self._originals):
            return (0,) * len(SOURCES)
        spans = []
        byte = char = 0  # candidate offsets in bytes, walking the text once (candidates come by start)
        for c in cands:
            byte += len(text[char:c.start].encode("utf-8", "surrogatepass"))
            char = c.start
            spans.append((byte, byte + len(c.garbled.encode("utf-8", "surrogatepass"))))
        taken = span_mask(len(data), spans)
        found = Counter(of for end, (n, of) in self._originals.iter_long(data.decode("latin-1"))
                        if taken.find(1, end + 1 - n, end + 1) < 0)
        return tuple(sum(count for of, count in found.items() if of[s]) for s in SOURCES)


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
