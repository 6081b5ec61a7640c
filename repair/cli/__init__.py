"""The command line: the ``unspin`` face over :mod:`repair`.

``main`` is the filter and the group the file commands hang on; output
formats, diffs and sinks (what each command does with a result) live here too.
"""
from .main import main

__all__ = ["main"]
