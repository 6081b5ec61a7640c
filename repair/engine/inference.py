"""Posterior probability of each restoration: forward-backward over a lattice.

Model. A spinner walks the original text word by word and replaces a word it
knows with probability ρ (the document's spin rate) by one of that word's
partners. Every reading of a lattice is scored by

    P(reading) ∝ P_clean(words of the reading) · Π_restored ρ/(1-ρ) · q · k

where ``P_clean`` is the context model of clean Chinese, ``q`` how likely the
spinner was to pick this garbled form for that original and ``k`` the tier's
prior. Each restoration multiplies a reading by the odds ρ/(1-ρ), so the
partition function is a polynomial in the odds, Z(ρ) = Σ_k Z_k·odds^k, with k
the number of restorations on a path; one forward-backward pass gives Z_k and,
per restore edge, its mass M_k, and the posterior at any ρ is then
Σ M_k odds^k / Σ Z_k odds^k. Fitting ρ (:mod:`repair.engine.spinrate`) costs
no further passes over the lattice. Lattices hold at most
``ModelParams.max_cluster`` candidates, so the vectors stay short.

Each source of restorations (the dictionaries, the user's tables) has its own
rate (:mod:`repair.engine.sources`), and each restoration multiplies a reading
by the odds of its own source: a lattice with restorations of both sources
has a polynomial in both odds, Z(ρ₀, ρ₁) = Σ Z_{k₀k₁}·odds₀^k₀·odds₁^k₁, its
points flattened into one vector by the lattice's ``layout``.
"""
from __future__ import annotations

import math
from typing import NamedTuple, Sequence

from .lattice import Diff, Edge, Lattice, LatticeBuilder
from .sources import SOURCES

LN10 = math.log(10)
NEG_INF = float("-inf")


def logaddexp(a: float, b: float) -> float:
    """log(e^a + e^b) without overflow."""
    if a == NEG_INF:
        return b
    if b == NEG_INF:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


class Decision(NamedTuple):
    """A diff with its posterior and the edge that carried most of it."""

    diff: Diff
    posterior: float
    edge: Edge
    rho: float  # the spin rate of the edge's source


def solve(builder: LatticeBuilder, text: str, lat: Lattice) -> None:
    """Fill ``lat.z`` and ``lat.mass``: the fast path for a lone candidate, else forward-backward."""
    if lat.z:
        return
    # a lattice with kept words has one at the head of its first row (``LatticeBuilder.build``
    # gives every position its character first), so that edge tells, with no scan of them all
    first = lat.edges[0] if lat.edges else ()
    if not first or first[0].entry is not None:
        _solve_single(builder, text, lat)
    else:
        _forward_backward(builder, lat)


def _solve_single(builder: LatticeBuilder, text: str, lat: Lattice) -> None:
    """A lone candidate: one way to keep the form, one way per original to restore it.

    Z and the masses are written down directly. (Keeping the form is scored
    with its best segmentation only.) A lone candidate's context may favour
    restoring by at most ``max_context_gain`` in log10; the cap lowers every
    restoration alike, so the choice among originals keeps its evidence.
    """
    p = builder.params
    lm_scale = p.lm_weight * LN10
    keep = builder.reading_score(lat.left, builder.segment(text[lat.start:lat.end]), lat.right, lat.left2)
    width = lat.layout.width
    z = [lm_scale * keep] + [NEG_INF] * (width - 1)
    gains = [builder.reading_score(lat.left, e.tokens, lat.right, lat.left2) - keep for e in lat.restore_edges]
    excess = max(0.0, max(gains, default=0.0) - p.max_context_gain)
    for e, gain in zip(lat.restore_edges, gains):
        m = lm_scale * (keep + gain - excess) + e.channel
        k = lat.layout.unit(e.source)
        vec = lat.mass[id(e)] = [NEG_INF] * width
        vec[k] = m
        z[k] = logaddexp(z[k], m)
    lat.z = z


