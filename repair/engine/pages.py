"""A page spun in part, decided in parts.

Content farms often spin only part of a page (an introduction, a summary),
and one spin rate per document dilutes it: the spun part is decided at the
rate of a mostly clean page, the clean part at a rate the spun part raised.
After a page is decided whole, it is read section by section
(:mod:`.sections`) with the light-spin test, from the clues its first round
already read; a run of sections that reads spun on its own is decided as a
document of its own, and the rest of the page as one document without it.

The functions take the :class:`~repair.engine.repairer.Repairer` that
decided the page whole (``engine``) and decide the parts with it.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import TYPE_CHECKING

from .changes import Change, apply_changes, span_mask
from .choose import RATE_NOTE
from .lattice import Clue
from .params import ModelParams
from .sections import corrected, outside, scan_score, section_count, sections, spun_regions
from .spinrate import Evidence, clue_score, detection_llr, register_of, rests

if TYPE_CHECKING:
    from .repairer import Report, Repairer


@dataclass
class FirstRound:
    """What a text's first round of decisions read, for the section scan (:func:`decide_in_parts`):
    its analysis copy, and per cluster its start, the dictionaries' opportunities in it and the
    clues its evidence read (in order of start)."""

    text_a: str = ""
    clusters: list[tuple[int, int, list[Clue]]] = field(default_factory=list)


def moved(changes: tuple[Change, ...], offset: int, why: str) -> list[Change]:
    """``changes`` of a region that starts at ``offset``, placed in the whole text, with ``why`` the
    region was decided on its own in place of the document's rate in their evidence."""
    return [replace(c, start=c.start + offset, end=c.end + offset,
                    evidence=tuple(why if e.startswith(RATE_NOTE) else e for e in c.evidence))
            for c in changes]


def decide_in_parts(engine: Repairer, text: str, whole: Report, first: FirstRound,
                    min_confidence: float | None, rest: Evidence | None) -> Report:
    """``whole`` (the report of ``text`` as one document), with the regions of ``text`` that read
    spun on their own decided as documents of their own where that gives them a higher spin
    rate, and the spin score the larger of the whole's and, where it finds such a region, the
    section scan's (see :mod:`.sections`).

    The sections are read without the suggest tier, whether a score is wanted or not: they
    decide restorations, and ``fix`` must write what ``analyse`` does. ``first`` is what the
    whole's first round read: a section is read from the clusters that start in it.
    """
    params = engine.config.params
    scan = _scan(engine, text, first, rest)
    if scan is None:
        return whole
    spans, scores, tests = scan
    read, text_a = first.clusters, first.text_a  # the analysis copy's offsets are the text's
    starts = [start for start, _, _ in read]
    runs = []  # (trimmed run, its best section's score)
    for run in spun_regions(spans, scores, tests, params.section_gate):
        start, end = _trimmed(engine, text_a, run, read, starts)
        if end > start:
            best = max(sc for (a, b), sc in zip(spans, scores) if run[0] <= a and b <= run[1])
            runs.append(((start, end), best))
    rest_chars = len(text) - sum(end - start for (start, end), _ in runs)
    if runs and (rest_chars < params.section_chars or rest_reads_spun(engine, text_a, [r for r, _ in runs], read)):
        # spun throughout, as far as sections tell (the rest is shorter than a section, or reads
        # spun too): one rate serves the page, and its sections' own rates would only scatter
        # around it (and decide most of it twice)
        runs = []
    taken: list[tuple[int, int, Report, str]] = []  # the regions decided on their own
    for (start, end), best in runs:
        part = engine._analyse_whole(text[start:end], min_confidence, None, False)
        if part.spin_rate <= whole.spin_rate:
            continue
        taken.append((start, end, part,
                      f"section spin rate {part.spin_rate:.2f}: characters {start}-{end} read spun on their "
                      f"own (light-spin test {best:.3f}, {corrected(best, tests):.3f} for {tests:g} sections; "
                      f"the whole page's rate {whole.spin_rate:.2f})"))
    score = _page_score(whole.spin_score, scores, tests, params.section_gate)
    if not taken:
        return replace(whole, spin_score=score)
    pieces = taken + _rest_of_page(engine, text, [(start, end) for start, end, _, _ in taken], min_confidence, rest)
    changes = sorted((c for start, _, part, why in pieces for c in moved(part.changes, start, why)),
                     key=attrgetter("start"))
    suggestions = sorted((c for start, _, part, why in pieces for c in moved(part.suggestions, start, why)),
                         key=attrgetter("start"))
    return replace(whole, fixed=apply_changes(text, changes), changes=tuple(changes),
                   suggestions=tuple(suggestions), spin_rate=max(part.spin_rate for _, _, part, _ in pieces),
                   spin_score=score)


def page_score(engine: Repairer, text: str, whole: float, first: FirstRound, rest: Evidence | None) -> float:
    """The spin score :func:`decide_in_parts` gives ``text``, whose score as one document is ``whole``,
    without deciding any part: the score depends on the section scan alone (``Repairer.scored``)."""
    scan = _scan(engine, text, first, rest)
    return whole if scan is None else _page_score(whole, scan[1], scan[2], engine.config.params.section_gate)


