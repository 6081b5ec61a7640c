"""Speed and memory of the engine, measured on the same text as the quality run.

Throughput is reported as MB/s of UTF-8 input and as a ratio against two
well-known single-pass text filters on the *same* text (ftfy's ``fix_text``
and OpenCC's ``s2t``), so the figure means something across machines.
Throughput and the table load are timed in this process's CPU time
(``time.process_time``, the median of several repeats), so other work on the
machine does not count; start-up, peak memory and batch runs in wall time
(``time.perf_counter``) on the real ``unspin`` command in a subprocess,
because that is what a user pipes text through. Start-up also reports the
filter's CPU time and the load average, so a slow machine can be told from a
slow program.
"""
from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent


def mb(text: str) -> float:
    """Size of ``text`` in MB (10^6 bytes) of UTF-8."""
    return len(text.encode("utf-8")) / 1e6


def paired_throughput(fns: dict[str, Callable[[], object]], size_mb: float, repeats: int) -> dict[str, float]:
    """MB/s of each of ``fns`` (each does ``size_mb`` of work), their runs interleaved.

    CPU time, not wall time: on a machine shared with other work a wall clock
    counts the time another process held the core, and the ratio to ftfy or
    OpenCC would then measure the neighbours. One run of each in turn, ``repeats`` times, and the median CPU time of
    each: a machine whose speed drifts (shared cores, frequency scaling) then
    slows all of them alike, and their ratio stays a ratio.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.process_time()
            fn()
            times[name].append(time.process_time() - t0)
    return {name: size_mb / statistics.median(ts) for name, ts in times.items()}


def reference_filters() -> dict[str, Callable[[str], str]]:
    """The yardsticks: ftfy.fix_text and OpenCC s2t (either may be missing)."""
    out: dict[str, Callable[[str], str]] = {}
    try:
        import ftfy  # noqa: PLC0415

        out["ftfy.fix_text"] = ftfy.fix_text
    except ImportError:
        pass
    try:
        import opencc  # noqa: PLC0415

        cc = opencc.OpenCC("s2t")
        out["OpenCC s2t"] = cc.convert
    except Exception:  # noqa: BLE001 - the reference is optional
        pass
    return out


def unspin_command() -> tuple[list[str], str]:
    """How to run the filter: the ``unspin`` script installed for this interpreter, else the same
    entry point via python.

    The script beside ``sys.executable`` comes first, before ``PATH``: a version manager's shim
    (pyenv puts a shell script named ``unspin`` on ``PATH`` that runs pyenv to find the real
    one) costs about 0.2 s a call here, which is the shim's start-up, not unspin's.
    """
    beside = Path(sys.executable).parent / "unspin"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)], "unspin"
    exe = shutil.which("unspin")
    if exe:
        return [exe], "unspin"
    return [sys.executable, "-c", "from repair.cli import main; main()"], "python -c 'from repair.cli import main; main()'"


@dataclass(frozen=True)
class Startup:
    """Start-up of the filter on a one-line input, with what tells a slow machine from a slow program.

    ``wall`` is the figure the aim names (what a user waits for); ``cpu`` is the
    filter's own user+sys time, which other work on the machine barely moves (a
    wall time well above it means the filter waited for a core); ``load`` is the
    1-minute load average just before the runs, out of ``cpus``.
    """

    wall: float  # median wall seconds
    cpu: float  # median user+sys seconds of the filter process
    load: float
    cpus: int
    runs: int
    command: str


def startup_time(repeats: int = 5, line: str = "中心政法委书记郭声琨主持集会\n") -> Startup:
    """Median wall and CPU time of the ``unspin`` filter on a one-line input (start-up dominated).

    Timed as installed: ``pip install`` compiles the package to bytecode, so
    the runs may write and use ``__pycache__`` even where the environment says
    ``PYTHONDONTWRITEBYTECODE`` (which would charge every run for compiling
    every module), and one untimed run comes first. The CPU time of a run is
    the change in ``RUSAGE_CHILDREN`` across it: the filter is the only child
    waited for in between.
    """
    import resource  # noqa: PLC0415 - POSIX only, like the RSS probe

    cmd, label = unspin_command()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, input=line.encode(), capture_output=True, cwd=REPO, timeout=120, env=env)
    load = os.getloadavg()[0]
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, input=line.encode(), capture_output=True, cwd=REPO, timeout=120, env=env)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            raise RuntimeError(f"{label} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}")
    return Startup(statistics.median(walls), statistics.median(cpus), load, os.cpu_count() or 1, repeats, label)


_RSS_PROBE = r"""
import resource, subprocess, sys, time, json
cmd = json.loads(sys.argv[1])
with open(sys.argv[2], 'rb') as fh:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=fh, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
if p.returncode != 0:
    sys.stderr.write(p.stderr.decode(errors='replace')[-800:]); sys.exit(p.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, dt)
