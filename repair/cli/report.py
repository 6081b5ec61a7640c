"""How changes are shown to people: one lint-style line per change."""
from __future__ import annotations

from ..engine.changes import Change, line_col


def format_change_line(path: str, text: str, change: Change) -> str:
    """``path:line:col: old -> new (confidence, reason)``, as typos/codespell print."""
    line, col = line_col(text, change.start)
    return f"{path}:{line}:{col}: {change.old} -> {change.new} ({change.confidence:.2f}, {change.reason})"
