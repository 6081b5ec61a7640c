"""Running the engine over many inputs on several cores, in order, in bounded memory.

Inputs are cut into jobs (chunks of a file, batches of records) by the main
process and repaired by a pool of workers, each holding one Repairer built
once by the pool initializer (loading dictionaries is the expensive part).
Results come back in input order through a window of a few jobs per worker,
so a multi-gigabyte JSON Lines file never sits in memory and a command can
stream its output. A :class:`Handler` (one per command) consumes the events.
"""
from __future__ import annotations

import gc
import os
import signal
import stat
import sys
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Iterator, Protocol

from ..engine.config import Config
from ..engine.repairer import Repairer
from ..engine.spinrate import Evidence, rests
from ..errors import InputError, UnspinError
from ..reading import names_descriptor, open_binary
from . import textio
from .atomic import Snapshot, reason
from .documents import Engine, Job, Outcome, run_job
from .ignores import off_after
from .textio import (
    SUFFIX_KINDS,
    Encoding,
    SkipFile,
    TextReader,
    detect_head,
    read_chunks,
    sniff,
    unreadable,
)

if TYPE_CHECKING:
    import multiprocessing.pool

STDIN = "-"
#: Markdown and HTML are split into prose and markup as a whole document, so they are read whole;
#: a larger one is refused with an error for that file (nothing written, nothing lost), and
#: ``--type text`` repairs it in chunks as plain text instead.
MARKUP_MAX_BYTES = 8 << 20
#: ``-j`` is capped at this many worker processes per CPU (local cores, or a Ray cluster's CPUs):
#: the work is CPU-bound, so more only costs memory and start-up (``-j 100000`` started that many).
MAX_JOBS_PER_CPU = 2


def _too_big(name: str, kind: str) -> InputError:
    what = "Markdown" if kind == "markdown" else "HTML"
    return InputError(f"{name}: {what} file over {MARKUP_MAX_BYTES >> 20} MiB, which is read whole; "
                      f"skipped (--type text repairs it as plain text, markup included)")


@dataclass(frozen=True)
class Options:
    """How inputs are read: a forced file type, the JSON Lines field, the encoding."""

    kind: str | None = None
    field: str | None = None
    encoding: str | None = None
    want_score: bool = False
    min_confidence: float | None = None


@dataclass
class ReadState:
    """What reading a source left behind: the open stream (stdin, pipes) and the digest of its bytes."""

    raw: BinaryIO | None = None
    digest: str | None = None


@dataclass(frozen=True)
class Source:
    """One input: a file (``path``), a stream named on the command line (``stream``) or stdin
    (``path`` is None), shown as ``name``."""

    name: str
    path: Path | None
    kind: str
    encoding: Encoding
    snapshot: Snapshot | None
    stream: bool = field(default=False, kw_only=True)
    state: ReadState = field(default_factory=ReadState, kw_only=True, compare=False, repr=False)

    @property
    def size(self) -> int:
        return self.snapshot.size if self.snapshot else 0

    @property
    def is_file(self) -> bool:
        """A regular file (which can be written back), not stdin or a pipe."""
        return self.path is not None and not self.stream


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
    return SUFFIX_KINDS.get(Path(name).suffix.lower(), "text")


def open_source(name: str, path: Path | None, options: Options) -> Source:
    """Check an input is readable text before any work is queued for it.

    A regular file is sniffed end to end; stdin, a pipe (``<(…)``), a FIFO or
    a device is opened once and read as a stream.
    """
    kind = kind_of(name, options)
    if kind == "parquet" and path is not None:  # issue 9: Parquet shards (files/parquet.py)
        from .parquet import open_parquet
        return open_parquet(name, path, options)
    if kind == "jsonl" and not options.field:
        raise SkipFile(f"{name}: JSON Lines needs --field NAME to know which text to repair; skipped")
    if path is not None and stat.S_ISREG(os.stat(path).st_mode) and not names_descriptor(path):
        if kind in ("markdown", "html") and os.stat(path).st_size > MARKUP_MAX_BYTES:
            raise _too_big(name, kind)
        snapshot = Snapshot.of(path)
        return Source(name, path, kind, sniff(path, options.encoding, name), snapshot)
    raw = _open_stream(name, path)
    head = _read_head(raw)
    try:
        encoding = detect_head(head, options.encoding, name)
    except BaseException:
        if path is not None:
            raw.close()
        raise
    return Source(name, path, kind, encoding, None, stream=path is not None,
                  state=ReadState(_Prefixed(head, raw)))


def _open_stream(name: str, path: Path | None) -> BinaryIO:
    """Stdin, or a non-regular file opened for reading (a FIFO only once a writer is there)."""
    if path is None:
        return sys.stdin.buffer
    try:
        return open_binary(path)
    except TimeoutError as exc:
        raise InputError(f"{name}: {exc.strerror}; skipped") from None


