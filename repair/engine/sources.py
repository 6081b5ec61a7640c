"""Where a restoration comes from, and the shape of a lattice's polynomial in the odds of each source.

A spinner that used a user's table need not have touched a single built-in
pair, and one that used the built-in pairs need not know the user's table: the
built-in dictionaries' intact words say nothing about how much of a document a
table spun, and the reverse. So each source has its own spin rate
(:func:`repair.engine.spinrate.fit`): source 0, the dictionaries (every tier
but ``table``), and source 1, the user's tables.

A lattice's partition function is then a polynomial in the odds of each
source, indexed by how many restorations of each source a path makes. A
:class:`Layout` lists the points (k₀, k₁) a lattice keeps, flattened into one
vector, and the moves between them, once per shape. A lattice whose
restorations all come from one source keeps the plain vector k = 0, 1, 2 …
of that source, so it is decided exactly as with one rate.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from .dictionary import Entry

DICTIONARIES, TABLES = 0, 1
#: Every source, in the order of per-source tuples (rates, counts).
SOURCES = (DICTIONARIES, TABLES)
#: The share of the dictionaries' pairs a user's tables must hold to be read as the same spinner.
SHARED_COVERAGE = 0.25


def source_of(entry: Entry) -> int:
    """The source of an entry: a user's table, or the dictionaries (built-in or given as dictionaries)."""
    return TABLES if entry.kind == "table" and not entry.shared else DICTIONARIES


def combined(p_spun: Sequence[float]) -> float:
    """P(spun by any source), 1 - Π(1-pₛ); one source's own probability, exactly, when there is one."""
    if len(p_spun) == 1:
        return p_spun[0]
    clean = 1.0
    for p in p_spun:
        clean *= 1.0 - p
    return 1.0 - clean


@dataclass(frozen=True)
class Layout:
    """The points (k₀, k₁) of a lattice's polynomial, and how a restoration moves between them.

    ``keep[i] = (i, i)`` for a kept word; ``step[s]`` pairs each point with
    the point one restoration of source ``s`` further, where that is kept;
    ``join[s][i]`` pairs each point j with the point i + j + one restoration
    of ``s`` (a restore edge between a prefix of i and a suffix of j).
    """

    points: tuple[tuple[int, int], ...]
    sources: tuple[int, ...]  # the sources with restorations in the lattice
    keep: tuple[tuple[int, int], ...]
    step: tuple[tuple[tuple[int, int], ...], ...]
    join: tuple[tuple[tuple[tuple[int, int], ...], ...], ...]

    @property
    def width(self) -> int:
        return len(self.points)

    def unit(self, source: int) -> int:
        """The index of the point with one restoration of ``source``."""
        return self.step[source][0][1]

    def weights(self, log_odds: Sequence[float]) -> list[float]:
        """Σₛ kₛ · log oddsₛ at each point (only the lattice's own sources are read)."""
        if len(self.sources) == 1:
            s = self.sources[0]
            lo = log_odds[s]
            return [p[s] * lo for p in self.points]
        return [p[0] * log_odds[0] + p[1] * log_odds[1] for p in self.points]


@lru_cache(maxsize=256)
def layout(bounds: tuple[int, int], total: int) -> Layout:
    """The layout of a lattice with at most ``bounds[s]`` restorations of source s and ``total`` in all.

    The truncation is the one-rate engine's: no path restores more words than
    the lattice has outer candidates (``total``), and none more of a source
    than the candidates of that source. Points are sorted by (k₀, k₁), so a
    lattice of one source keeps the vector k = 0 … total.
    """
    points = tuple(sorted((k0, k1) for k0 in range(bounds[0] + 1) for k1 in range(bounds[1] + 1)
                          if k0 + k1 <= total))
    index = {p: i for i, p in enumerate(points)}
    unit = ((1, 0), (0, 1))

    def at(a: tuple[int, int], b: tuple[int, int], s: int) -> int | None:
        return index.get((a[0] + b[0] + unit[s][0], a[1] + b[1] + unit[s][1]))

    step = tuple(tuple((i, j) for i, p in enumerate(points) if (j := at(p, (0, 0), s)) is not None) for s in SOURCES)
    join = tuple(tuple(tuple((j, k) for j, q in enumerate(points) if (k := at(p, q, s)) is not None) for p in points)
                 for s in SOURCES)
    sources = tuple(s for s in SOURCES if bounds[s] > 0)
    return Layout(points, sources, tuple((i, i) for i in range(len(points))), step, join)


def assign(entries: Sequence[Entry]) -> tuple[list[Entry], bool]:
    """``entries`` with every user's table pair in its source, and whether the tables share the
    dictionaries' rate.

    The dictionaries were read off spinners' tables, so a spinner's own table
    repeats most of them, both ways, alongside pairs of its own: its
    substitutions and the dictionaries' are one spinner's, at one rate, and
    fitting them apart would leave the reverse swaps (clean 中心 turned into
    中央), which only the table knows and whose context says little, as the
    table's only evidence (on dev, with the dictionaries and a spinner's own
    table, apart: precision 0.928 → 0.774 at spin rate 0.2). So tables that
    hold at least ``SHARED_COVERAGE`` of the dictionaries' pairs are
    :func:`shared`, every pair kept, decided exactly as with one rate for
    everything. Tables that hold fewer — a thesaurus, pairs found by
    ``unspin learn`` — say what *another* spinner does, and are fitted apart;
    then a table's pairs that a dictionary also holds are the dictionary's
    (:func:`apportion`).
    """
    if not any(e.kind == "table" for e in entries):  # no table (start-up): nothing to assign
        return list(entries), False
    held = {(e.garbled, o) for e in entries if e.kind not in ("table", "suggest") for o in e.originals}
    if not held:  # tables alone (``--no-builtin``): no pair to share or to take from them
        return list(entries), False
    covered = {(e.garbled, o) for e in entries if e.kind == "table" for o in e.originals} & held
    if len(covered) >= SHARED_COVERAGE * len(held):
        return shared(entries), True
    return apportion(entries, covered), False


def shared(entries: Sequence[Entry]) -> list[Entry]:
    """``entries`` with every table pair at the dictionaries' rate (``Entry.shared``)."""
    return [e._replace(shared=True) if e.kind == "table" and not e.shared else e for e in entries]


def apportion(entries: Sequence[Entry], held: set[tuple[str, str]]) -> list[Entry]:
    """``entries`` with every pair in one source: a table's pairs that a dictionary holds (``held``)
    are the dictionary's.

    A spinner's own table repeats many built-in pairs (the dictionaries were
    read off spinners' tables). Kept in both sources, such a pair would be
    two restore edges making the same change, one at each source's rate,
    and its evidence would count for the dictionaries alone: the table's
    edge would only dilute the dictionaries' rate. The table keeps its other
    pairs. Suggest-only pairs are not taken from a table: there, the table
    makes them applicable.
    """
    taken = {g for g, _ in held}  # the garbled forms of the pairs taken, to pass the rest untouched
    out: list[Entry] = []
    for e in entries:
        if e.kind == "table" and e.garbled in taken:
            originals = tuple(o for o in e.originals if (e.garbled, o) not in held)
            if not originals:
                continue
            if len(originals) < len(e.originals):
                e = e._replace(originals=originals)
        out.append(e)
    return out
