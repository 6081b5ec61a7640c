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


# --- 2. UTF-16 without a byte-order mark on stdin ----------------------------------------------

@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("command", [[], ["check", "-"], ["fix", "-w", "-"], ["score", "-"]])
def test_utf16_without_a_bom_on_stdin_gets_the_hint_a_file_gets(repo: Path, codec: str, command: list[str]):
    """It was "binary data" or "not valid UTF-8": the user had no way to learn what to pass.
    The hint is true for the filter too, which now takes --encoding as the commands do."""
    data = (SPUN + "\n" + SPUN + "\n").encode(codec)
    (repo / "u16.txt").write_bytes(data)
    as_file = unspin(["check", "u16.txt"], repo)
    r = unspin(command, repo, stdin=data)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    one_error(r.stderr, "<stdin>", f"looks like {codec.upper()} without a byte-order mark; "
                                   f"skipped (pass --encoding {codec} to read it)")
    assert as_file.stderr.split(": ", 3)[3] == r.stderr.splitlines()[0].split(": ", 3)[3] + "\n"  # one wording
    taken = unspin(["--encoding", codec, *command], repo, stdin=data)
    assert taken.exit_code in (0, 1), taken.output
    if not command or command[0] == "fix":
        assert taken.stdout_bytes == (RESTORED + "\n" + RESTORED + "\n").encode(codec)
