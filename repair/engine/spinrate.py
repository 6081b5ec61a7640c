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

*Whether* a document is spun is judged by candidates with evidence of their
own; *how much* of a spun one is spun, by all the posterior mass of its
restorations (``Evidence.mass``). Both are weighed by the document's
:func:`register`: a modern model's doubts say little about classical,
literary or formal text, which spinners do not rewrite.

Each source of restorations (the dictionaries, the user's tables; see
:mod:`repair.engine.sources`) has its own rate, fitted from its own evidence:
its candidates, its intact originals, its restorations. A spinner that used
only a user's table leaves the built-in dictionaries' words intact, and those
say nothing about how much it swapped of the table's words.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple, Sequence

from .inference import LN10, logaddexp, posteriors
from .lattice import SPINNER_ONLY, Clue, Lattice
from .params import ModelParams
from .screen import Lone
from .sources import DICTIONARIES, SOURCES, TABLES, combined

_GRID = 32  # points per hypothesis


class Evidence(NamedTuple):
    """Expected spun words among the words a spinner could have swapped; adds up over chunks.

    ``spun``, ``opportunities``, ``markers`` and ``mass`` are the
    dictionaries'; the ``table_`` fields the same of the user's tables.
    """

    spun: float
    opportunities: float
    markers: float = 0.0  # of ``spun``, those of forms only a spinner writes (marker, phrase tiers)
    #: all the posterior mass of restorations, not only that backed by evidence of its own:
    #: how much of a document judged spun *is* spun (see :func:`spin_rate`)
    mass: float = 0.0
    modern: float = 0.0  # particles of modern Chinese read (see :func:`register`)
    formal: float = 0.0  # particles of classical and formal Chinese read
    han: float = 0.0  # Han characters read
    table_spun: float = 0.0
    table_opportunities: float = 0.0
    table_mass: float = 0.0
    #: ``spun`` and ``markers`` of each source as they read at ``ModelParams.detection_rate``
    #: (see :func:`detection`), not at the fitted rate
    ref_spun: float = 0.0
    ref_markers: float = 0.0
    table_ref_spun: float = 0.0
    #: the dictionaries' log likelihood ratio of a light spin against none (see :func:`detection_llr`)
    llr: float = 0.0

    def source(self, s: int) -> tuple[float, float, float, float]:
        """(spun, opportunities, markers, mass) of source ``s`` (markers are the dictionaries' only)."""
        if s == TABLES:
            return self.table_spun, self.table_opportunities, 0.0, self.table_mass
        return self.spun, self.opportunities, self.markers, self.mass

    def __add__(self, other: "Evidence") -> "Evidence":  # type: ignore[override]
        return Evidence(*(a + b for a, b in zip(self, other)))

    def __sub__(self, other: "Evidence") -> "Evidence":
        return Evidence(*(a - b for a, b in zip(self, other)))


def rests(found: list[Evidence], outer: Evidence | None = None) -> list[Evidence]:
    """Per piece of one document (``found``: each piece's ``Repairer.evidence``, at least one), the
    evidence of all the other pieces and of ``outer`` (the rest of the document beyond them), so each
    piece is decided at the spin rate of the whole document: a file's chunks, and the parts of a
    page outside its spun sections (``pages._rest_of_page``)."""
    total = sum(found[1:], found[0])
    if outer is not None:
        total = total + outer
    return [total - own for own in found]


@lru_cache(maxsize=16)
def _points(clean_rate: float) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """Grid points ρ, log ρ and log (1-ρ): ``_GRID`` clean ones, then ``_GRID`` spun ones."""
    c = min(max(clean_rate, 1e-4), 0.5)
    clean = [c * (i + 0.5) / _GRID for i in range(_GRID)]
    spun = [c + (1 - c) * (i + 0.5) / _GRID for i in range(_GRID)]
    rho = clean + spun
    return tuple(rho), tuple(math.log(r) for r in rho), tuple(math.log1p(-r) for r in rho)


@lru_cache(maxsize=16)
def _grid(clean_rate: float, prior_spun: float) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...],
                                                          tuple[float, ...], int]:
    """Grid points ρ, log ρ, log (1-ρ), log prior weight, and the index of the first spun point."""
    w = [math.log((1 - prior_spun) / _GRID)] * _GRID + [math.log(prior_spun / _GRID)] * _GRID
    return *_points(clean_rate), tuple(w), _GRID


class Particles:
    """Counts the particles :func:`register` reads: ``params.modern_chars`` and ``params.formal_chars``,
    less the formal characters that sit inside one of ``words``.

    ``words`` are modern words whose formal character is no particle there
    (维吾尔, 几乎, 似乎: ``dictionaries/register.txt``). A character is counted
    with ``str.count`` and a word is looked for only in a text that holds its
    character, so modern text, where formal characters are rare, pays next to
    nothing. Words must not overlap on a shared character (the file's test
    checks that), so no character is taken away twice.
    """

    def __init__(self, params: ModelParams, words: Sequence[str] = ()) -> None:
        self.modern_chars = params.modern_chars
        self.formal_chars = params.formal_chars
        #: per formal character, the words that hold it and how often each holds it
        self.words = {ch: tuple((w, w.count(ch)) for w in words if ch in w) for ch in params.formal_chars}

    def count(self, text: str) -> tuple[int, int]:
        """The modern and the formal particles of ``text`` (Simplified, as the analysis copy is)."""
        formal = 0
        for ch in self.formal_chars:
            n = text.count(ch)
            if n:
                for w, k in self.words[ch]:
                    n -= k * text.count(w)
                formal += n
        return sum(text.count(ch) for ch in self.modern_chars), formal


