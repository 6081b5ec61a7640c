"""The unit of output: one explained change, as plain data.

Explanations are data (as in ftfy's ``fix_and_explain``): applying the list of
changes returned for a text to that text reproduces the fixed text exactly,
so a reviewer can accept or drop changes one by one and replay the rest.
"""
from __future__ import annotations

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
    kind: str  # "marker", "ambiguous", "phrase", "table", "user"
    reason: str
    evidence: tuple[str, ...] = field(default=())

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
        )


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