"""


def filter_peak_rss(text: str) -> tuple[float, float, float]:
    """(peak RSS in MiB, wall seconds, MB of input) of ``unspin`` filtering ``text``.

    A fresh probe process runs the filter as its only child, so
    ``RUSAGE_CHILDREN`` is that filter's peak and no other child's.
    """
    import json  # noqa: PLC0415

    cmd, _ = unspin_command()
    with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False, dir=_tmpdir()) as fh:
        fh.write(text.encode("utf-8"))
        path = fh.name
    try:
        proc = subprocess.run([sys.executable, "-c", _RSS_PROBE, json.dumps(cmd), path],
                              capture_output=True, cwd=REPO, timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"unspin failed on the RSS input: {proc.stderr.decode(errors='replace')}")
        kb, dt = proc.stdout.decode().split()
        return int(kb) / 1024, float(dt), mb(text)
    finally:
        os.unlink(path)


def _tmpdir() -> str:
    d = Path(__file__).resolve().parent / ".cache"
    d.mkdir(parents=True, exist_ok=True)
    return str(d)


# --------------------------------------------------------------------------- batch

_WORKER = None


def _init_worker(module: str, config: object) -> None:
    """Pool initializer: one Repairer per worker process, loaded once."""
    global _WORKER
    import importlib  # noqa: PLC0415

    _WORKER = importlib.import_module(module).Repairer(config)


def _fix_one(text: str) -> int:
    return len(_WORKER.fix(text))  # type: ignore[union-attr]


def _warm(_: int) -> int:
    """Make a worker do one real fix (the engine loads some data lazily), then linger so every worker gets one."""
    _WORKER.fix("中心政法委书记郭声琨主持集会")  # type: ignore[union-attr]
    time.sleep(0.3)
    return os.getpid()


def _burn(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i
    return s


def cpu_parallel_speedup(tasks: int = 8, n: int = 2_000_000) -> float:
    """Speed-up of a pure-Python CPU loop on Pool(2) vs Pool(1): what the machine itself allows.

    Two vCPUs do not always mean two cores' worth of throughput; the batch
    speed-up of the engine is only meaningful next to this number.
    """
    times = []
    for procs in (1, 2):
        with Pool(procs) as pool:
            pool.map(_burn, [1000] * procs)
            t0 = time.perf_counter()
            pool.map(_burn, [n] * tasks, chunksize=1)
            times.append(time.perf_counter() - t0)
    return times[0] / times[1]


@dataclass
class BatchResult:
    """Batch throughput for one pool size."""

    processes: int
    mb_per_s: float
    seconds: float


def batch_throughput(module: str, config: object, docs: list[str], processes: int, repeats: int = 1) -> BatchResult:
    """MB/s of ``Pool(processes).map(fix)`` over ``docs``, load time excluded.

    A warm-up round (one real fix, then a pause, per task) makes every
    worker finish its initializer and the engine's lazy loading before the
    clock starts.
    """
    size = sum(mb(d) for d in docs)
    with Pool(processes, initializer=_init_worker, initargs=(module, config)) as pool:
        pool.map(_warm, range(processes * 2), chunksize=1)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            pool.map(_fix_one, docs, chunksize=max(1, len(docs) // (processes * 8)))
            times.append(time.perf_counter() - t0)
    dt = statistics.median(times)
    return BatchResult(processes, size / dt, dt)


def table_load(engine: Any, path: Path, pairs: int) -> tuple[int, float]:
    """CPU seconds to build a Repairer from a synthetic spinner table of ``pairs`` two-character pairs
    (median of 3 fresh processes).

    The pairs are made of CJK characters from a seeded generator (no corpus
    text), in the four line formats a table may use.
    """
    rng = random.Random(30_000)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 4000)]
    seps = ["-", "→", ",", "\t"]
    lines = {f"{''.join(rng.sample(chars, 2))}{seps[i % 4]}{''.join(rng.sample(chars, 2))}" for i in range(pairs)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    # in a fresh process, as `unspin --table` loads it (this one holds the whole bench, and a big
    # heap makes building any large structure slower), in CPU time, as the throughput figures
    code = ("import sys, time, repair\n"
            "t0 = time.process_time()\n"
            "repair.Repairer(repair.Config(tables=(sys.argv[1],), builtin=False))\n"
            "print(time.process_time() - t0)\n")
    runs = []
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                              cwd=REPO, timeout=300, check=True)
        runs.append(float(proc.stdout.split()[-1]))
    return len(lines), statistics.median(runs)
