"""``unspin fix``: repair files in place, into a mirror folder, or show the diff."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ...errors import EXIT_ERROR, EXIT_OK
from ...files.links import broken_link
from ...files.runner import STDIN, Options
from ..output import printer, stdout_bytes
from ..sinks import FixHandler
from .common import execute, fail, input_options, note, quiet, select_inputs, setup


@click.command()
@input_options
@click.option("-w", "--write", is_flag=True, help="Write repaired files in place (atomically).")
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write repaired copies into DIR, mirroring the tree, and leave the inputs alone.")
@click.option("--force", is_flag=True, help="With -w, also write read-only files.")
@click.pass_context
def fix(ctx: click.Context, paths: tuple[str, ...], include: tuple[str, ...], exclude: tuple[str, ...],
        encoding: str | None, kind: str | None, field: str | None, jobs: int | None, write: bool,
        outdir: Path | None, force: bool) -> None:
    """Repair files and folders (`-` for stdin). Without -w or -o, print a diff and write nothing."""
    if write and outdir is not None:
        raise click.UsageError("use either -w/--write or -o/--output, not both")
    s = setup(ctx)
    writing = write or outdir is not None
    shown = "the diff" if not writing else "the text" if STDIN in paths else "the names of the files fixed"
    if writing and sys.stdout is None:
        # a file written, then its `fixed` line not printed, is a run stopped half-way: refuse before
        fail(ctx, f"stdout is closed; nothing to write {shown} to; nothing was written "
                  "(to drop it, send stdout to /dev/null)")
    if outdir is not None:
        clash = _output_broken(outdir) or _output_clash(outdir, paths)
        if clash:
            fail(ctx, clash)
    skip = (outdir,) if outdir is not None else ()
    # in a mirror every name is a copy of its own: a symlink and its target are two outputs
    inputs = select_inputs(paths, include, exclude, s.settings, skip, one_per_file=outdir is None,
                           config=s.config)
    handler = FixHandler(printer(shown), note, field_name=field, write=write, outdir=outdir, force=force,
                         stdout_bytes=stdout_bytes)
    execute(ctx, inputs, s.config, Options(kind, field, encoding), handler, jobs)
    if not quiet(ctx):
        note(handler.summary())
    ctx.exit(EXIT_ERROR if handler.tally.errors else EXIT_OK)


def _output_broken(outdir: Path) -> str | None:
    """Why ``-o outdir`` cannot be a folder because of a broken link: it, or the nearest part of
    it that is there, is a symbolic-link loop or a dangling link (a loop ended in a traceback, a
    dangling link in "no temporary file can be created in its folder: No such file or directory")."""
    for here in (outdir, *outdir.parents):
        if os.path.lexists(here):
            why = broken_link(here)
            if why is None:
                return None
            hint = "create the folder it leads to, or choose another" if "dangling" in why else "choose another"
            return (f"{outdir}: output folder {'is' if here == outdir else f'under {here}, which is'} {why}; "
                    f"nothing was written ({hint})")
    return None


def _output_clash(outdir: Path, paths: tuple[str, ...]) -> str | None:
    """Why ``-o outdir`` would write into or over an input (equal to, inside or containing one), else None."""
    out = os.path.realpath(outdir)
    for arg in paths:
        if arg == STDIN:
            continue
        real = os.path.realpath(arg)
        if out == real or out.startswith(real.rstrip(os.sep) + os.sep) or real.startswith(out.rstrip(os.sep) + os.sep):
            where = "is" if out == real else "is inside" if out.startswith(real) else "contains"
            return (f"{outdir}: the output folder {where} the input {arg}; "
                    "choose a folder outside the inputs (or -w to write in place)")
    return None
