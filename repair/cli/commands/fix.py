"""``unspin fix``: repair files in place, into a mirror folder, or show the diff."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ...errors import EXIT_ERROR, EXIT_OK
from ...files.runner import Options
from ..sinks import FixHandler
from .common import execute, input_options, note, out, select_inputs, setup


@click.command()
@input_options
@click.option("-w", "--write", is_flag=True, help="Write repaired files in place (atomically).")
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write repaired copies into DIR, mirroring the tree, and leave the inputs alone.")
@click.pass_context
def fix(ctx: click.Context, paths: tuple[str, ...], include: tuple[str, ...], exclude: tuple[str, ...],
        encoding: str | None, kind: str | None, field: str | None, jobs: int | None, write: bool,
        outdir: Path | None) -> None:
    """Repair files and folders (`-` for stdin). Without -w or -o, print a diff and write nothing."""
    if write and outdir is not None:
        raise click.UsageError("use either -w/--write or -o/--output, not both")
    s = setup(ctx)
    skip = (outdir,) if outdir is not None else ()
    inputs = select_inputs(paths, include, exclude, s.settings, skip)
    handler = FixHandler(out, note, write=write, outdir=outdir, stdout_bytes=_stdout_bytes)
    execute(ctx, inputs, s.config, Options(kind, field, encoding), handler, jobs)
    note(handler.summary())
    ctx.exit(EXIT_ERROR if handler.tally.errors else EXIT_OK)


def _stdout_bytes(data: bytes) -> None:
    """Repaired stdin goes out as bytes, in its own encoding."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
