"""How spun a document is: its spin rate ρ, fitted by EM, and P(spun).

Documents are clean (a person wrote every word; the odd candidate reads
better restored) or spun at some rate. The prior over ρ says exactly that: a
mixture of ρ uniform on [0, clean_rate] (clean) and ρ uniform on
[clean_rate, 1] (spun). Given ``spun`` restorations among ``opportunities``
words a spinner could have swapped, the posterior over ρ is computed on a
grid, and P(spun) is its mass above ``clean_rate``. Because the hypotheses
differ in *rate*, not in amount of evidence, ten clean articles joined are as
clean as one, and a short text needs proportionally more evidence.

Each lattice is decided with a leave-one-out rate: the evidence of the
*other* candidates and intact words of the document, never its own, so a
lone candidate cannot talk itself into a high spin rate.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple, Sequence

from .inference import posteriors
from .lattice import SPINNER_ONLY, Lattice
from .params import ModelParams

_GRID = 32  # points per hypothesis


class Evidence(NamedTuple):
    """Expected spun words among the words a spinner could have swapped; adds up over chunks."""

    spun: float
    opportunities: float
    markers: float = 0.0  # of ``spun``, those of forms only a spinner writes (marker, phrase tiers)

    def __add__(self, other: "Evidence") -> "Evidence":  # type: ignore[override]
        return Evidence(self.spun + other.spun, self.opportunities + other.opportunities,
                        self.markers + other.markers)

    def __sub__(self, other: "Evidence") -> "Evidence":
        return Evidence(self.spun - other.spun, self.opportunities - other.opportunities,
                        self.markers - other.markers)


@lru_cache(maxsize=16)
def _grid(clean_rate: float, prior_spun: float) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], int]:
    """Grid points ρ, log ρ, log prior weight, and the index of the first spun point."""
    c = min(max(clean_rate, 1e-4), 0.5)
    clean = [c * (i + 0.5) / _GRID for i in range(_GRID)]
    spun = [c + (1 - c) * (i + 0.5) / _GRID for i in range(_GRID)]
    rho = clean + spun
    w = [math.log((1 - prior_spun) / _GRID)] * _GRID + [math.log(prior_spun / _GRID)] * _GRID
    return tuple(rho), tuple(math.log(r) for r in rho), tuple(w), _GRID


def spin_rate(spun: float, opportunities: float, params: ModelParams, markers: float = 0.0) -> tuple[float, float]:
    """P(the document is spun) and the spin rate to decide it with, from ``spun`` of ``opportunities`` words.

    ``markers`` of the spun words are forms only a spinner writes: a clean
    document shows one at rate ``marker_clean_rate`` at most, not at its rate
    of doubtful words, so two of them say more than two ambiguous words do.
    Counts are rounded to a tenth of a word and the result cached: the EM asks
    for nearly the same counts once per lattice and round.
    """
    return _spin_rate(round(spun, 1), round(opportunities, 1), round(min(markers, spun), 1), params)


@lru_cache(maxsize=1 << 12)
def _spin_rate(spun: float, opportunities: float, markers: float, params: ModelParams) -> tuple[float, float]:
    """See :func:`spin_rate`.

    The rate is the posterior mean under the spun hypothesis, weighted by
    P(spun), plus ``clean_floor`` weighted by P(clean): a clean document is
    decided as if almost nothing in it were spun, so only overwhelming
    local evidence (a marker, a phrase) can change it.
    """
    n = max(0.0, opportunities)
    k = min(max(0.0, spun), n)
    rho, log_rho, log_w, first_spun = _grid(params.clean_rate, params.prior_spun)
    h = min(max(0.0, markers), k)
    log_marker = math.log(max(params.marker_clean_rate, 1e-12))
    logs = [lw + k * lr + (n - k) * math.log1p(-r) for r, lr, lw in zip(rho, log_rho, log_w)]
    if h and params.marker_clean_rate > 0:
        for i in range(first_spun):  # under "clean", a marker is a rare accident, not a doubtful word
            logs[i] += h * (log_marker - log_rho[i])
    top = max(logs)
    ws = [math.exp(x - top) for x in logs]
    spun_mass = sum(ws[first_spun:])
    p_spun = spun_mass / sum(ws)
    spun_mean = sum(w * r for w, r in zip(ws[first_spun:], rho[first_spun:])) / spun_mass if spun_mass else 0.5
    rate = p_spun * spun_mean + (1 - p_spun) * params.clean_floor
    return p_spun, min(max(rate, 1e-4), 0.95)


def counted_evidence(lat: Lattice, post: dict[int, float]) -> tuple[float, float]:
    """Expected spun words in one lattice, for the document's rate, and how many of them are
    forms only a spinner writes.

    The posterior mass of its restorations, but no more than the number of
    its candidates whose context *itself* argues for restoring (see
    ``LatticeBuilder._evidence``) or whose tier says no person writes them:
    an unusual word that fits its neighbours is the author's, not a spinner's.
    """
    mass = sum(p for key, p in post.items() if key in lat.counted)
    strong = sum(1 for g in lat.evidence if g > 0.0)
    total = min(mass, float(strong) + lat.markers, float(lat.candidates))
    if not lat.markers:
        return total, 0.0
    hard = sum(post.get(id(e), 0.0) for e in lat.restore_edges if e.entry.kind in SPINNER_ONLY)
    return total, min(hard, float(lat.markers), total)


def fit(lattices: Sequence[Lattice], opportunities: int, params: ModelParams,
        rest: Evidence | None = None) -> tuple[float, float, list[dict[int, float]], Evidence]:
    """EM for the document's spin rate; returns P(spun), ρ, the final posteriors and the evidence found.

    ``rest`` is the evidence of the rest of the document when these lattices
    are one chunk of it: it joins every leave-one-out estimate and the final one.
    """
    extra_k, extra_n, extra_h = rest if rest is not None else (0.0, 0.0, 0.0)
    sizes = [lat.candidates for lat in lattices]
    expected = [0.1 * n for n in sizes]
    hard = [0.0 for _ in lattices]
    posts: list[dict[int, float]] = [{} for _ in lattices]
    for _ in range(params.em_rounds):
        total, total_h = sum(expected), sum(hard)
        for k, lat in enumerate(lattices):
            _, rho = spin_rate(extra_k + total - expected[k], extra_n + opportunities - sizes[k], params,
                               extra_h + total_h - hard[k])
            posts[k] = posteriors(lat, rho, params.max_context_gain)
            expected[k], hard[k] = counted_evidence(lat, posts[k])
        if abs(sum(expected) - total) < params.em_tolerance:
            break
    spun = sum(expected)
    p_spun, rho = spin_rate(extra_k + spun, extra_n + opportunities, params, extra_h + sum(hard))
    return p_spun, rho, posts, Evidence(spun, float(opportunities), sum(hard))
