"""``unspin check``: report spun spots as lint findings and write nothing."""
from __future__ import annotations

import click

from ...errors import EXIT_ERROR, EXIT_FOUND, EXIT_OK
from ...files.runner import Options
from ..output import FORMATS, printer, set_threshold
from ..sinks import CheckHandler
from .common import execute, input_options, note, select_inputs, setup


@click.command()
@input_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text (path:line:col), json (one object a line), rdjson (reviewdog) or github (annotations).")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None,
              help="Report changes at least this confident (default: the threshold).")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], include: tuple[str, ...], exclude: tuple[str, ...],
          encoding: str | None, kind: str | None, field: str | None, jobs: int | None, fmt: str,
          min_confidence: float | None) -> None:
    """Report what `fix` would change. Exit 1 if anything is found, 0 if clean, 2 on errors."""
    s = setup(ctx)
    set_threshold(s.config.threshold)  # weaker findings (--min-confidence) are labelled as suggestions
    floor = min_confidence if min_confidence is not None else s.settings.min_confidence
    inputs = select_inputs(paths, include, exclude, s.settings, config=s.config)
    handler = CheckHandler(printer("the findings"), note, fmt=fmt)
    execute(ctx, inputs, s.config, Options(kind, field, encoding, min_confidence=floor), handler, jobs)
    t = handler.tally
    ctx.exit(EXIT_ERROR if t.errors else EXIT_FOUND if t.changes else EXIT_OK)