def _read_head(raw: BinaryIO) -> bytes:
    """The first :data:`textio.BINARY_PROBE` bytes (or all, if fewer), however a pipe delivers them:
    a BOM, and UTF-16 without one, are told from them as from a file's (see ``detect_head``). The
    filter reads 64 Ki characters before its first output anyway, so this makes no one wait longer."""
    head = b""
    while len(head) < textio.BINARY_PROBE:
        more = raw.read(textio.BINARY_PROBE - len(head))
        if not more:
            break
        head += more
    return head


class _Prefixed:
    """A binary stream with bytes already read put back in front."""

    def __init__(self, head: bytes, raw: BinaryIO) -> None:
        self.head, self.raw = head, raw

    def read(self, n: int = -1) -> bytes:
        if self.head:
            head, self.head = (self.head, b"") if n < 0 or n >= len(self.head) else (self.head[:n], self.head[n:])
            return head
        return self.raw.read(n)

    def close(self) -> None:
        if self.raw is not sys.stdin.buffer:
            self.raw.close()


def open_text(src: Source) -> TextReader:
    """A text stream over the input, decoded in bounded pieces with newlines untouched.

    Its ``digest`` (SHA-256 of the bytes read) is stored in ``src.state`` once it is closed; only
    a file's: a stream is never written back, so nothing compares it.
    """
    if src.state.raw is not None:
        raw, src.state.raw = src.state.raw, None
        return _Reader(src, raw, binary_is_error=True)
    assert src.path is not None
    return _Reader(src, open(src.path, "rb"), binary_is_error=False)


class _Reader(TextReader):
    """A TextReader that leaves the digest of what it read in its source's state."""

    def __init__(self, src: Source, raw, binary_is_error: bool) -> None:
        super().__init__(raw, src.encoding, src.name, given=True, binary_is_error=binary_is_error,
                         hashed=src.is_file)
        self.src = src

    def close(self) -> None:
        self.src.state.digest = self.digest
        super().close()


def document_rests(src: Source, measure: Callable[[str], Evidence]) -> list[Evidence] | None:
    """For a plain-text file read in several chunks: per chunk, the evidence of all the others.

    A document's spin rate is one property of the whole document, so a file
    longer than one chunk is read twice: once to add up how spun each chunk
    looks (``Repairer.evidence``), once to repair each chunk at the rate the
    whole file shows. None for a file of one chunk (nothing to add) and for
    streams, which cannot be read twice.
    """
    if src.kind != "text" or not src.is_file:
        return None
    if src.path is not None and os.path.getsize(src.path) <= textio.CHUNK_CHARS:
        return None  # never more characters than bytes: one chunk, and no second read
    with open_text(src) as stream:
        pieces = read_chunks(stream, paragraphs=True, limit=None)
        first, second = next(pieces, None), next(pieces, None)
        if first is None or second is None:
            return None  # one chunk after all: measuring it would only repeat the repair's work
        found = [measure(first), measure(second)] + [measure(piece) for piece in pieces]
    return rests(found)


def jobs_of(src: Source, options: Options, measure: Callable[[str], Evidence] | None = None) -> Iterator[Job]:
    """The input cut into jobs, each knowing its line, columns, ``unspin: off`` state and, with
    ``measure``, the evidence of the rest of its document (see :func:`document_rests`): all of
    it for a file, the part already read for a stream."""
    if src.kind == "parquet":  # issue 9: Parquet shards, jobs of rows (files/parquet.py)
        from .parquet import jobs
        yield from jobs(src, options)  # type: ignore[arg-type]
        return
    rests = document_rests(src, measure) if measure is not None else None
    line, col, byte_col, off, offset = 1, 1, 1, False, 0
    with open_text(src) as stream:
        if src.kind in ("markdown", "html"):
            whole = stream.read(MARKUP_MAX_BYTES + 1)  # characters: never fewer than the bytes' worth
            if len(whole) > MARKUP_MAX_BYTES:  # a stream (stdin, a pipe) can only be measured by reading
                raise _too_big(src.name, src.kind)
            pieces: Iterable[str] = [whole]
        else:
            limit = None if src.is_file else textio.STREAM_CHUNK_CHARS  # the filter and `fix -` chunk alike
            pieces = read_chunks(stream, paragraphs=src.kind == "text", limit=limit, records=src.kind == "jsonl")
        # a stream cannot be read twice: each chunk of a text stream is decided with the evidence of
        # the chunks before it (measured only once another chunk follows, so one chunk costs nothing)
        streamed = measure is not None and rests is None and src.kind == "text" and not src.is_file
        before: Evidence | None = None
        previous: str | None = None
        for i, piece in enumerate(pieces):
            if streamed and previous is not None:
                found = measure(previous)
                before = found if before is None else before + found
            previous = piece
            yield Job(src.kind, piece, src.name, line, col, byte_col, off, options.field, options.want_score,
                      offset=offset, encoding=src.encoding.name,
                      rest=rests[i] if rests is not None and i < len(rests) else before)
            off = off_after(piece, off)
            offset += len(piece)
            line += piece.count("\n")
            tail = piece[piece.rfind("\n") + 1:]
            if "\n" in piece:
                col, byte_col = 1, 1
            col += len(tail)
            byte_col += len(tail.encode("utf-8", errors="surrogatepass"))


