"""One unit of work — a chunk of a file or a batch of JSON Lines records — and its outcome.

This is the code that runs inside worker processes, so jobs and outcomes are
small picklable dataclasses and everything a job needs (where it starts in
its file, whether an ``unspin: off`` region is open) travels with it.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field, replace

from ..engine.changes import Change, apply_changes, byte_col, line_col
from ..engine.repairer import Repairer
from ..engine.spinrate import Evidence, rests
from ..errors import InputError
from .ignores import drop_ignored
from . import textio
from .records import field_span, get_field, parse_record, splice_field
from .textio import read_chunks

KINDS = ("text", "markdown", "html", "jsonl")
#: The kinds whose prose is cut out of markup first (:mod:`.formats`, imported for them only: its
#: patterns cost the filter of plain text, started for every line a pipeline feeds it, 3 ms)
_MARKUP = ("markdown", "html")


@dataclass(frozen=True)
class Job:
    """Text to repair and where it sits in its file (1-based line, column and UTF-8 byte column)."""

    kind: str
    text: str
    path: str
    line: int = 1
    col: int = 1
    byte_col: int = 1
    off: bool = False
    field: str | None = None
    want_score: bool = False
    offset: int = 0          # characters before this job in its file (findings carry file offsets)
    encoding: str = "utf-8"  # the file's codec: a restoration it cannot store is skipped with a note
    rest: Evidence | None = None  # evidence of the rest of the document (a file read in several chunks)


@dataclass(frozen=True)
class Finding:
    """A change located in its file: columns in characters and in UTF-8 bytes (both 1-based)."""

    line: int
    col: int
    byte_col: int
    change: Change

    @property
    def end_col(self) -> int:
        return self.col + len(self.change.old)

    @property
    def end_byte_col(self) -> int:
        return self.byte_col + len(self.change.old.encode("utf-8"))


@dataclass(frozen=True)
class Score:
    """A document's spin score; ``line`` is set for a JSON Lines record."""

    score: float
    candidates: int
    line: int | None = None


@dataclass
class Outcome:
    """What a job produced: the repaired text, located findings, scores, per-record errors."""

    fixed: str
    findings: list[Finding] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    records: int = 0      # JSON Lines records read
    with_field: int = 0   # ... of which had a text value at --field


class Engine:
    """One Repairer and the confidence floor of this run (lower than the threshold for ``check``)."""

    def __init__(self, repairer: Repairer, min_confidence: float | None = None) -> None:
        self.repairer = repairer
        self.min_confidence = min_confidence

    def analyse(self, text: str, rest: Evidence | None = None, score: bool = True) -> tuple[list[Change], Score]:
        """The changes to report for ``text`` and how spun it looks as a whole (with ``rest``, the
        evidence of the other chunks of its document); ``score=False`` when no score is printed
        (see ``Repairer.analyse``: the changes are the same, the score is cheaper and partial).

        A text longer than a file chunk (one JSON Lines record or Parquet row of megabytes, the
        prose of a large Markdown file) is decided in chunks, as a long plain-text file is
        (:func:`repair.files.runner.document_rests`): the engine's memory grows with the text it
        is given (~150-600 bytes a character), so a 50 MB record took over 9 GB whole.
        """
        if len(text) > textio.CHUNK_CHARS:
            return self._analyse_in_chunks(text, rest, score)
        report = self.repairer.analyse(text, self.min_confidence, rest=rest, score=score)
        changes = list(report.changes)
        if self.min_confidence is not None:
            extra = [c for c in report.suggestions if c.confidence >= self.min_confidence and c.old != c.new]
            changes = sorted([c for c in changes if c.confidence >= self.min_confidence] + extra,
                             key=lambda c: c.start)
        return changes, Score(round(report.spin_score, 4), report.candidates)

    def score(self, text: str, rest: Evidence | None = None) -> Score:
        """How spun ``text`` looks as a whole, no change decided (``Repairer.scored``: what ``unspin
        score`` prints, the same score as :meth:`analyse`'s); a long text in chunks, as there."""
        if len(text) > textio.CHUNK_CHARS:
            return combine([self.score(piece, other) for piece, other in self._chunks(text, rest, True)])
        report = self.repairer.scored(text, rest)
        return Score(round(report.spin_score, 4), report.candidates)

    def decide(self, text: str, rest: Evidence | None, score_only: bool) -> tuple[list[Change], Score | None]:
        """The changes of ``text`` and no score, or (``score_only``: ``unspin score``, which prints no
        change) no changes and the score: deciding them is a third of the time on a spun page."""
        return ([], self.score(text, rest)) if score_only else (self.analyse(text, rest, False)[0], None)

    def _analyse_in_chunks(self, text: str, rest: Evidence | None, score: bool) -> tuple[list[Change], Score]:
        """:meth:`analyse` of a long text: each chunk decided with the evidence of all the others,
        so the document's spin rate is still one, and one score for the whole text."""
        changes: list[Change] = []
        scores: list[Score] = []
        offset = 0
        for piece, other in self._chunks(text, rest, score):
            piece_changes, piece_score = self.analyse(piece, other, score)
            changes.extend(replace(c, start=c.start + offset, end=c.end + offset) for c in piece_changes)
            scores.append(piece_score)
            offset += len(piece)
        return changes, combine(scores)

    def _chunks(self, text: str, rest: Evidence | None, score: bool) -> list[tuple[str, Evidence]]:
        """``text`` in the chunks a long file is read in, each with the evidence of all the others
        (and ``rest``), so the whole is one document with one spin rate (``score``: as in
        ``Repairer.evidence``)."""
        pieces = list(read_chunks(io.StringIO(text, newline=""), paragraphs=True, limit=textio.CHUNK_CHARS))
        return list(zip(pieces, rests([self.repairer.evidence(piece, score) for piece in pieces], rest)))


