"""Unhappy paths left open by the last round (a second sweep of ``test_unhappy_paths.py``).

Each test reproduces a user's path and fails on the code before its fix.
"""
from __future__ import annotations

import os
import subprocess
import sys
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


# --- 3. learn -o into folders it made, when nothing is written ---------------------------------

LEARN_SPUN = "我们经由过程测试发明，这个题目可以很快处置惩罚。\n经由过程这次集会，各方处置惩罚了多年的分歧。\n"


@pytest.mark.parametrize("failure", ["error", "interrupt", "disk-full"])
def test_learn_removes_the_folders_it_made_when_it_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  failure: str):
    """``learn -o new/dir/p.tsv`` made ``new/dir`` before learning (to find an unwritable folder
    early), and a run that then failed left it behind, empty. Folders there before stay."""
    import repair.cli.commands.learn as learn_command
    import repair.files.atomic as atomic

    (tmp_path / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    (tmp_path / "old").mkdir()

    def fail(*args, **kwargs):
        if failure == "interrupt":
            raise KeyboardInterrupt
        if failure == "error":
            raise learn_command.UnspinError("a.txt: simulated failure")
        return []

    real_write = atomic.AtomicWriter.write

    def full(self, data):
        self.abort()
        raise atomic.InputError(f"{self.shown}: cannot write (No space left on device); left unchanged")

    monkeypatch.setattr(learn_command, "learn_pairs", fail)
    if failure == "disk-full":
        monkeypatch.setattr(atomic.AtomicWriter, "write", full)
    r = unspin(["learn", "a.txt", "-o", "old/new/dir/p.tsv"], tmp_path)
    assert r.exit_code in (2, 130), r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "old"]
    assert list((tmp_path / "old").iterdir()) == []  # new/ and new/dir gone, old/ kept
    assert atomic._MADE == []
    monkeypatch.setattr(atomic.AtomicWriter, "write", real_write)
    monkeypatch.setattr(learn_command, "learn_pairs", lambda *a, **k: [])
    ok = unspin(["learn", "a.txt", "-o", "old/new/dir/p.tsv"], tmp_path)
    assert ok.exit_code == 0 and (tmp_path / "old/new/dir/p.tsv").is_file()  # written: the folders stay


def test_fix_o_leaves_no_empty_mirror_folder_for_a_file_it_could_not_write(repo: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    """The same writer serves ``fix -o``: a copy that fails takes the folders made for it along."""
    import repair.files.atomic as atomic

    (repo / "sub").mkdir()
    (repo / "sub" / "b.txt").write_text(SPUN + "\n", encoding="utf-8")

    def full(self, data):
        self.abort()
        raise atomic.InputError(f"{self.shown}: cannot write (No space left on device); left unchanged")

    monkeypatch.setattr(atomic.AtomicWriter, "write", full)
    r = unspin(["fix", "-o", "out", "sub"], repo)
    assert r.exit_code == 2, r.output
    assert not (repo / "out").exists()


# --- 4. a table or dictionary named in a config file that is not there --------------------------

@pytest.mark.parametrize("config, text, key", [
    (".unspin.yaml", "tables: [{name}]\n", "tables"),
    (".unspin.yaml", "dictionaries: [{name}]\n", "dictionaries"),
    ("pyproject.toml", '[tool.unspin]\ntables = ["{name}"]\n', "[tool.unspin].tables"),
])
@pytest.mark.parametrize("make, reason", [
    (None, "no such file ("),
    (lambda p: p.symlink_to("gone.txt"), "a dangling symbolic link to gone.txt"),
    (lambda p: p.mkdir(), "a folder, not a file"),
], ids=["missing", "dangling", "folder"])
@pytest.mark.parametrize("command", [["check", "../a.txt"], []], ids=["check", "filter"])
def test_a_missing_file_named_in_a_config_file_is_reported_with_the_file_and_key(
        repo: Path, config: str, text: str, key: str, make, reason: str, command: list[str]):
    """It was "unspin: error: /r/t.txt: No such file or directory": the user, in a sub-folder, did
    not know a config file named it, nor that its paths are relative to that file."""
    (repo / ".unspin.yaml").unlink()
    (repo / config).write_text(text.format(name="t.txt"), encoding="utf-8")
    if make is not None:
        make(repo / "t.txt")
    (repo / "sub").mkdir()
    r = unspin(command, repo / "sub", stdin=SPUN)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    one_error(r.stderr, f"{repo / config}", f"{key}: t.txt: {reason}")


# --- 5. fix -w with a stdout that refuses its `fixed FILE` lines --------------------------------

CLI = [sys.executable, "-c", "from repair.cli import main; main()"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["fix", "-w"], ["fix", "-w", "-j", "2"], ["fix", "-o", "out"]],
                         ids=["w", "w-two-workers", "o"])
