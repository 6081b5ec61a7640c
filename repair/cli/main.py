"""The ``unspin`` command: a thin click layer over :mod:`repair`.

With no sub-command it is a filter (stdin → stdout), like ``ftfy`` or
``opencc``. Sub-commands for files and repositories live in
:mod:`repair.cli.commands`, one module each, imported when named.
"""
from __future__ import annotations

import codecs
import errno
import importlib
import io
import os
import sys
import warnings
from pathlib import Path

import click

from ..engine.config import DEFAULT_THRESHOLD, Config
from ..errors import EXIT_ERROR, UnspinError
from ..files.settings import current_folder, load_settings
from .paths import Existing

def build_config(
    threshold: float | None,
    tables: tuple[str, ...],
    dictionaries: tuple[str, ...],
    lm: str | None,
    base: Config | None = None,
    strict_tables: bool = False,
    no_builtin: bool = False,
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
    if strict_tables:
        overrides["strict_tables"] = True
    if no_builtin:
        overrides["builtin"] = False
    return cfg.with_options(**overrides) if overrides else cfg


def known_codec(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Reject an unknown encoding name as a usage error, before any file is read (every ``--encoding``)."""
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {value!r}") from None
    return value


#: ``--encoding``: the filter's, and every file command's (the same check, the same help).
encoding_option = click.option("--encoding", default=None, callback=known_codec,
                               help="Read (and write back) the input in this encoding, e.g. gb18030 or utf-16-le.")


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Library warnings (a table's skipped lines) as one ``unspin: warning:`` line, not a source listing."""
    from .output import printable_path

    click.echo(f"unspin: warning: {printable_path(str(message))}", err=True)


#: The file/repository sub-commands: each is a function of that name in ``repair.cli.commands.<name>``.
COMMANDS = ("fix", "check", "score", "explain", "learn")
#: ``ctx.meta`` key of the files named instead of a command (``unspin FILE…``, as ftfy takes them).
FILES_KEY = "unspin.files"
#: Exit code when stdout is closed early (``| head``): what a shell reports for a tool ended by SIGPIPE.
EXIT_BROKEN_PIPE = 141


def _protected(ctx: click.Context) -> list[str]:
    if hasattr(ctx, "_protected_args"):  # click >= 8.2
        return list(ctx._protected_args)
    return list(getattr(ctx, "protected_args", None) or [])  # pragma: no cover - older click


class UnspinGroup(click.Group):
    """The ``unspin`` group: a first argument that is no command but a file makes it a filter of files.

    ``unspin a.txt b.txt`` prints the repaired text of each file to stdout, like
    ``unspin < a.txt`` (and like ``ftfy a.txt``); a command name always wins, so a
    file called ``check`` is ``unspin ./check``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Options may follow the files (``unspin a.txt --explain``), as they may for ftfy; after
        ``--`` every argument is a file, whatever it starts with (``unspin -- -x.txt --``)."""
        takes_value = {opt for p in self.params if isinstance(p, click.Option) and not p.is_flag
                       for opt in p.opts}
        i = 0
        while i < len(args) and args[i] != "--" and args[i].startswith("-") and args[i] != "-":
            i += 2 if args[i] in takes_value else 1
        first = i + 1 if i < len(args) and args[i] == "--" else i
        if first < len(args) and self._is_file(ctx, args[first]):
            options, files, j, only_files = [], [], first, first > i
            while j < len(args):
                a = args[j]
                if a == "--" and not only_files:
                    only_files = True
                elif a.startswith("-") and a != "-" and not only_files:
                    options.append(a)
                    if a in takes_value and j + 1 < len(args):
                        options.append(args[j + 1])
                        j += 1
                else:
                    files.append(a)
                j += 1
            # one "--" before the files, which click takes away: a file named "--" or "-x" stays a file
            args = [*args[:i], *options, "--", *files]
        return super().parse_args(ctx, args)

    def _is_file(self, ctx: click.Context, arg: str) -> bool:
        """Not a command, and a name that is there or that cannot be looked up for a reason other
        than its absence (a symbolic-link loop or a folder without search permission on the way):
        the run then names that reason, where "no command or file named" sent the user to look
        for a typo."""
        return self.get_command(ctx, arg) is None and (arg == "-" or _there(arg))

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's own signature
        args = [*_protected(ctx), *ctx.args]
        if args and self._is_file(ctx, args[0]):
            ctx.meta[FILES_KEY] = args
            if hasattr(ctx, "_protected_args"):
                ctx._protected_args = []
            else:  # pragma: no cover - click < 8.2
                ctx.protected_args = []
            ctx.args = []
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # stdout's reader went away (`unspin check big/ | head -1`): stop as a Unix tool killed
            # by SIGPIPE would, without a message or a traceback, and with its exit code, 128 + 13
            from .output import silence_stdout

            silence_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A sub-command, its module imported on first use: the filter, run on every line a
        pipeline feeds it, does not pay for the imports of ``check`` or ``learn``."""
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = getattr(importlib.import_module(f"{__package__}.commands.{cmd_name}"), cmd_name)
            self.add_command(command)
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]):  # noqa: ANN201
        if args and self.get_command(ctx, args[0]) is None and not args[0].startswith("-"):
            names = ", ".join(sorted(self.list_commands(ctx)))
            ctx.fail(f"no command or file named {args[0]!r} (commands: {names}; "
                     f"`unspin FILE…` prints a file repaired, `unspin fix -w FILE` repairs it in place)")
        return super().resolve_command(ctx, args)


@click.group(cls=UnspinGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--explain", "show_explain", is_flag=True, help="Print each change, its confidence and evidence to stderr.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help=f"Minimum confidence for a change (default {DEFAULT_THRESHOLD}).")
@click.option("--table", "tables", multiple=True, type=Existing(dir_okay=False),
              help="A spinner synonym table (A-B, A→B, A,B or A<TAB>B per line). Repeatable.")
@click.option("--dictionary", "dictionaries", multiple=True, type=Existing(dir_okay=False),
              help="An extra dictionary in unspin's YAML format. Repeatable.")
@click.option("--lm", type=Existing(dir_okay=False), default=None,
              help="A KenLM binary of clean Chinese to use as the context model (needs the kenlm module).")
@click.option("--strict-table", "strict_table", is_flag=True,
              help="Fail on a table line that is not a pair or a set (default: skip it with a warning).")
@click.option("--no-builtin", "no_builtin", is_flag=True,
              help="Leave the built-in dictionaries out: only --table and --dictionary pairs are restored.")
@click.option("--color/--no-color", "color", default=None,
              help="Colour output (default: on a terminal, unless NO_COLOR is set).")
@click.option("-q", "--quiet", is_flag=True, help="No progress, hints or summaries on stderr; errors still show.")
@encoding_option
@click.version_option(package_name="unspin")
@click.pass_context
def main(ctx: click.Context, show_explain: bool, threshold: float | None, tables: tuple[str, ...],
         dictionaries: tuple[str, ...], lm: str | None, strict_table: bool, no_builtin: bool,
         color: bool | None, quiet: bool, encoding: str | None) -> None:
    """Restore machine-spun Chinese text.

    With no command: filter stdin to stdout, or the FILEs named (`unspin a.txt > fixed.txt`).
    """
    ctx.color = use_color(color)
    _names_as_bytes()
    warnings.showwarning = _show_warning
    try:
        if ctx.invoked_subcommand is not None:
            return  # the file commands read the config file and these flags themselves
        # the nearest [tool.unspin] / .unspin.yaml applies to the filter too (protected words,
        # tables, threshold), as codespell's config applies to every way it is run
        config = build_config(threshold, tables, dictionaries, lm, base=load_settings(current_folder()).config,
                              strict_tables=strict_table, no_builtin=no_builtin)
    except UnspinError as exc:
        from .output import problem_line

        click.echo(problem_line(str(exc), error=True), err=True)
        ctx.exit(EXIT_ERROR)
    if ctx.meta.get(FILES_KEY):
        ctx.exit(filter_files(config, ctx.meta[FILES_KEY], show_explain, encoding))
    if not quiet and _stdin_is_terminal():
        click.echo("unspin: reading text from the terminal, end with Ctrl-D "
                   "(or: unspin FILE, unspin check DIR, unspin --help)", err=True)
    # stdin is read in bounded pieces and repaired a paragraph-aligned chunk at a time, by the
    # same code as `unspin fix -w -` (files wing), so both give the same bytes
    from .commands.common import filter_stdin

    ctx.exit(filter_stdin(config, show_explain, encoding))


def _there(arg: str) -> bool:
    """``arg`` names something (a file, a folder, a dangling link), or looking it up fails for
    another reason than ENOENT (``ELOOP``, ``EACCES``...), which the run reports by name."""
    try:
        os.lstat(arg)
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name, never a file
        return isinstance(exc, OSError) and exc.errno not in (errno.ENOTDIR, errno.ENAMETOOLONG)
    return True


def use_color(flag: bool | None) -> bool | None:
    """``--color``/``--no-color`` if given, else off when ``NO_COLOR`` is set (no-color.org), else auto."""
    if flag is not None:
        return flag
    return False if os.environ.get("NO_COLOR") else None


def _names_as_bytes() -> None:
    """A file name that is not UTF-8 (``os.fsdecode`` keeps its bytes as surrogates) is written to
    stdout as those bytes, as ls and grep do, instead of failing the run with a traceback."""
    try:
        sys.stdout.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
    except (AttributeError, ValueError, io.UnsupportedOperation):
        pass


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def filter_files(config: Config, names: list[str], show_explain: bool, encoding: str | None = None) -> int:
    """``unspin FILE…``: each file repaired to stdout as plain text, as the filter does stdin; the exit code."""
    from ..files.runner import Options, run
    from .output import printer, problem_line, stdout_bytes
    from .sinks import FilterHandler

    def note(text: str) -> None:
        click.echo(text, err=True)

    inputs: list[tuple[str, Path | None]] = []
    errors = 0
    for name in names:
        if name == "-":
            inputs.append(("<stdin>", None))
        elif os.path.isdir(name):
            note(problem_line(f"{name} is a folder; use `unspin fix {name}` (diff), "
                              f"`unspin fix -w {name}` (in place) or `unspin check {name}`", error=True))
            errors += 1
        else:
            inputs.append((name, Path(name)))
    handler = FilterHandler(printer("the text"), note, explain=show_explain, stdout_bytes=stdout_bytes)
    try:
        run(inputs, config, Options(kind="text", encoding=encoding), handler, workers=1)
    except UnspinError as exc:
        note(problem_line(str(exc), error=True))
        return EXIT_ERROR
    if sys.stdout is not None:  # None: closed before the run, and nothing was written (empty files)
        sys.stdout.flush()
    # a file named to be printed repaired that is skipped (binary, empty of text) is an error here
    return EXIT_ERROR if errors or handler.tally.errors or handler.tally.skipped else 0


