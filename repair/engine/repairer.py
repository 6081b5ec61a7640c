"""The pipeline, wired: normalise → find candidates → score in context → decide → apply.

A :class:`Repairer` loads dictionaries, tables and the context model once
and is then cheap to call on many documents; keep one per process.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any, Callable, Mapping

from .candidates import Candidate, Finder, drop_mentions
from .changes import Change, apply_changes, compose, span_mask
from .config import Config
from .context import ContextModel, load_context
from .dictionary import Entry, load_builtin, load_dictionary, load_register_words, no_collection
from .gazetteer import expand
from .inference import Decision, decisions, posteriors, solve
from .lattice import APPLICABLE, SPINNER_ONLY, Clue, Lattice, LatticeBuilder, clusters, marker_spans, source_counts, strong_counts
from .normalize import analysis_copy, to_input_script
from .occurrences import Occurrences
from .screen import Lone, applies, best_posterior, is_weak, lone_candidate, rate_bound
from .sections import corrected, outside, scan_score, section_count, sections, spun_regions
from .segment import make_segmenter
from .sources import DICTIONARIES, SOURCES, assign, shared
from .spinrate import Evidence, Fit, Particles, clue_score, detection_llr, fit, register_of, rests

#: Rounds of decisions on the repaired text (see ``Repairer.analyse``).
MAX_PASSES = 3
#: The share of clusters with forms only spinners write from which a document is fitted whole, unscreened.
SCREEN_MARKERS = 0.1
#: the tier weighed by the evidence of a suggest-tier pair
SUGGEST_ONLY = frozenset({"suggest"})
#: a run of Han characters: whether a text has any, and (deleted) how many it has. One pattern
#: for both: ``re`` compiles a class by setting a flag per character of each range, a millisecond
#: per pattern at every start of the filter
_HAN_RUN = re.compile("[\u3400-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Report:
    """Everything the engine concluded about one text."""

    text: str
    fixed: str
    changes: tuple[Change, ...]  # applied (confidence ≥ threshold)
    suggestions: tuple[Change, ...]  # preferred by the model but below the threshold, or suggest-only
    #: the largest of the spin rates of the sources (dictionaries, tables) in the text, or of a part
    #: of it decided on its own (see ``Repairer._by_section``)
    spin_rate: float
    spin_score: float
    candidates: int
    evidence: Evidence  # expected spun words and opportunities, to add up over a document's chunks


def _han_count(text: str) -> int:
    """How many Han characters ``text`` has: its length less what is left with every run deleted
    (a list of every Han character, ``findall``, cost five times as much, on every first round)."""
    return len(text) - len(_HAN_RUN.sub("", text))


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


@dataclass
class _FirstRound:
    """What a text's first round of decisions read, for the section scan (``Repairer._by_section``):
    its analysis copy, and per cluster its start, the dictionaries' opportunities in it and the
    clues its evidence read (in order of start)."""

    text_a: str = ""
    clusters: list[tuple[int, int, list[Clue]]] = field(default_factory=list)


#: how a change's evidence names the rate it was decided at; a part of a page decided on its own
#: says which part instead (:func:`_moved`)
_RATE_NOTE = "document spin rate"


def _moved(changes: tuple[Change, ...], offset: int, why: str) -> list[Change]:
    """``changes`` of a region that starts at ``offset``, placed in the whole text, with ``why`` the
    region was decided on its own in place of the document's rate in their evidence."""
    return [replace(c, start=c.start + offset, end=c.end + offset,
                    evidence=tuple(why if e.startswith(_RATE_NOTE) else e for e in c.evidence))
            for c in changes]


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