def register(modern: float, formal: float, han: float, params: ModelParams) -> float:
    """How far the text is modern Chinese, from its particles: ``modern`` of ``params.modern_chars``
    (的, 了, 们 …) against ``formal`` of ``params.formal_chars`` (之, 乎, 矣 …), as
    :class:`Particles` counts them (not inside a modern word such as 几乎).

    Spinners rewrite modern web text, and the context model is a model of
    modern Chinese: its preferences (明年 over 来岁, 方式 over a statute's
    辦法) are evidence of spinning only in text of that register. Of the
    particles of either kind, news, dialogue, encyclopedia and documentation
    write about 95% modern ones (``particle_share``); classical prose, poetry
    and Taiwan's statutes about 5% or fewer. Each particle moves the log odds by
    the same step either way, so a text without particles (a headline, a
    keyword list) stays near the prior ``prior_modern``. And modern prose
    writes one modern particle every 20 characters or so (``modern_rate``
    counts low); a Tang poem or a statute of ``han`` characters without one
    reads as formal even when it has no formal particle either.

    Returned relative to that prior and at most 1: a text without particles
    is decided as before this test existed, only a formal one is trusted less.
    """
    share = params.particle_share
    a, b = params.modern_rate, params.formal_rate
    x = (math.log(params.prior_modern / (1.0 - params.prior_modern)) + math.log(share / (1.0 - share)) * (modern - formal)
         + modern * math.log(a / b) - max(han, modern) * (a - b))
    p = 1.0 if x > 700 else 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0
    return min(1.0, p / params.prior_modern)


def register_of(evidence: Evidence, params: ModelParams) -> float:
    """:func:`register` of the particles ``evidence`` counted, at least ``params.formal_floor`` (as a fit reads it)."""
    return max(register(evidence.modern, evidence.formal, evidence.han, params), params.formal_floor)


def clue_score(evidence: Evidence, params: ModelParams) -> float:
    """P(spun) of a text that gave the fit nothing to read (no candidate of a tier that can change
    it) from its light-spin test alone (``evidence.llr``, see :func:`detection_llr`), against
    that test's prior: the fit's score without the fit. 0 when nothing was read at all, as before
    the suggest tier was read: a text with no candidate of any tier has no evidence to weigh."""
    if evidence.llr == 0.0:
        return 0.0
    return _light_spin_score(evidence.llr, register_of(evidence, params), params)


def _light_spin_score(llr: float, modern: float, params: ModelParams) -> float:
    """P(spun) by the light-spin test's ``llr`` (:func:`detection_llr`) against its prior
    ``params.detection_prior``, weighed by the register ``modern``."""
    prior = params.detection_prior * modern
    return _logistic(math.log(prior / (1.0 - prior)) + llr)


def spin_rate(spun: float, opportunities: float, params: ModelParams, markers: float = 0.0,
              mass: float | None = None, modern: float = 1.0) -> tuple[float, float]:
    """P(the document is spun) and the spin rate to decide it with, from ``spun`` of ``opportunities`` words.

    Whether a document is spun is judged by ``spun``, restorations each backed
    by evidence of their own; *how much* of a spun document is spun is
    estimated from ``mass``, all the posterior mass of restorations
    (``mass_weight`` of what it adds to ``spun``). A spinner that swaps most
    words leaves many that fit their context nearly as well as the original
    (synonyms do): they cannot tell a spun document from a clean one, but once
    it is known to be spun they are as likely spun as the rest.

    ``modern`` is :func:`register`: spinners rewrite modern text, so the prior
    that a document is spun is scaled by it (never below ``formal_floor``).

    ``markers`` of the spun words are forms only a spinner writes: a clean
    document shows one at rate ``marker_clean_rate`` at most, not at its rate
    of doubtful words, so two of them say more than two ambiguous words do.
    Counts are rounded to three significant figures (a tenth of a word at
    least) and the result cached: the EM asks for nearly the same counts once
    per lattice and round, and in a long document leaving one lattice out
    moves them by less than that.
    """
    return _spin_rate(*_counts(spun, opportunities, params, markers, mass, modern), params)


def _counts(spun: float, opportunities: float, params: ModelParams, markers: float, mass: float | None,
            modern: float) -> tuple[float, float, float, float, float]:
    """The counts :func:`_spin_rate` reads (spun, opportunities, markers, mass, register), coarsened."""
    extra = max(0.0, (mass if mass is not None else spun) - spun) * params.mass_weight
    return (_coarse(spun), _coarse(opportunities), _coarse(min(markers, spun)), _coarse(spun + extra),
            round(max(modern, params.formal_floor), 3))


