"""Corpus scale: documents per second at 1 and 2 workers, memory and start-up per worker.

    pip install -e '.[bench,ray]' && python -m bench.scale          # about 5 minutes on 2 cores
    python -m bench.scale --docs 2000 --no-write                      # a quicker look, SCALE.md untouched

Builds a corpus of Parquet shards from People's Daily 1998 (``bench/corpus.py``;
half the documents spun at 0.8 by the bench spinner, half clean, articles
reused with different spins until there are ``--docs``), then scores it —
``unspin score`` without the command line — with:

* the local worker pool (``repair.files.runner.run``), 1 and 2 processes;
* Ray actors (``--ray``: the same runner, :class:`repair.scale.cluster.RayPool`), 1 and 2 actors;
* a Ray Data pipeline (``read_parquet`` → ``score_dataset``), 1 and 2 actors;
* the command itself, ``unspin score DIR --ray``, as a subprocess (Ray start included).

Per worker it reads ``/proc``: peak RSS (VmHWM), and the part of it no other
process shares (Private). Start-up per worker is the time from asking for a
worker to its first result on a one-line document (engine built, context
statistics loaded). The figures and a plan for 100 million documents, derived
from the measured cost per document, go to ``bench/SCALE.md``.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from . import corpus, spinner

HERE = Path(__file__).resolve().parent
DICTIONARIES = HERE.parent / "dictionaries"
OUT = HERE / "SCALE.md"
SHARDS = 4
TINY = "中心政法委书记郭声琨主持集会。"


# --- the corpus -----------------------------------------------------------

def build_corpus(n_docs: int, seed: int = 9) -> tuple[Path, dict]:
    """``n_docs`` documents in SHARDS Parquet shards under bench/.cache (built once per size)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = corpus.CACHE_DIR / f"scale-{n_docs}-{seed}"
    meta_path = folder / "meta.json"
    if meta_path.exists():
        return folder, json.loads(meta_path.read_text())
    docs = [d.text for d in corpus.load_documents() if len(d.text) >= 50]
    random.Random(seed).shuffle(docs)
    table = spinner.build_table(spinner.load_dictionary(DICTIONARIES), frozenset(), [])
    segment = spinner.jieba_segmenter()
    texts, spun = [], []
    for i in range(n_docs):
        text = docs[i % len(docs)]
        if i % 2 == 0:
            text = spinner.spin(text, table, 0.8, random.Random(f"scale:{seed}:{i}"), segment).spun
        texts.append(text)
        spun.append(i % 2 == 0)
    folder.mkdir(parents=True, exist_ok=True)
    per = -(-n_docs // SHARDS)
    for s in range(SHARDS):
        part = slice(s * per, min(n_docs, (s + 1) * per))
        pq.write_table(pa.table({"id": pa.array(range(n_docs)[part], pa.int64()),
                                 "text": pa.array(texts[part], pa.string()),
                                 "spun": pa.array(spun[part], pa.bool_())}),
                       folder / f"part-{s:03d}.parquet", row_group_size=1000)
    meta = {"docs": n_docs, "chars": sum(map(len, texts)), "bytes": sum(len(t.encode()) for t in texts),
            "median_chars": statistics.median(map(len, texts))}
    meta_path.write_text(json.dumps(meta))
    return folder, meta


def shard_inputs(folder: Path) -> list[tuple[str, Path | None]]:
    return [(p.name, p) for p in sorted(folder.glob("*.parquet"))]


# --- memory of a process, from /proc ----------------------------------------

def memory(pid: int) -> dict:
    """Peak RSS, current RSS, the unshared part (MiB) and the CPU seconds used so far of process ``pid``."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
        private = 0
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                private += int(line.split()[1])
            if line.startswith("Pss:"):
                out["Pss"] = int(line.split()[1]) / 1024
        out["Private"] = private / 1024
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out["cpu"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except OSError:
        pass
    return {k: round(v, 1) for k, v in out.items()}


class Recorder:
    """Wraps a pool: before it is terminated, records the memory of its workers."""

    def __init__(self, pool: Any, pids: Callable[[], list[int]], into: list) -> None:
        self.pool, self.pids, self.into = pool, pids, into

    def apply_async(self, fn: Callable, args: tuple) -> Any:
        return self.pool.apply_async(fn, args)

    def terminate(self) -> None:
        self.into.extend(memory(pid) for pid in self.pids())
        self.pool.terminate()

    def join(self) -> None:
        self.pool.join()


# --- runs -----------------------------------------------------------------

def score_run(folder: Path, workers: int, make_pool: Callable) -> dict:
    """Score every shard through the runner with ``make_pool`` workers; docs/s and MB/s."""
    from repair.cli.sinks import ScoreHandler
    from repair.engine.config import Config
    from repair.files import runner

    rows: list[str] = []
    handler = ScoreHandler(rows.append, lambda s: None)
    start, cpu = time.perf_counter(), time.process_time()
    runner.run(shard_inputs(folder), Config(), runner.Options(want_score=True), handler, workers,
               make_pool=make_pool)
    return {"seconds": time.perf_counter() - start, "docs": len(rows), "errors": handler.tally.errors,
            "driver_cpu": time.process_time() - cpu}


def local_pool(workers: int, into: list) -> Callable:
    def make(n: int, init: Callable, args: tuple) -> Recorder:
        pool = multiprocessing.Pool(n, init, args)
        return Recorder(pool, lambda: [p.pid for p in pool._pool], into)  # noqa: SLF001
    return make


def ray_pool(workers: int, into: list, num_cpus: float) -> Callable:
    import ray

    from repair.scale.cluster import RayPool

    def make(n: int, init: Callable, args: tuple) -> Recorder:
        pool = RayPool(n, init, args, num_cpus)
        return Recorder(pool, lambda: ray.get([a.pid.remote() for a in pool.actors]), into)
    return make


def ray_data_run(folder: Path, workers: int) -> dict:
    import ray

    from repair.scale.ray_data import score_dataset

    start = time.perf_counter()
    ds = ray.data.read_parquet(str(folder), override_num_blocks=8 * workers)
    n = score_dataset(ds, concurrency=workers, num_cpus=0.5, batch_size=64).count()
    return {"seconds": time.perf_counter() - start, "docs": n, "errors": 0}


def startup_local(config_args: tuple) -> float:
    """Seconds from asking for one forked worker to its first result."""
    from repair.files import runner
    from repair.files.documents import Job

    start = time.perf_counter()
    with multiprocessing.Pool(1, runner._init_worker, config_args) as pool:  # noqa: SLF001
        pool.apply(runner._work, (Job("text", TINY, "tiny"),))  # noqa: SLF001
        return time.perf_counter() - start


def startup_cold() -> float:
    """Seconds for a fresh interpreter to import unspin, build the engine and repair one line."""
    code = ("import repair; r = repair.Repairer(); r.analyse(%r)" % TINY)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def startup_ray(config_args: tuple) -> float:
    """Seconds from creating one Ray actor to its first result."""
    from repair.files import runner
    from repair.files.documents import Job
    from repair.scale.cluster import RayPool

    start = time.perf_counter()
    pool = RayPool(1, runner._init_worker, config_args, 0.5)  # noqa: SLF001
    pool.apply_async(runner._work, (Job("text", TINY, "tiny"),)).get()  # noqa: SLF001
    seconds = time.perf_counter() - start
    pool.terminate()
    return seconds


def cli_run(folder: Path) -> dict:
    """``unspin score data/ --ray`` as a user runs it (a local Ray started and stopped by the command).

    Run in a scratch folder holding links to the shards: bench/.cache is gitignored, and folder
    walks honour .gitignore.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "data").mkdir()
        for shard in sorted(folder.glob("*.parquet")):
            (Path(tmp) / "data" / shard.name).symlink_to(shard)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", "from repair.cli import main; main()", "score", "data/",
                               "--ray"], capture_output=True, text=True, cwd=tmp)
        seconds = time.perf_counter() - start
    progress = [line for line in proc.stderr.splitlines() if line.startswith("unspin: ray:")]
    return {"seconds": seconds, "docs": len(proc.stdout.splitlines()), "exit": proc.returncode,
            "progress": progress, "stderr": proc.stderr[-2000:] if proc.returncode else ""}


