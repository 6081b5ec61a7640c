"""What ``fix``, ``check`` and ``score`` do with each result, and their tallies.

Each handler receives results in input order (see :mod:`repair.runner`) and
writes through two callables, one for the command's output and one for
notes, so the CLI decides where they go and tests can capture them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError, UnspinError
from ..files.atomic import AtomicWriter, WrittenWithWarning, locked, read_only, reason
from ..files.documents import Job, Outcome, Score, combine
from ..files.runner import Source
from .output import (
    github_error,
    github_line,
    json_line,
    json_path,
    json_text,
    printable_path,
    problem_line,
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
    field_name: str | None = None
    tally: Tally = field(default_factory=Tally)
    #: where repaired text that goes to stdout (stdin filtered, ``fix -w -``) is written, as bytes
    stdout_bytes: Callable[[bytes], None] | None = None
    _records: int = 0
    _with_field: int = 0
    _header: bytes = b""

    def _hold_header(self, src: Source) -> None:
        """Keep the input's BOM until its first text: an input refused at its first bad byte
        leaves stdout empty, as promised, instead of holding a stray BOM."""
        self._header = src.encoding.header()

    def _to_stdout(self, data: bytes) -> None:
        """Repaired text to stdout, after the BOM held back (``b""`` at the end: the BOM of an input without text)."""
        data, self._header = self._header + data, b""
        assert self.stdout_bytes is not None
        self.stdout_bytes(data)

    def skipped(self, name: str, message: str, error: bool) -> None:
        self.note(problem_line(message, error))  # one line, whatever the file's name holds (see error)
        self.tally.skipped += 1
        self.tally.errors += error

    def error(self, message: str) -> None:
        """A failure about one file or record: one line, counted for exit code 2.

        Messages name files, and a name may hold a newline or a terminal escape
        (a file in a repository someone else writes to): shown as ``\\xNN``, as
        findings show it, so one error stays one line and cannot drive the terminal.
        """
        self.note(problem_line(message, True))
        self.tally.errors += 1

    def _record_errors(self, outcome: Outcome, job: Job | None = None) -> None:
        if job is not None and job.field:
            self.field_name = job.field
        for message in outcome.errors:
            self.error(message)
        for message in outcome.notes:
            self.note(printable_path(message))
        self._records += outcome.records
        self._with_field += outcome.with_field

    def _field_report(self, src: Source) -> None:
        """After a JSON Lines file: say so when records lack ``--field`` (an error when all do)."""
        records, found, self._records, self._with_field = self._records, self._with_field, 0, 0
        if src.kind != "jsonl" or not records or found == records:
            return
        name = self.field_name or "the field"
        if not found:
            self.error(f"{src.name}: no record has a text field {name!r} ({records} records); check --field")
        else:
            self.note(printable_path(f"{src.name}: {records - found} of {records} records have no text field {name!r}"))


@dataclass
class FixHandler(_Base):
    """Writes repaired files in place (``write``), under ``outdir``, or prints a diff.

    Each file fails on its own: a write error (full disk, permissions, a
    read-only file without ``force``, an edit made during the run) is one
    error line, the original stays as it was, and the batch goes on.
    """

    write: bool = False
    outdir: Path | None = None
    force: bool = False
    _writer: Any = None
    _failed: bool = False
    _file_changes: int = 0
    _diff_started: bool = False

    @property
    def _writing(self) -> bool:
        return self.write or self.outdir is not None

    def start(self, src: Source) -> None:
        self.tally.files += 1
        self._file_changes, self._diff_started, self._writer, self._failed = 0, False, None, False
        if not self._writing:
            return
        if not src.is_file:
            if src.path is not None:
                from ..reading import names_descriptor  # noqa: PLC0415 - see _open_writer

                # a file redirected into /dev/stdin is a regular file, but not one named
                what = "an open file descriptor, not a file's name" if src.path.is_file() and \
                    names_descriptor(src.path) else "not a regular file"
                self._fail(f"{src.name}: {what}; cannot write it back (read it from stdin instead)")
            else:
                self._hold_header(src)
            return
        try:
            self._writer = self._open_writer(src)
            self._writer.file.write(src.encoding.header())
        except InputError as exc:
            self._fail(str(exc))
        except FileNotFoundError:  # removed since it was opened: what the commit would say too
            self._fail(f"{src.name}: deleted during the run; not re-created")
        except OSError as exc:
            self._fail(f"{src.name}: cannot write ({reason(exc)})")

    def _open_writer(self, src: Source) -> Any:
        assert src.path is not None
        # imported here, as below: the filter imports this module for FilterHandler alone, and
        # pays its start-up on every call
        from ..files.parquet import writer_for  # noqa: PLC0415 - issue 9: Parquet shards are rewritten whole

        make = writer_for(src)
        if self.outdir is not None:
            target = self.outdir / src.name
            if target.exists() and target.samefile(src.path):
                raise InputError(f"{src.name}: the output would overwrite this input; not written")
            # a symlinked folder in the mirror would carry the copy out of it (into an input, say);
            # a symlink or hard link as the copy's own name is replaced, not written through
            real, root = os.path.realpath(target.parent), os.path.realpath(self.outdir)
            if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
                raise InputError(f"{target}: its folder leads out of the output folder {self.outdir} "
                                 f"(a symlink to {real}); not written")
            return make(target, None, replace_links=True) if make is not AtomicWriter \
                else AtomicWriter(target, None, str(target), replace_links=True)
        if (lock := locked(src.path)) is not None:  # --force cannot help: say what can
            raise InputError(f"{src.name}: {lock}; not written")
        if not self.force and read_only(src.path):
            raise InputError(f"{src.name}: read-only file; not written (pass --force to write it anyway)")
        return AtomicWriter(src.path, src.snapshot, src.name) if make is AtomicWriter else make(src.path, src.snapshot)

    def _fail(self, message: str) -> None:
        if self._writer is not None:
            self._writer.abort()
            self._writer = None
        self._failed = True
        self.error(message)

    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None:
        self._record_errors(outcome, job)
        self._file_changes += len(outcome.findings)
        if self._failed:
            return
        try:
            if self._writer is not None:
                self._writer.file.write(outcome.fixed.encode(src.encoding.name))
            elif not src.is_file and self._writing:
                self._to_stdout(outcome.fixed.encode(src.encoding.name))
            elif outcome.fixed != job.text:
                from .diffs import chunk_diff  # noqa: PLC0415 - see _open_writer

                for line in chunk_diff(job.text, outcome.fixed, job.line, src.name, not self._diff_started):
                    self.out(line)
                self._diff_started = True
        except InputError as exc:
            self._fail(str(exc))
        except BrokenPipeError:
            raise  # stdout closed (`| head`): the run ends quietly, this file is not written
        except UnicodeEncodeError as exc:
            self._fail(f"{src.name}: cannot be stored in {src.encoding.name} ({exc.reason}); left unchanged")
        except OSError as exc:
            self._fail(f"{src.name}: cannot write ({reason(exc)}); left unchanged")

    def end(self, src: Source) -> None:
        self._field_report(src)
        if self._failed:
            return
        if self._header:
            self._to_stdout(b"")
        writer, self._writer = self._writer, None
        if writer is not None and not self._commit(src, writer):
            return  # left unchanged: not counted as fixed
        if self._file_changes:
            self.tally.changed_files += 1
            self.tally.changes += self._file_changes
            if writer is not None:
                self._say_fixed(src)

    def _say_fixed(self, src: Source) -> None:
        """The ``fixed FILE`` line of a file just written. A stdout that refuses it (``>/dev/full``)
        stops the run, as any output error does; the error then says this file *was* written,
        since its line, the only word of it, is what was lost."""
        try:
            self.out(f"fixed {printable_path(src.name)} ({self._file_changes} "
                     f"change{'s' * (self._file_changes != 1)})\n")
        except UnspinError as exc:
            if self.outdir is not None:  # under -o the input is untouched: its copy is what was written
                raise UnspinError(f"{exc}; {self.outdir / src.name}, the repaired copy of {src.name}, was "
                                  "written, the run stopped there (no copy was written of the files after it)") from None
            raise UnspinError(f"{exc}; {src.name} was written, the run stopped there "
                              "(the files after it were left as they were)") from None

    def _commit(self, src: Source, writer: Any) -> bool:
        """Write the file back (a copy always goes out under ``-o``); False, reported, if it cannot be."""
        if not self._file_changes and self.outdir is None:
            writer.abort()
            return True
        try:
            if isinstance(writer, AtomicWriter):
                writer.commit(src.state.digest)
            else:
                writer.commit()
        except WrittenWithWarning as exc:  # written (counted and listed as fixed), and an error to read
            self.error(str(exc))
            return True
        except InputError as exc:
            self.error(str(exc))
            return False
        except OSError as exc:
            writer.abort()
            self.error(f"{src.name}: cannot write ({reason(exc)}); left unchanged")
            return False
        return True

    def abort(self, src: Source, message: str) -> None:
        if self._writer is not None:
            self._writer.abort()
            self._writer = None
        self._records = self._with_field = 0
        self._header = b""
        if self._failed and src.is_file:  # its error is said already (deleted during the run): one line a file
            self.tally.skipped += 1
            return
        self.skipped(src.name, message, error=True)

    def summary(self) -> str:
        t = self.tally
        return (f"unspin: {t.files} file{'s' * (t.files != 1)}, {t.changes} change{'s' * (t.changes != 1)} "
                f"in {t.changed_files} file{'s' * (t.changed_files != 1)}, {t.skipped} skipped")


@dataclass
class FilterHandler(_Base):
    """The stdin filter: repaired bytes to stdout as they come, each change to stderr with ``explain``.

    ``fix -w -`` writes stdin through :class:`FixHandler` with the same jobs,
    so both give the same bytes.
    """

    explain: bool = False

    def start(self, src: Source) -> None:
        self._hold_header(src)

    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None:
        self._record_errors(outcome, job)
        self._to_stdout(outcome.fixed.encode(src.encoding.name))
        if self.explain:
            for f in outcome.findings:
                self.note(text_line(src.name, f))

    def end(self, src: Source) -> None:
        if self._header:
            self._to_stdout(b"")

    def abort(self, src: Source, message: str) -> None:
        self._header = b""
        self.skipped(src.name, message, error=True)


@dataclass
class CheckHandler(_Base):
    """Prints each finding as it comes (rdjson: one report at the end)."""

    fmt: str = "text"
    _diagnostics: list = field(default_factory=list)

    def start(self, src: Source) -> None:
        self.tally.files += 1

    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None:
        self._record_errors(outcome, job)
        self.tally.changes += len(outcome.findings)
        for f in outcome.findings:
            if self.fmt == "rdjson":
                self._diagnostics.append(rdjson_diagnostic(src.name, f))
            else:
                line = {"text": text_line, "json": json_line, "github": github_line}[self.fmt](src.name, f)
                self.out(line + "\n")

    def end(self, src: Source) -> None:
        self._field_report(src)

    def abort(self, src: Source, message: str) -> None:
        self._records = self._with_field = 0
        self.skipped(src.name, message, error=True)

    def skipped(self, name: str, message: str, error: bool) -> None:
        super().skipped(name, message, error)
        if error and self.fmt == "github":  # stderr as well: the log keeps its one line
            self.out(github_error(name, message) + "\n")

    def error(self, message: str) -> None:
        super().error(message)
        if self.fmt == "github":
            self.out(github_error(None, message) + "\n")

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
        row = {"path": json_path(name), **({"line": score.line} if score.line is not None else {}),
               "score": score.score, "candidates": score.candidates}
        self.out(json_text(row) + "\n")

    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None:
        self._record_errors(outcome, job)
        if src.kind in ("jsonl", "parquet"):  # issue 9: a Parquet row is a document too
            for score in outcome.scores:
                self._emit(src.name, score)
        else:
            self._scores.extend(outcome.scores)

    def end(self, src: Source) -> None:
        self._field_report(src)
        if src.kind not in ("jsonl", "parquet"):  # issue 9
            self._emit(src.name, combine(self._scores))  # an empty file too: one line per file read

    def abort(self, src: Source, message: str) -> None:
        self.skipped(src.name, message, error=True)