def cautious_rate(spun: float, opportunities: float, params: ModelParams, markers: float = 0.0,
                  mass: float | None = None, modern: float = 1.0, given_spun: bool = False) -> float:
    """The low end of the spin rate the counts allow: ``params.cautious_quantile`` of its posterior.

    :func:`spin_rate` gives the posterior *mean*, right for deciding every
    candidate of a document together. A pair both of whose words read
    naturally (the suggest tier) is applied only if it would be sure even at
    this rate: a short text whose few words all look spun has a high mean
    rate and a wide posterior, a long spun page a narrow one.

    ``given_spun``: the quantile of the rate *if* the document is spun, for a
    document already judged so on other grounds (see :func:`fit`).
    """
    spun, opportunities, markers, mass, modern = _counts(spun, opportunities, params, markers, mass, modern)
    n = max(0.0, opportunities)
    k = min(max(0.0, spun), n)
    p_spun, ws = _evidence_weights(k, n, min(max(0.0, markers), k), modern, params)
    if mass > k:  # as in _spin_rate: the rate under "spun" from all the mass of restorations
        ws = _mass_weights(min(mass, n), n, params.clean_rate)
    rho = _points(params.clean_rate)[0][_GRID:]
    total = sum(ws)
    if given_spun:
        p_spun = 1.0
    low, acc = params.clean_floor, 1.0 - p_spun  # "clean" weighs in at clean_floor, as in the mean
    if acc < params.cautious_quantile and total:
        for w, r in zip(ws, rho):
            acc += p_spun * w / total
            low = r
            if acc >= params.cautious_quantile:
                break
    return min(max(low, 1e-4), 0.95)


def _coarse(x: float) -> float:
    """``x`` to three significant figures, and to a tenth at least."""
    if x < 100.0:
        return round(x, 1)
    step = 10.0 ** (math.floor(math.log10(x)) - 2)
    return round(x / step) * step


@lru_cache(maxsize=1 << 12)
def _spin_rate(spun: float, opportunities: float, markers: float, mass: float, modern: float,
               params: ModelParams) -> tuple[float, float]:
    """See :func:`spin_rate`.

    The rate is the posterior mean under the spun hypothesis, weighted by
    P(spun), plus ``clean_floor`` weighted by P(clean): a clean document is
    decided as if almost nothing in it were spun, so only overwhelming
    local evidence (a marker, a phrase) can change it.

    Its two parts are cached apart: in a long document, or one document after
    another, the counts of each (the evidence, all the mass) repeat far more
    often than all of them together (on the bench's documents one at a time,
    19,000 and 14,000 distinct where there are 32,000 together).
    """
    n = max(0.0, opportunities)
    k = min(max(0.0, spun), n)
    p_spun, spun_mean = _by_evidence(k, n, min(max(0.0, markers), k), modern, params)
    if mass > k:  # the rate under "spun", from all the mass of restorations
        spun_mean = _by_mass(min(mass, n), n, params.clean_rate)
    rate = p_spun * spun_mean + (1 - p_spun) * params.clean_floor
    return p_spun, min(max(rate, 1e-4), 0.95)


@lru_cache(maxsize=1 << 12)
def _by_evidence(k: float, n: float, h: float, modern: float, params: ModelParams) -> tuple[float, float]:
    """P(spun) given ``k`` spun words (``h`` of them markers) of ``n``, and the mean rate under "spun"."""
    p_spun, ws = _evidence_weights(k, n, h, modern, params)
    return p_spun, _mean(ws, _points(params.clean_rate)[0][_GRID:], sum(ws))


def _evidence_weights(k: float, n: float, h: float, modern: float, params: ModelParams) -> tuple[float, list[float]]:
    """P(spun), and the unnormalised posterior weights of the spun grid points, from the evidence."""
    rho, log_rho, log_rest, log_w, first_spun = _grid(params.clean_rate, params.prior_spun * modern)
    log_marker = math.log(max(params.marker_clean_rate, 1e-12))
    # computed once per cache miss, and a long document misses often (one count per lattice
    # left out): log (1-ρ) comes with the grid, and the loops bind what they call
    exp, rest = math.exp, n - k
    logs = [lw + k * lr + rest * lr1 for lr, lr1, lw in zip(log_rho, log_rest, log_w)]
    if h and params.marker_clean_rate > 0:
        for i in range(first_spun):  # under "clean", a marker is a rare accident, not a doubtful word
            logs[i] += h * (log_marker - log_rho[i])
    top = max(logs)
    ws = [exp(x - top) for x in logs]
    spun = ws[first_spun:]
    return sum(spun) / sum(ws), spun


@lru_cache(maxsize=1 << 12)
def _by_mass(km: float, n: float, clean_rate: float) -> float:
    """The mean rate under "spun" given ``km`` restorations' worth of posterior mass among ``n``."""
    ws = _mass_weights(km, n, clean_rate)
    return _mean(ws, _points(clean_rate)[0][_GRID:], sum(ws))


def _mass_weights(km: float, n: float, clean_rate: float) -> list[float]:
    """The unnormalised weights of the spun grid points given ``km`` restorations' worth of mass among ``n``."""
    _, log_rho, log_rest = _points(clean_rate)
    rest = n - km
    logs = [km * lr + rest * lr1 for lr, lr1 in zip(log_rho[_GRID:], log_rest[_GRID:])]
    top = max(logs)
    exp = math.exp
    return [exp(x - top) for x in logs]


