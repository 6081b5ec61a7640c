"""The data-juicer operators repair and score a sample as the local engine does.

data-juicer is not a dependency (its install pulls in streamlit, datasets and
a newer click); the test runs wherever ``py-data-juicer`` is installed.
"""
from __future__ import annotations

import pytest

pytest.importorskip("data_juicer", reason="data-juicer is not installed: pip install py-data-juicer")

from cli_helpers import CLEAN, SPUN  # noqa: E402
from data_juicer.utils.constant import Fields  # noqa: E402

from repair import Repairer  # noqa: E402
from repair.scale.datajuicer import SPIN_SCORE, UnspinMapper, UnspinSpinFilter  # noqa: E402


def test_mapper_repairs_and_filter_keeps_by_spin_score():
    local = Repairer()
    mapper = UnspinMapper()
    assert mapper.process_single({"text": SPUN})["text"] == local.analyse(SPUN).fixed != SPUN
    assert mapper.process_single({"text": CLEAN})["text"] == CLEAN
    keep_clean = UnspinSpinFilter(max_score=0.5)
    samples = [keep_clean.compute_stats_single({"text": t, Fields.stats: {}}) for t in (SPUN, CLEAN)]
    assert [s[Fields.stats][SPIN_SCORE] for s in samples] == [local.analyse(t).spin_score for t in (SPUN, CLEAN)]
    assert [keep_clean.process_single(s) for s in samples] == [False, True]