def _one_choice(words: Occurrences, found: list[Decision], choice: Callable[[str, str], float]) -> list[Decision]:
    """``found`` with the table restorations of a form the text writes ``n ≥ 2`` times, and whose
    original it never writes, decided as one author's choice (``words``: where the text writes
    the forms and originals of its table decisions).

    An author who wrote 城镇 twice chose it once; had they written 城市, the spinner would have
    had to swap both, and each to this one of the word's ``k`` partners.
    The per-occurrence posteriors count the context's preference once per occurrence and the
    swap once too, so a synonym the context model favours everywhere read as four independent
    swaps. Counting the context once, the other ``n - 1`` occurrences add only the prior odds
    of their swap, ``ρ/k / (1-ρ)`` each (ρ the source's rate): each occurrence's odds are
    multiplied by that to the ``n - 1`` (never raised by it: at a heavy rate with one partner a
    repeated context is no reason for more confidence).
    """
    out = []
    for d in found:
        e = d.edge
        if e.entry is not None and e.entry.kind == "table" and 0.0 < d.posterior < 1.0:
            n = words.count(e.garbled)
            if n >= 2 and not words.written_outside(e.original, e.garbled):
                rho = min(max(d.rho, 1e-9), 1.0 - 1e-9)
                d = _odds_times(d, min(1.0, rho * choice(e.original, "table") / (1.0 - rho)) ** (n - 1))
        out.append(d)
    return out


def _unwritten(words: Occurrences, found: list[Decision],
               repeat: float) -> Callable[[Mapping[str, frozenset[int]]], list[Decision]]:
    """``found`` with the table restorations whose original the text never writes (``words``: see
    :func:`_one_choice`) discounted by the chance that every other use of it was swapped away: their
    odds times ``1 - repeat·(1-ρ)``; as a function of ``written`` (below).

    An author who writes a word once often writes it again (with probability ``repeat``, which
    grows with the length of the text: see ``ModelParams.table_repeat``), and a spinner leaves each
    use intact with probability ``1-ρ``. Had the author written 城市 where the page now says 城镇,
    the page would likely show 城市 somewhere else too, unless the spinner swapped that as well: at
    a light rate it seldom does, so an original the page never writes makes the restoration less
    likely; at a heavy rate the term fades. The context model reads a few words either side and
    cannot see this, so a synonym it prefers by a wide margin read as sure at a light rate.
    ``written`` are originals written by restorations already applied, with where they start: one
    of them is an author's use that was swapped, so the *other* restorations to the same word need
    no such discount (a restoration never vouches for itself).

    :meth:`Repairer._choose` asks again with more originals written until nothing more is applied;
    only ``written`` differs between its rounds, so which decisions the page would discount, and
    their discounted odds, are worked out once (a dense page has tens of thousands of decisions).
    """
    discounted: list[tuple[int, Decision]] = []  # (place in found, the decision discounted)
    if repeat > 0.0:
        for i, d in enumerate(found):
            e = d.edge
            if (e.entry is not None and e.entry.kind == "table" and 0.0 < d.posterior < 1.0
                    and not words.written_outside(e.original, e.garbled)):
                discounted.append((i, _odds_times(d, 1.0 - repeat * (1.0 - min(max(d.rho, 0.0), 1.0)))))

    def given(written: Mapping[str, frozenset[int]]) -> list[Decision]:
        out = list(found)
        for i, d in discounted:
            # discounted unless a restoration other than this one writes the original
            others = written.get(d.edge.original)
            if not others or others == {d.diff.start}:
                out[i] = d
        return out

    return given


