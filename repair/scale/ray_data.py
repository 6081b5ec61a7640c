"""unspin in ``ray.data`` pipelines: repair and score a text column, batch by batch.

    import ray
    from repair.scale.ray_data import UnspinBatch, fix_dataset, score_dataset

    ds = ray.data.read_parquet("s3://bucket/crawl/")
    ds = fix_dataset(ds, column="text")        # text repaired in place, + spin_score, spin_changes
    ds = ds.filter(expr="spin_score < 0.5")     # or keep the spun ones for a look
    ds.write_parquet("s3://bucket/clean/")

    # the callable class itself, for your own map_batches call
    ds.map_batches(UnspinBatch, fn_constructor_kwargs={"column": "content", "threshold": 0.9},
                   batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=8), num_cpus=1)

Each actor builds its engine once (``UnspinBatch.__init__``) and repairs every
document of a batch exactly as ``unspin fix`` repairs a JSON Lines record or a
Parquet row (``unspin: ignore`` markers honoured), so a pipeline gives the
same text, document for document, as the command line and the library
(``Repairer(config).analyse(text)``). Batches may be pyarrow Tables, pandas
DataFrames or dicts of numpy arrays; the output is of the same kind with the
input's other columns untouched. A null (or non-text) value stays as it is,
with a null score and 0 changes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from ..engine.changes import apply_changes
from ..engine.config import Config
from ..engine.repairer import Repairer
from ..files.ignores import drop_ignored
from .cluster import import_ray

#: Default names of the columns added (``None`` for any of them leaves it out).
SCORE_COLUMN = "spin_score"
CHANGES_COLUMN = "spin_changes"


def build_config(config: Config | None = None, threshold: float | None = None,
                 tables: Iterable[str | Path] = (), dictionaries: Iterable[str | Path] = (),
                 lm: str | Path | None = None) -> Config:
    """``config`` (default: the defaults) with the given options on top."""
    base = config or Config()
    options: dict[str, Any] = {}
    if threshold is not None:
        options["threshold"] = threshold
    if tables:
        options["tables"] = tuple(base.tables) + tuple(Path(t) for t in tables)
    if dictionaries:
        options["dictionaries"] = tuple(base.dictionaries) + tuple(Path(d) for d in dictionaries)
    if lm is not None:
        options["lm"] = Path(lm)
    return base.with_options(**options) if options else base


class UnspinBatch:
    """A ``map_batches`` callable class: repairs ``column`` and adds the score and change count.

    ``output_column`` receives the repaired text (default: ``column`` itself,
    repaired in place; ``fix=False`` leaves the text out, for scoring only).
    ``score_column`` gets the document's spin score (0..1, float64, unrounded)
    and ``changes_column`` the number of changes applied (int64); either may be
    None to leave it out. ``candidates_column`` (off by default) gets the
    number of candidate spots the score was computed from. Engine options:
    ``threshold``, ``tables`` (spinner tables), ``dictionaries``, ``lm``, or a
    whole ``config``; file paths must exist on every node.
    """

    def __init__(self, column: str = "text", *, output_column: str | None = None,
                 score_column: str | None = SCORE_COLUMN, changes_column: str | None = CHANGES_COLUMN,
                 candidates_column: str | None = None, fix: bool = True,
                 threshold: float | None = None, tables: Sequence[str | Path] = (),
                 dictionaries: Sequence[str | Path] = (), lm: str | Path | None = None,
                 config: Config | None = None) -> None:
        self.column = column
        self.output_column = (output_column or column) if fix else None
        self.score_column, self.changes_column = score_column, changes_column
        self.candidates_column = candidates_column
        self.repairer = Repairer(build_config(config, threshold, tables, dictionaries, lm))

    def analyse(self, values: Iterable[Any]) -> dict[str, list]:
        """The output columns for a sequence of values (str, or anything else: left alone)."""
        fixed: list = []
        scores: list = []
        changes: list = []
        candidates: list = []
        # scores alone (score_dataset without a changes column): no change decided, as `unspin score`
        decide = self.output_column is not None or self.changes_column is not None
        for value in values:
            if isinstance(value, str):
                report = self.repairer.analyse(value) if decide else self.repairer.scored(value)
                applied = drop_ignored(value, report.changes)  # as `unspin fix` does
                fixed.append(apply_changes(value, applied) if applied else value)
                scores.append(report.spin_score)
                changes.append(len(applied))
                candidates.append(report.candidates)
            else:
                fixed.append(value)
                scores.append(None)
                changes.append(0)
                candidates.append(0)
        out: dict[str, list] = {}
        if self.output_column:
            out[self.output_column] = fixed
        if self.score_column:
            out[self.score_column] = scores
        if self.changes_column:
            out[self.changes_column] = changes
        if self.candidates_column:
            out[self.candidates_column] = candidates
        return out

    def __call__(self, batch: Any) -> Any:
        if _is_arrow(batch):
            return self._arrow(batch)
        if hasattr(batch, "iloc"):  # pandas
            return self._pandas(batch)
        return self._numpy(batch)

    def _arrow(self, table: Any) -> Any:
        import pyarrow as pa

        columns = self.analyse(table.column(self.column).to_pylist())
        types = {self.score_column: pa.float64(), self.changes_column: pa.int64(),
                 self.candidates_column: pa.int64()}
        for name, values in columns.items():
            if name == self.output_column:
                kind = table.schema.field(self.column).type
                array = pa.array(values, type=pa.string()).cast(kind)
            else:
                array = pa.array(values, type=types[name])
            index = table.schema.get_field_index(name)
            if index >= 0:
                table = table.set_column(index, pa.field(name, array.type), array)
            else:
                table = table.append_column(pa.field(name, array.type), array)
        return table

    def _pandas(self, frame: Any) -> Any:
        frame = frame.copy()
        for name, values in self.analyse(frame[self.column].tolist()).items():
            frame[name] = values
        return frame

    def _numpy(self, batch: dict) -> dict:
        import numpy as np

        out = dict(batch)
        for name, values in self.analyse(batch[self.column].tolist()).items():
            out[name] = np.array(values, dtype=object if name == self.output_column else
                                 (np.float64 if name == self.score_column else np.int64))
        return out


def _is_arrow(batch: Any) -> bool:
    try:
        import pyarrow as pa
    except ImportError:
        return False
    return isinstance(batch, pa.Table)


def _map(ds: Any, kwargs: dict, concurrency: int | None, num_cpus: float | None, batch_size: int) -> Any:
    ray = import_ray()
    if concurrency is None:
        cpus = float(ray.cluster_resources().get("CPU", 1.0)) if ray.is_initialized() else 1.0
        concurrency = max(1, int(cpus))
    return ds.map_batches(UnspinBatch, fn_constructor_kwargs=kwargs, batch_format="pyarrow",
                          batch_size=batch_size, compute=ray.data.ActorPoolStrategy(size=concurrency),
                          num_cpus=num_cpus if num_cpus is not None else 0.5)


def fix_dataset(ds: Any, column: str = "text", *, output_column: str | None = None,
                score_column: str | None = SCORE_COLUMN, changes_column: str | None = CHANGES_COLUMN,
                concurrency: int | None = None, num_cpus: float | None = None, batch_size: int = 256,
                **engine_options: Any) -> Any:
    """``ds`` with ``column`` repaired (into ``output_column``, default in place), plus score and change count.

    ``concurrency`` actors (default: one per CPU of the cluster), each asking
    for ``num_cpus`` (default 0.5, so reading and writing tasks always find a
    CPU); ``engine_options`` are those of :class:`UnspinBatch` (threshold,
    tables, dictionaries, lm, config, candidates_column).
    """
    kwargs = dict(column=column, output_column=output_column, score_column=score_column,
                  changes_column=changes_column, fix=True, **engine_options)
    return _map(ds, kwargs, concurrency, num_cpus, batch_size)


def score_dataset(ds: Any, column: str = "text", *, score_column: str = SCORE_COLUMN,
                  changes_column: str | None = None, concurrency: int | None = None,
                  num_cpus: float | None = None, batch_size: int = 256, **engine_options: Any) -> Any:
    """``ds`` with the spin score of ``column`` added (the text itself left as it was)."""
    kwargs = dict(column=column, score_column=score_column, changes_column=changes_column, fix=False,
                  **engine_options)
    return _map(ds, kwargs, concurrency, num_cpus, batch_size)
