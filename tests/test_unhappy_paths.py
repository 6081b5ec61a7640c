"""Unhappy paths left open by the attack sweep (``../shared/attacks``): bad input gets one clear line, exit 2.

Each test fails on the code before its fix.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli_helpers import unspin


def one_error(stderr: str, where: Path, reason: str) -> None:
    """``stderr`` is exactly one ``unspin: error: WHERE: ...REASON...`` line, no traceback."""
    assert len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith(f"unspin: error: {where}: "), stderr
    assert reason in stderr


# --- a config file name taken by something that is not a file ----------------------------------

@pytest.mark.parametrize("make, reason", [
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.symlink_to(p.name), "cannot be read (Too many levels of symbolic links)"),
    (lambda p: p.symlink_to("missing.yaml"), "a symbolic link to a missing file"),
    (os.mkfifo, "not a regular file"),
], ids=["directory", "link-loop", "dangling-link", "fifo"])
def test_a_config_name_that_is_not_a_readable_file_is_a_config_error(repo: Path, make, reason: str):
    """Skipping it would run with the defaults: the project's table and protected words silently off."""
    config = repo / ".unspin.yaml"
    config.unlink()
    make(config)
    r = unspin(["check", "a.txt"], repo)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    one_error(r.stderr, config, reason)


def test_a_pyproject_that_is_a_directory_is_a_config_error(repo: Path):
    (repo / ".unspin.yaml").unlink()
    (repo / "pyproject.toml").mkdir()
    r = unspin(["check", "a.txt"], repo)
    assert r.exit_code == 2, r.output
    one_error(r.stderr, repo / "pyproject.toml", "is a directory")
