"""Deciding which candidates to restore: a noisy channel over a word lattice.

Model. A spinner walks the original text word by word and replaces a word it
knows with probability ρ (the document's spin rate) by one of that word's
partners. So for each stretch of text holding candidates we compare every
reading of it — keep each garbled form, or restore it to one of its
originals — by

    P(reading) ∝ P_clean(words of the reading) · Π_restored ρ/(1-ρ) · q · k

where ``P_clean`` is the bigram context model of clean Chinese, ``q`` is
how likely the spinner was to pick this garbled form for that original (one
of its n partners) and ``k`` the tier's prior (a marker such as 处置惩罚 is
far less likely to be written by a person than 集会).

* Neighbouring candidates garble each other's context, so each cluster of
  nearby candidates is one lattice; forward-backward over it gives every
  restoration its posterior probability *jointly* with its neighbours.
* ρ is not a fixed cut-off: it is fitted per document by EM over all its
  candidates and all the intact original words (each intact 问题 is evidence
  the spinner skipped a word it could have swapped). Clean text gets ρ≈0.03
  and needs overwhelming local evidence; spun text gets ρ≈0.6 and its
  ambiguous words are restored on ordinary evidence; a page spun at 20% lands
  in between.
* A change is applied when its posterior reaches the threshold (never below
  0.5, so two overlapping changes can never both pass).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

from rapidfuzz.distance import Levenshtein

from .candidates import Candidate
from .context import ContextModel
from .dictionary import Entry

LN10 = math.log(10)
NEG_INF = float("-inf")

#: Prior weight ``k`` of each tier (how much likelier the form is spun than written).
TIER_PRIOR = {"phrase": 40.0, "marker": 30.0, "ambiguous": 1.0, "table": 1.0, "suggest": 0.3}
#: Tiers whose changes may be applied; ``suggest`` is only ever reported.
APPLICABLE = frozenset({"phrase", "marker", "ambiguous", "table"})
#: Beta prior on the spin rate: mean 0.05, worth ten observations.
RHO_A, RHO_B = 0.5, 9.5
EM_ROUNDS = 3
#: Candidates closer than this many characters share a lattice.
CLUSTER_GAP = 2
#: Characters of context each side of a cluster.
CONTEXT_CHARS = 4
#: Weight of the context model against the channel prior.
LM_WEIGHT = 1.0


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _logaddexp(a: float, b: float) -> float:
    if a == NEG_INF:
        return b
    if b == NEG_INF:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


@dataclass(frozen=True)
class Diff:
    """A minimal replacement in analysis coordinates; the unit of a Change."""

    start: int
    end: int
    new: str


@dataclass
class Edge:
    """One step through the lattice: a kept word, or a restored form."""

    start: int
    end: int
    tokens: tuple[str, ...]
    internal: float  # log10 p of the tokens after the first, inside the edge
    channel: float = 0.0  # log prior of the restoration (0 for a kept word)
    entry: Entry | None = None
    garbled: str = ""
    original: str = ""
    diffs: tuple[Diff, ...] = ()

    @property
    def restores(self) -> bool:
        return self.entry is not None


@dataclass
class Lattice:
    """All readings of one window of text around a cluster of candidates."""

    start: int
    end: int
    edges: list[list[Edge]]  # by start offset relative to ``start``
    candidates: int  # garbled spans in the window, not nested in another one
    restore_edges: list[Edge] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """A diff with its posterior and the edge that carried most of it."""

    diff: Diff
    posterior: float
    edge: Edge
    rho: float


class Decider:
    """Builds lattices and fits the spin rate; one per (lexicon, context model)."""

    def __init__(self, model: ContextModel, segment: Callable[[str], tuple[str, ...]],
                 partners: dict[str, int]) -> None:
        self.model = model
        self.segment = segment
        self.partners = partners  # original -> number of garbled forms known for it

    # ---- lattice construction -------------------------------------------------
    def _tokens_edge(self, start: int, end: int, tokens: tuple[str, ...]) -> Edge:
        internal = sum(self.model.bigram(a, b) for a, b in zip(tokens, tokens[1:]))
        return Edge(start, end, tokens, internal)

    def clusters(self, text: str, cands: Sequence[Candidate]) -> list[list[Candidate]]:
        """Group candidates whose spans lie within CLUSTER_GAP Han characters of each other."""
        groups: list[list[Candidate]] = []
        end = -10
        for c in sorted(cands, key=lambda c: (c.start, c.end)):
            if groups and c.start <= end + CLUSTER_GAP and all(_is_han(ch) for ch in text[end:c.start]):
                groups[-1].append(c)
                end = max(end, c.end)
            else:
                groups.append([c])
                end = c.end
        return groups

    def lattice(self, text: str, group: Sequence[Candidate]) -> Lattice:
        lo = min(c.start for c in group)
        hi = max(c.end for c in group)
        a = lo
        while a > 0 and lo - a < CONTEXT_CHARS and _is_han(text[a - 1]):
            a -= 1
        b = hi
        while b < len(text) and b - hi < CONTEXT_CHARS and _is_han(text[b]):
            b += 1
        n = b - a
        edges: list[list[Edge]] = [[] for _ in range(n)]
        maxlen = self.model.max_word_len
        for i in range(n):
            for j in range(i + 1, min(n, i + maxlen) + 1):
                w = text[a + i:a + j]
                if j - i == 1 or self.model.is_word(w):
                    edges[i].append(Edge(a + i, a + j, (w,), 0.0))
        outer = [c for c in group if not any(o is not c and o.start <= c.start and c.end <= o.end for o in group)]
        lat = Lattice(a, b, edges, len(outer))
        for c in group:
            for entry in c.entries:
                for rank, original in enumerate(entry.originals):
                    e = self._tokens_edge(c.start, c.end, self.segment(original))
                    q = 1.0 / max(1, self.partners.get(original, 1))
                    e.channel = math.log(TIER_PRIOR.get(entry.kind, 1.0) * q / (1 + rank))
                    e.entry, e.garbled, e.original = entry, c.garbled, original
                    e.diffs = self._diffs(c, original, group)
                    edges[c.start - a].append(e)
                    lat.restore_edges.append(e)
        return lat

    @staticmethod
    def _diffs(c: Candidate, original: str, group: Sequence[Candidate]) -> tuple[Diff, ...]:
        """The replacements an edge makes, cut at the known entries inside it.

        中共中心 → 中共中央 (a phrase), 审议经由过程 → 审议通过 (a compound) and
        the words 中心 → 中央, 经由过程 → 通过 inside them make the same change;
        cutting every edge into the smallest known entries lets their
        probabilities add up, and the explanation shows the word that changed.
        The cut is an alignment of the garbled form with the original in which
        each step copies an equal character or applies one inner entry.
        Where no such alignment exists, a phrase is cut where its characters
        differ (rapidfuzz's opcodes) and a word entry stays whole (处置惩罚 → 处理).
        """
        g = c.garbled
        inner: dict[int, list[tuple[int, str]]] = {}
        for w in group:
            if w is not c and c.start <= w.start and w.end <= c.end:
                for e in w.entries:
                    if e.kind != "suggest":
                        for o in e.originals:
                            inner.setdefault(w.start - c.start, []).append((w.end - c.start, o))
        # best[(i, j)] = cheapest alignment of g[:i] with original[:j]
        best: dict[tuple[int, int], tuple[int, tuple[Diff, ...]]] = {(0, 0): (0, ())}
        for i in range(len(g) + 1):
            for j in range(len(original) + 1):
                cur = best.get((i, j))
                if cur is None:
                    continue
                steps = []
                if i < len(g) and j < len(original) and g[i] == original[j]:
                    steps.append(((i + 1, j + 1), cur))
                for we, o in inner.get(i, ()):
                    if original.startswith(o, j):
                        # cost = characters replaced: the smallest entries win (天下, not 天下人大)
                        steps.append(((we, j + len(o)),
                                      (cur[0] + we - i, cur[1] + (Diff(c.start + i, c.start + we, o),))))
                for key, val in steps:
                    if key not in best or val[0] < best[key][0]:
                        best[key] = val
        done = best.get((len(g), len(original)))
        if done is not None and done[1]:
            return done[1]
        if c.entries[0].kind != "phrase":
            return (Diff(c.start, c.end, original),)
        diffs: list[Diff] = []
        for op in Levenshtein.opcodes(g, original):
            if op.tag == "equal":
                continue
            new = original[op.dest_start:op.dest_end]
            if diffs and diffs[-1].end == c.start + op.src_start:
                diffs[-1] = Diff(diffs[-1].start, c.start + op.src_end, diffs[-1].new + new)
            else:
                diffs.append(Diff(c.start + op.src_start, c.start + op.src_end, new))
        return tuple(diffs)

    # ---- inference ---------------------------------------------------------------
    def _edge_score(self, prev: str | None, e: Edge, log_odds: float) -> float:
        lm = self.model.bigram(prev, e.tokens[0]) + e.internal
        return LM_WEIGHT * LN10 * lm + (e.channel + log_odds if e.restores else 0.0)

    def posteriors(self, lat: Lattice, rho: float) -> dict[int, float]:
        """Posterior probability of each restore edge (keyed by ``id(edge)``)."""
        log_odds = math.log(rho / (1.0 - rho))
        n = lat.end - lat.start
        alpha: list[dict] = [dict() for _ in range(n + 1)]
        alpha[0][None] = 0.0
        for i in range(n):
            if not alpha[i]:
                continue
            for prev, a in alpha[i].items():
                for e in lat.edges[i]:
                    j = e.end - lat.start
                    last = e.tokens[-1]
                    alpha[j][last] = _logaddexp(alpha[j].get(last, NEG_INF), a + self._edge_score(prev, e, log_odds))
        z = NEG_INF
        for v in alpha[n].values():
            z = _logaddexp(z, v)
        beta: list[dict] = [dict() for _ in range(n + 1)]
        for t in alpha[n]:
            beta[n][t] = 0.0
        for i in range(n - 1, -1, -1):
            for prev in alpha[i]:
                acc = NEG_INF
                for e in lat.edges[i]:
                    after = beta[e.end - lat.start].get(e.tokens[-1], NEG_INF)
                    if after != NEG_INF:
                        acc = _logaddexp(acc, self._edge_score(prev, e, log_odds) + after)
                beta[i][prev] = acc
        out: dict[int, float] = {}
        for e in lat.restore_edges:
            i, j = e.start - lat.start, e.end - lat.start
            after = beta[j].get(e.tokens[-1], NEG_INF)
            mass = NEG_INF
            for prev, a in alpha[i].items():
                mass = _logaddexp(mass, a + self._edge_score(prev, e, log_odds) + after)
            out[id(e)] = math.exp(mass - z) if mass != NEG_INF else 0.0
        return out

    def fit(self, lattices: Sequence[Lattice], opportunities: int) -> tuple[float, list[dict[int, float]]]:
        """EM for the document's spin rate ρ; returns ρ and the final posteriors.

        Each lattice is decided with a leave-one-out rate: the evidence of
        the *other* candidates and intact words of the document, never its
        own, so a lone candidate cannot talk itself into a high spin rate.
        """
        sizes = [lat.candidates for lat in lattices]
        expected = [0.1 * n for n in sizes]
        posts: list[dict[int, float]] = [{} for _ in lattices]
        for _ in range(EM_ROUNDS + 1):
            total = sum(expected)
            for k, lat in enumerate(lattices):
                rho = self._rate(total - expected[k], opportunities - sizes[k])
                posts[k] = self.posteriors(lat, rho)
                expected[k] = min(float(sizes[k]), sum(posts[k].values()))
        return self._rate(sum(expected), opportunities), posts

    @staticmethod
    def _rate(expected: float, opportunities: int) -> float:
        """Posterior mean of ρ under the Beta prior, kept inside (0, 1)."""
        rho = (RHO_A + expected) / (RHO_A + RHO_B + max(0, opportunities))
        return min(max(rho, 1e-4), 0.95)

    @staticmethod
    def decisions(lattices: Sequence[Lattice], posts: Sequence[dict[int, float]], rho: float) -> list[Decision]:
        """Posterior of each distinct diff (edges making the same diff add up)."""
        out: list[Decision] = []
        for lat, post in zip(lattices, posts):
            mass: dict[Diff, float] = {}
            best: dict[Diff, tuple[float, Edge]] = {}
            for e in lat.restore_edges:
                p = post.get(id(e), 0.0)
                for d in e.diffs:
                    mass[d] = mass.get(d, 0.0) + p
                    if d not in best or p > best[d][0]:
                        best[d] = (p, e)
            out.extend(Decision(d, min(1.0, m), best[d][1], rho) for d, m in mass.items())
        return out
