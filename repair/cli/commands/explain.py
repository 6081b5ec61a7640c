"""``unspin explain``: files, folders or stdin as inline diffs, each change with its evidence.

It takes the same inputs and options as ``check`` (folders are walked, ``-`` is
stdin, ``--field`` for JSON Lines, the engine options) and shows, for each line
with a change, the line with ``[-old-]{+new+}`` marks (or before and after in
two columns that fit the terminal, ``--side-by-side``), then each change with
its confidence, reason and evidence. Changes `fix` would not apply (below the
threshold, suggest-tier pairs not sure enough; shown with ``--min-confidence``) are labelled
"suggestion, not applied".
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from typing import Callable

import click

from ...engine.changes import Change
from ...errors import EXIT_ERROR, EXIT_OK
from ...files.documents import Job, Outcome
from ...files.records import get_field, parse_record
from ...files.runner import Options, Source
from ..diffs import changed_lines, inline_diff
from ..main import use_color
from ..output import SUGGESTION, cell_width, is_suggestion, printable_path, printer, set_threshold, wrap_cells
from ..sinks import _Base
from .common import execute, input_options, note, select_inputs, setup
from .common import quiet as is_quiet

Style = Callable[[str], str]


def _old(word: str) -> str:
    return click.style(f"[-{word}-]", fg="red", strikethrough=True)


def _new(word: str) -> str:
    return click.style(f"{{+{word}+}}", fg="green", bold=True)


def _nothing(word: str) -> str:
    return ""


@dataclass
class ExplainHandler(_Base):
    """Prints each changed line and its changes as results come, in input order."""

    side_by_side: bool = False
    width: int = 100
    threshold: float = 0.8
    quiet: bool = False
    _file_changes: int = 0

    def start(self, src: Source) -> None:
        self.tally.files += 1
        self._file_changes = 0

    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None:
        self._record_errors(outcome)
        if not outcome.findings:
            return
        self._file_changes += len(outcome.findings)
        self.tally.changes += len(outcome.findings)
        if src.kind == "jsonl":
            self._show_records(src, job, outcome)
            return
        shift = job.offset
        changes = [replace(f.change, start=f.change.start - shift, end=f.change.end - shift)
                   for f in outcome.findings]
        for number, start, end, chs in changed_lines(job.text, changes):
            line = job.text[start:end].rstrip("\r")
            shifted = [replace(c, start=c.start - start, end=c.end - start) for c in chs]
            self._show(f"{printable_path(src.name)}:{job.line + number - 1}:", line, shifted)

    def _show_records(self, src: Source, job: Job, outcome: Outcome) -> None:
        """JSON Lines: the repaired field of each record, as a line of its own."""
        lines = job.text.split("\n")
        by_line: dict[int, list[Change]] = {}
        for f in outcome.findings:
            by_line.setdefault(f.line, []).append(f.change)
        for number, chs in by_line.items():
            where = f"{printable_path(src.name)}:{number}:"
            try:
                value = get_field(parse_record(lines[number - job.line].rstrip("\r"), where), self.field_name or "")
            except Exception:  # noqa: BLE001 - the findings are shown without their line then
                value = None
            if not isinstance(value, str) or any(value[c.start:c.end] != c.old for c in chs):
                for c in chs:
                    self._change(c)
                continue
            for _, start, end, line_chs in changed_lines(value, chs):
                shifted = [replace(c, start=c.start - start, end=c.end - start) for c in line_chs]
                self._show(where, value[start:end], shifted)

    def _show(self, where: str, line: str, changes: list[Change]) -> None:
        if self.side_by_side:
            left = f"{where} {inline_diff(line, changes, _old, _nothing)}"
            right = inline_diff(line, changes, _nothing, _new)
            column = max(10, (self.width - 3) // 2)
            rows_l, rows_r = wrap_cells(left, column), wrap_cells(right, column)
            for i in range(max(len(rows_l), len(rows_r))):
                cell = rows_l[i] if i < len(rows_l) else ""
                other = rows_r[i] if i < len(rows_r) else ""
                self.out(f"{cell}{' ' * (column - cell_width(cell))} │ {other}".rstrip() + "\n")
        else:
            self.out(f"{where} {inline_diff(line, changes, _old, _new)}\n")
        for c in changes:
            self._change(c)

    def _change(self, c: Change) -> None:
        label = f"  ({SUGGESTION})" if is_suggestion(c, self.threshold) else ""
        self.out(f"    {c.old} -> {c.new}  {c.confidence:.2f}  {c.reason}{label}\n")
        for item in c.evidence:
            self.out(f"        {item}\n")

    def end(self, src: Source) -> None:
        self._field_report(src)
        n = self._file_changes
        if not self.quiet:
            self.note(f"{printable_path(src.name)}: {n} change{'s' * (n != 1)}")

    def abort(self, src: Source, message: str) -> None:
        self.skipped(src.name, message, error=True)


@click.command()
@input_options
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None,
              help="Also show weaker candidates, labelled as suggestions (default: the threshold).")
@click.option("--side-by-side", is_flag=True, help="Show each changed line before and after, in two columns.")
@click.option("--color/--no-color", default=None, help="Colour the diff (default: on a terminal, unless NO_COLOR is set).")
@click.pass_context
def explain(ctx: click.Context, paths: tuple[str, ...], include: tuple[str, ...], exclude: tuple[str, ...],
            encoding: str | None, kind: str | None, field: str | None, jobs: int | None,
            min_confidence: float | None, side_by_side: bool, color: bool | None) -> None:
    """Show what `fix` would change in files, folders or stdin (`-`), line by line, and why."""
    s = setup(ctx)
    root = ctx.find_root()
    ctx.color = use_color(color) if color is not None else root.color
    quiet = is_quiet(ctx)
    set_threshold(s.config.threshold)
    floor = min_confidence if min_confidence is not None else s.settings.min_confidence
    inputs = select_inputs(paths, include, exclude, s.settings, config=s.config)
    if not inputs and not getattr(inputs, "problems", None) and not quiet:
        note(f"unspin: no files to explain in {' '.join(paths)} (none found, or all ignored or excluded)")
    width = shutil.get_terminal_size((100, 24)).columns

    handler = ExplainHandler(printer("the explanations", color=ctx.color), note, field_name=field,
                             side_by_side=side_by_side, width=width, threshold=s.config.threshold, quiet=quiet)
    execute(ctx, inputs, s.config, Options(kind, field, encoding, min_confidence=floor), handler, jobs)
    ctx.exit(EXIT_ERROR if handler.tally.errors else EXIT_OK)
