"""Errors users can act on. Each names the file and line it is about."""
from __future__ import annotations

#: Exit codes shared by every command (codespell/typos style): clean, findings, usage/config/input error.
EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


class UnspinError(Exception):
    """Base class: any error the CLI reports cleanly with exit code 2."""


class DictionaryError(UnspinError):
    """A dictionary or spinner table that cannot be loaded, with its location."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class InputError(UnspinError):
    """Input text that cannot be processed safely (bad encoding, binary data)."""
