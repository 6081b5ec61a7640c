"""What the file commands share: options, the one Config, input selection, running, exit codes."""
from __future__ import annotations

import functools
import os
import signal
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click

from ...engine.config import Config
from ...errors import EXIT_ERROR, UnspinError
from ...files.atomic import TMP_SUFFIX, discard_all
from ...files.documents import KINDS
from ...files.runner import MAX_JOBS_PER_CPU, STDIN, Handler, Options, kind_of, run
from ...files.settings import Settings, current_folder, load_settings
from ...files.signals import Terminated, stopping
from ...files.textio import CHUNK_CHARS
from ...reading import is_stream
from ..main import build_config, encoding_option
from ..paths import Existing
from ..output import Progress, before_output, default_jobs, printer, problem_line, stdout_bytes

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM


def _one_field(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> str | None:
    """``--field`` names one field: given twice it is a usage error, not last-wins."""
    if len(value) > 1:
        raise click.BadParameter(f"given {len(value)} times ({', '.join(value)}); name one field")
    if value and not value[0].strip():
        raise click.BadParameter("empty field name")
    return value[0] if value else None


#: Engine options every file command accepts after its name, as the filter does before it.
ENGINE_OPTIONS = ("threshold", "tables", "dictionaries", "lm", "strict_table", "no_builtin")


def input_options(f: Callable) -> Callable:
    """Options every multi-file command takes (applied bottom-up, shown top-down)."""
    decorators = [
        click.argument("paths", nargs=-1, required=True, type=Existing(inputs=True, allow_dash=True)),
        click.option("--include", multiple=True, metavar="GLOB", help="Only files matching this glob. Repeatable."),
        click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching this glob. Repeatable."),
        encoding_option,
        click.option("--type", "kind", type=click.Choice(KINDS), default=None,
                     help="Treat every input as this type instead of guessing from the suffix."),
        click.option("--field", multiple=True, callback=_one_field, metavar="NAME",
                     help="Repair this field of each JSON Lines record (dotted path, e.g. meta.body)."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help=f"Worker processes (default: one for a small run, else all cores; at most "
                          f"{MAX_JOBS_PER_CPU} per core and one per job)."),
        click.option("-q", "--quiet", is_flag=True, default=None,
                     help="No progress, hints or summaries on stderr; errors still show."),
        # the engine options of the filter, also accepted after the command name
        click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
                     help="Minimum confidence for a change (default 0.8)."),
        click.option("--table", "tables", multiple=True, type=Existing(dir_okay=False),
                     help="A spinner synonym table. Repeatable."),
        click.option("--dictionary", "dictionaries", multiple=True, type=Existing(dir_okay=False),
                     help="An extra dictionary in unspin's YAML format. Repeatable."),
        click.option("--lm", type=Existing(dir_okay=False), default=None,
                     help="A KenLM binary of clean Chinese to use as the context model."),
        click.option("--strict-table", "strict_table", is_flag=True, default=None,
                     help="Fail on a table line that is not a pair or a set (default: skip it with a warning)."),
        click.option("--no-builtin", "no_builtin", is_flag=True, default=None,
                     help="Leave the built-in dictionaries out: only --table and --dictionary pairs are restored."),
        # issue 9: run on Ray (repair/scale/cluster.py); read by execute() from ctx.params
        click.option("--ray", is_flag=True, default=False,
                     help="Run on Ray: the cluster at --ray-address or $RAY_ADDRESS, else a local one."),
        click.option("--ray-address", default=None, metavar="ADDRESS",
                     help="Address of the Ray cluster to run on (implies --ray)."),
    ]
    @functools.wraps(f)
    def command(*args, **kwargs):
        for name in ENGINE_OPTIONS + ("ray", "ray_address", "quiet"):  # read from ctx.params, not by the command
            kwargs.pop(name, None)
        kwargs["encoding"] = given_encoding(click.get_current_context(), kwargs.get("encoding"))
        return f(*args, **kwargs)

    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def given_encoding(ctx: click.Context, own: str | None) -> str | None:
    """The command's ``--encoding``, else the one given before the command name (``unspin
    --encoding gb18030 check f``), as the engine options are; one rule for every command."""
    return own or ctx.find_root().params.get("encoding")