# --- workers --------------------------------------------------------------

_ENGINE: Engine | None = None
#: The parent's engine, built and warmed before the pool forks: forked workers share its
#: dictionaries, automaton and memory-mapped model pages instead of building their own.
_FORKED: Engine | None = None


def _init_worker(config: Config, min_confidence: float | None) -> None:
    """Pool initializer: one Repairer per worker process, inherited from the parent when forked."""
    global _ENGINE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and cleans up
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # pool.terminate() must end a worker, not raise in it
    inherited = _FORKED
    if inherited is not None and inherited.repairer.config == config and inherited.min_confidence == min_confidence:
        _ENGINE = inherited
    else:
        _ENGINE = make_engine(config, min_confidence)


def _work(job: Job) -> Outcome:
    assert _ENGINE is not None
    return _safe_run_job(_ENGINE, job)


def _safe_run_job(engine: Engine, job: Job) -> Outcome:
    """:func:`run_job`, with an unexpected failure turned into an error for this job's file."""
    try:
        return run_job(engine, job)
    except UnspinError:
        raise  # a configuration error (a bad --lm, dictionary): one message for the run, not one per file
    except Exception as exc:  # noqa: BLE001 - one bad document must not end the batch with a traceback
        return Outcome(job.text, errors=[f"{job.path}:{job.line}: cannot be repaired "
                                         f"({type(exc).__name__}: {exc}); left unchanged"])


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


class WorkerDied(UnspinError):
    """A worker process ended during the run (killed by the kernel's out-of-memory killer, say)."""


def _result(pending: Any, workers: list[Any]) -> Outcome:
    """The outcome of a submitted job, or :class:`WorkerDied` if one of ``workers`` ends first.

    A worker killed outright (SIGKILL from the out-of-memory killer) takes its job with
    it: the pool starts another worker but never answers that job, and ``get()``
    waited forever. Workers of a run never end on their own, so any ending is that;
    ``workers`` are the pool's first ones (the first to end is one of them: others
    are only started to replace one that ended).
    """
    if not workers:
        return pending.get()  # no pool (one process), or Ray's own actors
    while True:
        pending.wait(0.5)
        if pending.ready():
            return pending.get()
        dead = next((p for p in workers if p.exitcode is not None), None)
        if dead is not None:
            code = dead.exitcode
            how = (f"killed by {signal.Signals(-code).name}" if code < 0 and -code in signal.valid_signals()
                   else f"exit status {code}")
            hint = ", out of memory?" if code == -signal.SIGKILL else ""
            raise WorkerDied(f"a worker process ended during the run ({how}{hint}); stopped, every file "
                             "is either unchanged or fully written (-j 1 runs in one process)")


