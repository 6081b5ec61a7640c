"""Unhappy paths left open by the last round (a second sweep of ``test_unhappy_paths.py``).

Each test reproduces a user's path and fails on the code before its fix.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from cli_helpers import RESTORED, SPUN, unspin


def one_error(stderr: str, where: str, reason: str) -> None:
    """``stderr`` holds exactly one ``unspin: error: WHERE: …REASON…`` line, no traceback."""
    errors = [line for line in stderr.splitlines() if line.startswith("unspin: error: ")]
    assert len(errors) == 1 and "Traceback" not in stderr, stderr
    assert errors[0].startswith(f"unspin: error: {where}: "), stderr
    assert reason in errors[0], stderr


# --- 1. a broken link named on the command line ------------------------------------------------

BROKEN = [
    (lambda p: p.symlink_to(p.name), "a symbolic-link loop (Too many levels of symbolic links)"),
    (lambda p: p.symlink_to("missing.txt"), "a dangling symbolic link to missing.txt"),
]


@pytest.mark.parametrize("make, reason", BROKEN, ids=["loop", "dangling"])
@pytest.mark.parametrize("command", [["check"], ["fix"], ["score"], ["explain"], ["learn"], []])
def test_a_broken_link_given_as_input_is_named_for_what_it_is(repo: Path, make, reason: str, command: list[str]):
    """click's existence check said "Path 'loop' does not exist": false, ``ls`` lists it. Now it is an
    unreadable input like any other: one error naming what it is, exit 2, the other inputs done."""
    make(repo / "bad.txt")
    r = unspin([*command, "bad.txt", "a.txt"], repo)
    assert r.exit_code == 2, r.output
    one_error(r.stderr, "bad.txt", reason)
    assert "does not exist" not in r.stderr.replace("(which does not exist)", "")
    if command in (["check"], ["score"]):
        assert "a.txt" in r.stdout  # the other input is still done


@pytest.mark.parametrize("make, reason", BROKEN, ids=["loop", "dangling"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_a_broken_link_given_as_a_table_is_named_for_what_it_is(repo: Path, make, reason: str, where: str):
    make(repo / "t.txt")
    args = ["--table", "t.txt", "check", "a.txt"] if where == "before" else ["check", "--table", "t.txt", "a.txt"]
    r = unspin(args, repo)
    assert r.exit_code == 2, r.output
    assert f"'t.txt' is {reason}" in r.stderr and "does not exist'" not in r.stderr, r.stderr
