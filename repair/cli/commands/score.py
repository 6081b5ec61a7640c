"""``unspin score``: one spin score per document, for filtering corpora."""
from __future__ import annotations

import click

from ...errors import EXIT_ERROR, EXIT_OK
from ...files.runner import Options
from ..output import printer
from ..sinks import ScoreHandler
from .common import execute, input_options, note, select_inputs, setup


@click.command()
@input_options
@click.option("--above", type=click.FloatRange(0.0, 1.0), default=None,
              help="List only documents scoring above this.")
@click.pass_context
def score(ctx: click.Context, paths: tuple[str, ...], include: tuple[str, ...], exclude: tuple[str, ...],
          encoding: str | None, kind: str | None, field: str | None, jobs: int | None,
          above: float | None) -> None:
    """Print {"path", "line" (JSON Lines), "score", "candidates"} per file or per record."""
    s = setup(ctx)
    inputs = select_inputs(paths, include, exclude, s.settings, config=s.config)
    handler = ScoreHandler(printer("the scores"), note, above=above)
    execute(ctx, inputs, s.config, Options(kind, field, encoding, want_score=True), handler, jobs)
    ctx.exit(EXIT_ERROR if handler.tally.errors else EXIT_OK)
