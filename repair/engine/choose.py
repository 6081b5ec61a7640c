"""From decisions to changes: which of the lattices' decisions a text gets, applied or suggested.

The lattices give each restoration a posterior; this picks the most probable
non-overlapping ones, applies those that reach the threshold and suggests the
rest. A user's table gets three more checks here, because its pairs are any
two synonyms: a form written several times is one author's choice
(:func:`one_choice`), an original the text never writes makes its
restoration less likely (:func:`unwritten`), and the applied pairs are held
to an expected precision (:func:`within_precision`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping

from .changes import Change
from .inference import Decision
from .lattice import APPLICABLE, SPINNER_ONLY
from .normalize import Analysis, han_count, to_input_script
from .occurrences import Occurrences
from .params import ModelParams

#: how a change's evidence names the rate it was decided at; a part of a page decided on its own
#: says which part instead (``pages.moved``)
RATE_NOTE = "document spin rate"


def choose(analysis: Analysis, found: list[Decision], threshold: float, floor: float, params: ModelParams,
           choice: Callable[[str, str], float], doubtful: float | None = None) -> tuple[list[Change], list[Change]]:
    """The most probable non-overlapping changes: applied (≥ threshold; a form a person may also
    write ≥ ``doubtful`` when given) and suggested (≥ floor).

    A table restoration whose original the text never writes is discounted (:func:`unwritten`)
    unless another restoration applied here writes it: decided again with those originals
    written until nothing more is applied, so a second run on the output, where they are
    written, decides the same.
    """
    text = analysis.simplified
    table = [d.edge for d in found if d.edge.entry is not None and d.edge.entry.kind == "table"]
    if not table:  # the dictionaries' decisions alone: nothing below applies to them
        return pick(analysis, found, threshold, floor, doubtful, params.table_precision)[:2]
    # where the text writes each of their forms and originals, found in one pass
    words = Occurrences(text, {w for e in table for w in (e.garbled, e.original)})
    found = one_choice(words, found, choice)
    han = han_count(text)  # Han characters: the room the author had to write a word again
    repeat = params.table_repeat * han / (han + params.table_repeat_chars) if han else 0.0
    written: dict[str, frozenset[int]] = {}
    given = unwritten(words, found, repeat)
    while True:
        applied, suggested, originals = pick(analysis, given(written), threshold, floor, doubtful,
                                             params.table_precision)
        if all(starts <= written.get(o, frozenset()) for o, starts in originals.items()):
            return applied, suggested
        written = {o: written.get(o, frozenset()) | originals.get(o, frozenset())
                   for o in written.keys() | originals.keys()}


def pick(analysis: Analysis, found: list[Decision], threshold: float, floor: float, doubtful: float | None,
         precision: float) -> tuple[list[Change], list[Change], dict[str, frozenset[int]]]:
    """:func:`choose` at fixed posteriors, and the originals the applied table restorations
    write, with where each starts (analysis offsets); ``precision``: see :func:`within_precision`."""
    applied: list[Change] = []
    suggested: list[Change] = []
    originals: dict[int, tuple[str, int]] = {}  # of the applied table restorations, by id of the change
    taken = bytearray(len(analysis.original))  # characters already given to a more probable change
    for d in sorted(found, key=lambda d: -d.posterior):
        if d.posterior < floor or taken.find(1, d.diff.start, d.diff.end) >= 0:
            continue
        change = change_of(analysis, d)
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
    applied, held = within_precision(applied, precision)
    suggested += held
    applied.sort(key=lambda c: c.start)
    suggested.sort(key=lambda c: c.start)
    writes: dict[str, frozenset[int]] = {}
    for c in applied:
        if id(c) in originals:
            word, at = originals[id(c)]
            writes[word] = writes.get(word, frozenset()) | {at}
    return applied, suggested, writes


def within_precision(applied: list[Change], target: float) -> tuple[list[Change], list[Change]]:
    """``applied`` less the table pairs beyond the expected precision ``target``
    (``ModelParams.table_precision``), and those held back.

    A confidence is the probability that a change is right, so a set of changes is expected to
    be right in the proportion of its mean confidence. The pairs of a user's table are taken
    most confident first while that mean stays at ``target``; the rest
    are only suggested. A spinner's own table, whose restorations are mostly sure, keeps what
    the threshold gives; a generic synonym table, where both words of a pair read naturally and
    many restorations are a near thing, keeps its surest.
    """
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


def change_of(analysis: Analysis, d: Decision) -> Change | None:
    """The change decision ``d`` makes to the text (``analysis``: its analysis copy), written in the
    input's script and explained; None where it would write what is there already."""
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
        f"{RATE_NOTE} {d.rho:.2f}",
    )
    return Change(d.diff.start, d.diff.end, old, new, round(d.posterior, 4), kind, reason, evidence)


def one_choice(words: Occurrences, found: list[Decision], choice: Callable[[str, str], float]) -> list[Decision]:
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
                d = odds_times(d, min(1.0, rho * choice(e.original, "table") / (1.0 - rho)) ** (n - 1))
        out.append(d)
    return out


def unwritten(words: Occurrences, found: list[Decision],
               repeat: float) -> Callable[[Mapping[str, frozenset[int]]], list[Decision]]:
    """``found`` with the table restorations whose original the text never writes (``words``: see
    :func:`one_choice`) discounted by the chance that every other use of it was swapped away: their
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

    :func:`choose` asks again with more originals written until nothing more is applied;
    only ``written`` differs between its rounds, so which decisions the page would discount, and
    their discounted odds, are worked out once (a dense page has tens of thousands of decisions).
    """
    discounted: list[tuple[int, Decision]] = []  # (place in found, the decision discounted)
    if repeat > 0.0:
        for i, d in enumerate(found):
            e = d.edge
            if (e.entry is not None and e.entry.kind == "table" and 0.0 < d.posterior < 1.0
                    and not words.written_outside(e.original, e.garbled)):
                discounted.append((i, odds_times(d, 1.0 - repeat * (1.0 - min(max(d.rho, 0.0), 1.0)))))

    def given(written: Mapping[str, frozenset[int]]) -> list[Decision]:
        out = list(found)
        for i, d in discounted:
            # discounted unless a restoration other than this one writes the original
            others = written.get(d.edge.original)
            if not others or others == {d.diff.start}:
                out[i] = d
        return out

    return given


def odds_times(d: Decision, factor: float) -> Decision:
    """``d`` with the odds of its posterior (strictly between 0 and 1) multiplied by ``factor``."""
    odds = d.posterior / (1.0 - d.posterior) * factor
    return d._replace(posterior=odds / (1.0 + odds))