def test_fix_into_a_full_stdout_says_which_file_was_written(repo: Path, args: list[str]):
    """``unspin fix -w a.txt b.txt >/dev/full`` wrote a.txt, could not print ``fixed a.txt`` and
    stopped with "stdout: cannot write …": the user could not learn a.txt had been rewritten.
    The error line says so now; the files after it are as they were, and no temporary file is left."""
    for name in ("b.txt", "c.txt"):
        (repo / name).write_text(SPUN + "\n", encoding="utf-8")
    with open("/dev/full", "wb") as full:
        r = subprocess.run([*CLI, *args, "a.txt", "b.txt", "c.txt"], cwd=repo, stdout=full,
                           stderr=subprocess.PIPE, timeout=300)
    assert r.returncode == 2, r.stderr
    err = r.stderr.decode()
    # under -o the input is untouched: the message names the copy that was written (it named a.txt)
    said = ("out/a.txt, the repaired copy of a.txt, was written, the run stopped there (no copy was written "
            "of the files after it)") if "-o" in args else \
        "a.txt was written, the run stopped there (the files after it were left as they were)"
    one_error(err, "stdout", f"cannot write the names of the files fixed (No space left on device); {said}")
    written = repo / ("out" if "-o" in args else "") / "a.txt"
    assert written.read_text(encoding="utf-8") == RESTORED + "\n"
    for name in ("b.txt", "c.txt"):
        assert (repo / name).read_text(encoding="utf-8") == SPUN + "\n"
        assert not (repo / "out" / name).exists()
    assert not [p for p in repo.rglob("*") if p.name.endswith(".unspin-tmp")]


# --- 6. a file name with colons in check's path:line:col -----------------------------------------

def test_a_name_with_colons_is_written_as_is_and_read_back_by_a_greedy_pattern(repo: Path):
    """Not a fix: the documented behaviour (README, `unspin check`), as flake8 and ruff write such names."""
    import json
    import re

    (repo / "a.txt").rename(repo / "colon:1:2.txt")
    text = unspin(["check", "colon:1:2.txt"], repo)
    rows = unspin(["check", "--format", "json", "colon:1:2.txt"], repo)
    assert text.exit_code == rows.exit_code == 1
    parsed = [re.match(r"^(.*):(\d+):(\d+): ", line).groups() for line in text.stdout.splitlines()]
    assert parsed == [(r["path"], str(r["line"]), str(r["col"]))
                      for r in map(json.loads, rows.stdout.splitlines())]
    assert {p for p, _, _ in parsed} == {"colon:1:2.txt"}


# --- an unknown --encoding given to learn ------------------------------------------------------

def test_learn_refuses_an_unknown_encoding_as_the_other_commands_do(repo: Path):
    """``unspin learn --encoding bogus`` ended in a LookupError traceback after loading the model:
    its --encoding had no check of its own, where every other command's is a usage error."""
    r = unspin(["learn", "--encoding", "bogus", "a.txt"], repo)
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert "unknown encoding 'bogus'" in r.stderr
    assert unspin(["check", "--encoding", "bogus", "a.txt"], repo).stderr.splitlines()[-1] == \
        r.stderr.splitlines()[-1].replace("learn", "check")
