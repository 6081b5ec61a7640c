"""Unhappy paths found by a second attack (after the 30 of ``test_attacks_cli.py`` and ``test_attacks_files.py``).

Each test fails on the code before its fix. Machine set-ups are simulated where
they can be (a character device made with ``mknod`` stands in for ``/dev/null``).
"""
from __future__ import annotations

import os
import signal
import stat
import threading
from pathlib import Path

import pytest

import repair.files.runner
from cli_helpers import RESTORED, SPUN, project, unspin

KEEP = "这一段不能丢。"


# --- fix -o: a link left in the output folder never carries the copy out of it -------------------

def test_a_symlink_in_the_mirror_to_an_input_is_replaced_not_written_through(repo: Path):
    (repo / "b.txt").write_text(KEEP + SPUN + "\n", encoding="utf-8")
    (repo / "out").mkdir()
    (repo / "out" / "a.txt").symlink_to("../b.txt")  # left over from an earlier run, or planted
    r = unspin(["fix", "-o", "out", "a.txt"], repo)
    assert r.exit_code == 0, r.output
    assert (repo / "b.txt").read_text(encoding="utf-8") == KEEP + SPUN + "\n"
    assert not (repo / "out" / "a.txt").is_symlink()
    assert (repo / "out" / "a.txt").read_text(encoding="utf-8") == RESTORED + "\n"


def test_a_hard_link_in_the_mirror_is_replaced_not_rewritten_in_place(repo: Path):
    (repo / "b.txt").write_text(KEEP + SPUN + "\n", encoding="utf-8")
    (repo / "out").mkdir()
    os.link(repo / "b.txt", repo / "out" / "a.txt")
    r = unspin(["fix", "-o", "out", "a.txt"], repo)
    assert r.exit_code == 0, r.output
    assert (repo / "b.txt").read_text(encoding="utf-8") == KEEP + SPUN + "\n"
    assert (repo / "out" / "a.txt").read_text(encoding="utf-8") == RESTORED + "\n"


def test_a_symlinked_folder_in_the_mirror_leading_out_of_it_is_refused(repo: Path):
    (repo / "in").mkdir()
    (repo / "in" / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    (repo / "other").mkdir()
    (repo / "other" / "a.txt").write_text(KEEP + "\n", encoding="utf-8")
    (repo / "out").mkdir()
    (repo / "out" / "in").symlink_to("../other")
    r = unspin(["fix", "-o", "out", "in"], repo)
    assert r.exit_code == 2
    assert "unspin: error: out/in/a.txt: its folder leads out of the output folder" in r.stderr
    assert (repo / "other" / "a.txt").read_text(encoding="utf-8") == KEEP + "\n"
    assert not list(repo.rglob("*.unspin-tmp"))


# --- learn -o: a device or a FIFO is written to, never replaced by a file --------------------------

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")


@needs_root
def test_learn_output_to_a_device_writes_to_it_and_keeps_the_device(repo: Path):
    dev = repo / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null: as root it was replaced by a file
    r = unspin(["learn", "a.txt", "-o", str(dev)], repo)
    assert r.exit_code == 0, r.output
    assert stat.S_ISCHR(os.lstat(dev).st_mode)
    assert not list(repo.glob(".null.*"))


def test_learn_output_to_a_fifo_reaches_its_reader(repo: Path):
    fifo = repo / "pairs.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = unspin(["learn", "a.txt", "-o", str(fifo)], repo)
    reader.join(60)
    assert r.exit_code == 0, r.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].startswith(b"# garbled\toriginal")


# --- a worker killed outright (the out-of-memory killer) ---------------------------------------------

def test_a_worker_killed_outright_stops_the_run_with_an_error_not_a_hang(repo: Path, monkeypatch):
    """The out-of-memory killer's SIGKILL took the worker's job with it and ``get()`` waited forever."""
    for i in range(4):
        (repo / f"m{i}.txt").write_text(SPUN + "\n", encoding="utf-8")
    (repo / "m2.txt").write_text("OOM " + SPUN + "\n", encoding="utf-8")
    real = repair.files.runner.run_job

    def oom(engine, job):
        if job.text.startswith("OOM"):
            os.kill(os.getpid(), signal.SIGKILL)  # in the forked worker
        return real(engine, job)

    monkeypatch.setattr(repair.files.runner, "run_job", oom)
    result: list = []
    t = threading.Thread(target=lambda: result.append(unspin(["fix", "-w", "-j", "2", "."], repo)), daemon=True)
    t.start()
    t.join(300)
    assert result, "the run waited forever for the killed worker's job"
    r = result[0]
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    assert "unspin: error: a worker process ended during the run (killed by SIGKILL, out of memory?)" in r.stderr
    assert (repo / "m2.txt").read_text(encoding="utf-8") == "OOM " + SPUN + "\n"
    for p in repo.glob("m*.txt"):
        assert p.read_text(encoding="utf-8") in (SPUN + "\n", RESTORED + "\n", "OOM " + SPUN + "\n")
    assert not list(repo.rglob("*.unspin-tmp"))
