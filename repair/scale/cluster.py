"""``unspin fix/check/score --ray``: the same job, with Ray actors as the workers.

The command reads its inputs and writes its outputs exactly as without
``--ray`` (the runner cuts files into jobs, handlers write diffs, findings,
scores, ``-w`` and ``-o`` copies); only the engine runs elsewhere: each Ray
actor builds one Repairer with the pool initializer of the local runner and
runs the runner's own job function, so results are the local ones by
construction. Results come back in input order through the runner's bounded
window, so memory stays bounded on the driver too.

The cluster is the one at ``--ray-address``, else ``RAY_ADDRESS``, else a
local Ray sized to this machine (started for the run and stopped after it).
One actor per CPU of the cluster unless ``-j`` says otherwise, spread over
the nodes, each asking for half a CPU or less (so an actor never waits
forever for resources other work holds). Progress (documents and MB per second)
goes to stderr.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from ..engine.config import Config
from ..errors import UnspinError
from ..files import runner
from ..files.documents import Job, Outcome
from ..files.parquet import is_parquet, pyarrow_modules
from ..files.runner import MAX_JOBS_PER_CPU, Handler, Options, Source
from ..files.textio import CHUNK_CHARS

INSTALL_HINT = "pip install 'unspin[ray]'"
#: Seconds between progress lines when stderr is not a terminal (a terminal gets one line, redrawn).
LOG_EVERY = 10.0


def import_ray() -> Any:
    """The ``ray`` module, or an error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise UnspinError(f"--ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def connect(address: str | None = None) -> bool:
    """Join the cluster at ``address`` (else ``RAY_ADDRESS``), else start a local Ray; True if started here.

    An already initialised Ray (a notebook, a test) is used as it is.
    """
    ray = import_ray()
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS") or None
    quiet = dict(logging_level=logging.WARNING, log_to_driver=False, configure_logging=True)
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise UnspinError(f"cannot start or join Ray{f' at {address}' if address else ''}: {exc}") from None
    return True


class _Worker:
    """A Ray actor holding one engine, built by the local runner's pool initializer."""

    def __init__(self, initializer: Callable[..., None], initargs: tuple) -> None:
        try:
            initializer(*initargs)
        except ValueError:  # signal handlers can only be set in a main thread; build the engine anyway
            runner._ENGINE = runner.make_engine(*initargs)

    def call(self, fn: Callable[..., Outcome], args: tuple) -> Outcome:
        return fn(*args)

    def pid(self) -> int:
        return os.getpid()


class _Pending:
    def __init__(self, ref: Any) -> None:
        self.ref = ref

    def get(self) -> Outcome:
        return import_ray().get(self.ref)


class RayPool:
    """The subset of :class:`multiprocessing.pool.Pool` the runner uses, over Ray actors.

    Jobs go to the actors in turn; each actor works through its queue in order.
    """

    def __init__(self, workers: int, initializer: Callable[..., None], initargs: tuple,
                 num_cpus: float = 1.0) -> None:
        ray = import_ray()
        actor = ray.remote(num_cpus=num_cpus, scheduling_strategy="SPREAD")(_Worker)
        self.actors = [actor.remote(initializer, initargs) for _ in range(max(1, workers))]
        self._turn = 0

    def apply_async(self, fn: Callable[..., Outcome], args: tuple) -> _Pending:
        actor = self.actors[self._turn % len(self.actors)]
        self._turn += 1
        return _Pending(actor.call.remote(fn, args))

    def terminate(self) -> None:
        for actor in self.actors:  # exit once its queue is done (ray.kill would print SIGTERM noise)
            actor.__ray_terminate__.remote()
        self.actors = []

    def join(self) -> None:
        pass


class Meter:
    """Documents and bytes done, shown as rates on stderr."""

    def __init__(self, write: Callable[[str], None] | None = None, tty: bool | None = None) -> None:
        self.write = write or (lambda s: (sys.stderr.write(s), sys.stderr.flush()))
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.start = self.last = time.monotonic()
        self.docs = self.bytes = 0
        self._shown = (-1, -1)  # (documents, bytes) of the last line shown

    def add_bytes(self, n: int) -> None:
        self.bytes += n
        self._maybe_show()

    def add_docs(self, n: int) -> None:
        self.docs += n

    def line(self) -> str:
        secs = max(time.monotonic() - self.start, 1e-9)
        return (f"unspin: ray: {self.docs:,} documents, {self.bytes / 1e6:.1f} MB in {secs:.0f} s "
                f"({self.docs / secs:,.1f} docs/s, {self.bytes / 1e6 / secs:.2f} MB/s)")

    def _maybe_show(self) -> None:
        now = time.monotonic()
        if now - self.last >= (1.0 if self.tty else LOG_EVERY):
            self.last, self._shown = now, (self.docs, self.bytes)
            self.write(("\r" + self.line()) if self.tty else self.line() + "\n")

    def finish(self) -> None:
        if self.tty:
            self.write("\r" + self.line() + "\n")
        elif self._shown != (self.docs, self.bytes):
            self.write(self.line() + "\n")


class _Counting:
    """A handler that counts documents for the meter and passes every event on."""

    def __init__(self, inner: Handler, meter: Meter) -> None:
        self.inner, self.meter = inner, meter

    def start(self, src: Source) -> None:
        self.inner.start(src)

    def chunk(self, src: Source, job: Job, outcome: Outcome) -> None:
        if src.kind in ("jsonl", "parquet"):
            self.meter.add_docs(sum(1 for line in job.text.split("\n") if line.strip()))
        self.inner.chunk(src, job, outcome)

    def end(self, src: Source) -> None:
        if src.kind not in ("jsonl", "parquet"):
            self.meter.add_docs(1)
        self.inner.end(src)

    def skipped(self, name: str, message: str, error: bool) -> None:
        self.inner.skipped(name, message, error)

    def abort(self, src: Source, message: str) -> None:
        self.inner.abort(src, message)


def _job_estimate(inputs: list[tuple[str, Path | None]]) -> int:
    """Roughly how many jobs the inputs make (never start more actors than that)."""
    return sum(max(1, p.stat().st_size // (CHUNK_CHARS // 2)) if p else 1 for _, p in inputs)


def ray_run(address: str | None = None, requested: int | None = None,
            meter: Meter | None = None) -> Callable[..., None]:
    """A function with the signature of :func:`repair.files.runner.run` that runs on Ray."""

    def run(inputs: Iterable[tuple[str, Path | None]], config: Config, options: Options, handler: Handler,
            workers: int, progress: Callable[[int], None] | None = None) -> None:
        inputs = runner.not_stdout(list(inputs), handler)  # as the local run refuses them, before Ray starts
        if not inputs:
            return  # every input refused: no cluster to start or join for nothing
        ray = import_ray()
        started = connect(address)
        try:
            cpus = float(ray.cluster_resources().get("CPU", 1.0))
            actors = max(1, min(requested or int(cpus) or 1, MAX_JOBS_PER_CPU * max(1, int(cpus)),
                                _job_estimate(inputs)))
            # half a CPU each (at most): Ray Data tasks or other actors holding CPUs never leave
            # an actor waiting for resources, and SPREAD still puts them on every node
            num_cpus = min(1.0, cpus / actors) / 2
            m = meter or Meter()

            def pool(n: int, initializer: Callable[..., None], initargs: tuple) -> RayPool:
                return RayPool(n, initializer, initargs, num_cpus)

            runner.run(inputs, config, options, _Counting(handler, m), actors, m.add_bytes,
                       make_pool=pool)  # type: ignore[call-arg]
            m.finish()
        finally:
            if started:
                ray.shutdown()

    return run


def choose_run(params: dict, inputs: list[tuple[str, Path | None]]) -> Callable[..., None]:
    """The run function for a command: local processes, or Ray with ``--ray``/``--ray-address``.

    Checks the optional dependencies first, so a missing one is a clean usage error.
    """
    if any(is_parquet(name) for name, _ in inputs):
        pyarrow_modules(INSTALL_HINT if params.get("ray") else "pip install 'unspin[parquet]'")
    if not (params.get("ray") or params.get("ray_address")):
        return runner.run
    import_ray()
    return ray_run(params.get("ray_address"), params.get("jobs"))
