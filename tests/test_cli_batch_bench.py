"""bench/batch.py: the throughput probe runs the real pipeline on 1 and 2 workers."""
from __future__ import annotations

from pathlib import Path

import repair
from bench.batch import measure_batch
from cli_helpers import CLEAN, SPUN


def test_measure_batch_reports_both_worker_counts_with_the_same_findings(tmp_path: Path):
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text(f"{SPUN}\n\n{CLEAN}\n", encoding="utf-8")
    result = measure_batch([tmp_path])
    assert result["files"] == 4 and result["chars"] == 4 * len(f"{SPUN}\n\n{CLEAN}\n")
    assert [r["workers"] for r in result["runs"]] == [1, 2]
    one, two = result["runs"]
    per_file = len(repair.explain(f"{SPUN}\n\n{CLEAN}\n"))
    assert per_file >= 2
    assert one["findings"] == two["findings"] == 4 * per_file
    assert one["seconds"] > 0 and two["chars_per_second"] > 0 and result["speedup_2_vs_1"] > 0