def _odds_times(d: Decision, factor: float) -> Decision:
    """``d`` with the odds of its posterior (strictly between 0 and 1) multiplied by ``factor``."""
    odds = d.posterior / (1.0 - d.posterior) * factor
    return d._replace(posterior=odds / (1.0 + odds))


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
        on their own (:meth:`_by_section`)."""
        read = _FirstRound()
        whole = self._analyse_whole(text, min_confidence, rest, score, read)
        return self._by_section(text, whole, read, min_confidence, rest)

    def _analyse_whole(self, text: str, min_confidence: float | None, rest: Evidence | None,
                       score: bool, read: _FirstRound | None = None) -> Report:
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

    def _by_section(self, text: str, whole: Report, first: _FirstRound,
                    min_confidence: float | None, rest: Evidence | None) -> Report:
        """``whole`` (the report of ``text`` as one document), with the regions of ``text`` that read
        spun on their own decided as documents of their own where that gives them a higher spin
        rate, and the spin score the larger of the whole's and, where it finds such a region, the
        section scan's (see :mod:`.sections`).

        The sections are read without the suggest tier, whether a score is wanted or not: they
        decide restorations, and ``fix`` must write what ``analyse`` does. ``first`` is what the
        whole's first round read: a section is read from the clusters that start in it.
        """
        params = self.config.params
        size = params.section_chars
        spans = sections(text, size)
        read, text_a = first.clusters, first.text_a  # the analysis copy's offsets are the text's
        if len(spans) < 2 or not read:
            return whole
        tests = section_count(len(spans), rest.han if rest is not None else 0.0, size)
        starts = [start for start, _, _ in read]
        scores = []
        for start, end in spans:
            lo, hi = bisect_left(starts, start), bisect_left(starts, end)
            scores.append(self._section_score(text_a[start:end], read[lo:hi], tests) if hi > lo else 0.0)
        scan = scan_score(scores, tests)
        runs = []  # (trimmed run, its best section's score)
        for run in spun_regions(spans, scores, tests, params.section_gate):
            start, end = self._trimmed(text_a, run, read, starts)
            if end > start:
                best = max(sc for (a, b), sc in zip(spans, scores) if run[0] <= a and b <= run[1])
                runs.append(((start, end), best))
        rest_chars = len(text) - sum(end - start for (start, end), _ in runs)
        if runs and (rest_chars < size or self._rest_reads_spun(text_a, [r for r, _ in runs], read)):
            # spun throughout, as far as sections tell (the rest is shorter than a section, or reads
            # spun too): one rate serves the page, and its sections' own rates would only scatter
            # around it (and decide most of it twice)
            runs = []
        taken: list[tuple[int, int, Report, str]] = []  # the regions decided on their own
        for (start, end), best in runs:
            part = self._analyse_whole(text[start:end], min_confidence, None, False)
            if part.spin_rate <= whole.spin_rate:
                continue
            taken.append((start, end, part,
                          f"section spin rate {part.spin_rate:.2f}: characters {start}-{end} read spun on their "
                          f"own (light-spin test {best:.3f}, {corrected(best, tests):.3f} for {tests:g} sections; "
                          f"the whole page's rate {whole.spin_rate:.2f})"))
        # the scan's score only where it found a region: below the gate it is the best of many looks
        # at a page, noise that would reorder the low scores of clean and lightly spun pages alike
        score = max(whole.spin_score, scan if scan >= params.section_gate else 0.0)
        if not taken:
            return replace(whole, spin_score=score)
        pieces = taken + self._rest_of_page(text, [(start, end) for start, end, _, _ in taken], min_confidence, rest)
        changes = sorted((c for start, _, part, why in pieces for c in _moved(part.changes, start, why)),
                         key=attrgetter("start"))
        suggestions = sorted((c for start, _, part, why in pieces for c in _moved(part.suggestions, start, why)),
                             key=attrgetter("start"))
        return replace(whole, fixed=apply_changes(text, changes), changes=tuple(changes),
                       suggestions=tuple(suggestions), spin_rate=max(part.spin_rate for _, _, part, _ in pieces),
                       spin_score=score)

    def _trimmed(self, text_a: str, region: tuple[int, int], read: list[tuple[int, int, list[Clue]]],
                 starts: list[int]) -> tuple[int, int]:
        """``region`` less the lines at either end whose own light-spin test (``detection_llr``)
        does not find them spun by a clear margin (``ModelParams.section_trim``): a section is cut
        at the first line break after its length, so the one that ends a spun article often holds
        the first paragraph of a clean one, which would otherwise be decided at the spun article's
        rate; and a clean paragraph dense with dictionary words in their own sense (题目, 供给,
        处置) can lean a little towards a spinner by chance."""
        params = self.config.params
        lines, pos = [], region[0]
        for line in text_a[region[0]:region[1]].split("\n"):
            lines.append((pos, pos + len(line)))
            pos += len(line) + 1

        def spun(line: tuple[int, int]) -> bool:
            lo, hi = bisect_left(starts, line[0]), bisect_left(starts, line[1])
            if not any(c.gain > 0.0 or c.frequency > 0.0 for _, _, found in read[lo:hi] for c in found):
                return False
            part = text_a[line[0]:line[1]]
            return self._span_llr(self._span_evidence(part), read[lo:hi], self._intact(part)) > params.section_trim

        first, last = 0, len(lines)
        while first < last and not spun(lines[last - 1]):
            last -= 1
        while first < last and not spun(lines[first]):
            first += 1
        return (lines[first][0], lines[last - 1][1]) if first < last else (region[0], region[0])

    def _rest_of_page(self, text: str, regions: list[tuple[int, int]], min_confidence: float | None,
                      rest: Evidence | None) -> list[tuple[int, int, Report, str]]:
        """The parts of ``text`` outside ``regions`` (decided on their own), decided as one document:
        each with the evidence of the others (and ``rest``, of the document beyond ``text``), so
        the clean body of a page is not decided at a rate its spun section raised."""
        spans = [(start, end) for start, end in outside(regions, len(text)) if text[start:end].strip()]
        if not spans:
            return []
        others = rests([self.evidence(text[start:end], score=False) for start, end in spans], rest)
        out = []
        for (start, end), other in zip(spans, others):
            part = self._analyse_whole(text[start:end], min_confidence, other, False)
            out.append((start, end, part, f"spin rate {part.spin_rate:.2f} of the page outside its spun sections"))
        return out

    def _rest_reads_spun(self, text_a: str, regions: list[tuple[int, int]],
                         read: list[tuple[int, int, list[Clue]]]) -> bool:
        """Whether the page outside ``regions`` reads spun too, by the same light-spin test read
        as one text (one test, no correction): a page spun throughout has sections that miss the
        gate (short ones, few candidates) between those that pass, and together they still read
        spun, where the clean body of a page spun in part does not."""
        inside = span_mask(len(text_a), regions)
        out = [r for r in read if not inside[r[0]]]
        if not out:
            return False
        rest = "\n".join(text_a[start:end] for start, end in outside(regions, len(text_a)))
        return self._section_score(rest, out, 1.0) >= self.config.params.section_gate

    def _section_score(self, text_a: str, read: list[tuple[int, int, list[Clue]]], tests: float) -> float:
        """The light-spin test's P(spun) of one section (``text_a``, in the analysis copy) read on
        its own: ``spinrate.detection_llr`` over the clues of the clusters ``read`` in it, against
        its own intact originals. 0 when even with no intact original it could not reach
        ``section_gate`` among ``tests`` sections: intact originals only lower it, and counting
        them costs a pass over the section."""
        params = self.config.params
        ev = self._span_evidence(text_a)
        if corrected(clue_score(ev._replace(llr=self._span_llr(ev, read, 0)), params), tests) < params.section_gate:
            return 0.0
        return clue_score(ev._replace(llr=self._span_llr(ev, read, self._intact(text_a))), params)

    def _span_evidence(self, text_a: str) -> Evidence:
        """An Evidence with nothing but the register counts of ``text_a`` (see ``spinrate.register``)."""
        modern, formal, han = self._register_counts(text_a)
        return Evidence(0.0, 0.0, modern=float(modern), formal=float(formal), han=float(han))

    def _span_llr(self, ev: Evidence, read: list[tuple[int, int, list[Clue]]], intact: int) -> float:
        """The light-spin test (``spinrate.detection_llr``) of a span whose register ``ev`` gives,
        from the clues of its clusters ``read``, against their opportunities and ``intact`` originals."""
        params = self.config.params
        clues = [c for _, _, found in read for c in found]
        opportunities = sum(size for _, size, _ in read) + intact
        return detection_llr(clues, float(opportunities), register_of(ev, params), params)

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
        if not _HAN_RUN.search(text):
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
        return (*self._particles.count(text), _han_count(text))

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
             floor: float, score: bool = True, read: _FirstRound | None = None) -> tuple[list[Lattice], Fit]:
        """The lattices a first round decides, and the document's fit.

        Weak clusters (:func:`.screen.is_weak`) join the fit as lone
        candidates, with no lattice (:class:`.screen.Lone`); only those whose
        changes could reach ``floor`` at the fitted rate are then built, and
        the document fitted again. In clean text most never could. A document
        where most clusters carry evidence, or many show forms only spinners
        write, is built whole at once: there the screen would let every weak
        cluster through after a fit spent for nothing.

        ``read``, when given, gets the analysis copy and what each cluster's evidence read, for the
        section scan (:meth:`_by_section`).
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
        if read is not None:  # for the section scan (see _by_section)
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
              score: bool = True, read: _FirstRound | None = None):
        """One round of decisions: (applied, suggested, the fit or None, candidates), or None.

        ``rate`` is the (rate of each source, register) fitted by the first round, for later rounds,
        and ``doubtful`` the confidence it asked of forms a person may also write (see
        :meth:`_doubtful_threshold`); the first round works it out from its fit.

        ``near`` marks the characters close to the last round's changes: only
        clusters touching them can have a new context, so only they are decided
        again (whole clusters: a restoration changes the joint decision of its
        neighbours, 构造部分中华人民共战国 → 组织部门中华人民共和国).
        """
        if self.finder.empty or not _HAN_RUN.search(text):
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

    def _choose(self, analysis, found: list[Decision], threshold: float, floor: float,
                doubtful: float | None = None) -> tuple[list[Change], list[Change]]:
        """The most probable non-overlapping changes: applied (≥ threshold; a form a person may also
        write ≥ ``doubtful`` when given) and suggested (≥ floor).

        A table restoration whose original the text never writes is discounted (:func:`_unwritten`)
        unless another restoration applied here writes it: decided again with those originals
        written until nothing more is applied, so a second run on the output, where they are
        written, decides the same.
        """
        text = analysis.simplified
        table = [d.edge for d in found if d.edge.entry is not None and d.edge.entry.kind == "table"]
        if not table:  # the dictionaries' decisions alone: nothing below applies to them
            return self._pick(analysis, found, threshold, floor, doubtful)[:2]
        # where the text writes each of their forms and originals, found in one pass
        words = Occurrences(text, {w for e in table for w in (e.garbled, e.original)})
        found = _one_choice(words, found, self.builder.choice)
        params = self.config.params
        han = _han_count(text)  # Han characters: the room the author had to write a word again
        repeat = params.table_repeat * han / (han + params.table_repeat_chars) if han else 0.0
        written: dict[str, frozenset[int]] = {}
        unwritten = _unwritten(words, found, repeat)
        while True:
            applied, suggested, originals = self._pick(analysis, unwritten(written), threshold, floor, doubtful)
            if all(starts <= written.get(o, frozenset()) for o, starts in originals.items()):
                return applied, suggested
            written = {o: written.get(o, frozenset()) | originals.get(o, frozenset())
                       for o in written.keys() | originals.keys()}

    def _pick(self, analysis, found: list[Decision], threshold: float, floor: float,
              doubtful: float | None) -> tuple[list[Change], list[Change], dict[str, frozenset[int]]]:
        """:meth:`_choose` at fixed posteriors, and the originals the applied table restorations
        write, with where each starts (analysis offsets)."""
        applied: list[Change] = []
        suggested: list[Change] = []
        originals: dict[int, tuple[str, int]] = {}  # of the applied table restorations, by id of the change
        taken = bytearray(len(analysis.original))  # characters already given to a more probable change
        for d in sorted(found, key=lambda d: -d.posterior):
            if d.posterior < floor or taken.find(1, d.diff.start, d.diff.end) >= 0:
                continue
            change = self._change(analysis, d)
            if change is None:
                continue
            taken[d.diff.start:d.diff.end] = b"\x01" * (d.diff.end - d.diff.start)
            kind = d.edge.entry.kind if d.edge.entry is not None else None
            need = doubtful if doubtful is not None and kind not in SPINNER_ONLY else threshold
            if d.posterior >= need and kind in APPLICABLE:
                applied.append(change)
                if kind == "table":
                    originals[id(change)] = (d.edge.original, d.diff.start)
            else:
                suggested.append(replace(change, applied=False))
        applied, held = self._within_precision(applied)
        suggested += held
        applied.sort(key=lambda c: c.start)
        suggested.sort(key=lambda c: c.start)
        writes: dict[str, frozenset[int]] = {}
        for c in applied:
            if id(c) in originals:
                word, at = originals[id(c)]
                writes[word] = writes.get(word, frozenset()) | {at}
        return applied, suggested, writes

    def _within_precision(self, applied: list[Change]) -> tuple[list[Change], list[Change]]:
        """``applied`` less the table pairs beyond the expected precision asked for, and those held back.

        A confidence is the probability that a change is right, so a set of changes is expected to
        be right in the proportion of its mean confidence. The pairs of a user's table are taken
        most confident first while that mean stays at ``ModelParams.table_precision``; the rest
        are only suggested. A spinner's own table, whose restorations are mostly sure, keeps what
        the threshold gives; a generic synonym table, where both words of a pair read naturally and
        many restorations are a near thing, keeps its surest.
        """
        target = self.config.params.table_precision
        table = sorted((c for c in applied if c.kind == "table"), key=lambda c: -c.confidence)
        if not table or target <= 0.0:
            return applied, []
        total = 0.0
        keep = 0
        for i, c in enumerate(table, 1):
            total += c.confidence
            if total / i < target:
                break
            keep = i
        if keep == len(table):
            return applied, []
        held = {id(c) for c in table[keep:]}
        why = (f"held back: the table's {keep} surer restorations in this text already reach "
               f"its expected precision {target:g}")
        return ([c for c in applied if id(c) not in held],
                [replace(c, applied=False, evidence=(*c.evidence, why)) for c in table[keep:]])

    def _suggest_only(self, text: str, rho: float, floor: float, modern: float = 1.0,
                      in_context: bool = False) -> list[Change]:
        """Suggest-tier findings (antonyms, function words), each decided at the document's rate ``rho``;
        ``in_context``: only of clusters where the neighbours themselves favour a restoration
        (``LatticeBuilder.evidence``), not word frequency alone."""
        finder = self.suggest_finder
        if finder.empty or not _HAN_RUN.search(text):
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

    @staticmethod
    def _change(analysis, d: Decision) -> Change | None:
        old = analysis.original[d.diff.start:d.diff.end]
        new = to_input_script(analysis, d.diff.start, d.diff.end, d.diff.new)
        if old == new:
            return None
        e = d.edge
        assert e.entry is not None
        kind = e.entry.kind
        if kind == "phrase":
            reason = f"phrase {e.garbled} → {e.original}"
        elif kind == "marker":
            reason = f"marker {e.garbled}"
        elif kind == "table":
            reason = f"table pair {e.garbled}/{e.original}"
        elif kind == "suggest":
            reason = f"risky pair {e.garbled}/{e.original}: context favours {e.original}"
        else:
            reason = f"context favours {e.original} over {e.garbled}"
        evidence = (
            f"entry {e.entry.source}",
            f"posterior {d.posterior:.3f} jointly with neighbours",
            f"{_RATE_NOTE} {d.rho:.2f}",
        )
        return Change(d.diff.start, d.diff.end, old, new, round(d.posterior, 4), kind, reason, evidence)

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
        """0..1: how likely the document as a whole was spun."""
        return self.analyse(text).spin_score