@dataclass(frozen=True)
class Setup:
    """The resolved configuration of one command run."""

    config: Config
    settings: Settings


def setup(ctx: click.Context) -> Setup:
    """The nearest config file under the command-line flags, as ONE Config."""
    root, own = ctx.find_root().params, ctx.params

    def param(name: str, empty=None):
        """The command's own flag if given, else the one before the command name."""
        value = own.get(name, empty)
        return value if value not in (None, ()) else root.get(name, empty)

    try:
        settings = load_settings(current_folder())
        config = build_config(param("threshold"), tuple(root.get("tables", ())) + tuple(own.get("tables", ())),
                              tuple(root.get("dictionaries", ())) + tuple(own.get("dictionaries", ())),
                              param("lm"), base=settings.config, strict_tables=bool(param("strict_table")),
                              no_builtin=bool(param("no_builtin")))
    except UnspinError as exc:
        fail(ctx, str(exc))
    return Setup(config, settings)


def fail(ctx: click.Context, message: str) -> None:
    """Report an error the user can act on and exit 2."""
    before_output()
    click.echo(problem_line(message, error=True), err=True)  # one line, whatever a name in it holds
    ctx.exit(EXIT_ERROR)


class Inputs(list):
    """(shown name, path) pairs, and the problems met while selecting them (reported as errors)."""

    problems: list[tuple[str, str]]


def select_inputs(paths: tuple[str, ...], include: tuple[str, ...], exclude: tuple[str, ...],
                  settings: Settings, skip: tuple[Path, ...] = (), one_per_file: bool = True,
                  config: Config | None = None) -> Inputs:
    """(shown name, path) for every input; ``-`` is stdin. Flags add to the config file's globs.
    Each file is given once, however it is reached (``one_per_file``; see ``FileSelector.select``).

    A pipe, FIFO or device named on the command line (``<(…)``) is read as a
    stream, as it is; temporary files of an interrupted run (``*.unspin-tmp``)
    are never inputs.
    """
    from ...files.walk import FileSelector  # noqa: PLC0415 - the filter on stdin walks no folder

    # the config file and the tables and dictionaries of the run are unspin's data, never its input
    config = config or settings.config
    own = (*config.tables, *config.dictionaries, *((settings.source,) if settings.source else ()))
    selector = FileSelector(settings.include + include, settings.exclude + exclude, skip,
                            one_per_file=one_per_file, own_files=own)
    inputs = Inputs()
    inputs.problems = []
    for arg in paths:
        if arg == STDIN:
            inputs.append(("<stdin>", None))
        elif is_stream(arg):
            inputs.append((arg, Path(arg)))
        else:
            for t in selector.select([arg]):
                if t.path.name.endswith(TMP_SUFFIX):
                    if os.path.abspath(arg) == str(t.path):
                        note(problem_line(f"{arg}: temporary file of an interrupted unspin run, skipped", error=False))
                    continue
                inputs.append((t.rel.as_posix(), t.path))
    for name in selector.own_named:  # named (pre-commit names every staged file): said, not an error
        note(problem_line(f"{name}: a table, dictionary or config file of this run, not text to repair; "
                          "skipped", error=False))
    # folders the walk could not read (FileSelector.errors: (path, reason), when the walk records them)
    inputs.problems.extend(getattr(selector, "errors", ()))
    return inputs


def quiet(ctx: click.Context) -> bool:
    """``-q``, given before the command name (``unspin -q fix``) or after it (``unspin fix -q``)."""
    return bool(ctx.params.get("quiet") or ctx.find_root().params.get("quiet"))


