"""Bad input, nothing lost: encodings, binary files, concurrent edits, Ctrl-C, huge files."""
from __future__ import annotations

import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path

import opencc
import pytest

import repair.engine.repairer
import repair.files.documents
import repair.files.runner
import repair.cli.sinks
import repair.files.textio
from cli_helpers import CLEAN, RESTORED, SPUN, engine, project, unspin
from repair.files.documents import Score


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = project(tmp_path / "r")
    (root / "ok.txt").write_text(SPUN + "\n", encoding="utf-8")
    return root


def test_gb18030_file_is_reported_and_skipped_but_others_are_fixed(repo: Path):
    gbk = repo / "gbk.txt"
    gbk.write_bytes((SPUN + "\n").encode("gb18030"))
    r = unspin(["fix", "-w", "."], repo)
    assert r.exit_code == 2
    assert "gbk.txt: not valid utf-8 at byte 0; skipped (pass --encoding" in r.stderr
    assert gbk.read_bytes() == (SPUN + "\n").encode("gb18030")
    assert (repo / "ok.txt").read_text(encoding="utf-8") == RESTORED + "\n"
    assert "1 skipped" in r.stderr


def test_with_encoding_it_is_read_and_written_back_in_that_encoding(repo: Path):
    gbk = repo / "gbk.txt"
    gbk.write_bytes((SPUN + "\r\n").encode("gb18030"))
    r = unspin(["fix", "-w", "--encoding", "gb18030", "gbk.txt"], repo)
    assert r.exit_code == 0, r.stderr
    assert gbk.read_bytes() == (RESTORED + "\r\n").encode("gb18030")


def test_big5_traditional_text_is_restored_in_big5_and_in_traditional_script(repo: Path):
    s2t = opencc.OpenCC("s2t").convert
    big5 = repo / "big5.txt"
    big5.write_bytes(s2t(SPUN).encode("big5"))
    r = unspin(["fix", "-w", "--encoding", "big5", "big5.txt"], repo)
    assert r.exit_code == 0, r.stderr
    assert big5.read_bytes() == s2t(RESTORED).encode("big5")


def test_unknown_encoding_is_a_usage_error(repo: Path):
    r = unspin(["fix", "--encoding", "klingon", "ok.txt"], repo)
    assert r.exit_code == 2 and "unknown encoding" in r.stderr


def test_binary_files_are_skipped_with_a_note_and_left_alone(repo: Path):
    blob = b"\x89PNG\r\n\x1a\n\0\0\0" + SPUN.encode()
    (repo / "img.png").write_bytes(blob)
    r = unspin(["fix", "-w", "."], repo)
    assert r.exit_code == 0
    assert "img.png: binary file (NUL bytes), skipped" in r.stderr
    assert (repo / "img.png").read_bytes() == blob
    assert unspin(["check", "img.png"], repo).exit_code == 0


def test_a_file_edited_during_the_run_is_not_overwritten(repo: Path, monkeypatch):
    target = repo / "ok.txt"
    original_end = repair.cli.sinks.FixHandler.end

    def edit_then_end(self, src):
        target.write_text("作者刚刚改过的内容,还有更多。\n", encoding="utf-8")
        original_end(self, src)

    monkeypatch.setattr(repair.cli.sinks.FixHandler, "end", edit_then_end)
    r = unspin(["fix", "-w", "-j", "1", "ok.txt"], repo)
    assert r.exit_code == 2
    assert "changed on disk during the run; not overwritten" in r.stderr
    assert target.read_text(encoding="utf-8") == "作者刚刚改过的内容,还有更多。\n"
    assert not list(repo.glob("*.unspin-tmp"))


def _many(repo: Path, n: int, text: str) -> list[Path]:
    paths = []
    for i in range(n):
        p = repo / "many" / f"{i:03d}.txt"
        p.parent.mkdir(exist_ok=True)
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def _old_or_new(paths: list[Path], old: str, new: str) -> list[str]:
    states = []
    for p in paths:
        body = p.read_text(encoding="utf-8")
        assert body in (old, new), p
        states.append("new" if body == new else "old")
    return states


def test_ctrl_c_mid_write_leaves_every_file_old_or_new_and_exits_130(repo: Path, monkeypatch):
    paths = _many(repo, 6, SPUN + "\n")
    calls = {"n": 0}
    real = repair.files.runner.run_job

    def interrupt_on_fourth(engine, job):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(engine, job)

    monkeypatch.setattr(repair.files.runner, "run_job", interrupt_on_fourth)
    r = unspin(["fix", "-w", "-j", "1", "many"], repo)
    assert r.exit_code == 130
    assert "interrupted" in r.stderr
    states = _old_or_new(paths, SPUN + "\n", RESTORED + "\n")
    assert "new" in states and "old" in states
    assert not list(repo.rglob("*.unspin-tmp"))


