"""The ``unspin`` command: a thin click layer over :mod:`repair`.

With no sub-command it is a filter (stdin → stdout), like ``ftfy`` or
``opencc``. Sub-commands for files and repositories live in
:mod:`repair.commands` and register themselves on :data:`main`.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from .. import Repairer
from ..engine.config import DEFAULT_THRESHOLD, Config
from ..errors import EXIT_ERROR, UnspinError
from ..files.settings import load_settings
from ..files.textio import read_chunks
from .report import format_change_line

#: The filter decides at most this many characters at once (cut at paragraphs): still
#: a long document for the spin-rate estimate, and it bounds the memory a lattice-heavy
#: spun text needs.
FILTER_CHUNK_CHARS = 1 << 16


def build_config(
    threshold: float | None,
    tables: tuple[str, ...],
    dictionaries: tuple[str, ...],
    lm: str | None,
    base: Config | None = None,
) -> Config:
    """One immutable Config from command-line flags (flags override ``base``)."""
    cfg = base or Config()
    overrides: dict = {}
    if threshold is not None:
        overrides["threshold"] = threshold
    if tables:
        overrides["tables"] = cfg.tables + tuple(Path(t) for t in tables)
    if dictionaries:
        overrides["dictionaries"] = cfg.dictionaries + tuple(Path(d) for d in dictionaries)
    if lm:
        overrides["lm_path"] = Path(lm)
    return cfg.with_options(**overrides) if overrides else cfg


def read_stdin_utf8() -> str:
    """All of stdin as text; raise a clear error instead of guessing an encoding.

    A BOM is kept as U+FEFF and written back, so output bytes differ from
    input bytes only where a change was made.
    """
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnspinError(
            f"stdin is not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 4]!r}); "
            "convert it first, e.g. `iconv -f GB18030 -t UTF-8`"
        ) from None


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--explain", "show_explain", is_flag=True, help="Print each change, its confidence and evidence to stderr.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help=f"Minimum confidence for a change (default {DEFAULT_THRESHOLD}).")
@click.option("--table", "tables", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A spinner synonym table (A-B, A→B, A,B or A<TAB>B per line). Repeatable.")
@click.option("--dictionary", "dictionaries", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="An extra dictionary in unspin's YAML format. Repeatable.")
@click.option("--lm", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A KenLM binary of clean Chinese to use as the context model (needs the kenlm module).")
@click.version_option(package_name="unspin")
@click.pass_context
def main(ctx: click.Context, show_explain: bool, threshold: float | None, tables: tuple[str, ...],
         dictionaries: tuple[str, ...], lm: str | None) -> None:
    """Restore machine-spun Chinese text. With no command: filter stdin to stdout."""
    try:
        if ctx.invoked_subcommand is not None:
            return  # the file commands read the config file and these flags themselves
        # the nearest [tool.unspin] / .unspin.yaml applies to the filter too (protected words,
        # tables, threshold), as codespell's config applies to every way it is run
        config = build_config(threshold, tables, dictionaries, lm, base=load_settings(Path.cwd()).config)
        text = read_stdin_utf8()
        repairer = Repairer(config)
    except UnspinError as exc:
        click.echo(f"unspin: error: {exc}", err=True)
        ctx.exit(EXIT_ERROR)
    # Long input is repaired a paragraph-aligned chunk at a time, each a document
    # of its own, so memory follows the chunk size rather than the input size.
    lines_before = 0
    for chunk in read_chunks(io.StringIO(text, newline=""), paragraphs=True, limit=FILTER_CHUNK_CHARS):
        fixed, changes = repairer.fix_and_explain(chunk)
        # bytes, not text: the locale's encoding (LANG=C in cron jobs) must not matter
        sys.stdout.buffer.write(fixed.encode("utf-8"))
        if show_explain:
            for change in changes:
                line = format_change_line("<stdin>", chunk, change)
                if lines_before:
                    where, rest = line[len("<stdin>:"):].split(":", 1)
                    line = f"<stdin>:{int(where) + lines_before}:{rest}"
                click.echo(line, err=True)
        lines_before += chunk.count("\n")
    sys.stdout.flush()


def _register_commands() -> None:
    """Attach the file/repository sub-commands, each in its own module."""
    from .commands import register

    register(main)


_register_commands()