def _scan(engine: Repairer, text: str, first: FirstRound,
          rest: Evidence | None) -> tuple[list[tuple[int, int]], list[float], float] | None:
    """The section scan of ``text``: its sections, each one's light-spin score and the number of
    tests they count for (a chunk of a long file counts the rest's sections too); None for a page
    of one section or with nothing read."""
    size = engine.config.params.section_chars
    spans = sections(text, size)
    read, text_a = first.clusters, first.text_a  # the analysis copy's offsets are the text's
    if len(spans) < 2 or not read:
        return None
    tests = section_count(len(spans), rest.han if rest is not None else 0.0, size)
    starts = [start for start, _, _ in read]
    scores = []
    for start, end in spans:
        lo, hi = bisect_left(starts, start), bisect_left(starts, end)
        scores.append(_section_score(engine, text_a[start:end], read[lo:hi], tests) if hi > lo else 0.0)
    return spans, scores, tests


def _page_score(whole: float, scores: list[float], tests: float, gate: float) -> float:
    """The larger of ``whole`` and the scan's score, the scan's only where it reaches ``gate``: below
    it, it is the best of many looks at a page, noise that would reorder the low scores of clean and
    lightly spun pages alike."""
    scan = scan_score(scores, tests)
    return max(whole, scan if scan >= gate else 0.0)


def _trimmed(engine: Repairer, text_a: str, region: tuple[int, int], read: list[tuple[int, int, list[Clue]]],
             starts: list[int]) -> tuple[int, int]:
    """``region`` less the lines at either end whose own light-spin test (``detection_llr``)
    does not find them spun by a clear margin (``ModelParams.section_trim``): a section is cut
    at the first line break after its length, so the one that ends a spun article often holds
    the first paragraph of a clean one, which would otherwise be decided at the spun article's
    rate; and a clean paragraph dense with dictionary words in their own sense (题目, 供给,
    处置) can lean a little towards a spinner by chance."""
    params = engine.config.params
    lines, pos = [], region[0]
    for line in text_a[region[0]:region[1]].split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1

    def spun(line: tuple[int, int]) -> bool:
        lo, hi = bisect_left(starts, line[0]), bisect_left(starts, line[1])
        if not any(c.gain > 0.0 or c.frequency > 0.0 for _, _, found in read[lo:hi] for c in found):
            return False
        part = text_a[line[0]:line[1]]
        return _span_llr(params, engine._span_evidence(part), read[lo:hi], engine._intact(part)) > params.section_trim

    first, last = 0, len(lines)
    while first < last and not spun(lines[last - 1]):
        last -= 1
    while first < last and not spun(lines[first]):
        first += 1
    return (lines[first][0], lines[last - 1][1]) if first < last else (region[0], region[0])


def _rest_of_page(engine: Repairer, text: str, regions: list[tuple[int, int]], min_confidence: float | None,
                  rest: Evidence | None) -> list[tuple[int, int, Report, str]]:
    """The parts of ``text`` outside ``regions`` (decided on their own), decided as one document:
    each with the evidence of the others (and ``rest``, of the document beyond ``text``), so
    the clean body of a page is not decided at a rate its spun section raised."""
    spans = [(start, end) for start, end in outside(regions, len(text)) if text[start:end].strip()]
    if not spans:
        return []
    others = rests([engine.evidence(text[start:end], score=False) for start, end in spans], rest)
    out = []
    for (start, end), other in zip(spans, others):
        part = engine._analyse_whole(text[start:end], min_confidence, other, False)
        out.append((start, end, part, f"spin rate {part.spin_rate:.2f} of the page outside its spun sections"))
    return out


def rest_reads_spun(engine: Repairer, text_a: str, regions: list[tuple[int, int]],
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
    return _section_score(engine, rest, out, 1.0) >= engine.config.params.section_gate


def _section_score(engine: Repairer, text_a: str, read: list[tuple[int, int, list[Clue]]], tests: float) -> float:
    """The light-spin test's P(spun) of one section (``text_a``, in the analysis copy) read on
    its own: ``spinrate.detection_llr`` over the clues of the clusters ``read`` in it, against
    its own intact originals. 0 when even with no intact original it could not reach
    ``section_gate`` among ``tests`` sections: intact originals only lower it, and counting
    them costs a pass over the section."""
    params = engine.config.params
    ev = engine._span_evidence(text_a)
    if corrected(clue_score(ev._replace(llr=_span_llr(params, ev, read, 0)), params), tests) < params.section_gate:
        return 0.0
    return clue_score(ev._replace(llr=_span_llr(params, ev, read, engine._intact(text_a))), params)


def _span_llr(params: ModelParams, ev: Evidence, read: list[tuple[int, int, list[Clue]]], intact: int) -> float:
    """The light-spin test (``spinrate.detection_llr``) of a span whose register ``ev`` gives,
    from the clues of its clusters ``read``, against their opportunities and ``intact`` originals."""
    clues = [c for _, _, found in read for c in found]
    opportunities = sum(size for _, size, _ in read) + intact
    return detection_llr(clues, float(opportunities), register_of(ev, params), params)
