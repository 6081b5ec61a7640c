"""The unit of output: one explained change, as plain data.

Explanations are data (as in ftfy's ``fix_and_explain``): applying the list of
changes returned for a text to that text reproduces the fixed text exactly,
so a reviewer can accept or drop changes one by one and replay the rest.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from typing import Iterable


@dataclass(frozen=True)
class Change:
    """One restored span of the *input* text.

    ``start``/``end`` are character offsets into the text given to the
    library (not into any normalised analysis copy), so ``text[start:end] ==
    old`` always holds.
    """

    start: int
    end: int
    old: str
    new: str
    confidence: float
    kind: str  # the tier of the entry: "marker", "ambiguous", "phrase", "table", "suggest"
    reason: str
    evidence: tuple[str, ...] = field(default=())
    #: whether ``fix`` applies it; False for a suggestion (``Report.suggestions``: below the
    #: threshold, or a suggest-tier pair not sure enough), which tools label as such
    applied: bool = True

    def to_dict(self) -> dict:
        """A JSON-ready dict (evidence as a list)."""
        d = asdict(self)
        d["evidence"] = list(self.evidence)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Change":
        """Inverse of :meth:`to_dict`, for replaying a saved plan."""
        return cls(
            start=int(d["start"]),
            end=int(d["end"]),
            old=str(d["old"]),
            new=str(d["new"]),
            confidence=float(d["confidence"]),
            kind=str(d["kind"]),
            reason=str(d["reason"]),
            evidence=tuple(d.get("evidence", ())),
            applied=bool(d.get("applied", True)),
        )


def span_mask(length: int, spans: Iterable[tuple[int, int]]) -> bytearray:
    """One byte per character, 1 where any of ``spans`` covers it: overlap tests in C, not Python loops."""
    mask = bytearray(length)
    for start, end in spans:
        mask[start:end] = b"\x01" * (end - start)
    return mask


def apply_changes(text: str, changes: Iterable[Change]) -> str:
    """Replay ``changes`` on ``text``.

    Raises ``ValueError`` if a change does not match the text it claims to
    replace or overlaps another one, because silently applying a stale plan
    is exactly the kind of damage this tool exists to avoid.
    """
    out: list[str] = []
    pos = 0
    for ch in sorted(changes, key=lambda c: c.start):
        if ch.start < pos:
            raise ValueError(f"overlapping change at {ch.start}: {ch.old!r} -> {ch.new!r}")
        if text[ch.start:ch.end] != ch.old:
            raise ValueError(
                f"change at {ch.start} expects {ch.old!r} but the text has {text[ch.start:ch.end]!r}"
            )
        out.append(text[pos:ch.start])
        out.append(ch.new)
        pos = ch.end
    out.append(text[pos:])
    return "".join(out)


def compose(text: str, first: list[Change], second: list[Change], middle: str | None = None) -> list[Change]:
    """One list of changes on ``text`` equal to applying ``first``, then ``second`` to the result.

    A change of the second pass that touches a change of the first is merged
    with it (中心书记处置惩罚: 处置惩罚 → 处理 first, then 中心 → 中央 once 处理
    is there to read), so the list always replays on the original input.

    ``middle`` is ``apply_changes(text, first)`` where the caller has it already (the repairer's
    rounds do: a dense page's first round holds thousands of changes to replay).
    """
    final = apply_changes(apply_changes(text, first) if middle is None else middle, second)
    # every change as a span of the middle text (after ``first``), tagged with its pass
    spans: list[tuple[int, int, Change, int]] = []
    shift = 0
    for c in sorted(first, key=lambda c: c.start):
        spans.append((c.start + shift, c.start + shift + len(c.new), c, 1))
        shift += len(c.new) - (c.end - c.start)
    spans.extend((c.start, c.end, c, 2) for c in second)
    spans.sort(key=lambda t: (t[0], t[1], t[3]))
    groups: list[list] = []  # [start, end, members] of overlapping spans
    for s, e, c, which in spans:
        if groups and (s < groups[-1][1] or (s == groups[-1][1] and groups[-1][0] == groups[-1][1])):
            groups[-1][1] = max(groups[-1][1], e)
            groups[-1][2].append((c, which))
        else:
            groups.append([s, e, [(c, which)]])
    out: list[Change] = []
    to_text = 0  # middle offset → input offset, for text before the group
    to_final = 0  # middle offset → final offset
    for gs, ge, members in groups:
        if len(members) == 1 and members[0][1] == 1:  # untouched by the second pass (most): kept as it was
            c = members[0][0]
            out.append(c)
            to_text += (c.end - c.start) - len(c.new)
            continue
        back = sum((c.end - c.start) - len(c.new) for c, w in members if w == 1)
        forward = sum(len(c.new) - (c.end - c.start) for c, w in members if w == 2)
        old_start, old_end = gs + to_text, ge + to_text + back
        new = final[gs + to_final:ge + to_final + forward]
        if len(members) == 1:
            c = members[0][0]
            out.append(Change(old_start, old_end, text[old_start:old_end], new, c.confidence, c.kind,
                              c.reason, c.evidence))
        else:
            out.append(Change(old_start, old_end, text[old_start:old_end], new,
                              min(m.confidence for m, _ in members), members[-1][0].kind,
                              "; then ".join(m.reason for m, _ in members),
                              tuple(e for m, _ in members for e in m.evidence)))
        to_text += back
        to_final += forward
    return [c for c in out if c.old != c.new]


class LineIndex:
    """Line and column of any offset in one text, in O(log lines) after one O(n) pass.

    For many findings in one text, counting newlines from the start for each of
    them is quadratic; this finds every line start once and bisects.
    """

    __slots__ = ("text", "starts", "_byte_at")

    def __init__(self, text: str) -> None:
        self.text = text
        self._byte_at = (0, 0)  # (offset, UTF-8 bytes from its line start): the last byte column asked
        starts = [0]
        find, pos = text.find, text.find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of ``offset``."""
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def byte_col(self, offset: int) -> int:
        """1-based column of ``offset`` in UTF-8 bytes; findings asked in order cost O(gap), not O(line)."""
        start = self.line_start(offset)
        last, last_bytes = self._byte_at
        if start <= last <= offset:
            n = last_bytes + len(self.text[last:offset].encode("utf-8", "surrogatepass"))
        else:
            n = len(self.text[start:offset].encode("utf-8", "surrogatepass"))
        self._byte_at = (offset, n)
        return n + 1

    def line_start(self, offset: int) -> int:
        """Offset where the line holding ``offset`` begins."""
        return self.starts[bisect_right(self.starts, offset) - 1]


_LAST_INDEX: LineIndex | None = None


def line_index(text: str) -> LineIndex:
    """The index of ``text``, reused while callers keep asking about the same text."""
    global _LAST_INDEX
    index = _LAST_INDEX
    if index is None or index.text is not text:
        index = _LAST_INDEX = LineIndex(text)
    return index


def byte_col(text: str, offset: int) -> int:
    """1-based column of ``offset`` in UTF-8 bytes (as rdjson counts), linear over findings in order."""
    return line_index(text).byte_col(offset)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``.

    Callers locate many changes in the same text one after the other, so the
    index of the last text seen is kept: n findings cost O(n log lines), not O(n·size).
    """
    global _LAST_INDEX
    index = _LAST_INDEX
    if index is None or index.text is not text:
        if len(text) < 4096:  # short texts: counting is cheaper than an index
            line = text.count("\n", 0, offset) + 1
            return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
        index = _LAST_INDEX = LineIndex(text)
    return index.line_col(offset)
