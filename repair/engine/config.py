"""One immutable configuration object, built once and passed everywhere.

Modelled on ftfy's ``TextFixerConfig``: keyword arguments to the public
functions override fields of a default config, and the CLI builds exactly one
of these from its flags and any config file.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .params import ModelParams

#: Default posterior probability a restoration must reach before it is applied.
DEFAULT_THRESHOLD = 0.8


@dataclass(frozen=True)
class Config:
    """What the engine loads and how sure it must be.

    threshold: a change is applied only if its posterior confidence is at
        least this. Lower means more recall and more risk to clean text.
    dictionaries: extra dictionary files (same YAML schema as the built-in ones).
    tables: spinner synonym tables (``A-B``, ``A→B``, ``A,B``, ``A<TAB>B``
        lines); every pair becomes a candidate in both directions.
    builtin: load the dictionaries shipped with unspin.
    exclude: garbled forms to ignore entirely (used by the benchmark to hold
        entries out; also handy to silence one entry).
    protected: words that are never changed, wherever they occur.
    lm_path: optional KenLM binary of clean Chinese (e.g. Debian's libime
        ``zh_CN.lm``); when given (needs the ``kenlm`` module) it replaces the
        shipped statistics as the context model.
    strict_tables: fail on a table line that is not a pair or a set, instead of
        skipping it with one :class:`~repair.engine.tables.TableWarning`.
    params: the decision model's constants (:class:`ModelParams`).
    """

    threshold: float = DEFAULT_THRESHOLD
    dictionaries: tuple[Path, ...] = ()
    tables: tuple[Path, ...] = ()
    builtin: bool = True
    exclude: frozenset[str] = field(default_factory=frozenset)
    protected: frozenset[str] = field(default_factory=frozenset)
    lm_path: Path | None = None
    strict_tables: bool = False
    params: ModelParams = field(default_factory=ModelParams)

    def __post_init__(self) -> None:
        # Accept any iterable of str/Path, but store hashable, typed values so a
        # Config can key a cache of loaded Repairers.
        object.__setattr__(self, "dictionaries", tuple(Path(p) for p in self.dictionaries))
        object.__setattr__(self, "tables", tuple(Path(p) for p in self.tables))
        object.__setattr__(self, "exclude", frozenset(self.exclude))
        object.__setattr__(self, "protected", frozenset(self.protected))
        if self.lm_path is not None:
            object.__setattr__(self, "lm_path", Path(self.lm_path))
        if not 0.0 <= float(self.threshold) <= 1.0:
            raise ValueError("threshold must be between 0 and 1")

    def with_options(self, **kwargs: Any) -> "Config":
        """A copy with some fields replaced; unknown names raise ``TypeError``."""
        return replace(self, **kwargs)