def run(inputs: Iterable[tuple[str, Path | None]], config: Config, options: Options, handler: Handler,
        workers: int, progress: Callable[[int], None] | None = None,
        make_pool: Callable[..., Any] | None = None) -> None:
    """Feed every input through the engine and ``handler``, in order.

    ``inputs`` are (shown name, path or None for stdin). ``progress`` is
    called with the size in bytes of each job done. Inputs that cannot be read
    are reported to ``handler.skipped`` and the run goes on.
    """
    global _FORKED
    engine = make_engine(config, options.min_confidence)  # bad dictionaries fail here, not in a worker
    if workers > 1 and make_pool is None:
        engine.repairer.builder  # load the model now, so forked workers share it  # noqa: B018
        _FORKED = engine
        gc.freeze()  # objects made so far are never collected: the children's copies stay shared
    pool: Any = None
    window: deque = deque()
    first_workers: list[Any] = []  # a local pool's processes, watched by _result

    def submit(job: Job):
        return pool.apply_async(_work, (job,)) if pool else _Done(_safe_run_job(engine, job))

    def drain(keep: int) -> None:
        while len(window) > keep:
            src, job, pending = window.popleft()
            if job is None:
                (handler.start if pending == "start" else handler.end)(src)
            else:
                handler.chunk(src, job, _result(pending, first_workers))
                if progress:
                    progress(len(job.text.encode(src.encoding.name, errors="replace")))

    finished = False
    try:  # the pool is made inside: a signal right after it is made must still end it
        if workers > 1 or make_pool:  # issue 9: ``make_pool`` (Ray actors, scale/cluster.py) or local processes
            # imported here: the one-process filter, run on every line a pipeline feeds it, never needs it
            import multiprocessing.pool  # noqa: PLC0415

            pool = (make_pool or multiprocessing.Pool)(workers, _init_worker, (config, options.min_confidence))
            first_workers = list(getattr(pool, "_pool", None) or ())
        output = _stdout_file()
        for name, path in inputs:
            if output is not None and _identity(path) == output:
                drain(0)
                handler.skipped(name, _is_stdout(name), True)
                continue
            try:
                src = open_source(name, path, options)
            except (SkipFile, UnspinError, OSError) as exc:
                drain(0)
                handler.skipped(name, *unreadable(name, exc))
                continue
            window.append((src, None, "start"))
            try:
                measure = partial(engine.repairer.evidence, score=options.want_score)
                for job in jobs_of(src, options, measure):
                    window.append((src, job, submit(job)))
                    drain(max(2, workers * 3))
            except InputError as exc:  # reading failed (a bad byte, NUL on stdin); engine errors go up
                drain(0)
                handler.abort(src, str(exc))
                continue
            except (UnicodeError, OSError) as exc:
                drain(0)
                if isinstance(exc, FileNotFoundError) and src.is_file:  # it was there when it was opened
                    handler.abort(src, f"{name}: deleted during the run; skipped")
                    continue
                why = reason(exc) if isinstance(exc, OSError) else str(exc)
                handler.abort(src, f"{name}: cannot be read ({why}); skipped")
                continue
            window.append((src, None, "end"))
        drain(0)
        finished = True
    finally:
        if pool is not None and not finished and isinstance(pool, multiprocessing.pool.Pool):
            _kill_pool(pool)  # a signal, a dead worker, an error: Pool.terminate() could hang
        elif pool is not None:
            pool.terminate()
            pool.join()


def _is_stdout(name: str) -> str:
    return (f"{name}: input file is output file (stdout goes to it); skipped, as cat refuses it: "
            "what is written would be read back")


def not_stdout(inputs: list[tuple[str, Path | None]], handler: Handler) -> list[tuple[str, Path | None]]:
    """``inputs`` without those that are the regular file stdout goes to, each reported to ``handler``.

    :func:`run` refuses such an input as it comes to it (``unspin < a.txt >> a.txt`` read back what
    it wrote until the disk was full). A run on Ray calls this first, before Ray is started or
    joined: the refusal is the same, and an input refused costs no cluster, nor does a run with
    nothing left to do.
    """
    output = _stdout_file()
    if output is None:
        return list(inputs)
    kept = []
    for name, path in inputs:
        if _identity(path) == output:
            handler.skipped(name, _is_stdout(name), True)
        else:
            kept.append((name, path))
    return kept


def _stdout_file() -> tuple[int, int] | None:
    """(device, inode) of stdout when it is a regular file (``> out.txt``, ``>> a.txt``), else None."""
    try:
        st = os.fstat(sys.stdout.fileno())
    except (AttributeError, ValueError, OSError):  # closed, replaced (a test's capture), not a descriptor
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _identity(path: Path | None) -> tuple[int, int] | None:
    """(device, inode) of an input (``None``: stdin), or None if it cannot be looked at (reported later)."""
    try:
        st = os.fstat(sys.stdin.fileno()) if path is None else os.stat(path)
    except (AttributeError, ValueError, OSError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _kill_pool(pool: multiprocessing.pool.Pool) -> None:
    """End a local pool at once, without ``Pool.terminate()``.

    An idle worker waits for a task *holding the task queue's lock*; one killed there
    (the SIGTERM ``timeout`` sends to the whole process group, while workers keep SIG_DFL)
    never releases it, and ``terminate()`` first takes that lock: the run hung for ever.
    So the pool stops replacing workers, every worker is killed with SIGKILL (nothing of
    theirs needs cleaning: the parent writes every file). The pool's exit finalizer, which
    would call ``terminate()`` at interpreter exit, is cancelled first; if this is cut short
    anyway, the workers left are daemons that multiprocessing ends at exit. The pool's
    threads are daemons too and end with the process.
    """
    import multiprocessing.pool  # noqa: PLC0415 - loaded already by run(), which made the pool

    pool._terminate.cancel()  # type: ignore[attr-defined]  # first: a second Ctrl-C may cut the rest short
    handler = pool._worker_handler  # type: ignore[attr-defined]
    handler._state = multiprocessing.pool.TERMINATE  # no replacement for the workers killed below
    for proc in list(pool._pool):  # type: ignore[attr-defined]
        proc.kill()
    handler.join(5)  # woken by the deaths; replacements it started meanwhile are in _pool
    for proc in list(pool._pool):  # type: ignore[attr-defined]
        proc.kill()
        proc.join()
