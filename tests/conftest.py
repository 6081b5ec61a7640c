"""Test-suite wide settings and the shared one-file project fixture."""
from __future__ import annotations

from pathlib import Path

import pytest

from cli_helpers import SPUN, project


def pytest_configure(config):
    """Register the ``slow`` marker (tests that build environments or run subprocesses)."""
    config.addinivalue_line("markers", "slow: takes more than ~20 s (still part of the default run)")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project (test table in its ``.unspin.yaml``) holding one spun file, ``a.txt``.

    Modules whose tests need another layout define their own ``repo``, which takes
    precedence over this one.
    """
    root = project(tmp_path / "r")
    (root / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    return root
