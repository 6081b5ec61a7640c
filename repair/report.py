"""How changes are shown to people: one lint-style line per change."""
from __future__ import annotations

from .changes import Change


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def format_change_line(path: str, text: str, change: Change) -> str:
    """``path:line:col: old -> new (confidence, reason)``, as typos/codespell print."""
    line, col = line_col(text, change.start)
    return f"{path}:{line}:{col}: {change.old} -> {change.new} ({change.confidence:.2f}, {change.reason})"