# --- report ---------------------------------------------------------------

def _child(kind: str, workers: int, folder: Path) -> dict:
    """One measurement, in this (fresh) process: the parent of the workers is as lean as ``unspin``."""
    from repair.engine.config import Config
    from repair.files import runner

    config_args = (Config(), None)
    if kind == "startup-local":
        return {"seconds": startup_local(config_args)}
    if kind == "local":
        mem: list = []
        return {**score_run(folder, workers, local_pool(workers, mem)), "memory": mem}
    import ray

    start = time.perf_counter()
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    ray.data.DataContext.get_current().enable_progress_bars = False
    init = time.perf_counter() - start
    try:
        if kind == "startup-ray":
            return {"seconds": startup_ray(config_args), "ray_init": init}
        if kind == "ray":
            mem = []
            return {**score_run(folder, workers, ray_pool(workers, mem, 0.5)), "memory": mem, "ray_init": init}
        if kind == "ray-data":
            return {**ray_data_run(folder, workers), "memory": [], "ray_init": init}
    finally:
        ray.shutdown()
    raise ValueError(kind)


def _spawn(kind: str, workers: int, folder: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.scale", "--child", kind, str(workers), str(folder)],
                          capture_output=True, text=True, cwd=HERE.parent)
    if proc.returncode:
        raise SystemExit(f"{kind} with {workers} workers failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(n_docs: int, with_ray: bool = True) -> dict:
    folder, meta = build_corpus(n_docs)
    results: dict[str, Any] = {"corpus": meta, "cpus": os.cpu_count(), "runs": [], "startup": {},
                               "load_before": os.getloadavg()[0]}
    results["startup"]["cold process (import, engine, first line)"] = startup_cold()
    results["startup"]["forked pool worker"] = _spawn("startup-local", 1, folder)["seconds"]
    kinds = [("local pool", "local")]
    if with_ray:
        kinds += [("Ray actors (--ray)", "ray"), ("Ray Data (score_dataset)", "ray-data")]
    for how, kind in kinds:
        for workers in (1, 2):
            results["runs"].append({"how": how, "workers": workers, **_spawn(kind, workers, folder)})
    if with_ray:
        r = _spawn("startup-ray", 1, folder)
        results["startup"]["ray.init (local Ray, once per run)"] = r["ray_init"]
        results["startup"]["Ray actor"] = r["seconds"]
        results["cli"] = cli_run(folder)
    results["load_after"] = os.getloadavg()[0]
    for r in results["runs"]:
        r["docs_per_second"] = r["docs"] / r["seconds"]
        r["mb_per_second"] = meta["bytes"] / 1e6 / r["seconds"]
        cpu = sum(m.get("cpu", 0) for m in r["memory"])
        r["cpu_ms_per_doc"] = 1000 * cpu / r["docs"] if cpu and r["docs"] else None
        r["driver_ms_per_doc"] = 1000 * r["driver_cpu"] / r["docs"] if "driver_cpu" in r and r["docs"] else None
    return results


def _f(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def report(res: dict) -> str:
    meta, runs = res["corpus"], res["runs"]
    lines = [
        "# Corpus scale: measured",
        "",
        "Written by `python -m bench.scale` (`bench/scale.py`); do not edit by hand. "
        f"Machine: {res['cpus']} cores, shared with other work (load average {res['load_before']:.1f} "
        f"before the runs, {res['load_after']:.1f} after: on a busy machine every rate is lower and 2 "
        "workers gain less than on an idle one).",
        "",
        f"Corpus: {meta['docs']:,} documents in {SHARDS} Parquet shards, {meta['chars']:,} characters "
        f"({meta['bytes'] / 1e6:.1f} MB of UTF-8 text, median {meta['median_chars']:.0f} characters a "
        "document): People's Daily 1998 articles, half spun at 0.8 by the bench spinner, half clean. "
        "Every run scores every document (`unspin score`: the engine's full analysis, the same work as `fix`).",
        "",
        "## Throughput",
        "",
        "| how | workers | seconds | documents/s | MB/s | vs 1 worker | worker CPU ms/document "
        "| driver CPU ms/document |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    one = {}
    for r in runs:
        if r["workers"] == 1:
            one[r["how"]] = r["seconds"]
        speedup = one.get(r["how"], r["seconds"]) / r["seconds"]
        lines.append(f"| {r['how']} | {r['workers']} | {_f(r['seconds'])} | {_f(r['docs_per_second'])} | "
                     f"{r['mb_per_second']:.2f} | {speedup:.2f}× | "
                     f"{_f(r['cpu_ms_per_doc'], 2) if r.get('cpu_ms_per_doc') else '–'} | "
                     f"{_f(r['driver_ms_per_doc'], 2) if r.get('driver_ms_per_doc') else '–'} |")
    lines += ["", "Seconds are wall-clock and include starting the workers (not Ray itself, timed below) and "
              "reading the shards. *Worker CPU ms/document* is the CPU time the workers used (from `/proc`) "
              "over the documents, *driver CPU* that of the process that reads the shards, hands out the "
              "jobs and writes the results: the cost of the work itself, which a busy machine does not "
              "inflate (Ray Data is not measured this way; Ray's own daemons are not counted). When the "
              "machine is shared, the wall-clock columns (and the 2-worker gain) say more about the other "
              "load than about unspin; the CPU columns are the ones to plan with.", ""]
    if "cli" in res:
        c = res["cli"]
        lines += [f"`unspin score {meta['docs']:,}-document folder --ray` as a subprocess, local Ray started "
                  f"and stopped by the command: {_f(c['seconds'])} s, {c['docs']:,} score lines, exit {c['exit']}; "
                  "its progress lines:", "", "```", *c["progress"], "```", ""]
    lines += ["## Memory per worker", "",
              "Peak RSS (VmHWM) of each worker process, and its unshared part (Private: what an extra "
              "worker really adds; the rest is shared with the other workers, copy-on-write pages or "
              "memory-mapped files), read from `/proc` at the end of the 2-worker runs.", "",
              "| how | worker | peak RSS MiB | RSS at end MiB | Private MiB | PSS MiB |",
              "| --- | --- | --- | --- | --- | --- |"]
    for r in runs:
        if r["workers"] == 2:
            for i, m in enumerate(r["memory"], 1):
                lines.append(f"| {r['how']} | {i} | {m.get('VmHWM', '?')} | {m.get('VmRSS', '?')} | "
                             f"{m.get('Private', '?')} | {m.get('Pss', '?')} |")
    lines += ["", "## Start-up per worker", "", "| what | seconds |", "| --- | --- |"]
    for what, secs in res["startup"].items():
        lines.append(f"| {what} | {secs:.2f} |")
    lines += ["", plan(res)]
    return "\n".join(lines) + "\n"


def plan(res: dict) -> str:
    """A plan for 100 million documents from the measured cost per document."""
    meta = res["corpus"]
    best = {}
    for r in res["runs"]:
        best.setdefault(r["how"], {})[r["workers"]] = r
    local1 = best["local pool"][1]
    worker_ms = local1.get("cpu_ms_per_doc") or 1000 / local1["docs_per_second"]
    driver_ms = local1.get("driver_ms_per_doc") or 0.0
    core_s_per_doc = (worker_ms + driver_ms) / 1000
    per_core_docs = 1 / core_s_per_doc
    per_core_mb = meta["bytes"] / 1e6 / meta["docs"] * per_core_docs
    avg_chars = meta["chars"] / meta["docs"]
    n = 100_000_000
    core_hours = n * core_s_per_doc / 3600
    web_chars = 2000  # a typical cleaned Chinese web page after boilerplate removal
    web_core_hours = core_hours * web_chars / avg_chars
    mems = [m.get("VmHWM", 0) for r in res["runs"] if r["workers"] == 2 for m in r["memory"]]
    privates = [m.get("Private", 0) for r in res["runs"] if r["workers"] == 2 for m in r["memory"]]
    peak = max(mems) if mems else 0
    node_cores = 32
    out = [
        "## Plan: 100 million documents",
        "",
        f"Measured cost: {core_s_per_doc * 1000:.1f} ms of one core per document of {avg_chars:.0f} characters "
        f"on average ({_f(per_core_docs)} documents/s, {per_core_mb:.2f} MB/s per busy core): the CPU time "
        f"of the 1-worker local run, {worker_ms:.2f} ms in the worker and {driver_ms:.2f} ms reading, "
        "handing out and collecting (so not inflated by other work on this machine; Ray actors do the "
        "same work per document, see the table). The cost grows with the text, so it is about "
        f"{core_s_per_doc * 1000 / avg_chars * 1000:.1f} ms per 1,000 characters.",
        "",
        f"* **Compute.** 100 M documents like these: {core_hours:,.0f} core-hours. Web pages are "
        f"longer; at {web_chars:,} characters a page: {web_core_hours:,.0f} core-hours.",
    ]
    for nodes in (10, 50):
        cores = nodes * node_cores
        out.append(f"  On {nodes} nodes of {node_cores} cores ({cores:,} actors): "
                   f"{core_hours / cores:.1f} h for documents like these, {web_core_hours / cores:.1f} h at "
                   f"{web_chars:,} characters a page.")
    out += [
        f"* **Memory.** Peak RSS per worker measured at {peak:.0f} MiB, of which at most "
        f"{max(privates) if privates else 0:.0f} MiB is its own (the rest is shared between the workers of "
        f"a node). A {node_cores}-core node running {node_cores} workers needs about "
        f"{node_cores * peak / 1024:.1f} GiB counting every worker's whole RSS (an upper bound); Ray "
        "gives its object store 30% of a node's memory by default and the system needs some, so plan "
        f"nodes of at least {node_cores * peak / 1024 / 0.6:.0f} GiB for {node_cores} workers "
        "(or fewer workers per node).",
        "* **Shape of the job.** Use the Ray Data pipeline (`read_parquet` → `fix_dataset` → "
        "`write_parquet`), not `unspin … --ray`: the pipeline reads and writes shards on the workers, "
        "while the command reads every file on the driver and ships text to the actors (fine for one "
        "machine or a few GB, a bottleneck for terabytes). One actor per core, `num_cpus` slightly under "
        "1 so reads and writes keep a CPU; `batch_size` 64–256 documents.",
        "* **Start-up** is paid once per actor (table above), negligible against hours of work.",
        "* **Check before the big run:** run the bench on one node of the target cluster "
        "(`python -m bench.scale`) and scale its per-core figure; documents much longer than these, "
        "or a denser spinner table (`--table`), cost more per document.",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10_000, help="documents in the corpus (default 10,000)")
    ap.add_argument("--no-ray", action="store_true", help="local pool only")
    ap.add_argument("--no-write", action="store_true", help="print the report, leave bench/SCALE.md alone")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "WORKERS", "FOLDER"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, workers, folder = args.child
        print(json.dumps(_child(kind, int(workers), Path(folder))))
        return
    res = measure(args.docs, with_ray=not args.no_ray)
    text = report(res)
    print(text)
    if not args.no_write:
        OUT.write_text(text, encoding="utf-8")
        (corpus.CACHE_DIR / "scale-results.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
