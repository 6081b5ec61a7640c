"""Sub-commands of ``unspin`` that work on files: fix, check, score, explain."""
from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add every sub-command to ``group``."""
    from .check import check
    from .explain import explain
    from .fix import fix
    from .learn import learn
    from .score import score

    for command in (fix, check, score, explain, learn):
        group.add_command(command)
