"""Unhappy paths found by a second attack (after the 30 of ``test_attacks_cli.py`` and ``test_attacks_files.py``).

Each test fails on the code before its fix. Machine set-ups are simulated where
they can be (a character device made with ``mknod`` stands in for ``/dev/null``).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import stat
import threading
from pathlib import Path

import pytest

import repair.files.runner
from cli_helpers import RESTORED, SPUN, project, unspin
from repair import Config

KEEP = "这一段不能丢。"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = project(tmp_path / "r")
    (root / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    return root


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


# --- SIGTERM to the whole process group (timeout, systemd, kill -- -PGID) ----------------------------

def _pid(_: object = None) -> int:
    return os.getpid()


def test_workers_killed_by_a_group_sigterm_do_not_hang_the_pool(monkeypatch):
    """An idle worker waits for work holding the pool's queue lock; killed there by SIG_DFL it
    never released it, and ``Pool.terminate`` (run's cleanup) waited for it forever."""
    monkeypatch.setattr(repair.files.runner, "make_engine", lambda config, min_confidence=None: None)
    pool = multiprocessing.get_context("fork").Pool(2, repair.files.runner._init_worker, (Config(), None))
    try:
        workers = set(pool.map(_pid, range(8), chunksize=1)) | {p.pid for p in pool._pool}
        for pid in workers:
            os.kill(pid, signal.SIGTERM)
        for p in list(pool._pool):
            p.join(60)
            assert p.exitcode == 128 + signal.SIGTERM  # unwound (SystemExit), not killed outright
    finally:
        done = threading.Thread(target=lambda: (pool.terminate(), pool.join()), daemon=True)
        done.start()
        done.join(120)
    assert not done.is_alive(), "Pool.terminate hung on a queue lock held by a dead worker"
