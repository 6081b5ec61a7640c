"""The pipeline, wired: normalise → find candidates → score in context → decide → apply.

A :class:`Repairer` loads dictionaries, tables and the context model once
and is then cheap to call on many documents; keep one per process.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any, Callable

from .candidates import Candidate, Finder, drop_mentions
from .changes import Change, apply_changes, compose, span_mask
from .choose import choose
from .config import Config
from .context import ContextModel, load_context
from .dictionary import Entry, load_builtin, load_dictionary, load_register_words, no_collection
from .gazetteer import expand
from .inference import Decision, decisions, posteriors, solve
from .lattice import Clue, Lattice, LatticeBuilder, clusters, marker_spans, source_counts, strong_counts
from .normalize import HAN_RUN, Analysis, analysis_copy, han_count
from .screen import Lone, applies, best_posterior, is_weak, lone_candidate, rate_bound
from .segment import make_segmenter
from .sources import DICTIONARIES, SOURCES, assign, shared
from .pages import FirstRound, decide_in_parts, page_score
from .spinrate import Evidence, Fit, Particles, clue_score, detection_llr, fit, register_of

#: Rounds of decisions on the repaired text (see ``Repairer.analyse``).
MAX_PASSES = 3
#: The share of clusters with forms only spinners write from which a document is fitted whole, unscreened.
SCREEN_MARKERS = 0.1
#: the tier weighed by the evidence of a suggest-tier pair
SUGGEST_ONLY = frozenset({"suggest"})


@dataclass(frozen=True)
class Report:
    """Everything the engine concluded about one text."""

    text: str
    fixed: str
    changes: tuple[Change, ...]  # applied (confidence ≥ threshold)
    suggestions: tuple[Change, ...]  # preferred by the model but below the threshold, or suggest-only
    #: the largest of the spin rates of the sources (dictionaries, tables) in the text, or of a part
    #: of it decided on its own (see ``pages.decide_in_parts``)
    spin_rate: float
    spin_score: float
    candidates: int
    evidence: Evidence  # expected spun words and opportunities, to add up over a document's chunks


def _near(before: str, changes: list[Change], reach: int) -> bytearray:
    """Characters of the text *after* ``changes`` that lie within ``reach`` of a changed span."""
    after_len = len(before) + sum(len(c.new) - (c.end - c.start) for c in changes)
    mask = bytearray(after_len)
    shift = 0
    for c in sorted(changes, key=lambda c: c.start):
        lo = max(0, c.start + shift - reach)
        shift += len(c.new) - (c.end - c.start)
        hi = min(after_len, c.end + shift + reach)
        mask[lo:hi] = b"\x01" * (hi - lo)
    return mask


def _once_per_form(evidence: list[list[Clue]]) -> Callable[[str], float]:
    """Weights that make the evidence of each form count once in all, however often the text writes it.

    A spinner swaps each occurrence of a word on its own; an author who
    wrote 火警 once writes it again. When the context model misjudges a form
    (引发火警 is a fire *alarm*, not a garbled 火灾), it misjudges every
    occurrence alike, and three of them in a short clean report vouched for
    each other until the report read as spun. Each of a form's ``n``
    occurrences whose context argues for restoring it counts ``1/n``.
    """
    n: dict[str, int] = {}
    for clues in evidence:
        for c in clues:
            if c.gain > 0.0:
                n[c.form] = n.get(c.form, 0) + 1
    return lambda form: 1.0 / n.get(form, 1)


#: an entry's garbled form, originals and tier: the same pair of the same tier
_PAIR_OF_TIER = itemgetter(0, 1, 2)
_GARBLED = attrgetter("garbled")
_ORIGINALS = attrgetter("originals")


def _table_pairs(entries: list[Entry]) -> set[tuple[str, str]]:
    """(original, garbled form) of every pair of a user's table in ``entries``."""
    return {(o, e.garbled) for e in entries if e.kind == "table" for o in e.originals}