def combine(scores: list[Score]) -> Score:
    """One score for a text read in chunks: chunk scores weighted by their candidates.

    A file with no text (no chunk) scores as the engine scores an empty text: 0, no
    candidates; leaving it out would make a corpus filter's line count disagree with its files.
    """
    if not scores:
        return Score(0.0, 0)
    total = sum(s.candidates for s in scores)
    if len(scores) == 1 or total == 0:
        return Score(scores[0].score, total)
    return Score(round(sum(s.score * s.candidates for s in scores) / total, 4), total)


def utf8_offsets(text: str, changes: list[Change]) -> list[int]:
    """The UTF-8 byte offset in ``text`` of each change's start, in the order of ``changes``.

    Counted from one change to the next in order of position, so a record of megabytes
    with thousands of changes costs one pass, not one encoding of all that precedes each.
    """
    found, pos, size = [0] * len(changes), 0, 0
    for i in sorted(range(len(changes)), key=lambda i: changes[i].start):
        size += len(text[pos:changes[i].start].encode("utf-8", "surrogatepass"))
        pos = changes[i].start
        found[i] = size
    return found


def locate(job: Job, text: str, change: Change) -> Finding:
    """Absolute line, columns and offsets of ``change`` (offsets into ``text``, the job's text).

    Line, column and byte column come from one shared index of ``text``, so the
    findings of a long line cost O(line) together, not O(line) each.
    """
    line, col = line_col(text, change.start)
    bytes_in = byte_col(text, change.start)
    if job.offset:
        change = replace(change, start=change.start + job.offset, end=change.end + job.offset)
    if line == 1:
        return Finding(job.line, job.col + col - 1, job.byte_col + bytes_in - 1, change)
    return Finding(job.line + line - 1, col, bytes_in, change)


def storable(job: Job, changes: list[Change], where: str, notes: list[str]) -> list[Change]:
    """``changes`` minus those whose new words the file's encoding cannot store (noted)."""
    if job.encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        return changes
    kept = []
    for ch in changes:
        try:
            ch.new.encode(job.encoding)
        except UnicodeEncodeError:
            line = where if where.count(":") else f"{where}:{job.line + job.text.count(chr(10), 0, ch.start)}"
            notes.append(f"{line}: {ch.old} -> {ch.new} skipped: {job.encoding} cannot store {ch.new}")
            continue
        kept.append(ch)
    return kept


def run_job(engine: Engine, job: Job) -> Outcome:
    """Repair, locate and (when asked) score one job."""
    if job.kind == "jsonl":
        return _run_records(engine, job)
    if job.kind == "parquet":  # issue 9: rows of a Parquet shard (files/parquet.py)
        from .parquet import run_rows
        return run_rows(engine, job)
    if job.kind not in _MARKUP:
        changes, score = engine.decide(job.text, job.rest, job.want_score)
    else:
        from . import formats  # noqa: PLC0415

        segments = (formats.markdown_segments if job.kind == "markdown" else formats.html_segments)(job.text)
        prose, starts = formats.join_prose(job.text, segments)
        changes, score = engine.decide(prose, None, job.want_score)
        changes = formats.map_changes(changes, segments, starts)
    changes = drop_ignored(job.text, changes, job.off)
    notes: list[str] = []
    changes = storable(job, changes, job.path, notes)
    outcome = Outcome(apply_changes(job.text, changes), [locate(job, job.text, ch) for ch in changes], notes=notes)
    if score is not None:
        outcome.scores.append(score)
    return outcome


def _run_records(engine: Engine, job: Job) -> Outcome:
    """Each line a JSON record; only ``job.field`` is repaired, every other byte kept.

    Records are split on ``\n`` only (a raw U+2028 inside a JSON string is
    text, not a line break) and the repaired words are spliced into the
    field's JSON string, so the rest of the record stays byte-identical.
    """
    assert job.field is not None
    out, outcome = [], Outcome("")
    for n, line in enumerate(job.text.split("\n"), start=job.line):
        body = line[:-1] if line.endswith("\r") else line
        if not body.strip():
            out.append(line)
            continue
        outcome.records += 1
        where = f"{job.path}:{n}"
        try:
            record = parse_record(body, where)
        except InputError as exc:
            outcome.errors.append(str(exc))
            out.append(line)
            continue
        value = get_field(record, job.field)
        if not isinstance(value, str):
            out.append(line)
            continue
        outcome.with_field += 1
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            outcome.errors.append(f"{where}: field {job.field!r} holds a lone surrogate "
                                  f"({value[exc.start]!r} at character {exc.start + 1}); record left unchanged")
            out.append(line)
            continue
        changes, score = engine.decide(value, None, job.want_score)
        changes = storable(job, drop_ignored(value, changes), where, outcome.notes)
        span = field_span(body, job.field) if changes else None
        if span is not None:
            line = splice_field(body, span, value, changes) + line[len(body):]
        elif changes:
            outcome.errors.append(f"{where}: field {job.field!r} could not be located; record left unchanged")
            changes = []
        out.append(line)
        for ch, at in zip(changes, utf8_offsets(value, changes)):
            outcome.findings.append(Finding(n, ch.start + 1, at + 1, ch))
        if score is not None:
            outcome.scores.append(Score(score.score, score.candidates, n))
    outcome.fixed = "\n".join(out)
    return outcome
