"""``unspin explain``: one file or stdin as an inline diff, each change with its evidence."""
from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

import click

from ...errors import EXIT_ERROR, EXIT_OK, UnspinError
from ...files.documents import Job, run_job
from ...files.runner import STDIN, Options, kind_of, make_engine, open_source, open_text
from ...files.textio import SkipFile
from ..diffs import changed_lines, inline_diff
from .common import encoding_option, setup


def _old(word: str) -> str:
    return click.style(f"[-{word}-]", fg="red", strikethrough=True)


def _new(word: str) -> str:
    return click.style(f"{{+{word}+}}", fg="green", bold=True)


def _width(s: str) -> int:
    """Terminal columns of ``s`` (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in click.unstyle(s))


@click.command()
@click.argument("path", default=STDIN, type=click.Path(exists=True, allow_dash=True))
@click.option("--type", "kind", type=click.Choice(["text", "markdown", "html"]), default=None,
              help="Treat the input as this type instead of guessing from the suffix.")
@encoding_option
@click.option("--side-by-side", is_flag=True, help="Show each changed line before and after, in two columns.")
@click.option("--color/--no-color", default=None, help="Colour the diff (default: only on a terminal).")
@click.pass_context
def explain(ctx: click.Context, path: str, kind: str | None, encoding: str | None, side_by_side: bool,
            color: bool | None) -> None:
    """Show what `fix` would change in PATH (or stdin), line by line, and why."""
    s = setup(ctx)
    name, file = ("<stdin>", None) if path == STDIN else (path, Path(path))
    try:
        src = open_source(name, file, Options(kind=kind or kind_of(name, Options()), encoding=encoding))
        with open_text(src) as stream:
            text = stream.read()
        changes = [f.change for f in run_job(make_engine(s.config), Job(src.kind, text, name)).findings]
    except (UnspinError, SkipFile, UnicodeDecodeError) as exc:
        click.echo(f"unspin: error: {exc}", err=True)
        ctx.exit(EXIT_ERROR)
    for number, start, end, chs in changed_lines(text, changes):
        shifted = [replace(c, start=c.start - start, end=c.end - start) for c in chs]
        line = text[start:end].rstrip("\r")
        if side_by_side:
            left = inline_diff(line, shifted, _old, lambda w: "")
            right = inline_diff(line, shifted, lambda w: "", _new)
            pad = " " * max(1, 40 - _width(left))
            click.echo(f"{name}:{number}: {left}{pad}│ {right}", color=color)
        else:
            click.echo(f"{name}:{number}: {inline_diff(line, shifted, _old, _new)}", color=color)
        for c in chs:
            click.echo(f"    {c.old} -> {c.new}  {c.confidence:.2f}  {c.reason}", color=color)
            for item in c.evidence:
                click.echo(f"        {item}", color=color)
    click.echo(f"{name}: {len(changes)} change{'s' * (len(changes) != 1)}", err=True)
    ctx.exit(EXIT_OK)
