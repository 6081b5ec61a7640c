"""data-juicer operators: ``unspin_mapper`` repairs the text, ``unspin_spin_filter`` keeps by spin score.

Importing this module registers the two operators with data-juicer; for
``dj-process``, name a one-line file that imports it in the recipe's
``custom_operator_paths``::

    # unspin_ops.py
    from repair.scale.datajuicer import *  # noqa: F401,F403

    # recipe.yaml
    dataset_path: crawl.jsonl
    export_path: clean.jsonl
    custom_operator_paths: ['unspin_ops.py']
    process:
      - unspin_spin_filter:        # drop pages that are machine-spun beyond repair…
          max_score: 0.99
      - unspin_mapper:             # …and restore the wording of the rest
          threshold: 0.8

Both build one engine per process on first use and repair a sample's text
exactly as ``unspin fix`` repairs a JSON Lines record (see
:class:`repair.scale.ray_data.UnspinBatch`, which they share).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Sequence

from data_juicer.ops.base_op import OPERATORS, Filter, Mapper
from data_juicer.utils.constant import Fields

from repair.scale.ray_data import UnspinBatch  # absolute: data-juicer may load this file by path

#: The key of the spin score in a sample's stats.
SPIN_SCORE = "spin_score"


class _Engine:
    """An :class:`UnspinBatch` built on first use (operators are pickled to worker processes)."""

    def _unspin_options(self, threshold: float | None, tables: Sequence[str | Path],
                        dictionaries: Sequence[str | Path]) -> None:
        self._options = dict(threshold=threshold, tables=tuple(tables), dictionaries=tuple(dictionaries))
        self._batcher: UnspinBatch | None = None

    def _analyse(self, text: Any) -> dict[str, list]:
        if self._batcher is None:
            self._batcher = UnspinBatch("text", output_column="fixed", score_column="score",
                                        changes_column="changes", **self._options)
        return self._batcher.analyse([text])

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_batcher"] = None
        return state


@OPERATORS.register_module("unspin_mapper")
class UnspinMapper(_Engine, Mapper):
    """Restores machine-spun (伪原创) Chinese wording in the text; clean text is left byte for byte."""

    def __init__(self, threshold: float | None = None, tables: Sequence[str] = (),
                 dictionaries: Sequence[str] = (), *args: Any, **kwargs: Any) -> None:
        """
        :param threshold: minimum confidence for a change (default 0.8)
        :param tables: spinner synonym tables (paths) to restore from as well
        :param dictionaries: extra dictionaries in unspin's YAML format (paths)
        """
        super().__init__(*args, **kwargs)
        self._unspin_options(threshold, tables, dictionaries)

    def process_single(self, sample: dict) -> dict:
        sample[self.text_key] = self._analyse(sample[self.text_key])["fixed"][0]
        return sample


@OPERATORS.register_module("unspin_spin_filter")
class UnspinSpinFilter(_Engine, Filter):
    """Keeps samples whose spin score (0..1, how likely the page was machine-spun) is in a range."""

    def __init__(self, min_score: float = 0.0, max_score: float = 0.5, threshold: float | None = None,
                 tables: Sequence[str] = (), dictionaries: Sequence[str] = (), *args: Any, **kwargs: Any) -> None:
        """
        :param min_score: keep samples scoring at least this
        :param max_score: keep samples scoring at most this (default 0.5: drop spun pages)
        """
        super().__init__(*args, **kwargs)
        self.min_score, self.max_score = min_score, max_score
        self._unspin_options(threshold, tables, dictionaries)

    def compute_stats_single(self, sample: dict) -> dict:
        stats = sample[Fields.stats]
        if SPIN_SCORE not in stats:
            score = self._analyse(sample[self.text_key])["score"][0]
            stats[SPIN_SCORE] = 0.0 if score is None else score
        return sample

    def process_single(self, sample: dict) -> bool:
        return self.min_score <= sample[Fields.stats][SPIN_SCORE] <= self.max_score


__all__ = ["UnspinMapper", "UnspinSpinFilter", "SPIN_SCORE"]
if __name__ == "__main__":  # pragma: no cover
    sys.exit("import repair.scale.datajuicer (or list it in custom_operator_paths) to register the operators")