def _mean(ws: list[float], rho: Sequence[float], total: float) -> float:
    """The mean of ``rho`` weighted by ``ws`` (which sum to ``total``); 0.5 with no weight."""
    return sum([w * r for w, r in zip(ws, rho)]) / total if total else 0.5


def counted_evidence(lat: Lattice, post: dict[int, float],
                     modern: float = 1.0) -> tuple[tuple[float, ...], float, tuple[float, ...]]:
    """Expected spun words in one lattice per source, for the rate of each, and how many of them
    are forms only a spinner writes (the dictionaries' only), and the posterior mass per source.

    The posterior mass of its restorations, but no more than the number of
    its candidates whose context *itself* argues for restoring (see
    ``LatticeBuilder.evidence``) or whose tier says no person writes them:
    an unusual word that fits its neighbours is the author's, not a spinner's.
    Neither says "spinner" in classical or formal text, where a modern model
    finds the author's words odd everywhere: both count as far as the text is
    modern (``modern``, see :func:`register`). Each candidate's evidence
    counts for the source of the entry its context favours most, and a form
    the document repeats counts once in all (``Lattice.strong``).
    """
    counted = lat.counted
    if len(lat.layout.sources) == 1:  # one source (most lattices, every one without a table): as with one rate
        one = lat.layout.sources[0]
        m = min(sum(p for key, p in post.items() if key in counted), float(lat.sizes[one]))
        strong_one = lat.strong[one] + (lat.markers if one == DICTIONARIES else 0)
        t = min(m, strong_one * modern)
        mass, total = ((m, 0.0), (t, 0.0)) if one == DICTIONARIES else ((0.0, m), (0.0, t))
    else:
        mass, total = _counted_by_source(lat, post, modern)
    if not lat.markers:
        return total, 0.0, mass
    hard = sum(post.get(id(e), 0.0) for e in lat.restore_edges if e.entry.kind in SPINNER_ONLY)
    return total, min(hard, float(lat.markers), total[DICTIONARIES]), mass


