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
#: Prior weight of a garbled form's second, third… listed original (the first is the usual one).
RANK_DECAY = 0.5
#: Tiers whose changes may be applied; ``suggest`` is only ever reported.
APPLICABLE = frozenset({"phrase", "marker", "ambiguous", "table"})
#: The spin-rate prior (see ``spin_rate``): how often a clean document shows a
#: candidate that really reads better restored, and the prior chance a document is spun.
CLEAN_RATE = 0.002
PRIOR_SPUN = 0.05
EM_ROUNDS = 4
#: EM stops when the expected number of spun words moves less than this.
EM_TOLERANCE = 0.05
#: Candidates closer than this many characters share a lattice.
CLUSTER_GAP = 2
#: Longest context word taken either side of a cluster.
CONTEXT_CHARS = 4
#: The most a lone candidate's context may favour a restoration, in log10. Beyond a
#: thousandfold the ratio says more about sparse statistics (a stored bigram for the
#: common word, none for the rare one: 进行研究 vs 进行研讨) than about the text, so
#: in a clean document (ρ≈0.002) context alone can never reach the threshold.
MAX_CONTEXT_GAIN = 3.0
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


def _accumulate(target: list[float], source: list[float], shift: int, score: float) -> None:
    """target[k + shift] ⊕= source[k] + score: one edge's contribution, by number of restorations."""
    for k in range(len(target) - shift):
        if source[k] != NEG_INF:
            target[k + shift] = _logaddexp(target[k + shift], source[k] + score)


@dataclass(frozen=True, slots=True)
class Diff:
    """A minimal replacement in analysis coordinates; the unit of a Change."""

    start: int
    end: int
    new: str


@dataclass(slots=True)
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


@dataclass
class Lattice:
    """All readings of one window of text around a cluster of candidates."""

    start: int
    end: int
    edges: list[list[Edge]]  # by start offset relative to ``start``
    candidates: int  # garbled spans in the window, not nested in another one
    left: str | None  # the context word before the window, if any
    right: str | None  # the context word after it
    restore_edges: list[Edge] = field(default_factory=list)
    #: log partition function by number of restorations on the path (see ``Decider.solve``)
    z: list[float] = field(default_factory=list)
    #: per restore edge (by id), its log mass by number of restorations
    mass: dict[int, list[float]] = field(default_factory=dict)
    #: restore edges (by id) that count as evidence of spinning (not suggest-only)
    counted: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Decision:
    """A diff with its posterior and the edge that carried most of it."""

    diff: Diff
    posterior: float
    edge: Edge
    rho: float


