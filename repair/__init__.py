"""unspin: restore machine-spun (伪原创) Chinese text, explaining every change.

    >>> import repair
    >>> repair.fix("中心政法委书记郭声琨主持集会")        # doctest: +SKIP
    '中央政法委书记郭声琨主持会议'

The public API, as in the README:

* :func:`fix` — the text with confident restorations applied;
* :func:`explain` — the list of :class:`Change` (where, old → new, why, how sure);
* :func:`fix_and_explain` — both at once; :func:`apply_changes` replays a plan;
* :func:`spin_score` — 0..1, how likely a document is spun;
* :class:`Repairer` — load dictionaries once, analyse many texts, with a
  :class:`Config` (threshold, extra dictionaries, spinner tables…).

Module-level functions share one default :class:`Repairer` per configuration.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from .engine.changes import Change, apply_changes
from .engine.config import Config
from .engine.repairer import Repairer, Report
from .engine.spinrate import Evidence
from .errors import DictionaryError, InputError, UnspinError

__all__ = [
    "Change", "Config", "DictionaryError", "Evidence", "InputError", "Repairer", "Report", "UnspinError",
    "apply_changes", "explain", "fix", "fix_and_explain", "spin_score",
]


@lru_cache(maxsize=8)
def _repairer(config: Config) -> Repairer:
    return Repairer(config)


def _get(config: Config | None, kwargs: dict[str, Any]) -> Repairer:
    cfg = config or Config()
    return _repairer(cfg.with_options(**kwargs) if kwargs else cfg)


def fix(text: str, config: Config | None = None, **kwargs: Any) -> str:
    """``text`` with every confident restoration applied (kwargs override Config fields)."""
    return _get(config, kwargs).fix(text)


def fix_and_explain(text: str, config: Config | None = None, **kwargs: Any) -> tuple[str, list[Change]]:
    """The fixed text and the list of changes that produce it."""
    return _get(config, kwargs).fix_and_explain(text)


def explain(text: str, config: Config | None = None, min_confidence: float | None = None,
            **kwargs: Any) -> list[Change]:
    """The changes :func:`fix` would make (and, with a lower ``min_confidence``, weaker ones)."""
    return _get(config, kwargs).explain(text, min_confidence)


def spin_score(text: str, config: Config | None = None, **kwargs: Any) -> float:
    """0..1: how likely ``text`` as a whole was machine-spun."""
    return _get(config, kwargs).spin_score(text)