def _counted_by_source(lat: Lattice, post: dict[int, float],
                       modern: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The mass and the counted evidence of each source, for a lattice with restorations of both."""
    counted = lat.counted
    raw, strong = [0.0] * len(SOURCES), lat.strong
    for key, p in post.items():
        s = counted.get(key)
        if s is not None:
            raw[s] += p
    mass = tuple(min(raw[s], float(lat.sizes[s])) for s in SOURCES)
    total = tuple(min(mass[s], (float(strong[s]) + (lat.markers if s == DICTIONARIES else 0)) * modern)
                  for s in SOURCES)
    return mass, total


def detection(lattices: Sequence[Lattice], params: ModelParams, modern: float,
              single: Sequence["_Single | None"] = ()) -> tuple[tuple[float, ...], float]:
    """Per source, the evidence of spinning the lattices show when read at ``params.detection_rate``,
    and the markers among it.

    The fit's evidence is read at the rate the fit settles on, and a lightly
    spun page can settle on "clean": at a clean rate nothing reads as
    restored, so nothing counts, so the rate stays clean. Whether a document
    is spun is therefore also asked at a fixed light rate: how many of its
    candidates, with context evidence of their own, would read as
    restorations were it spun that lightly. A clean page's candidates still
    do not (their context is no evidence). A table's spin score is the larger
    of the two answers; the dictionaries' is :func:`detection_llr`'s unless
    this or the fit is sure. The rates restorations are decided with do not
    change. ``single``: the fit's :class:`_Single` of each lattice, where it has one (the same
    counts, without a dict of posteriors).
    """
    rates = (params.detection_rate,) * len(SOURCES)
    spun = [0.0] * len(SOURCES)
    markers = 0.0
    for i, lat in enumerate(lattices):
        fast = single[i] if i < len(single) else None
        k, h, _ = (fast.counted(params.detection_rate) if fast is not None
                   else counted_evidence(lat, posteriors(lat, rates, params.max_context_gain, modern), modern))
        for s in SOURCES:
            spun[s] += k[s]
        markers += h
    return tuple(spun), markers


def detection_llr(clues: Sequence[Clue], opportunities: float, modern: float, params: ModelParams) -> float:
    """The log likelihood ratio of "spun at ``params.detection_rate``" against "clean" for the
    dictionaries' words, from the candidates' ``clues`` (``LatticeBuilder.evidence``).

    A spinner's garble tends to fit its neighbours worse than its original
    would (the clue's context gain) and to be a rarer word than that original
    (its frequency gain); an author's word seldom does either. Each candidate
    is taken to be ``10^(detection_context · gain + detection_frequency · frequency)``
    times likelier a garble than an author's word (each gain in [0, max_context_gain],
    times its tier's prior: 处置惩罚 is a spinner's), and each opportunity
    without a candidate ``detection_intact`` times (a spinner leaves fewer of
    the words it swaps intact). Under "spun" each is a garble with
    probability ``detection_rate``, so it adds log(1 - ρ + ρ·λ): on clean
    text each term is as likely below zero as above, and a clean document
    sinks as it grows, while a lightly spun one gathers evidence.

    Weighed by the register (``modern``, see :func:`register`): frequency
    is evidence only in modern text (a modern model finds classical words rare
    everywhere), and the whole ratio counts as far as the text is modern.
    A form the text repeats counts once in all, each occurrence ``1/n``.
    Only the dictionaries' tiers are read: a table's pairs are any two
    synonyms, and their own source keeps its own test.

    The suggest tier's candidates (于/在, 便/就, 把/将, 皆/都: function words
    and near-synonyms, which a light spinner swaps as readily as any word) are
    read too, each term weighed by ``params.detection_suggest``: they never
    change the text unless sure, but a 于 where its neighbours want 在 is
    evidence of a spinner like any other. They are not ``opportunities`` (their
    originals are single characters, never counted intact), so a clean
    text's terms, as likely below zero as above, still sink it as it grows.
    """
    rho, cap = params.detection_rate, params.max_context_gain
    a, b = params.detection_context, params.detection_frequency * modern
    tiers = params.tier_prior
    mine = [c for c in clues if c.source == DICTIONARIES and c.kind in _READ]
    times: dict[str, int] = {}
    for c in mine:
        times[c.form] = times.get(c.form, 0) + 1
    log, total, counted = math.log, 0.0, 0
    for c in mine:
        lam = 10.0 ** (a * min(max(c.gain, 0.0), cap) + b * min(max(c.frequency, 0.0), cap)) * tiers.get(c.kind, 1.0)
        term = log(1.0 - rho + rho * lam) / times[c.form]
        if c.kind in _SUGGEST:
            total += params.detection_suggest * term
        else:
            total += term
            counted += 1
    total += max(0.0, opportunities - counted) * log(1.0 - rho + rho * params.detection_intact)
    return total * modern


#: the tiers :func:`detection_llr` reads, and of them those not counted among the opportunities
_SUGGEST = frozenset({"suggest"})
_READ = frozenset({"marker", "phrase", "ambiguous"}) | _SUGGEST


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


class _Coarse(dict):
    """:func:`_coarse` of each count, memoised for one fit: ``coarse[x]`` is a look-up in C where
    the count was seen before (most are: the EM leaves out one lattice at a time from the same totals)."""

    def __missing__(self, x: float) -> float:
        c = self[x] = _coarse(x)
        return c


class _LeaveOneOut:
    """The rate :func:`fit` decides one lattice with: :func:`spin_rate` of the rest of the document's
    counts and the document's, less the lattice's own, written out for the EM's inner loop.

    The EM asks for it once per lattice, source and round; the arithmetic is
    :func:`spin_rate`'s, step for step, so the rate is the same float. Most
    lattices leave out the same counts (no evidence of their own, one
    opportunity), so each count is rounded (:func:`_coarse`) once per value.
    """

    __slots__ = ("before", "params", "modern", "mass_weight", "coarse")

    def __init__(self, before: Sequence[tuple[float, float, float, float]], params: ModelParams,
                 modern: float) -> None:
        self.before = before
        self.params = params
        self.modern = round(max(modern, params.formal_floor), 3)
        self.mass_weight = params.mass_weight
        self.coarse = _Coarse()

    def rate(self, s: int, spun: float, opp: float, markers: float, mass: float,
             own_spun: float, own_opp: float, own_markers: float, own_mass: float) -> float:
        """The rate of source ``s`` from the totals ``spun`` … ``mass`` less a lattice's own counts."""
        k, n, h, m = self.before[s]
        spun = k + spun - own_spun
        markers = h + markers - own_markers if s == DICTIONARIES else 0.0
        extra = max(0.0, (m + mass - own_mass) - spun) * self.mass_weight
        coarse = self.coarse
        return _spin_rate(coarse[spun], coarse[n + opp - own_opp], coarse[min(markers, spun)],
                          coarse[spun + extra], self.modern, self.params)[1]