def spin_rate(spun: float, opportunities: float) -> tuple[float, float]:
    """P(the document is spun) and its expected spin rate, from ``spun`` of ``opportunities`` words.

    Documents are not spread evenly over spin rates: they are clean (a
    person wrote every word; CLEAN_RATE allows for the odd ambiguous word
    that looks spun) or spun at some unknown rate (uniform prior). The two
    hypotheses are compared by their marginal likelihoods, so three
    confident restorations in a short text already make it "spun" with a
    rate near their share, while a long clean text with one doubtful
    candidate stays clean with ρ≈CLEAN_RATE.
    """
    n = max(0.0, opportunities)
    k = min(max(0.0, spun), n)
    log_clean = k * math.log(CLEAN_RATE) + (n - k) * math.log1p(-CLEAN_RATE)
    # Beta(1, 1) marginal likelihood: B(k + 1, n - k + 1)
    log_spun = math.lgamma(k + 1) + math.lgamma(n - k + 1) - math.lgamma(n + 2)
    log_odds = math.log(PRIOR_SPUN / (1 - PRIOR_SPUN)) + log_spun - log_clean
    p_spun = 1.0 / (1.0 + math.exp(-log_odds)) if log_odds > -700 else 0.0
    rho = p_spun * (k + 1) / (n + 2) + (1 - p_spun) * CLEAN_RATE
    return p_spun, min(max(rho, 1e-4), 0.95)


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

    def _context_word(self, text: str, at: int, step: int) -> str | None:
        """The longest known word (≤ CONTEXT_CHARS Han characters) ending (step -1) or starting (+1) at ``at``."""
        best = None
        for n in range(1, CONTEXT_CHARS + 1):
            lo, hi = (at - n, at) if step < 0 else (at, at + n)
            if lo < 0 or hi > len(text) or not _is_han(text[lo] if step < 0 else text[hi - 1]):
                break
            w = text[lo:hi]
            if n == 1 or self.model.is_word(w):
                best = w
        return best

    def _reading_score(self, left: str | None, tokens: tuple[str, ...], right: str | None) -> float:
        """log10 p of ``tokens`` between two fixed context words."""
        bigram = self.model.bigram
        total = bigram(left, tokens[0]) + sum(bigram(a, b) for a, b in zip(tokens, tokens[1:]))
        return total + (bigram(tokens[-1], right) if right else 0.0)

    def _solve_single(self, text: str, lat: Lattice) -> None:
        """``solve`` for a lone candidate without building its lattice.

        Most candidates stand alone (in clean text nearly all do); for them
        the lattice has one way to keep the form and one way per original to
        restore it, so Z and the masses are written down directly. (Keeping
        the form is scored with its best segmentation only.)
        """
        lm_scale = LM_WEIGHT * LN10
        c_start, c_end = lat.start, lat.end
        keep = self._reading_score(lat.left, self.segment(text[c_start:c_end]), lat.right)
        z = [lm_scale * keep, NEG_INF]
        gains = [self._reading_score(lat.left, e.tokens, lat.right) - keep for e in lat.restore_edges]
        # the cap lowers every restoration alike, so the choice among originals keeps its evidence
        excess = max(0.0, max(gains, default=0.0) - MAX_CONTEXT_GAIN)
        for e, gain in zip(lat.restore_edges, gains):
            m = lm_scale * (keep + gain - excess) + e.channel
            lat.mass[id(e)] = [NEG_INF, m]
            z[1] = _logaddexp(z[1], m)
        lat.z = z

    def _q(self, original: str) -> float:
        """How likely the spinner was to pick this garbled form for ``original``."""
        return 1.0 / math.sqrt(max(1, self.partners.get(original, 1)))

    def _straddle(self, text: str, a: int, b: int) -> tuple[int, int]:
        """Widen ``[a, b)`` to take in known words that cross its edges.

        A garbled form inside a longer word (年夜 in 年夜饭, 都会 in 大都会)
        must be read as part of that word when it is kept, or the clean
        reading is scored as two odd fragments and loses.
        """
        lo, hi = a, b
        for x in range(max(0, a - CONTEXT_CHARS + 1), a):
            if all(_is_han(ch) for ch in text[x:a]):
                if any(self.model.is_word(text[x:y]) for y in range(a + 1, min(len(text), x + CONTEXT_CHARS) + 1)):
                    lo = x
                    break
        for y in range(min(len(text), b + CONTEXT_CHARS - 1), b, -1):
            if all(_is_han(ch) for ch in text[b:y]):
                if any(self.model.is_word(text[x:y]) for x in range(max(0, y - CONTEXT_CHARS), b)):
                    hi = y
                    break
        return lo, hi

    def lattice(self, text: str, group: Sequence[Candidate]) -> Lattice:
        """Every reading of the span covered by ``group``, between two fixed context words.

        The context either side is the same for every reading, so it is one
        word (the longest the model knows) rather than a lattice of its own.
        """
        a, b = self._straddle(text, min(c.start for c in group), max(c.end for c in group))
        n = b - a
        edges: list[list[Edge]] = [[] for _ in range(n)]
        maxlen = self.model.max_word_len
        single = len(group) == 1 and (a, b) == (group[0].start, group[0].end)
        for i in range(0 if single else n):
            for j in range(i + 1, min(n, i + maxlen) + 1):
                w = text[a + i:a + j]
                if j - i == 1 or self.model.is_word(w):
                    edges[i].append(Edge(a + i, a + j, (w,), 0.0))
        outer = [c for c in group if not any(o is not c and o.start <= c.start and c.end <= o.end for o in group)]
        lat = Lattice(a, b, edges, len(outer), self._context_word(text, a, -1), self._context_word(text, b, +1))
        for c in group:
            for entry in c.entries:
                for rank, original in enumerate(entry.originals):
                    e = self._tokens_edge(c.start, c.end, self.segment(original))
                    e.channel = math.log(TIER_PRIOR.get(entry.kind, 1.0) * self._q(original) * RANK_DECAY ** rank)
                    e.entry, e.garbled, e.original = entry, c.garbled, original
                    e.diffs = self._diffs(c, original, group)
                    edges[c.start - a].append(e)
                    lat.restore_edges.append(e)
                    if entry.kind in APPLICABLE:
                        lat.counted.add(id(e))
        if single:
            self._solve_single(text, lat)
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
    def solve(self, lat: Lattice) -> None:
        """One forward-backward pass that serves every spin rate.

        Each restoration multiplies a reading by the odds ρ/(1-ρ), so the
        partition function is a polynomial in the odds: Z(ρ) = Σ_k Z_k·odds^k,
        with k the number of restorations on a path. Forward-backward over
        vectors indexed by k gives Z_k and, per restore edge, its mass M_k;
        the posterior at any ρ is then Σ M_k odds^k / Σ Z_k odds^k, so
        fitting ρ by EM costs no further passes over the lattice.
        """
        k_max = max(1, lat.candidates)
        width = k_max + 1
        n = lat.end - lat.start
        lm_scale = LM_WEIGHT * LN10
        bigram = self.model.bigram
        start_vec = [0.0] + [NEG_INF] * k_max
        alpha: list[dict] = [dict() for _ in range(n + 1)]
        alpha[0][lat.left] = start_vec
        # transitions[i] = [(prev, edge, score)] computed once, reused by the backward pass
        transitions: list[list[tuple]] = [[] for _ in range(n)]
        for i in range(n):
            if not alpha[i]:
                continue
            for prev, a in alpha[i].items():
                for e in lat.edges[i]:
                    score = lm_scale * (bigram(prev, e.tokens[0]) + e.internal) + e.channel
                    transitions[i].append((prev, e, score))
                    j = e.end - lat.start
                    last = e.tokens[-1]
                    target = alpha[j].get(last)
                    if target is None:
                        target = alpha[j][last] = [NEG_INF] * width
                    _accumulate(target, a, 1 if e.entry is not None else 0, score)
        end_score = {t: lm_scale * bigram(t, lat.right) if lat.right else 0.0 for t in alpha[n]}
        z = [NEG_INF] * width
        for t, vec in alpha[n].items():
            for k in range(width):
                z[k] = _logaddexp(z[k], vec[k] + end_score[t])
        beta: list[dict] = [dict() for _ in range(n + 1)]
        for t in alpha[n]:
            beta[n][t] = [end_score[t]] + [NEG_INF] * k_max
        mass: dict[int, list[float]] = {}
        for i in range(n - 1, -1, -1):
            for prev, e, score in transitions[i]:
                after = beta[e.end - lat.start].get(e.tokens[-1])
                if after is None:
                    continue
                acc = beta[i].get(prev)
                if acc is None:
                    acc = beta[i][prev] = [NEG_INF] * width
                shift = 1 if e.entry is not None else 0
                _accumulate(acc, after, shift, score)
                if shift:
                    before = alpha[i][prev]
                    m = mass.get(id(e))
                    if m is None:
                        m = mass[id(e)] = [NEG_INF] * width
                    for k1 in range(width):
                        if before[k1] == NEG_INF:
                            continue
                        for k2 in range(width - k1 - 1):
                            if after[k2] != NEG_INF:
                                m[k1 + k2 + 1] = _logaddexp(m[k1 + k2 + 1], before[k1] + score + after[k2])
        lat.z, lat.mass = z, mass

    @staticmethod
    def _at(vec: list[float], log_odds: float) -> float:
        out = NEG_INF
        for k, v in enumerate(vec):
            if v != NEG_INF:
                out = _logaddexp(out, v + k * log_odds)
        return out

    def posteriors(self, lat: Lattice, rho: float) -> dict[int, float]:
        """Posterior probability of each restore edge (keyed by ``id(edge)``) at spin rate ρ."""
        if not lat.z:
            self.solve(lat)
        log_odds = math.log(rho / (1.0 - rho))
        at = self._at
        z = at(lat.z, log_odds)
        return {key: math.exp(at(vec, log_odds) - z) for key, vec in lat.mass.items()}

    def fit(self, lattices: Sequence[Lattice], opportunities: int) -> tuple[float, float, list[dict[int, float]]]:
        """EM for the document's spin rate; returns P(spun), ρ and the final posteriors.

        Each lattice is decided with a leave-one-out rate: the evidence of
        the *other* candidates and intact words of the document, never its
        own, so a lone candidate cannot talk itself into a high spin rate.
        """
        sizes = [lat.candidates for lat in lattices]
        expected = [0.1 * n for n in sizes]
        posts: list[dict[int, float]] = [{} for _ in lattices]
        for _ in range(EM_ROUNDS):
            total = sum(expected)
            for k, lat in enumerate(lattices):
                _, rho = spin_rate(total - expected[k], opportunities - sizes[k])
                posts[k] = self.posteriors(lat, rho)
                expected[k] = min(float(sizes[k]), sum(p for key, p in posts[k].items() if key in lat.counted))
            if abs(sum(expected) - total) < EM_TOLERANCE:
                break
        p_spun, rho = spin_rate(sum(expected), opportunities)
        return p_spun, rho, posts

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
