"""Unhappy paths left open by the attack sweep (``../shared/attacks``): bad input gets one clear line, exit 2.

Each test fails on the code before its fix.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cli_helpers import engine, unspin


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


# --- score: a line for every file, an empty one too ---------------------------------------------

def test_score_prints_a_line_for_an_empty_file_as_for_any_other(repo: Path):
    """A corpus filter counts one line per file; an empty text scores as the engine scores ``""``."""
    (repo / "empty.txt").write_bytes(b"")
    (repo / "empty.md").write_bytes(b"")
    r = unspin(["score", "a.txt", "empty.txt", "empty.md"], repo)
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["path"] for row in rows] == ["a.txt", "empty.txt", "empty.md"]
    nothing = engine(repo).analyse("")
    for row in rows[1:]:
        assert row == {"path": row["path"], "score": nothing.spin_score, "candidates": nothing.candidates}
    check = unspin(["check", "empty.txt"], repo)  # check and fix read it as a file with nothing to change
    assert check.exit_code == 0 and check.stdout == ""