class _Single:
    """:func:`counted_evidence` of :func:`posteriors` for a lattice of one source with at most one
    restoration on a path (most lattices), at any rate of that source, without the dict of posteriors.

    The EM evaluates every lattice in every round; this keeps what does not depend on the rate
    (the masses at one restoration, each edge's channel and tier) and does the same arithmetic,
    in the same order, as those two functions, so the counts are the same floats.
    """

    __slots__ = ("z0", "z1", "terms", "hard", "size", "strong", "markers", "dictionaries", "gain")

    @staticmethod
    def fits(lat: Lattice, max_gain: float | None) -> bool:
        """Whether ``lat`` has the shape this handles (and posteriors are capped, as in a fit)."""
        return max_gain is not None and len(lat.z) == 2 and len(lat.layout.sources) == 1

    def __init__(self, lat: Lattice, max_gain: float, register: float) -> None:
        not_modern = 1.0 - register
        self.gain = max_gain * LN10
        self.z0, self.z1 = lat.z
        by_key = {id(e): e for e in lat.restore_edges}
        # per restore edge with a mass, in the order of the posteriors' dict (the masses'):
        # (its mass at one restoration, channel, not-modern part of its tier, counted)
        self.terms = [(vec[1], by_key[key].channel, not_modern * by_key[key].tier, key in lat.counted)
                      for key, vec in lat.mass.items()]
        # the spinner-only edges, in the order counted_evidence sums them (restore edges), by
        # their place among the terms (-1: no mass, no posterior)
        order = {key: i for i, key in enumerate(lat.mass)}
        self.hard = [order.get(id(e), -1) for e in lat.restore_edges if e.entry.kind in SPINNER_ONLY] \
            if lat.markers else []
        one = lat.layout.sources[0]
        self.dictionaries = one == DICTIONARIES
        self.size = float(lat.sizes[one])
        self.markers = lat.markers
        self.strong = (lat.strong[one] + (lat.markers if self.dictionaries else 0)) * register

    def counted(self, rate: float) -> tuple[tuple[float, ...], float, tuple[float, ...]]:
        """``counted_evidence(lat, posteriors(lat, rates, max_gain, register), register)`` at ``rate``."""
        lo = math.log(rate / (1.0 - rate))
        z = logaddexp(self.z0, self.z1 + lo)
        exp, gain = math.exp, self.gain
        total = 0
        posts = [] if self.markers else None  # kept only for the spinner-only edges' sum
        for m1, channel, nm_tier, counted in self.terms:
            p = exp(m1 + lo - z)
            bound = lo + channel - nm_tier + gain
            p = min(p, 1.0 / (1.0 + exp(-bound)) if bound > -700 else 0.0)
            if posts is not None:
                posts.append(p)
            if counted:
                total += p
        m = min(total, self.size)
        t = min(m, self.strong)
        mass, spun = ((m, 0.0), (t, 0.0)) if self.dictionaries else ((0.0, m), (0.0, t))
        if posts is None:
            return spun, 0.0, mass
        hard = 0
        for i in self.hard:
            hard += posts[i] if i >= 0 else 0.0
        return spun, min(hard, float(self.markers), spun[DICTIONARIES]), mass


class Fit(NamedTuple):
    """What :func:`fit` concludes about a document."""

    p_spun: float  # P(spun by any source present)
    rates: tuple[float, ...]  # the spin rate of each source, to decide its restorations with
    rate: float  # the largest rate of a source present: how spun the document is
    modern: float  # the register (see :func:`register`)
    posts: list[dict[int, float]]  # the final posteriors, per lattice
    evidence: Evidence
    #: per source, the low end of its rate (see :func:`cautious_rate`), for the suggest tier
    cautious: tuple[float, ...] = ()
    #: P(spun) by the fit alone, without detection's answer (``p_spun`` is the larger of the two)
    fitted: float = 0.0
    #: P(spun) by the fit or by its candidates read at the light rate (:func:`detection`),
    #: whichever is larger: the second start's gate (the spin score is ``p_spun``)
    detected: float = 0.0
    #: found spun only from a second, spun start (see :func:`fit`): its changes need the suggest
    #: tier's confidence
    restarted: bool = False
    #: P(spun) by the tables' candidates read at the light rate (:func:`detection`), 0 without a table
    table_detected: float = 0.0


def fit(lattices: Sequence[Lattice], opportunities: Sequence[int], params: ModelParams,
        rest: Evidence | None = None, modern_count: int = 0, formal_count: int = 0, han: int = 0,
        lone: Sequence[Lone] = (), clues: Sequence[Clue] = ()) -> Fit:
    """The document's fit (see :class:`Fit`): EM from ``params.em_start``, and once more from a
    spun start when detection and that fit disagree.

    EM has two fixed points on a lightly spun page: at a clean rate its
    doubtful words do not read as restored, so they count for nothing, so
    the rate stays clean. Detection (:func:`detection`) asks at a fixed light
    rate instead and can say "spun" (``Fit.detected`` at least ``params.restart_gate``) where the fit
    says "clean". When it does, and the page also shows a form only spinners
    write (``params.restart_markers`` of them, read at that light rate: with a
    big thesaurus as ``--table``, a clean literary page can look spun without
    one), the fit starts again from ``params.restart_start``. If that finds
    a spun fixed point (P(spun) of the fit alone at least one half), the page
    is decided at the low end of the rate it allows if spun (:func:`cautious_rate`),
    and its changes need the suggest tier's confidence (``Fit.restarted``):
    two fixed points are themselves a doubt, and on dev pages spun lightly
    these restorations were right 87% of the time at 0.8, 96% at 0.95.
    A user's table has no form only spinners write: there the tables' own
    detection at ``params.restart_table_gate`` (``Fit.table_detected``) starts the
    fit again too (with 1/k choices, a heavily spun page whose words all have
    plausible synonyms could otherwise settle on "clean" and keep every swap).
    Otherwise, and in every other document, the first fit stands.
    """
    doc = _Document.of(lattices, opportunities, params, rest, modern_count, formal_count, han, clues)
    args = (doc, lattices, opportunities, params, modern_count, formal_count, han, lone)
    first = _fit_from(params.em_start, *args)
    by_table = first.table_detected >= params.restart_table_gate
    by_markers = first.detected >= params.restart_gate and first.evidence.ref_markers >= params.restart_markers
    if first.fitted >= 0.5 or not (by_table or by_markers):
        return first
    again = _fit_from(params.restart_start, *args)
    if again.fitted < 0.5:
        return first
    whole = doc.rest + again.evidence
    low = cautious_rate(whole.spun, whole.opportunities, params, whole.markers, whole.mass, again.modern,
                        given_spun=True)
    rates = tuple(min(r, low) if s == DICTIONARIES else r for s, r in enumerate(again.rates))
    posts = [posteriors(lat, rates, params.max_context_gain, again.modern) for lat in lattices]
    return again._replace(rates=rates, rate=max(rates), posts=posts, restarted=True)


