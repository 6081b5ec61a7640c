"""Sub-commands of ``unspin`` that work on files: fix, check, score, explain."""
from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add every sub-command to ``group``."""