def _once(entries: list[Entry]) -> list[Entry]:
    """``entries`` with each pair of a tier once, the first place it is listed kept.

    The same table or dictionary can arrive twice (in the config file and on
    the command line, or through a symlink), and two tables can share pairs;
    listed twice, a pair would be two restore edges making the same change,
    doubling its prior, so the same text would be decided differently.
    Usually nothing is listed twice, which one set of the keys, built in C,
    tells without a loop over a big table's entries.
    """
    keys = list(map(_PAIR_OF_TIER, entries))
    if len(set(keys)) == len(keys):
        return entries
    seen: set[tuple[str, tuple[str, ...], str]] = set()
    out = []
    for key, e in zip(keys, entries):
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


class Repairer:
    """Loads everything once; :meth:`analyse` does the work for one text."""

    def __init__(self, config: Config | None = None, **overrides: Any) -> None:
        self.config = (config or Config()).with_options(**overrides) if overrides else (config or Config())
        with no_collection():
            self._load()

    def _load(self) -> None:
        """Read every dictionary and table of the config and build the lexicon's automaton."""
        entries: list[Entry] = []
        phrases: list[str] = []
        if self.config.builtin:
            entries, phrases = load_builtin()
        for path in self.config.dictionaries:
            entries.extend(load_dictionary(path))
        if self.config.tables:
            # imported here: its patterns cost a few milliseconds to compile, which the filter
            # without --table, started for every line a pipeline feeds it, need not pay
            from .tables import load_table  # noqa: PLC0415

            entries.extend(e for path in self.config.tables for e in load_table(path, self.config.strict_tables))
        excluded = self.config.exclude
        if excluded:
            entries = [e for e in entries if e.garbled not in excluded and not set(e.originals) & excluded]
        # each word's partners in the tables as given (both ways), before pairs a dictionary also
        # holds are taken from them (``assign``): the spinner chose among all of them, and the
        # phrases made of a table's pairs (中华人民共和国 garbled inside); counted on first need
        self._as_given = entries
        entries, one_rate = assign(_once(entries))
        self._variants = expand(phrases, entries, set(map(_GARBLED, entries)))
        entries.extend(self._variants)
        if one_rate:  # the phrases a shared table's pairs made share its rate too
            entries = shared(entries)
        self.entries = entries
        # Suggest-only pairs (antonyms, single characters, function words) are
        # looked for only when the caller asks for weak findings: they are
        # frequent in any text and can never change it.
        self.finder = Finder(e for e in entries if e.kind != "suggest")

    @cached_property
    def suggest_finder(self) -> Finder:
        """The automaton of suggest-only pairs, built on first request."""
        return Finder(e for e in self.entries if e.kind == "suggest")

    @cached_property
    def model(self) -> ContextModel:
        """The context model, loaded on first need: clean text with no candidate never pays for it."""
        p = self.config.params
        return load_context(self.config.lm_path, p.backoff, p.stupid_backoff)

    @cached_property
    def builder(self) -> LatticeBuilder:
        """The lattice builder, made when a text first has a candidate, with the partner counts of
        the lexicon's words (counted then: a big table loads faster, and clean text never needs them)."""
        partners = Counter(chain.from_iterable(map(_ORIGINALS, self.entries)))
        table_pairs = _table_pairs(self._as_given) | _table_pairs(self._variants)
        return LatticeBuilder(self.model, make_segmenter(self.model), partners, self.config.params,
                              Counter(map(itemgetter(0), table_pairs)))

    @property
    def _threshold(self) -> float:
        """The confidence a change needs: the configured one, never 0.5 or below, so two
        overlapping changes can never both pass."""
        return max(self.config.threshold, 0.5 + 1e-9)

    # ---- the pipeline ----------------------------------------------------------------
    def analyse(self, text: str, min_confidence: float | None = None,
                rest: Evidence | None = None, score: bool = True) -> Report:
        """Decide every candidate in ``text``; see :class:`Report`.

        Restoring a word changes its neighbours' context (中心书记处置惩罚:
        only once 处理 is back does 中心书记处 read as 中央书记处), so the
        decisions are repeated on the repaired text, at the spin rate fitted
        on the input, until nothing more changes (at most MAX_PASSES). This
        is also what makes ``fix`` idempotent.

        ``rest`` is the evidence of the rest of the document when ``text`` is
        one chunk of a longer one (see :meth:`evidence`), so a long document's
        spin rate is estimated once, over all of it. Suggest-only pairs are
        decided last, at the fitted rate: they never move the rate, so the
        confidences reported do not depend on ``min_confidence``.

        ``score=False`` leaves the suggest tier out of the spin score
        (``Report.spin_score`` is then the other tiers' alone): the score
        never feeds a decision, and reading the suggest tier's candidates in
        context costs a clean text about 40% more time, which ``fix`` and a
        filter that prints no score should not pay.
        """
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        # the cyclic garbage collector off: a dense page keeps thousands of lattices, candidates
        # and posteriors alive at once, and its full collections walked them all (a tenth of the
        # time on the bench's spun text). The engine makes no reference cycles (a test checks),
        # so reference counting frees everything as before.
        with no_collection():
            return self._analyse(text, min_confidence, rest, score)

    def _analyse(self, text: str, min_confidence: float | None, rest: Evidence | None, score: bool) -> Report:
        """:meth:`analyse`, with the collector off: the whole text, then its sections that read spun
        on their own (:func:`.pages.decide_in_parts`)."""
        read = FirstRound()
        whole = self._analyse_whole(text, min_confidence, rest, score, read)
        return decide_in_parts(self, text, whole, read, min_confidence, rest)

    def scored(self, text: str, rest: Evidence | None = None) -> Report:
        """:meth:`analyse`'s spin score, evidence and candidates, without deciding a change.

        The score depends on nothing after the first round's fit and the
        section scan, so what a filter that prints only scores needs is
        worked out and nothing more: on a densely spun page about two thirds
        of :meth:`analyse`'s time. ``fixed`` is ``text``, there are no changes,
        and ``spin_rate`` is the whole page's (a part of it decided on its own
        could have a higher one). ``rest``: as in :meth:`analyse`.
        """
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        threshold = self._threshold
        with no_collection():  # as in analyse
            read = FirstRound()
            first = self._pass(text, threshold, threshold, None, rest=rest, read=read, decide=False)
            if first is None:
                p_spun, evidence = self._unfitted(text, rest)
                return Report(text, text, (), (), 0.0, p_spun, 0, evidence)
            _, _, fitted, n_cands = first
            return Report(text, text, (), (), fitted.rate, page_score(self, text, fitted.p_spun, read, rest),
                          n_cands, fitted.evidence)

    def _analyse_whole(self, text: str, min_confidence: float | None, rest: Evidence | None,
                       score: bool, read: FirstRound | None = None) -> Report:
        """:meth:`analyse` of ``text`` as one document, at one spin rate per source (``read``: see
        :meth:`_fit`)."""
        threshold = self._threshold
        floor = threshold if min_confidence is None else min(min_confidence, threshold)
        first = self._pass(text, threshold, floor, None, rest=rest, score=score, read=read)
        if first is None:
            # nothing to decide: without a score wanted, nothing more to read (a clean page with no
            # dictionary form is the commonest input of all, and the filter's fastest path)
            p_spun, evidence = self._unfitted(text, rest) if score else (0.0, Evidence(0.0, 0.0))
            if floor < threshold:
                return replace(self._report(text, text, [], [], None, 0, floor), spin_score=p_spun, evidence=evidence)
            return Report(text, text, (), (), 0.0, p_spun, 0, evidence)
        applied, suggested, fitted, n_cands = first
        applied, current = self._settle(text, [], text, applied, fitted, MAX_PASSES - 1)
        risky = self._sure_suggest_only(current, fitted)
        if risky:
            # their neighbours read a new context (一样平常皆是 → 一样平常都是: only then is the
            # marker sure): decide those once more, or a second run of fix would change the output
            applied, current = self._settle(text, applied, current, risky, fitted, 1)
        return self._report(text, current, applied, suggested, fitted, n_cands, floor)

    def _span_evidence(self, text_a: str) -> Evidence:
        """An Evidence with nothing but the register counts of ``text_a`` (see ``spinrate.register``)."""
        modern, formal, han = self._register_counts(text_a)
        return Evidence(0.0, 0.0, modern=float(modern), formal=float(formal), han=float(han))

    def _intact(self, text_a: str) -> int:
        """The dictionaries' intact originals in ``text_a`` (a pass of the automaton over it)."""
        return self.finder.find(text_a).intact[DICTIONARIES] if not self.finder.empty else 0

    def _settle(self, text: str, applied: list[Change], current: str, latest: list[Change], fit_: Fit,
                rounds: int) -> tuple[list[Change], str]:
        """Apply ``latest`` (changes to ``current``, the repaired ``text``), then decide again, at the
        fitted rates, the clusters within reach of the last round's changes, for at most ``rounds``
        rounds or until nothing changes. Returns every change as one list on ``text``, and the result."""
        threshold, reach = self._threshold, self.config.params.context_chars
        doubtful = self._doubtful_threshold(fit_)
        while latest:
            # ``current`` is ``text`` after ``applied``: compose need not replay them again
            applied = compose(text, applied, latest, current) if applied else latest
            before, current = current, apply_changes(current, latest)
            if rounds <= 0:
                break
            rounds -= 1
            more = self._pass(current, threshold, threshold, (fit_.rates, fit_.modern),
                              near=_near(before, latest, reach), doubtful=doubtful)
            latest = more[0] if more is not None else []
        return applied, current

    def _doubtful_threshold(self, fitted: Fit) -> float:
        """The confidence a restoration of a form a person may also write (ambiguous, table)
        needs in this document: the threshold, or the suggest tier's where only a second start of
        the fit found the page spun (``Fit.restarted``). Forms only spinners write keep the
        threshold: a second run on the repaired page, which may then fit from one start, decides
        them the same way."""
        if fitted.restarted:
            return max(self._threshold, self.config.params.suggest_threshold)
        return self._threshold

    def _sure_suggest_only(self, text: str, fitted: Fit) -> list[Change]:
        """Suggest-tier restorations sure enough to apply (``ModelParams.suggest_threshold``).

        Decided last, on the repaired text (its neighbours restored, their
        context is the author's), at the low end of the dictionaries' rate
        (:func:`.spinrate.cautious_rate`: a short text whose few words all look
        spun has a high but uncertain rate); never fed back into the rate.
        Skipped at once unless the rate could lift a suggest-tier pair that far
        at all (most documents). Both words of such a pair read naturally, so
        word frequency alone (提供 is commoner than 供给) is no reason: the
        neighbours must favour the original (政策供给 stays). And a change that
        writes another garbled form (付出 → 支出, itself listed as a garble of
        收入) is left as a suggestion: one step of a chain would make ``fix``
        change its own output.
        """
        params = self.config.params
        need = max(params.suggest_threshold, self._threshold)  # a stricter --threshold binds these too
        rho = fitted.cautious[DICTIONARIES]
        if need >= 1.0 or not self._suggest_reachable(rho, fitted.modern, need):
            return []
        sure = self._suggest_only(text, rho, need, fitted.modern, in_context=True)
        return [replace(c, applied=True) for c in sure if c.confidence >= need and c.new not in self._garbled_forms]

    def _suggest_reachable(self, rho: float, modern: float, need: float) -> bool:
        """Whether any suggest-tier edge could reach ``need`` at rate ``rho``: each is capped at
        ρ/(1-ρ) × its tier prior × 10^max_context_gain in odds (see ``inference.posteriors``),
        doubled for two entries making the same change."""
        p = self.config.params
        tier = math.log(p.tier_prior.get("suggest", 1.0))
        bound = (math.log(rho / (1.0 - rho)) + modern * tier + p.max_context_gain * math.log(10) + math.log(2.0))
        return bound >= math.log(need / (1.0 - need))

    @cached_property
    def _suggest_originals(self) -> frozenset[str]:
        """The originals of the suggest tier (在, 就, 把 …): see :meth:`_unfitted`."""
        return frozenset(o for e in self.entries if e.kind == "suggest" for o in e.originals)

    @cached_property
    def _garbled_forms(self) -> frozenset[str]:
        """Every garbled form of the lexicon."""
        return frozenset(e.garbled for e in self.entries)

    def _report(self, text: str, fixed: str, applied: list[Change], suggested: list[Change], fitted: Fit | None,
                n_cands: int, floor: float) -> Report:
        """The Report, with suggest-only findings (decided at the dictionaries' rate) added when asked for."""
        changed = span_mask(len(text), ((a.start, a.end) for a in applied))
        suggested = [c for c in suggested if changed.find(1, c.start, c.end) < 0]
        if floor < self._threshold:
            # suggest-only pairs are the dictionaries' (source 0); with no fit, at the lowest rate
            rho, modern = (fitted.rates[DICTIONARIES], fitted.modern) if fitted is not None else (0.0, 1.0)
            extra = self._suggest_only(text, max(rho, 1e-4), floor, modern)
            taken = span_mask(len(text), ((c.start, c.end) for c in applied + suggested))
            suggested = sorted(suggested + [c for c in extra if taken.find(1, c.start, c.end) < 0],
                               key=lambda c: c.start)
        if fitted is None:
            return Report(text, fixed, tuple(applied), tuple(suggested), 0.0, 0.0, n_cands, Evidence(0.0, 0.0))
        return Report(text, fixed, tuple(applied), tuple(suggested), fitted.rate, fitted.p_spun, n_cands,
                      fitted.evidence)

    def evidence(self, text: str, score: bool = True) -> Evidence:
        """How much of ``text`` looks spun: expected spun words and opportunities, to add up over chunks
        (``score``: as in :meth:`analyse`)."""
        with no_collection():  # as in analyse
            first = self._pass(text, 1.0, 1.0, None, score=score)
        if first is None:  # no candidates: the text still says which register it is in
            return self._unfitted(text, None, score)[1]
        return first[2].evidence

    def _unfitted(self, text: str, rest: Evidence | None, score: bool = True) -> tuple[float, Evidence]:
        """The spin score and evidence of a text with no candidate to fit: its register, and the
        light-spin test of its suggest-tier candidates (``spinrate.clue_score``); 0 without any.

        The test counts the text's intact originals against, as a fit's does, and here also every
        original of the suggest tier the text writes (在, 就, 都): with no candidate of another
        tier there is no other opportunity to weigh its function words against, and a clean page
        with a few of them would outrank the clean pages that have candidates (on dev, 8 of 300
        clean articles had none: AUC at rate 0.2 0.9917 with no such count, 0.9924 with it,
        0.9928 without this score at all; spun as the benchmark spins, 0.9811, 0.9828, 0.9733).
        In a fitted text the same count lowered both (0.9904, 0.9759)."""
        if not HAN_RUN.search(text):
            return 0.0, Evidence(0.0, 0.0)
        text_a = analysis_copy(text).simplified
        ev = self._span_evidence(text_a)
        params = self.config.params
        clues = self._suggest_clues(text_a) if score else []
        if clues:
            whole = ev if rest is None else rest + ev
            intact = self._intact(text_a) + sum(text_a.count(o) for o in self._suggest_originals)
            ev = ev._replace(llr=detection_llr(clues, float(intact), register_of(whole, params), params))
        return clue_score(ev if rest is None else rest + ev, params), ev

    @cached_property
    def _particles(self) -> Particles:
        """The register test's particle counter, with the shipped modern words (维吾尔, 几乎 …)."""
        return Particles(self.config.params, load_register_words())

    def _register_counts(self, text: str) -> tuple[int, int, int]:
        """The modern and the formal particles of ``text`` and its Han characters (see ``spinrate.register``)."""
        return (*self._particles.count(text), han_count(text))

    def _lattice(self, text_a: str, group: list[Candidate], evidence: list[Clue] | None = None) -> Lattice:
        """The solved lattice of one cluster.

        ``evidence`` (``LatticeBuilder.evidence`` of the group) is what the spin-rate fit reads; a
        lattice decided at a rate already fitted (later rounds) is built without it, as no-one
        reads it there. The fit weighs it by form afterwards (:func:`_once_per_form`).
        """
        lat = self.builder.build(text_a, group, [] if evidence is None else evidence)
        solve(self.builder, text_a, lat)
        lat.edges = []  # solved: only its sums and restore edges are read again, so a dense text
        return lat  # holds one window's words at a time, not every window's

    def _suggest_clues(self, text_a: str) -> list[Clue]:
        """The suggest tier's clues in the analysis copy ``text_a``: for the spin score only
        (``ModelParams.detection_suggest``), never for the rate or a decision."""
        if self.config.params.detection_suggest <= 0.0 or self.suggest_finder.empty:
            return []
        found = self.suggest_finder.find(text_a).candidates
        cands = drop_mentions(text_a, self._unprotected(text_a, found))
        return [c for g in clusters(text_a, cands, self.config.params)
                for c in self.builder.evidence(text_a, g, SUGGEST_ONLY)]

    def _near(self, groups: list[list[Candidate]], near: bytearray) -> list[list[Candidate]]:
        """The clusters within reach of a change of the last round."""
        # a cluster's reading depends on candidates up to cluster_gap away and on
        # context words up to context_chars away, so look that far for a change
        reach = self.config.params.cluster_gap + self.config.params.context_chars
        return [g for g in groups
                if near.find(1, max(0, min(c.start for c in g) - reach), max(c.end for c in g) + reach) >= 0]

    def _can_reach(self, group: list[Candidate], rates: tuple[float, ...], register: float, floor: float) -> bool:
        """Whether any change of ``group`` can reach ``floor`` at the rate of each source (see :mod:`.screen`)."""
        params = self.config.params
        if not (applies(params) and lone_candidate(group)):
            return True
        return best_posterior(group[0], rates, register, params, self.builder.choice) >= floor

    def _fit(self, text_a: str, groups: list[list[Candidate]], intact: tuple[int, ...], rest: Evidence | None,
             floor: float, score: bool = True, read: FirstRound | None = None) -> tuple[list[Lattice], Fit]:
        """The lattices a first round decides, and the document's fit.

        Weak clusters (:func:`.screen.is_weak`) join the fit as lone
        candidates, with no lattice (:class:`.screen.Lone`); only those whose
        changes could reach ``floor`` at the fitted rate are then built, and
        the document fitted again. In clean text most never could. A document
        where most clusters carry evidence, or many show forms only spinners
        write, is built whole at once: there the screen would let every weak
        cluster through after a fit spent for nothing.

        ``read``, when given, gets the analysis copy and what each cluster's evidence read, for the
        section scan (:func:`.pages.decide_in_parts`).
        """
        params = self.config.params
        counts = self._register_counts(text_a)
        sizes = [source_counts(g) for g in groups]
        opportunities = [sum(size[s] for size in sizes) + intact[s] for s in SOURCES]
        # a document with many clusters of forms only spinners write is built whole (below): known
        # before any evidence, so its clusters are all built at once too
        whole = sum(marker_spans(g) > 0 for g in groups) >= SCREEN_MARKERS * len(groups)
        screen = applies(params) and not whole
        evidence: list[list[Clue]] = []
        weak: list[bool] = []
        built: dict[int, Lattice] = {}
        for i, g in enumerate(groups):
            # a cluster that will be built whatever the screen decides is built at once, while the
            # context scores its evidence just computed are still in the builder's caches
            ev = self.builder.evidence(text_a, g)
            evidence.append(ev)
            weak.append(screen and is_weak(g, ev))
            if not weak[-1]:
                built[i] = self._lattice(text_a, g, ev)
        if whole or 2 * sum(weak) < len(groups):
            weak = [False] * len(groups)
            built = {i: built[i] if i in built else self._lattice(text_a, g, ev)
                     for i, (g, ev) in enumerate(zip(groups, evidence))}
        if read is not None:  # for the section scan (see pages.decide_in_parts)
            read.text_a = text_a
            read.clusters.extend((g[0].start, size[DICTIONARIES], ev) for g, size, ev in zip(groups, sizes, evidence))
        weight = _once_per_form(evidence)  # known once every cluster's evidence is
        for lat in built.values():
            lat.strong = strong_counts(lat.evidence, weight)
        lone = {i: Lone(self.builder.lone(text_a, groups[i][0])) for i, w in enumerate(weak) if w}
        # the spin score's (see spinrate.detection_llr), the suggest tier's included
        clues = [c for ev in evidence for c in ev] + (self._suggest_clues(text_a) if score else [])
        result = fit(list(built.values()), opportunities, params, rest, *counts, lone=list(lone.values()),
                     clues=clues)
        if lone:
            rates = rate_bound(result.rates)
            late = [i for i in lone if self._can_reach(groups[i], rates, result.modern, floor)]
            if late:  # some could change after all: build them and fit again
                for i in late:
                    built[i] = self._lattice(text_a, groups[i], evidence[i])
                    built[i].strong = strong_counts(built[i].evidence, weight)
                    del lone[i]
                built = {i: built[i] for i in sorted(built)}
                result = fit(list(built.values()), opportunities, params, rest, *counts, lone=list(lone.values()),
                             clues=clues)
        return list(built.values()), result

    def _pass(self, text: str, threshold: float, floor: float, rate: tuple[tuple[float, ...], float] | None,
              near: bytearray | None = None, rest: Evidence | None = None, doubtful: float | None = None,
              score: bool = True, read: FirstRound | None = None, decide: bool = True):
        """One round of decisions: (applied, suggested, the fit or None, candidates), or None
        (``decide=False``: the first round's fit alone, nothing applied or suggested).

        ``rate`` is the (rate of each source, register) fitted by the first round, for later rounds,
        and ``doubtful`` the confidence it asked of forms a person may also write (see
        :meth:`_doubtful_threshold`); the first round works it out from its fit.

        ``near`` marks the characters close to the last round's changes: only
        clusters touching them can have a new context, so only they are decided
        again (whole clusters: a restoration changes the joint decision of its
        neighbours, 构造部分中华人民共战国 → 组织部门中华人民共和国).
        """
        if self.finder.empty or not HAN_RUN.search(text):
            return None
        analysis = analysis_copy(text)
        text_a = analysis.simplified
        matches = self.finder.find(text_a)
        cands = drop_mentions(text_a, self._unprotected(text_a, matches.candidates))
        if not cands:
            return None
        params = self.config.params
        groups = clusters(text_a, cands, params)
        fitted: Fit | None = None
        if rate is None:
            # the screen asks what could be *applied* even when only the evidence is wanted (floor 1)
            lattices, fitted = self._fit(text_a, groups, matches.intact, rest, min(floor, self._threshold), score,
                                         read)
            rates, posts = fitted.rates, fitted.posts
            doubtful = max(threshold, self._doubtful_threshold(fitted))
            if not decide:
                return [], [], fitted, len(cands)
        else:
            rates, modern = rate
            if near is not None:
                groups = self._near(groups, near)
            lattices = [self._lattice(text_a, g) for g in groups if self._can_reach(g, rates, modern, floor)]
            if not lattices:
                return None
            posts = [posteriors(lat, rates, params.max_context_gain, modern) for lat in lattices]
        applied, suggested = self._choose(analysis, decisions(lattices, posts, rates), threshold, floor, doubtful)
        return applied, suggested, fitted, len(cands)

    def _choose(self, analysis: Analysis, found: list[Decision], threshold: float, floor: float,
                doubtful: float | None = None) -> tuple[list[Change], list[Change]]:
        """:func:`.choose.choose` with this engine's params and its table's choice probabilities."""
        return choose(analysis, found, threshold, floor, self.config.params, self.builder.choice, doubtful)

    def _suggest_only(self, text: str, rho: float, floor: float, modern: float = 1.0,
                      in_context: bool = False) -> list[Change]:
        """Suggest-tier findings (antonyms, function words), each decided at the document's rate ``rho``;
        ``in_context``: only of clusters where the neighbours themselves favour a restoration
        (``LatticeBuilder.evidence``), not word frequency alone."""
        finder = self.suggest_finder
        if finder.empty or not HAN_RUN.search(text):
            return []
        analysis = analysis_copy(text)
        cands = drop_mentions(analysis.simplified,
                              self._unprotected(analysis.simplified, finder.find(analysis.simplified).candidates))
        if not cands:
            return []
        rates = (rho,) * len(SOURCES)  # suggest-only pairs are all of one source
        # the bound first: it costs no look-up in the model
        groups = [g for g in clusters(analysis.simplified, cands, self.config.params)
                  if self._can_reach(g, rates, modern, floor)]
        if in_context:
            # each lattice built right after its evidence, while the context scores that read are
            # still in the builder's caches
            lattices = []
            for g in groups:
                ev = self.builder.evidence(analysis.simplified, g, SUGGEST_ONLY)
                if any(c.gain > 0.0 for c in ev):
                    lattices.append(self._lattice(analysis.simplified, g, ev))
        else:
            lattices = [self._lattice(analysis.simplified, g) for g in groups]
        posts = [posteriors(lat, rates, self.config.params.max_context_gain, modern) for lat in lattices]
        return self._choose(analysis, decisions(lattices, posts, rates), 2.0, floor)[1]

    def _unprotected(self, text: str, cands: tuple[Candidate, ...]) -> list[Candidate]:
        """Drop candidates overlapping a protected word (``Config.protected``).

        Inline ``unspin: ignore`` markers are a matter of files, handled by the file commands.
        """
        spans: list[tuple[int, int]] = []
        for word in self.config.protected:
            i = text.find(word)
            while i >= 0:
                spans.append((i, i + len(word)))
                i = text.find(word, i + 1)
        if not spans:
            return list(cands)
        blocked = span_mask(len(text), spans)
        return [c for c in cands if blocked.find(1, c.start, c.end) < 0]

    # ---- conveniences ----------------------------------------------------------------
    def fix(self, text: str) -> str:
        """``text`` with confident restorations applied; unchanged if there is no evidence."""
        return self.analyse(text, score=False).fixed

    def fix_and_explain(self, text: str) -> tuple[str, list[Change]]:
        """The fixed text and the changes that produce it (``apply_changes`` replays them)."""
        r = self.analyse(text, score=False)
        return r.fixed, list(r.changes)

    def explain(self, text: str, min_confidence: float | None = None) -> list[Change]:
        """Applied changes, plus (with a lower ``min_confidence``) restorations not sure enough to apply."""
        r = self.analyse(text, min_confidence, score=False)
        if min_confidence is None or min_confidence >= self.config.threshold:
            return [c for c in r.changes if min_confidence is None or c.confidence >= min_confidence]
        return sorted(r.changes + r.suggestions, key=lambda c: c.start)

    def spin_score(self, text: str) -> float:
        """0..1: how likely the document as a whole was spun (:meth:`scored`: no change is decided)."""
        return self.scored(text).spin_score