class _Document(NamedTuple):
    """What a fit of one document's lattices reads but does not change, whatever its start: worked
    out once, though :func:`fit` may run EM twice (see :func:`_fit_from` for the arguments)."""

    rest: Evidence  # the evidence of the rest of the document (zero for a whole one)
    modern: float  # its register, at least ``params.formal_floor``
    before: list[tuple[float, float, float, float]]  # per source, (spun, opportunities, markers, mass) of the rest
    present: tuple[int, ...]  # the sources with an opportunity in the document
    single: list["_Single | None"]  # per lattice, its fast counts where it has the shape
    ref: tuple[tuple[float, ...], float]  # :func:`detection`: per source, the evidence at the light rate; markers
    llr: float  # :func:`detection_llr`

    @classmethod
    def of(cls, lattices: Sequence[Lattice], opportunities: Sequence[int], params: ModelParams,
           rest: Evidence | None, modern_count: int, formal_count: int, han: int,
           clues: Sequence[Clue]) -> "_Document":
        extra = rest if rest is not None else Evidence(0.0, 0.0)
        modern = max(register(extra.modern + modern_count, extra.formal + formal_count, extra.han + han, params),
                     params.formal_floor)
        before = [extra.source(s) for s in SOURCES]
        present = tuple(s for s in SOURCES if before[s][1] + opportunities[s] > 0)
        max_gain = params.max_context_gain
        # lattices of one source and one restoration at most are decided with no dict of posteriors
        # per round (see _Single); theirs is worked out once, at the rate of their last round
        single = [_Single(lat, max_gain, modern) if _Single.fits(lat, max_gain) else None for lat in lattices]
        return cls(extra, modern, before, present, single, detection(lattices, params, modern, single),
                   detection_llr(clues, opportunities[DICTIONARIES], modern, params))


