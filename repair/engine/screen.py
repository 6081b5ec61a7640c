"""Which clusters need a full lattice: in a document that reads clean, the weak ones cannot change it.

Most candidates in clean text are ordinary words (中心, 环境, 运动) whose
context gives no evidence of spinning of its own. Such a *weak* cluster — one
candidate, no marker or phrase, no context gain above its tier's evidence
floor — adds nothing to *whether* the document is spun
(:func:`repair.engine.spinrate.counted_evidence` counts it as zero), and its
restoration is bounded by the context cap: at most
``ρ/(1-ρ) · prior · 10^max_context_gain`` in odds (see
:func:`repair.engine.inference.posteriors`). Its posterior mass still feeds
the fit (the *how much* of a spun document, which in turn moves its
neighbours), so the engine first fits the document with each weak cluster
read as the candidate alone between its context words — cheap, and nearly
what the full lattice gives — and builds the full lattice (words crossing
the candidate's edges, 年夜 in 年夜饭) only where, at a bound on the fitted
rate, the cap would let a change reach the confidence asked for. In clean
text that spares three lattices in four; in a spun document every weak
cluster is built in full and the fit runs again, as if unscreened.

Every bound is per source (:mod:`.sources`): an edge is capped at the odds of
its own source's rate.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

from .candidates import Candidate
from .inference import log_odds
from .lattice import SPINNER_ONLY, Clue
from .params import ModelParams
from .sources import SOURCES, source_of

#: How far above the fitted rate a weak cluster's own leave-one-out rate may lie (see :func:`rate_bound`).
_RATE_MARGIN = 2.0


def applies(params: ModelParams) -> bool:
    """Whether the screen is on: asked for, and the bounds hold (they assume the channel prior of a
    restoration is its tier's, choice and rank, with no frequency shrink)."""
    return params.screen and params.frequency_weight == 1.0


def lone_candidate(group: Sequence[Candidate]) -> bool:
    """One candidate of no spinner-only tier: the clusters :func:`best_posterior` can bound."""
    return len(group) == 1 and not any(e.kind in SPINNER_ONLY for e in group[0].entries)


def is_weak(group: Sequence[Candidate], evidence: Sequence[Clue]) -> bool:
    """A lone candidate of no spinner-only tier whose context is no evidence of spinning."""
    return lone_candidate(group) and all(c.gain <= 0.0 for c in evidence)


def rate_bound(rates: Sequence[float]) -> tuple[float, ...]:
    """Per source, the highest rate a full fit could decide a weak cluster with, from the fitted ``rates``.

    Each cluster is decided at the rate the *others* give (leave-one-out);
    for a weak one that is at most the document's, and reading it in full
    instead of alone moves the fit by little, so a margin covers both.
    """
    return tuple(min(0.95, _RATE_MARGIN * rho) for rho in rates)


def best_posterior(cand: Candidate, rates: Sequence[float], register: float, params: ModelParams,
                   prior: Callable[[str, str], float]) -> float:
    """An upper bound on the posterior of any change a lone candidate can make at the rate of each source.

    Each restore edge is capped at the odds ``ρ/(1-ρ)`` of its source, times its channel
    prior, times ``10^max_context_gain`` (less the tier's prior outside modern
    text); edges making the same change (one original listed by two entries)
    add up. ``prior(original)`` is the spinner's choice probability times the
    rank decay, without the tier (see ``LatticeBuilder.build``).
    """
    gain = params.max_context_gain * math.log(10)
    log_odds = [math.log(rho / (1.0 - rho)) + gain for rho in rates]
    by_original: dict[str, float] = {}
    for entry in cand.entries:
        tier = math.log(params.tier_prior.get(entry.kind, 1.0))
        lo = log_odds[source_of(entry)]
        for rank, original in enumerate(entry.originals):
            x = lo + register * tier + math.log(prior(original, entry.kind) * params.rank_decay ** rank)
            bound = 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0
            by_original[original] = by_original.get(original, 0.0) + bound
    return max(by_original.values(), default=0.0)


class Lone:
    """A weak cluster as the fit sees it before any lattice is built: its posterior mass at any rates.

    ``terms`` are ``LatticeBuilder.lone``'s (weight, channel, tier, source) per
    restore edge; :meth:`mass` is what ``posteriors`` and ``counted_evidence``
    would give the lone-candidate lattice, with the same cap.
    """

    __slots__ = ("terms", "sources")

    def __init__(self, terms: list[tuple[float, float, float, int]]) -> None:
        self.terms = terms
        #: the sources of its edges: the candidate is an opportunity of each (see ``lattice.source_counts``)
        self.sources = tuple(s for s in SOURCES if any(t[3] == s for t in terms))

    def mass(self, rates: Sequence[float], register: float, params: ModelParams) -> tuple[float, ...]:
        """Expected restorations of the candidate, per source, at the rate of each (at most 1 each)."""
        odds_of = log_odds(rates, self.sources)
        gain, not_modern, exp = params.max_context_gain * math.log(10), 1.0 - register, math.exp
        odds = [exp(min(700.0, w + odds_of[s])) for w, _, _, s in self.terms]
        z = 1.0 + sum(odds)
        total = [0.0] * len(SOURCES)
        for o, (_, channel, tier, s) in zip(odds, self.terms):
            bound = odds_of[s] + channel - not_modern * tier + gain
            total[s] += min(o / z, 1.0 / (1.0 + exp(-bound)) if bound > -700 else 0.0)
        return tuple(min(t, 1.0) for t in total)
