"""Command-line paths that must exist, with a broken link named for what it is.

click's ``Path(exists=True)`` calls a link loop or a dangling link "does not exist", which is
false (``ls`` lists it) and sends the user looking for a typo. :class:`Existing` says what the
name is instead (see :func:`repair.files.links.broken_link`). A file or folder to work on
(``check loop``) is let through, to be reported as any unreadable input is (one error, exit 2,
the other inputs still done); a table, dictionary or model named by an option is a usage error,
as a missing one is.
"""
from __future__ import annotations

import click

from ..files.links import broken_link


class Existing(click.Path):
    """``click.Path(exists=True, …)``; with ``inputs``, a broken link is left for the run to report."""

    def __init__(self, *, inputs: bool = False, **kwargs) -> None:  # noqa: ANN003 - click.Path's own
        super().__init__(exists=True, **kwargs)
        self.inputs = inputs

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201 - click's own signature
        if not (self.allow_dash and value == "-"):
            why = broken_link(value)
            if why is not None:
                if self.inputs:
                    return value
                self.fail(f"{click.format_filename(value)!r} is {why}", param, ctx)
        return super().convert(value, param, ctx)