def test_real_sigint_with_two_workers(repo: Path):
    old = (SPUN + "\n\n") * 400
    # enough files that the run cannot end before the signal lands, even on a machine so loaded
    # that this process waits seconds for its turn (with 120 files it once did: exit 0)
    paths = _many(repo, 600, old)
    cmd = [sys.executable, "-c", "from repair.cli import main; main()", "fix", "-w", "-j", "2", "many"]
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the first file is written: we are mid-run
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert first.startswith("fixed many/")
    assert proc.returncode == 130, err
    states = _old_or_new(paths, old, engine(repo).fix(old))
    assert states[0] == "new" and states[-1] == "old"
    assert not list(repo.rglob("*.unspin-tmp"))


def test_large_files_are_cut_at_paragraphs_and_positions_stay_right(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 100)
    seen: list[int] = []
    real = repair.files.documents.Engine.analyse

    def spy(self, text, rest=None, score=True):
        seen.append(len(text))
        return real(self, text, rest, score)

    monkeypatch.setattr(repair.files.documents.Engine, "analyse", spy)
    body = "".join(f"第{i}段:{SPUN}\n{CLEAN}\n\n" for i in range(30))
    (repo / "big.txt").write_text(body, encoding="utf-8")
    r = unspin(["check", "-j", "1", "big.txt"], repo)
    lines = r.stdout.splitlines()
    assert len(lines) == 30 * 5 and max(seen) <= 100 and len(seen) > 10
    assert lines[-5].startswith("big.txt:88:") and lines[-5].split(":")[2] == str(len("第29段:") + 1)
    r = unspin(["fix", "-w", "-j", "1", "big.txt"], repo)
    assert (repo / "big.txt").read_text(encoding="utf-8") == body.replace(SPUN, RESTORED)


def test_jsonl_is_cut_at_record_boundaries(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 150)
    rows = "".join(f'{{"n": {i}, "t": "{SPUN}"}}\n' for i in range(40))
    (repo / "d.jsonl").write_text(rows, encoding="utf-8")
    r = unspin(["score", "--field", "t", "-j", "1", "d.jsonl"], repo)
    assert r.exit_code == 0, r.stderr
    assert [int(line.split('"line": ')[1].split(",")[0]) for line in r.stdout.splitlines()] == list(range(1, 41))


def test_huge_file_in_bounded_memory(repo: Path, monkeypatch):
    """40 MiB through ``fix -w`` with a trivial engine: peak memory stays a few chunks."""
    monkeypatch.setattr(repair.files.documents.Engine, "analyse", lambda self, text, rest=None, score=True: ([], Score(0.0, 0)))
    monkeypatch.setattr(repair.engine.repairer.Repairer, "evidence",
                        lambda self, text, score=True: repair.Evidence(0.0, 0.0))
    line = (CLEAN + "\n") * 20 + "\n"
    big = repo / "huge.txt"
    with big.open("w", encoding="utf-8") as fh:
        for _ in range(40 * 2**20 // len(line.encode())):
            fh.write(line)
    size = big.stat().st_size
    tracemalloc.start()
    try:
        r = unspin(["fix", "-w", "-j", "1", "huge.txt"], repo)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.exit_code == 0, r.stderr
    assert big.stat().st_size == size
    assert peak < 16 * 2**20 < size / 2


def test_a_file_read_in_chunks_is_judged_at_one_rate(repo: Path, monkeypatch):
    """A lone ambiguous garble is left alone in a short clean-looking text, but not as part of a
    spun file, even when the file is read in chunks and that chunk holds nothing else."""
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 100)
    lone = "他昨天主持集会。"
    assert repair.fix(lone) == lone
    body = "\n\n".join([SPUN * 3] * 6 + [lone]) + "\n"  # one paragraph a chunk
    (repo / "long.txt").write_text(body, encoding="utf-8")
    r = unspin(["fix", "-j", "1", "long.txt"], repo)
    assert "+他昨天主持会议。" in r.stdout
    (repo / "short.txt").write_text(lone + "\n", encoding="utf-8")
    r = unspin(["check", "-j", "1", "short.txt"], repo)
    assert r.exit_code == 0 and r.stdout == ""


def test_a_file_of_one_chunk_is_not_measured_twice(repo: Path, monkeypatch):
    """The whole-file rate costs a second read only where there are chunks to add up."""
    calls: list[int] = []
    real = repair.engine.repairer.Repairer.evidence
    monkeypatch.setattr(repair.engine.repairer.Repairer, "evidence",
                        lambda self, text, score=True: calls.append(len(text)) or real(self, text, score))
    (repo / "one.txt").write_text((SPUN + "\n\n") * 40, encoding="utf-8")
    assert unspin(["check", "-j", "1", "one.txt"], repo).exit_code == 1
    assert calls == []
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 100)
    assert unspin(["check", "-j", "1", "one.txt"], repo).exit_code == 1
    assert len(calls) > 1
