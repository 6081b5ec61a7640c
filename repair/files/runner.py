"""Running the engine over many inputs on several cores, in order, in bounded memory.

Inputs are cut into jobs (chunks of a file, batches of records) by the main
process and repaired by a pool of workers, each holding one Repairer built
once by the pool initializer (loading dictionaries is the expensive part).
Results come back in input order through a window of a few jobs per worker,
so a multi-gigabyte JSON Lines file never sits in memory and a command can
stream its output. A :class:`Handler` (one per command) consumes the events.
"""
from __future__ import annotations

import io
import multiprocessing
import signal
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Protocol

from ..engine.config import Config
from ..engine.repairer import Repairer
from ..errors import UnspinError
from .atomic import Snapshot
from .documents import Engine, Job, Outcome, run_job
from .ignores import off_after
from .textio import Encoding, SkipFile, read_chunks, sniff

_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".mdx": "markdown",
             ".html": "html", ".htm": "html", ".xhtml": "html",
             ".jsonl": "jsonl", ".ndjson": "jsonl"}
STDIN = "-"


@dataclass(frozen=True)
class Options:
    """How inputs are read: a forced file type, the JSON Lines field, the encoding."""

    kind: str | None = None
    field: str | None = None
    encoding: str | None = None
    want_score: bool = False
    min_confidence: float | None = None


@dataclass(frozen=True)
class Source:
    """One input: a file (``path``) or stdin (``path`` is None), shown as ``name``."""

    name: str
    path: Path | None
    kind: str
    encoding: Encoding
    snapshot: Snapshot | None

    @property
    def size(self) -> int:
        return self.snapshot.size if self.snapshot else 0


class Handler(Protocol):
    """What a command does with the results, in input order."""

    def start(self, src: Source) -> None: ...
    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None: ...
    def end(self, src: Source) -> None: ...
    def skipped(self, name: str, message: str, error: bool) -> None: ...
    def abort(self, src: Source, message: str) -> None: ...


def kind_of(name: str, options: Options) -> str:
    """The file type: forced by ``--type``, JSON Lines whenever ``--field`` is given, else by suffix."""
    if options.kind:
        return options.kind
    if Path(name).suffix.lower() in (".parquet", ".pq"):  # issue 9: Parquet shards (files/parquet.py)
        return "parquet"
    if options.field:
        return "jsonl"
    return _SUFFIXES.get(Path(name).suffix.lower(), "text")


def open_source(name: str, path: Path | None, options: Options) -> Source:
    """Check an input is readable text before any work is queued for it."""
    kind = kind_of(name, options)
    if kind == "parquet" and path is not None:  # issue 9: Parquet shards (files/parquet.py)
        from .parquet import open_parquet
        return open_parquet(name, path, options)
    if kind == "jsonl" and not options.field:
        raise SkipFile(f"{name}: JSON Lines needs --field NAME to know which text to repair; skipped")
    if path is None:
        return Source(name, None, kind, Encoding(options.encoding or "utf-8"), None)
    snapshot = Snapshot.of(path)
    return Source(name, path, kind, sniff(path, options.encoding, name), snapshot)


def open_text(src: Source) -> IO[str]:
    """A text stream over the input with newlines untouched."""
    if src.path is None:
        return io.TextIOWrapper(sys.stdin.buffer, encoding=src.encoding.reader, newline="")
    return src.path.open("r", encoding=src.encoding.reader, newline="")


def jobs_of(src: Source, options: Options) -> Iterator[Job]:
    """The input cut into jobs, each knowing its line, columns and ``unspin: off`` state."""
    if src.kind == "parquet":  # issue 9: Parquet shards, jobs of rows (files/parquet.py)
        from .parquet import jobs
        yield from jobs(src, options)  # type: ignore[arg-type]
        return
    line, col, byte_col, off = 1, 1, 1, False
    with open_text(src) as stream:
        if src.kind in ("markdown", "html"):
            pieces: Iterable[str] = [stream.read()]
        else:
            pieces = read_chunks(stream, paragraphs=src.kind == "text")
        for piece in pieces:
            yield Job(src.kind, piece, src.name, line, col, byte_col, off, options.field, options.want_score)
            off = off_after(piece, off)
            line += piece.count("\n")
            tail = piece[piece.rfind("\n") + 1:]
            if "\n" in piece:
                col, byte_col = 1, 1
            col += len(tail)
            byte_col += len(tail.encode("utf-8"))


# --- workers --------------------------------------------------------------

_ENGINE: Engine | None = None


def _init_worker(config: Config, min_confidence: float | None) -> None:
    """Pool initializer: one Repairer per worker process, built once."""
    global _ENGINE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and cleans up
    _ENGINE = make_engine(config, min_confidence)


def _work(job: Job) -> Outcome:
    assert _ENGINE is not None
    return run_job(_ENGINE, job)


def make_engine(config: Config, min_confidence: float | None = None) -> Engine:
    """An Engine over a fresh Repairer for ``config``."""
    return Engine(Repairer(config), min_confidence)


# --- the run --------------------------------------------------------------

@dataclass
class _Done:
    """An already-finished result, so the ordered window holds jobs and events alike."""

    value: Outcome

    def get(self) -> Outcome:
        return self.value


def run(inputs: Iterable[tuple[str, Path | None]], config: Config, options: Options, handler: Handler,
        workers: int, progress: Callable[[int], None] | None = None,
        make_pool: Callable[..., Any] | None = None) -> None:
    """Feed every input through the engine and ``handler``, in order.

    ``inputs`` are (shown name, path or None for stdin). ``progress`` is
    called with the size in bytes of each job done. Inputs that cannot be read
    are reported to ``handler.skipped`` and the run goes on.
    """
    engine = make_engine(config, options.min_confidence)  # bad dictionaries fail here, not in a worker
    # issue 9: ``make_pool`` (Ray actors, scale/cluster.py) stands in for the local process pool
    pool = (make_pool or multiprocessing.Pool)(workers, _init_worker, (config, options.min_confidence)) \
        if workers > 1 or make_pool else None
    window: deque = deque()

    def submit(job: Job):
        return pool.apply_async(_work, (job,)) if pool else _Done(run_job(engine, job))

    def drain(keep: int) -> None:
        while len(window) > keep:
            src, job, pending = window.popleft()
            if job is None:
                (handler.start if pending == "start" else handler.end)(src)
            else:
                handler.chunk(src, job, pending.get())
                if progress:
                    progress(len(job.text.encode(src.encoding.name, errors="replace")))

    try:
        for name, path in inputs:
            try:
                src = open_source(name, path, options)
            except SkipFile as note:
                drain(0)
                handler.skipped(name, str(note), error=False)
                continue
            except (UnspinError, OSError) as exc:
                drain(0)
                handler.skipped(name, str(exc), error=True)
                continue
            window.append((src, None, "start"))
            try:
                for job in jobs_of(src, options):
                    window.append((src, job, submit(job)))
                    drain(max(2, workers * 3))
            except (UnicodeDecodeError, OSError) as exc:
                drain(0)
                handler.abort(src, f"{name}: cannot be read ({exc}); skipped")
                continue
            window.append((src, None, "end"))
        drain(0)
    finally:
        if pool:
            pool.terminate()
            pool.join()
