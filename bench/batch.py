"""Batch throughput of the file commands on 1 and 2 worker processes.

``measure_batch`` runs the same pipeline as ``unspin check`` (reading,
chunking, the worker pool, ordered results) over the given documents once per
worker count and reports characters and files per second, so the benefit of
``-j`` (and the cost of starting workers) is measured, not assumed.
"""
from __future__ import annotations

import time
from pathlib import Path

from repair.engine.config import Config
from repair.files.walk import FileSelector
from repair.files.runner import Options, run
from repair.cli.sinks import CheckHandler

WORKER_COUNTS = (1, 2)


def _inputs(paths: list[Path]) -> list[tuple[str, Path | None]]:
    selector = FileSelector()
    return [(t.rel.as_posix(), t.path) for p in paths for t in selector.select([str(p)])]


def measure_batch(paths: list[Path], config: Config | None = None) -> dict:
    """Time a check-style run over ``paths`` (files or folders) with 1 and 2 workers."""
    inputs = _inputs(paths)
    chars = sum(len(p.read_text(encoding="utf-8", errors="replace")) for _, p in inputs if p)
    runs = []
    for workers in WORKER_COUNTS:
        handler = CheckHandler(lambda s: None, lambda s: None)
        start = time.perf_counter()
        run(inputs, config or Config(), Options(), handler, workers)
        seconds = time.perf_counter() - start
        runs.append({
            "workers": workers,
            "seconds": round(seconds, 3),
            "files_per_second": round(len(inputs) / seconds, 1),
            "chars_per_second": round(chars / seconds),
            "findings": handler.tally.changes,
        })
    return {
        "files": len(inputs),
        "chars": chars,
        "runs": runs,
        "speedup_2_vs_1": round(runs[0]["seconds"] / runs[1]["seconds"], 2),
    }
