"""What ``fix``, ``check`` and ``score`` do with each result, and their tallies.

Each handler receives results in input order (see :mod:`repair.runner`) and
writes through two callables, one for the command's output and one for
notes, so the CLI decides where they go and tests can capture them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import InputError
from ..files.atomic import AtomicWriter
from ..files.documents import Job, Outcome, Score
from ..files.parquet import writer_for  # issue 9: Parquet shards are rewritten whole
from ..files.runner import Source
from .diffs import chunk_diff
from .output import (
    github_line,
    json_line,
    rdjson_diagnostic,
    rdjson_document,
    text_line,
)

Write = Callable[[str], None]


@dataclass
class Tally:
    """Counts for the closing summary and the exit code."""

    files: int = 0
    changed_files: int = 0
    changes: int = 0
    skipped: int = 0
    errors: int = 0


@dataclass
class _Base:
    out: Write
    note: Write
    tally: Tally = field(default_factory=Tally)

    def skipped(self, name: str, message: str, error: bool) -> None:
        self.note(message)
        self.tally.skipped += 1
        self.tally.errors += error

    def _record_errors(self, outcome: Outcome) -> None:
        for message in outcome.errors:
            self.note(message)
            self.tally.errors += 1


@dataclass
class FixHandler(_Base):
    """Writes repaired files in place (``write``), under ``outdir``, or prints a diff."""

    write: bool = False
    outdir: Path | None = None
    stdout_bytes: Callable[[bytes], None] | None = None
    _writer: AtomicWriter | None = None
    _file_changes: int = 0
    _diff_started: bool = False

    def start(self, src: Source) -> None:
        self.tally.files += 1
        self._file_changes, self._diff_started, self._writer = 0, False, None
        make = writer_for(src)  # issue 9: AtomicWriter, or a ParquetRewriter for a Parquet shard
        if src.path is not None and self.outdir is not None:
            self._writer = make(self.outdir / src.name)
        elif src.path is not None and self.write:
            self._writer = make(src.path, src.snapshot)
        if self._writer is not None:
            self._writer.file.write(src.encoding.header())

    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None:
        self._record_errors(outcome)
        self._file_changes += len(outcome.findings)
        if self._writer is not None:
            self._writer.file.write(outcome.fixed.encode(src.encoding.name))
        elif src.path is None and (self.write or self.outdir is not None):
            assert self.stdout_bytes is not None
            self.stdout_bytes(outcome.fixed.encode(src.encoding.name))
        elif outcome.fixed != job.text:
            for line in chunk_diff(job.text, outcome.fixed, job.line, src.name, not self._diff_started):
                self.out(line)
            self._diff_started = True

    def end(self, src: Source) -> None:
        if self._file_changes:
            self.tally.changed_files += 1
            self.tally.changes += self._file_changes
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        if not self._file_changes and self.outdir is None:
            writer.abort()
            return
        try:
            writer.commit()
        except InputError as exc:
            self.note(str(exc))
            self.tally.errors += 1
            return
        if self._file_changes:
            self.out(f"fixed {src.name} ({self._file_changes} change{'s' * (self._file_changes != 1)})\n")

    def abort(self, src: Source, message: str) -> None:
        if self._writer is not None:
            self._writer.abort()
            self._writer = None
        self.skipped(src.name, message, error=True)

    def summary(self) -> str:
        t = self.tally
        return (f"unspin: {t.files} file{'s' * (t.files != 1)}, {t.changes} change{'s' * (t.changes != 1)} "
                f"in {t.changed_files} file{'s' * (t.changed_files != 1)}, {t.skipped} skipped")


@dataclass
class CheckHandler(_Base):
    """Prints each finding as it comes (rdjson: one report at the end)."""

    fmt: str = "text"
    _diagnostics: list = field(default_factory=list)

    def start(self, src: Source) -> None:
        self.tally.files += 1

    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None:
        self._record_errors(outcome)
        self.tally.changes += len(outcome.findings)
        for f in outcome.findings:
            if self.fmt == "rdjson":
                self._diagnostics.append(rdjson_diagnostic(src.name, f))
            else:
                line = {"text": text_line, "json": json_line, "github": github_line}[self.fmt](src.name, f)
                self.out(line + "\n")

    def end(self, src: Source) -> None:
        pass

    def abort(self, src: Source, message: str) -> None:
        self.skipped(src.name, message, error=True)

    def finish(self) -> None:
        if self.fmt == "rdjson":
            self.out(rdjson_document(self._diagnostics) + "\n")


@dataclass
class ScoreHandler(_Base):
    """One JSON line per document: per file, or per record for JSON Lines."""

    above: float | None = None
    _scores: list[Score] = field(default_factory=list)

    def start(self, src: Source) -> None:
        self.tally.files += 1
        self._scores = []

    def _emit(self, name: str, score: Score) -> None:
        if self.above is not None and score.score <= self.above:
            return
        row = {"path": name, **({"line": score.line} if score.line is not None else {}),
               "score": score.score, "candidates": score.candidates}
        self.out(json.dumps(row, ensure_ascii=False) + "\n")

    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None:
        self._record_errors(outcome)
        if src.kind in ("jsonl", "parquet"):  # issue 9: a Parquet row is a document too
            for score in outcome.scores:
                self._emit(src.name, score)
        else:
            self._scores.extend(outcome.scores)

    def end(self, src: Source) -> None:
        if src.kind not in ("jsonl", "parquet") and self._scores:  # issue 9
            self._emit(src.name, combine(self._scores))

    def abort(self, src: Source, message: str) -> None:
        self.skipped(src.name, message, error=True)


def combine(scores: list[Score]) -> Score:
    """One score for a file read in chunks: chunk scores weighted by their candidates."""
    total = sum(s.candidates for s in scores)
    if len(scores) == 1 or total == 0:
        return Score(scores[0].score, total)
    return Score(round(sum(s.score * s.candidates for s in scores) / total, 4), total)
