"""Scoring: which gold spans the engine restored, which of its changes were wrong, AUC.

The spinner records every substitution it made (:class:`bench.spinner.GoldSpan`),
so spun-text scoring needs no guessing: a gold span and the engine changes
that overlap it (transitively) form a *cluster*; the cluster is right when
the engine's output over it equals the clean original over it. This credits
a change that rewrites a wider span (主持集会→主持会议) as long as the result
is exactly the original, and counts anything else the engine touched as a
false positive. On clean text any change at all is damage; the character
diff (:func:`diff_spans`) is used there too, so a change the engine made but
did not report is still counted.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Protocol, Sequence


class ChangeLike(Protocol):
    """The fields of ``repair.Change`` that scoring needs."""

    start: int
    end: int
    old: str
    new: str
    kind: str


class GoldLike(Protocol):
    """The fields of ``bench.spinner.GoldSpan`` that scoring needs."""

    start: int
    end: int
    ostart: int
    oend: int
    garbled: str
    original: str


@dataclass
class DocScore:
    """Per-document outcome: one flag per gold span and per engine change."""

    restored: list[bool] = field(default_factory=list)  # aligned with the gold list
    correct: list[bool] = field(default_factory=list)   # aligned with the change list
    partial: list[bool] = field(default_factory=list)   # wrong, but a step towards the original (see below)


def _offset_map(spans: Sequence[tuple[int, int, int]]) -> "callable":
    """Map an offset of the source text to the other text, given (start, end, delta) edits.

    Only offsets not strictly inside an edit are meaningful, which is all the
    cluster boundaries ever are.
    """
    ordered = sorted(spans)

    def mapped(p: int) -> int:
        shift = 0
        for s, e, d in ordered:
            if e <= p:
                shift += d
            else:
                break
        return p + shift

    return mapped


def score_document(
    spun: str, original: str, output: str,
    gold: Sequence[GoldLike], changes: Sequence[ChangeLike],
) -> DocScore:
    """Which gold spans were restored and which changes were right, for one document.

    Clusters are built from overlapping intervals (a zero-length insertion
    touches the interval it sits on). A cluster whose output equals the
    original over its extent makes all its golds restored and all its
    changes correct; otherwise none is, except that a change exactly equal
    to one gold restoration (same span, new == original) still counts.
    A wrong change that lies inside one gold span and writes what the
    original has at that offset is flagged ``partial`` (still a false
    positive, but a step in the right direction, not damage).
    """
    items: list[tuple[int, int, str, int]] = [(g.start, g.end, "g", i) for i, g in enumerate(gold)]
    items += [(c.start, c.end, "c", i) for i, c in enumerate(changes)]
    items.sort(key=lambda t: (t[0], t[1]))
    to_orig = _offset_map([(g.start, g.end, (g.oend - g.ostart) - (g.end - g.start)) for g in gold])
    to_out = _offset_map([(c.start, c.end, len(c.new) - (c.end - c.start)) for c in changes])
    score = DocScore([False] * len(gold), [False] * len(changes), [False] * len(changes))
    clusters: list[list[tuple[int, int, str, int]]] = []
    cur_end = -1
    for it in items:
        s, e = it[0], it[1]
        if clusters and (s < cur_end or (s == e and s == cur_end)):
            clusters[-1].append(it)
            cur_end = max(cur_end, e)
        else:
            clusters.append([it])
            cur_end = e
    for cl in clusters:
        gs = [i for _, _, t, i in cl if t == "g"]
        cs = [i for _, _, t, i in cl if t == "c"]
        if not cs:
            continue  # gold untouched: not restored; nothing to judge
        lo = min(s for s, _, _, _ in cl)
        hi = max(e for _, e, _, _ in cl)
        ok = output[to_out(lo):to_out(hi)] == original[to_orig(lo):to_orig(hi)]
        if ok and gs:
            for i in gs:
                score.restored[i] = True
            for i in cs:
                score.correct[i] = True
            continue
        for i in cs:
            c = changes[i]
            for j in gs:
                g = gold[j]
                if (c.start, c.end) == (g.start, g.end) and c.new == g.original:
                    score.correct[i] = True
                    score.restored[j] = True
        for i in cs:
            c = changes[i]
            if score.correct[i]:
                continue
            for j in gs:
                g = gold[j]
                off = c.start - g.start
                if g.start <= c.start and c.end <= g.end and c.new \
                        and g.original[off:off + len(c.new)] == c.new:
                    score.partial[i] = True  # 查察构造→检察构造 when the original was 检察机关
    return score


def replay(text: str, changes: Sequence[ChangeLike]) -> str | None:
    """``text`` with ``changes`` applied, or None if they overlap or do not match the text.

    The bench's own copy (not the engine's ``apply_changes``), so a bug
    there cannot hide a bug in the explanations.
    """
    out: list[str] = []
    pos = 0
    for c in sorted(changes, key=lambda c: (c.start, c.end)):
        if c.start < pos or text[c.start:c.end] != c.old:
            return None
        out.append(text[pos:c.start])
        out.append(c.new)
        pos = c.end
    out.append(text[pos:])
    return "".join(out)


def diff_spans(before: str, after: str) -> list[tuple[int, int, str, str]]:
    """Character-level edits turning ``before`` into ``after``: (start, end, old, new)."""
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(i1, i2, before[i1:i2], after[j1:j2]) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


def changes_from_diff(before: str, after: str) -> list["SimpleChange"]:
    """Changes recovered by diffing (for an engine whose explanations disagree with its output)."""
    return [SimpleChange(s, e, o, n, "diff") for s, e, o, n in diff_spans(before, after)]


@dataclass(frozen=True)
class SimpleChange:
    """A minimal change record (same field names as ``repair.Change``)."""

    start: int
    end: int
    old: str
    new: str
    kind: str


def auc(positives: Iterable[float], negatives: Iterable[float]) -> float:
    """ROC AUC = P(score of a random positive > score of a random negative), ties count half.

    Computed from ranks (Mann–Whitney U) in O(n log n); NaN if a side is empty.
    """
    pos = list(positives)
    neg = list(negatives)
    if not pos or not neg:
        return float("nan")
    allv = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg], key=lambda t: t[0])
    rank_sum = 0.0
    i = 0
    while i < len(allv):
        j = i
        while j < len(allv) and allv[j][0] == allv[i][0]:
            j += 1
        avg_rank = (i + 1 + j) / 2  # ranks i+1..j
        rank_sum += avg_rank * sum(1 for k in range(i, j) if allv[k][1] == 1)
        i = j
    n1, n0 = len(pos), len(neg)
    return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0)


@dataclass
class Tally:
    """Counts for recall (restored / gold) and precision (correct / changes)."""

    gold: int = 0
    restored: int = 0
    changes: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.restored / self.gold if self.gold else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.changes if self.changes else float("nan")

    def add(self, other: "Tally") -> None:
        self.gold += other.gold
        self.restored += other.restored
        self.changes += other.changes
        self.correct += other.correct


def fmt(x: float, pct: bool = True) -> str:
    """A percentage (or plain number) for the report; '—' for NaN."""
    if x != x:  # NaN
        return "—"
    return f"{100 * x:.1f}%" if pct else f"{x:.3f}"
