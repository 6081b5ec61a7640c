"""Issue 10, command line: -j default, progress cleared before output, -q, broken pipes, score paths."""
from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import RESTORED, SPUN, project, unspin

#: ``unspin`` in-process without colour, exceptions kept on the result
_invoke = functools.partial(unspin, env={"NO_COLOR": "1"}, catch_exceptions=True)


# --- 1. -j defaults to one process for a small run, every core for a big one ------------------

def _workers_used(monkeypatch, tmp_path: Path, args: list[str]) -> list[int]:
    from repair.files import runner

    seen: list[int] = []
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(runner, "run", lambda inputs, config, options, handler, workers, *a, **k: seen.append(workers))
    r = _invoke(args, tmp_path)
    assert r.exit_code == 0, r.output
    return seen


def test_a_small_run_uses_one_process_unless_j_says_otherwise(tmp_path: Path, monkeypatch):
    project(tmp_path)
    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(SPUN, encoding="utf-8")
    assert _workers_used(monkeypatch, tmp_path, ["check", "."]) == [1]        # all cores before: 3
    assert _workers_used(monkeypatch, tmp_path, ["check", "-j", "2", "."]) == [2]


def test_a_big_run_uses_every_core_and_sizes_come_from_stat(tmp_path: Path, monkeypatch):
    project(tmp_path)
    for i in range(60):
        with open(tmp_path / f"a{i}.txt", "wb") as f:
            f.truncate(40_000)  # 2.4 MB in 60 files, never read to decide
    assert _workers_used(monkeypatch, tmp_path, ["check", "."]) == [8]


def test_one_large_text_file_is_many_jobs_and_gets_every_core(tmp_path: Path, monkeypatch):
    project(tmp_path)
    with open(tmp_path / "big.txt", "wb") as f:
        f.truncate(64 << 20)
    assert _workers_used(monkeypatch, tmp_path, ["check", "."]) == [8]


# --- 2. progress on a terminal, cleared before every finding; -q silences it and the summary ----

def _spun_files(root: Path, n: int = 3) -> None:
    project(root)
    for i in range(n):
        (root / f"a{i}.txt").write_text(SPUN + "\n", encoding="utf-8")


@pytest.mark.parametrize("command", [["check"], ["fix"], ["explain"]])
def test_the_progress_line_is_cleared_before_each_output_line(command, tmp_path: Path, monkeypatch):
    from repair.cli.commands import common

    _spun_files(tmp_path)
    monkeypatch.setattr(common, "_stderr_is_terminal", lambda: True, raising=False)
    r = _invoke([*command, "."], tmp_path)
    assert "\runspin [" in r.stderr, r.stderr  # drawn on a terminal
    draws = re.findall(r"\runspin \[[# ]*\] +\d+%(.?)", r.output, flags=re.S)
    assert draws and all(after in ("", "\r") for after in draws), r.output  # nothing glued to the bar
    assert r.output.rstrip("\r\x1b[K").count("\x1b[K") >= 1


def test_no_progress_off_a_terminal(tmp_path: Path):
    _spun_files(tmp_path)
    r = _invoke(["check", "."], tmp_path)
    assert "\r" not in r.stderr and "\x1b" not in r.stderr


@pytest.mark.parametrize("args", [["-q", "fix", "."], ["fix", "-q", "."], ["fix", "--quiet", "."]])
def test_quiet_silences_the_progress_and_the_fix_summary(args, tmp_path: Path, monkeypatch):
    from repair.cli.commands import common

    _spun_files(tmp_path)
    monkeypatch.setattr(common, "_stderr_is_terminal", lambda: True, raising=False)
    r = _invoke(args, tmp_path)
    assert r.exit_code == 0, r.output
    assert RESTORED in r.stdout  # the diff is output, not a note
    assert r.stderr == "", r.stderr


def test_without_quiet_fix_prints_its_summary(tmp_path: Path):
    _spun_files(tmp_path, 1)
    r = _invoke(["fix", "."], tmp_path)
    assert re.search(r"^unspin: \d+ files?, 5 changes in 1 file, 0 skipped$", r.stderr, flags=re.M), r.stderr


# --- 3. a closed stdout (`| head`) ends the run quietly with 141 --------------------------------

@pytest.mark.parametrize("command", [["check"], ["fix"], ["fix", "-w"]])
def test_a_broken_pipe_exits_141_without_a_message(command, tmp_path: Path):
    project(tmp_path)
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "a.txt").write_text((SPUN + "\n") * 1500, encoding="utf-8")
    (tmp_path / "big" / "b.txt").write_text((SPUN + "\n") * 1500, encoding="utf-8")
    p = subprocess.Popen([sys.executable, "-c", "from repair.cli import main; main()", *command, "big"],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    first = p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode()
    code = p.wait(timeout=120)
    assert first
    assert "Traceback" not in err and "Broken pipe" not in err and "error" not in err, err
    assert not list(tmp_path.rglob("*.unspin-tmp"))
    if command == ["fix", "-w"]:  # both files fit before the pipe breaks, or one is written whole
        assert code in (0, 141)
        for f in (tmp_path / "big").iterdir():
            assert f.read_text(encoding="utf-8") in ((SPUN + "\n") * 1500, (RESTORED + "\n") * 1500)
    else:
        assert code == 141, (code, err)


# --- 4. score prints paths as the other commands do ---------------------------------------------

def test_score_prints_a_non_utf8_name_as_valid_utf8(tmp_path: Path):
    project(tmp_path)
    name = os.fsdecode(b"\x80x.txt")
    (tmp_path / name).write_text(SPUN + "\n", encoding="utf-8")
    r = _invoke(["score", name], tmp_path)
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout_bytes.decode("utf-8"))  # strict: no raw 0x80 byte in the JSON
    assert row["path"] == "\\x80x.txt"


def test_score_hands_every_path_to_printable_path():
    from repair.cli.output import printable_path
    from repair.cli.sinks import ScoreHandler
    from repair.files.documents import Score

    lines: list[str] = []
    ScoreHandler(lines.append, lines.append)._emit(os.fsdecode(b"a\xffb.md"), Score(0.5, 2))
    assert json.loads(lines[0])["path"] == printable_path(os.fsdecode(b"a\xffb.md")) == "a\\xffb.md"