def _fit_from(start: float, doc: _Document, lattices: Sequence[Lattice], opportunities: Sequence[int],
              params: ModelParams, modern_count: int = 0, formal_count: int = 0, han: int = 0,
              lone: Sequence[Lone] = ()) -> Fit:
    """EM for the spin rate of each source of the document, starting with ``start`` of every
    lattice's candidates spun (see :class:`Fit`); ``doc`` is what does not depend on the start.

    ``opportunities`` are, per source, the words a spinner using that source
    could have swapped (its candidates and intact originals). Each source's
    rate is fitted from its own evidence; a lattice is decided at the rate of
    each source it holds restorations of. A source with no opportunity in the
    document is not *present*: it is decided as clean (``clean_floor``) if a
    later round finds restorations of it, and has no say in P(spun).

    ``modern_count`` and ``formal_count`` are the text's particles and ``han``
    its Han characters, for :func:`register` (in ``doc``; the fit's evidence carries them on).

    ``doc.rest`` is the evidence of the rest of the document when these lattices
    are one chunk of it: it joins every leave-one-out estimate and the final one.

    ``lone`` are weak clusters not built as lattices (see :mod:`.screen`):
    they add their posterior mass to every estimate, and nothing to the
    evidence that the document is spun. Like every lattice, they are decided
    at the rate each round starts from: the fit can settle on "clean" or on
    "spun", and the path decides which.
    """
    extra, modern, before, present, single = doc.rest, doc.modern, doc.before, doc.present, doc.single

    def rate(s: int, spun: float, opp: float, markers: float, mass: float,
             own: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)) -> tuple[float, float]:
        """P(spun) and rate of source ``s`` from the counts of the rest of the document and these,
        less ``own`` (a lattice's, left out)."""
        k, n, h, m = before[s]
        return spin_rate(k + spun - own[0], n + opp - own[1], params,
                         h + markers - own[2] if s == DICTIONARIES else 0.0, m + mass - own[3], modern)

    # per source, per lattice: expected spun words and posterior mass (lists per source, so each
    # round's totals are plain sums, as fast as with one rate)
    expected = [[start * lat.sizes[s] for lat in lattices] for s in SOURCES]
    masses = [list(e) for e in expected]
    hard = [0.0 for _ in lattices]
    posts: list[dict[int, float]] = [{} for _ in lattices]
    # the lone clusters start where lattices start (em_start of each, spun and mass alike);
    # after one round their evidence is what counted_evidence gives a weak cluster: none
    lone_mass = lone_start = [start * sum(1 for c in lone if s in c.sources) for s in SOURCES]
    # an absent source has no evidence and no restoration in the first round: it is decided as clean
    rates = [params.clean_floor] * len(SOURCES)
    zero = [0.0] * len(SOURCES)
    loo = _LeaveOneOut(before, params, modern)
    # per lattice, the rates of its sources it was last decided at and what that gave: a lattice's
    # posteriors depend on nothing else in a fit, and once the totals settle most rates repeat
    decided: list[tuple] = [((), None, None) for _ in lattices]
    shapes = [(lat.layout.sources, lat.sizes) for lat in lattices]
    # the key of a lattice of one source is that source's rate, of one of both the pair of rates
    one = [sources[0] if len(sources) == 1 else None for sources, _ in shapes]
    max_gain = params.max_context_gain
    for _ in range(params.em_rounds):
        total, total_m = list(zero), list(zero)
        for s in present:
            total[s], total_m[s] = sum(expected[s]) + lone_start[s], sum(masses[s]) + lone_mass[s]
        total_h = sum(hard)
        lone_start = zero
        for k, lat in enumerate(lattices):
            sources, sizes = shapes[k]
            hard_k = hard[k]
            for s in sources:
                rates[s] = loo.rate(s, total[s], opportunities[s], total_h, total_m[s],
                                    expected[s][k], sizes[s], hard_k, masses[s][k])
            key = rates[one[k]] if one[k] is not None else (rates[0], rates[1])
            last = decided[k]
            if last[0] == key:
                counted = last[2]
            elif single[k] is not None:
                counted = single[k].counted(key)
                decided[k] = (key, None, counted)
            else:
                post = posteriors(lat, rates, max_gain, modern)
                counted = counted_evidence(lat, post, modern)
                decided[k] = (key, post, counted)
            spun_k, hard[k], mass_k = counted
            for s in present:
                expected[s][k], masses[s][k] = spun_k[s], mass_k[s]
        if lone:  # at the rate the round started from, as each lattice above was decided
            for s in present:
                _, rates[s] = rate(s, total[s], opportunities[s], total_h, total_m[s])
            each = [c.mass(rates, modern, params) for c in lone]
            lone_mass = [sum(m[s] for m in each) for s in SOURCES]
        # settled when neither sum moves by more than em_tolerance of a word per 100 words it counts
        if all(abs(sum(expected[s]) + lone_start[s] - total[s]) < params.em_tolerance * max(1.0, total[s] / 100)
               and abs(sum(masses[s]) + lone_mass[s] - total_m[s]) < params.em_tolerance * max(1.0, total_m[s] / 100)
               for s in present):
            break
    for k, (key, post, _) in enumerate(decided):
        if post is not None:
            posts[k] = post
        elif key != ():  # a _Single lattice: its posteriors at the rate of its last round
            posts[k] = posteriors(lattices[k], (key,) * len(SOURCES), max_gain, modern)
    spun = [sum(e) for e in expected]
    mass = [sum(m) + lone for m, lone in zip(masses, lone_mass)]
    final = [rate(s, spun[s], opportunities[s], sum(hard), mass[s]) if s in present else (0.0, params.clean_floor)
             for s in SOURCES]
    evidence = Evidence(spun[DICTIONARIES], float(opportunities[DICTIONARIES]), sum(hard), mass[DICTIONARIES],
                        float(modern_count), float(formal_count), float(han),
                        spun[TABLES], float(opportunities[TABLES]), mass[TABLES])
    ref = doc.ref
    evidence = evidence._replace(ref_spun=ref[0][DICTIONARIES], ref_markers=ref[1],
                                 table_ref_spun=ref[0][TABLES], llr=doc.llr)
    whole = extra + evidence
    # per source, the fit's answer and that of its candidates read at the light rate (see detection)
    p_ref = [max(final[DICTIONARIES][0],
                 spin_rate(whole.ref_spun, whole.opportunities, params, whole.ref_markers, None, modern)[0]),
             max(final[TABLES][0],
                 spin_rate(whole.table_ref_spun, whole.table_opportunities, params, 0.0, None, modern)[0])]
    # the dictionaries' score is the light-spin test (detection_llr), against its own prior, unless
    # the fit is sure: squared, its doubts (0.02 → 0.0004) fall below the test's, its confidence
    # stays (0.99 → 0.98): in a heavily spun page a garble's neighbours are garbled too, and only the
    # EM reads it back. A table's score is its p_ref.
    p_score = [max(_light_spin_score(whole.llr, modern, params), p_ref[DICTIONARIES] ** 2), p_ref[TABLES]]
    k, n, h, m = before[DICTIONARIES]
    low = cautious_rate(k + spun[DICTIONARIES], n + opportunities[DICTIONARIES], params, h + sum(hard),
                        m + mass[DICTIONARIES], modern) if DICTIONARIES in present else params.clean_floor
    return Fit(combined([p_score[s] for s in present]), tuple(r for _, r in final),
               max((final[s][1] for s in present), default=0.0), modern, posts, evidence,
               tuple(low if s == DICTIONARIES else final[s][1] for s in SOURCES),
               combined([final[s][0] for s in present]), combined([p_ref[s] for s in present]),
               table_detected=p_ref[TABLES] if TABLES in present else 0.0)