def job_sizes(inputs: list[tuple[str, Path | None]], options: Options) -> list[int]:
    """The size in bytes of each job the run will have, from one ``stat`` per file (nothing is read).

    A plain-text or JSON Lines file is cut into chunks (about one per
    :data:`CHUNK_CHARS` bytes), so one large file counts as many jobs; a
    Markdown or HTML file, stdin or a pipe is one job.
    """
    sizes: list[int] = []
    for name, path in inputs:
        size = _size(path) if path is not None else 0
        pieces = 1 if kind_of(name, options) in ("markdown", "html") else max(1, -(-size // CHUNK_CHARS))
        sizes.extend([-(-size // pieces)] * pieces)
    return sizes


def execute(ctx: click.Context, inputs: list[tuple[str, Path | None]], config: Config, options: Options,
            handler: Handler, jobs: int | None) -> None:
    """Run with a progress bar on a terminal, then the handler's ``finish`` if it has one (output
    that follows every input); errors exit 2; Ctrl-C removes temp files and exits 130.

    A closed stdout (``| head``) ends the run: temp files are removed and the
    error goes up to :meth:`repair.cli.main.UnspinGroup.invoke`, which exits quietly. A stdout
    closed before the run or failing to take the output (``>/dev/full``) is one error, exit 2.
    """
    sizes = job_sizes(inputs, options)
    workers = default_jobs(jobs, sizes)  # -j, else one process for a small run, else every core
    for name, message in getattr(inputs, "problems", ()):
        handler.skipped(name, message if message.startswith(name) else f"{name}: {message}", error=True)
    # issue 9: --ray, Parquet (Ray and pyarrow imported lazily); imported here, not with this module,
    # which the filter loads too: the filter never runs on Ray and need not import logging for it
    from ...scale.cluster import choose_run  # noqa: PLC0415

    with stopping():  # the first Ctrl-C or SIGTERM stops the run; later ones cannot cut the clean-up short
        try:
            run_ = choose_run(ctx.params, inputs)  # issue 9: runner.run, or on Ray with --ray (own progress)
            if run_ is run:
                show = not quiet(ctx) and _stderr_is_terminal()
                with Progress(sum(sizes), sys.stderr, enabled=show) as progress:  # cleared before each output line
                    run(inputs, config, options, handler, workers, progress.update)
            else:
                run_(inputs, config, options, handler, workers)
            if hasattr(handler, "finish"):  # output that comes after every input (rdjson's one report)
                handler.finish()
        except BrokenPipeError:
            discard_all()  # every file stays old or new; main exits quietly (141)
            raise
        except UnspinError as exc:
            discard_all()
            fail(ctx, str(exc))
        except OSError as exc:
            discard_all()
            fail(ctx, f"{exc.filename or 'unspin'}: {exc.strerror or exc}")
        except KeyboardInterrupt as exc:
            discard_all()
            interrupted(ctx, exc, "every file is either unchanged or fully written")


def interrupted(ctx: click.Context, exc: KeyboardInterrupt, state: str) -> None:
    """Say the run was stopped by Ctrl-C or SIGTERM and in what ``state`` it left things; exit 130 or 143."""
    what = "terminated" if isinstance(exc, Terminated) else "interrupted"
    click.echo(f"unspin: {what}; {state}", err=True)
    ctx.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def note(text: str) -> None:
    """A note or error on stderr (the progress line, if showing, is cleared first)."""
    before_output()
    click.echo(text, err=True)


def filter_stdin(config: Config, show_explain: bool, encoding: str | None = None) -> int:
    """The ``unspin`` filter: stdin to stdout through the same jobs as ``fix -w -``; the exit code.

    Stdin is read in bounded pieces (:data:`repair.files.textio.STREAM_CHUNK_CHARS`
    characters at a time, cut at paragraphs, lines or sentences), so a
    binary or non-UTF-8 stream is refused at its first bad byte and a huge
    one streams in constant memory.
    """
    from ..sinks import FilterHandler

    handler = FilterHandler(printer("the text"), note, explain=show_explain, stdout_bytes=stdout_bytes)
    try:
        run([("<stdin>", None)], config, Options(kind="text", encoding=encoding), handler, workers=1)
    except UnspinError as exc:
        note(problem_line(str(exc), error=True))
        return EXIT_ERROR
    if sys.stdout is not None:  # None: closed before the run, and nothing was written (an empty input)
        sys.stdout.flush()  # a closed stdout (BrokenPipeError) goes up to UnspinGroup.invoke: exit 141
    return EXIT_ERROR if handler.tally.errors else 0