def _forward_backward(builder: LatticeBuilder, lat: Lattice) -> None:
    """Forward-backward over vectors indexed by the number of restorations of each source on a path."""
    lay = lat.layout
    width = lay.width
    n = lat.end - lat.start
    lm_scale = builder.params.lm_weight * LN10
    bigram = builder.model.bigram
    log1p, exp = math.log1p, math.exp
    start_vec = [0.0] + [NEG_INF] * (width - 1)
    alpha: list[dict] = [dict() for _ in range(n + 1)]
    alpha[0][lat.left] = start_vec
    # per edge, read once: (edge, end offset, first token, last token, internal, channel, moves)
    keep, step, origin = lay.keep, lay.step, lat.start
    rows = [[(e, e.end - origin, e.tokens[0], e.tokens[-1], e.internal, e.channel,
              keep if e.entry is None else step[e.source]) for e in row] for row in lat.edges]
    # transitions[i] = [(prev, score, edge, end offset, last token, moves)] computed once, reused by
    # the backward pass
    transitions: list[list[tuple]] = [[] for _ in range(n)]
    for i in range(n):
        if not alpha[i]:
            continue
        out = transitions[i]
        for prev, a in alpha[i].items():
            for e, j, first, last, internal, channel, moves in rows[i]:
                score = lm_scale * (bigram(prev, first) + internal) + channel
                out.append((prev, score, e, j, last, moves))
                at_j = alpha[j]
                target = at_j.get(last)
                if target is None:
                    target = at_j[last] = [NEG_INF] * width
                # target[m] ⊕= a[k] + score for each move (k, m): the innermost loop, logaddexp
                # written out
                for k, m in moves:
                    x = a[k]
                    if x != NEG_INF:
                        x += score
                        t = target[m]
                        if t == NEG_INF:
                            target[m] = x
                        elif t > x:
                            target[m] = t + log1p(exp(x - t))
                        else:
                            target[m] = x + log1p(exp(t - x))
    end_score = {t: lm_scale * bigram(t, lat.right) if lat.right else 0.0 for t in alpha[n]}
    z = [NEG_INF] * width
    for t, vec in alpha[n].items():
        for k in range(width):
            z[k] = logaddexp(z[k], vec[k] + end_score[t])
    beta: list[dict] = [dict() for _ in range(n + 1)]
    for t in alpha[n]:
        beta[n][t] = [end_score[t]] + [NEG_INF] * (width - 1)
    mass: dict[int, list[float]] = {}
    for i in range(n - 1, -1, -1):
        beta_i = beta[i]
        for prev, score, e, j, last, moves in transitions[i]:
            after = beta[j].get(last)
            if after is None:
                continue
            acc = beta_i.get(prev)
            if acc is None:
                acc = beta_i[prev] = [NEG_INF] * width
            # acc[m] ⊕= after[k] + score for each move (k, m): the restorations of the path from i
            # on are those from j on and this edge's (written out, as forward)
            for k, m in moves:
                x = after[k]
                if x != NEG_INF:
                    x += score
                    t = acc[m]
                    if t == NEG_INF:
                        acc[m] = x
                    elif t > x:
                        acc[m] = t + log1p(exp(x - t))
                    else:
                        acc[m] = x + log1p(exp(t - x))
            if e.entry is not None:
                before = alpha[i][prev]
                m = mass.get(id(e))
                if m is None:
                    m = mass[id(e)] = [NEG_INF] * width
                for k1, pairs in enumerate(lay.join[e.source]):
                    b = before[k1]
                    if b == NEG_INF:
                        continue
                    for k2, k in pairs:
                        if after[k2] != NEG_INF:  # m[k] ⊕= b + score + after[k2] (logaddexp written out)
                            x = b + score + after[k2]
                            t = m[k]
                            m[k] = x if t == NEG_INF else t + log1p(exp(x - t)) if t > x else x + log1p(exp(t - x))
    lat.z, lat.mass = z, mass


def _at(vec: list[float], weights: list[float]) -> float:
    """log Σ e^(v + w): a polynomial at the odds whose log powers are ``weights`` (see ``Layout.weights``)."""
    out = NEG_INF
    for v, w in zip(vec, weights):
        if v != NEG_INF:
            out = logaddexp(out, v + w)
    return out


def log_odds(rates: Sequence[float], sources: Sequence[int]) -> list[float]:
    """log ρ/(1-ρ) of each of ``sources``; 0 for the others, which are never read."""
    out = [0.0] * len(SOURCES)
    for s in sources:
        out[s] = math.log(rates[s] / (1.0 - rates[s]))
    return out


def posteriors(lat: Lattice, rates: Sequence[float], max_gain: float | None = None,
               register: float = 1.0) -> dict[int, float]:
    """Posterior probability of each restore edge (keyed by ``id(edge)``) at the spin rate of each source
    (``rates[s]``; only those of the lattice's sources are read; lattice solved).

    ``max_gain`` (log10) bounds how far the context may lift a restoration
    above its prior odds, ρ/(1-ρ) times the edge's channel prior, in a joint
    lattice as for a lone candidate: beyond a thousandfold a ratio says more
    about sparse statistics for a rare word (課徵, 財源) than about the text.

    ``register`` is the probability that the document is modern Chinese
    (:func:`repair.engine.spinrate.register`). A tier's prior says how seldom a
    *modern* author writes a form (来岁, 白叟, 此中 are markers of spinning in
    a news page); in classical, literary or formal text it says nothing, so
    the bound drops that part of the prior as the register moves away from modern.
    """
    lay = lat.layout
    odds = log_odds(rates, lay.sources)
    if len(lat.z) == 2:  # one restoration of one source at most (most lattices): no polynomial to evaluate
        lo = odds[lay.sources[0]]
        z0, z1 = lat.z
        z = logaddexp(z0, z1 + lo)
        out = {key: math.exp(vec[1] + lo - z) for key, vec in lat.mass.items()}
    else:
        weights = lay.weights(odds)
        z = _at(lat.z, weights)
        out = {key: math.exp(_at(vec, weights) - z) for key, vec in lat.mass.items()}
    if max_gain is not None:
        # called for every lattice in every round of the spin-rate fit: the loop's constants are taken out
        not_modern, gain, exp = 1.0 - register, max_gain * LN10, math.exp
        for e in lat.restore_edges:
            p = out.get(id(e))
            if p is not None:
                bound = odds[e.source] + e.channel - not_modern * e.tier + gain
                out[id(e)] = min(p, 1.0 / (1.0 + exp(-bound)) if bound > -700 else 0.0)
    return out


def decisions(lattices: Sequence[Lattice], posts: Sequence[dict[int, float]],
              rates: Sequence[float]) -> list[Decision]:
    """Posterior of each distinct diff (edges making the same diff add up), with its best edge's rate."""
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
        out.extend(Decision(d, min(1.0, m), best[d][1], rates[best[d][1].source]) for d, m in mass.items())
    return out
