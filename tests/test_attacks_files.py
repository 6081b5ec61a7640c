"""Issue 10, files wing: never lose a byte, one error path (the ``../shared/attacks/d*.sh`` reproductions).

Each test names the attack it comes from. Failures are simulated where the
attack needed a machine set-up (a full tmpfs, another user): ``os.write``
raising ENOSPC stands in for a full disk, mode bits for a read-only file.
"""
from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import repair.cli.sinks
import repair.files.atomic
import repair.files.runner
import repair.files.signals
import repair.files.textio
import repair.reading
from cli_helpers import CLEAN, RESTORED, SPUN, engine, project, unspin
from repair.files.documents import Engine, Score

CLI = [sys.executable, "-c", "from repair.cli import main; main()"]


def temps(root: Path) -> list[Path]:
    return list(root.rglob("*.unspin-tmp"))


def one_error_path(stderr: str) -> None:
    """No traceback; every error is one ``unspin: error: path: reason`` line."""
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        if "error" in line.lower():
            assert line.startswith("unspin: error: "), line


# --- d01, d06: a write that fails leaves the original and nothing else ---------------------------

def test_d01_disk_full_leaves_every_original_and_no_temp_file(repo: Path, monkeypatch):
    for name in ("b.txt", "c.txt"):
        (repo / name).write_text(SPUN * 50 + "\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in repo.glob("*.txt")}
    real_write = os.write

    def full(fd, data):  # the disk fills after 50 bytes of any temp file
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).endswith(".unspin-tmp"):
            if os.fstat(fd).st_size + len(data) > 50:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    r = unspin(["fix", "-w", "-j", "1", "a.txt", "b.txt", "c.txt"], repo)
    assert r.exit_code == 2
    one_error_path(r.stderr)
    assert r.stderr.count("No space left on device") == 3
    assert "fixed" not in r.stdout
    assert {p.name: p.read_bytes() for p in repo.glob("*.txt")} == before
    assert not temps(repo)


def test_d01_failed_fsync_leaves_the_original(repo: Path, monkeypatch):
    def broken(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 2 and "a.txt: cannot write (Input/output error)" in r.stderr
    one_error_path(r.stderr)
    assert (repo / "a.txt").read_text(encoding="utf-8") == SPUN + "\n"
    assert not temps(repo)


def test_d06_unwritable_folder_is_one_error_per_file_and_the_rest_completes(repo: Path, monkeypatch):
    (repo / "ro").mkdir()
    (repo / "ro" / "1.txt").write_text(SPUN + "\n", encoding="utf-8")
    real_open = os.open

    def no_create_in_ro(path, flags, mode=0o777, *, dir_fd=None):  # root ignores permissions: simulate them
        if "/ro/" in str(path) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", no_create_in_ro)
    r = unspin(["fix", "-w", "-j", "1", "."], repo)
    assert r.exit_code == 2
    one_error_path(r.stderr)
    assert ("unspin: error: ro/1.txt: cannot write (no temporary file can be created in its folder: "
            "Permission denied); left unchanged") in r.stderr
    assert (repo / "ro" / "1.txt").read_text(encoding="utf-8") == SPUN + "\n"
    assert (repo / "a.txt").read_text(encoding="utf-8") == RESTORED + "\n"
    assert not temps(repo)


def test_d06_unwritable_output_folder_is_an_error_not_a_traceback(repo: Path):
    (repo / "blocker").write_text("a file where a folder should be\n", encoding="utf-8")
    r = unspin(["fix", "-o", "blocker/out", "a.txt"], repo)
    assert r.exit_code == 2
    one_error_path(r.stderr)
    assert "unspin: error: blocker/out/a.txt: cannot write" in r.stderr


# --- d07: concurrent edits and deletions ---------------------------------------------------------

def _before_end(monkeypatch, action) -> None:
    real_end = repair.cli.sinks.FixHandler.end

    def end(self, src):
        action(src.path)
        real_end(self, src)

    monkeypatch.setattr(repair.cli.sinks.FixHandler, "end", end)


def test_d07_a_file_deleted_during_the_run_is_not_recreated(repo: Path, monkeypatch):
    _before_end(monkeypatch, lambda path: path.unlink())
    r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 2 and "unspin: error: a.txt: deleted during the run; not re-created" in r.stderr
    assert not (repo / "a.txt").exists() and not temps(repo)


def test_a_file_not_written_back_is_not_counted_as_fixed(repo: Path, monkeypatch):
    """The summary counted a file's changes before its write-back, so a file left unchanged (edited
    or deleted during the run, or its inode not writable) was also '5 changes in 1 file'."""
    (repo / "b.txt").write_text(SPUN + "\n", encoding="utf-8")
    _before_end(monkeypatch, lambda path: path.unlink() if path.name == "a.txt" else None)
    r = unspin(["fix", "-w", "a.txt", "b.txt"], repo)
    assert r.exit_code == 2 and r.stdout == "fixed b.txt (5 changes)\n", r.output
    assert r.stderr.splitlines() == ["unspin: error: a.txt: deleted during the run; not re-created",
                                     "unspin: 2 files, 5 changes in 1 file, 0 skipped"]


def test_d07_a_same_size_edit_with_its_mtime_restored_is_not_overwritten(repo: Path, monkeypatch):
    edited = "用户编辑" + SPUN[4:] + "\n"
    assert len(edited.encode()) == len((SPUN + "\n").encode())

    def edit(path: Path) -> None:
        st = path.stat()
        with path.open("r+b") as fh:
            fh.write(edited.encode())
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    _before_end(monkeypatch, edit)
    r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 2 and "changed on disk during the run; not overwritten" in r.stderr
    assert (repo / "a.txt").read_text(encoding="utf-8") == edited and not temps(repo)


# --- d10, d10b: SIGTERM and leftovers -----------------------------------------------------------

def test_d10_sigterm_removes_temp_files_and_exits_143(repo: Path, monkeypatch):
    for i in range(6):
        (repo / f"m{i}.txt").write_text(SPUN + "\n", encoding="utf-8")
    calls = {"n": 0}
    real = repair.files.runner.run_job
    seen_temp = []

    def term_on_fourth(engine, job):
        calls["n"] += 1
        if calls["n"] == 4:
            seen_temp.extend(temps(repo))
            os.kill(os.getpid(), signal.SIGTERM)
        return real(engine, job)

    monkeypatch.setattr(repair.files.runner, "run_job", term_on_fourth)
    r = unspin(["fix", "-w", "-j", "1", "."], repo)
    assert r.exit_code == 128 + signal.SIGTERM and "terminated" in r.stderr
    assert seen_temp and not temps(repo)
    for p in repo.glob("m*.txt"):
        assert p.read_text(encoding="utf-8") in (SPUN + "\n", RESTORED + "\n")
    assert signal.getsignal(signal.SIGTERM) is not repair.files.signals._stop


def test_d10b_stale_temp_files_are_never_inputs(repo: Path):
    stale = repo / ".a.txt.deadbeef.unspin-tmp"
    stale.write_text(SPUN + "\n", encoding="utf-8")
    r = unspin(["check", "."], repo)
    assert "unspin-tmp" not in r.stdout and r.stdout.count("a.txt:") == 5
    r = unspin(["fix", "-w", "."], repo)
    assert r.exit_code == 0 and stale.read_text(encoding="utf-8") == SPUN + "\n"
    r = unspin(["check", stale.name], repo)
    assert r.exit_code == 0 and "temporary file" in r.stderr


# --- d14, d16: links, read-only files, owners ---------------------------------------------------

def test_d14_symlinks_are_written_through_explicitly_and_in_a_walk(tmp_path: Path):
    root = project(tmp_path / "p")
    (root / "docs").mkdir()
    (root / "outside").mkdir()
    for n in ("1", "2"):
        (root / "outside" / f"real{n}.txt").write_text(SPUN + "\n", encoding="utf-8")
        (root / "docs" / f"link{n}.txt").symlink_to(f"../outside/real{n}.txt")
    assert unspin(["fix", "-w", "docs/link1.txt"], root).exit_code == 0
    assert unspin(["fix", "-w", "docs"], root).exit_code == 0
    for n in ("1", "2"):
        assert (root / "docs" / f"link{n}.txt").is_symlink()
        assert (root / "outside" / f"real{n}.txt").read_text(encoding="utf-8") == RESTORED + "\n"


def _tree_with_two_names_for_one_file(root: Path) -> Path:
    """``sub/a.txt`` (spun), reached again as ``link.txt`` (symlink) and ``hard.txt`` (hard link)."""
    project(root)
    (root / "sub").mkdir()
    real = root / "sub" / "a.txt"
    real.write_text(SPUN + "\n", encoding="utf-8")
    (root / "link.txt").symlink_to("sub/a.txt")
    os.link(real, root / "hard.txt")
    return real


def test_a_file_reached_by_several_names_is_fixed_once_and_reported_once(tmp_path: Path):
    """A symlink or hard link to a file of the same walk, or a file named twice, is one file: before,
    ``fix -w`` wrote it under the first name and failed on the second ("changed on disk during the
    run", exit 2), and ``check`` listed every finding once per name."""
    root = tmp_path / "p"
    real = _tree_with_two_names_for_one_file(root)
    r = unspin(["check", "."], root)
    assert r.exit_code == 1
    n_findings = len(engine(root).fix_and_explain(SPUN)[1])
    findings = [line for line in r.stdout.splitlines() if line.endswith(")") and ":1:" in line]
    assert n_findings >= 1 and len(findings) == n_findings, r.stdout
    r = unspin(["fix", "-w", ".", "sub/a.txt", "./hard.txt"], root)
    assert r.exit_code == 0, r.stderr
    assert "changed on disk" not in r.stderr
    assert real.read_text(encoding="utf-8") == RESTORED + "\n"
    assert (root / "link.txt").is_symlink() and (root / "hard.txt").stat().st_ino == real.stat().st_ino
    assert not temps(root)


def test_the_same_file_named_twice_is_written_once(repo: Path):
    r = unspin(["fix", "-w", "a.txt", "a.txt", "./a.txt"], repo)
    assert r.exit_code == 0 and "changed on disk" not in r.stderr, r.stderr
    assert (repo / "a.txt").read_text(encoding="utf-8") == RESTORED + "\n"


def test_a_mirror_keeps_one_copy_per_name(tmp_path: Path):
    """``-o`` writes a copy per name, as the tree shows it: the target and the links to it each get one."""
    root = tmp_path / "p"
    real = _tree_with_two_names_for_one_file(root)
    out = tmp_path / "out"
    r = unspin(["fix", "-o", str(out), "."], root)
    assert r.exit_code == 0, r.stderr
    for name in ("sub/a.txt", "link.txt", "hard.txt"):
        assert (out / name).read_text(encoding="utf-8") == RESTORED + "\n", name
    assert real.read_text(encoding="utf-8") == SPUN + "\n"


def test_d16_read_only_file_is_refused_unless_forced(repo: Path):
    target = repo / "a.txt"
    target.chmod(0o444)
    r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 2 and "unspin: error: a.txt: read-only file; not written (pass --force" in r.stderr
    assert target.read_text(encoding="utf-8") == SPUN + "\n" and not temps(repo)
    r = unspin(["fix", "-w", "--force", "a.txt"], repo)
    assert r.exit_code == 0 and target.read_text(encoding="utf-8") == RESTORED + "\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o444)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_d16_owner_and_group_are_kept(repo: Path):
    target = repo / "a.txt"
    os.chown(target, 65534, 65534)
    target.chmod(0o640)
    assert unspin(["fix", "-w", "a.txt"], repo).exit_code == 0
    st = target.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (65534, 65534, 0o640)
    assert target.read_text(encoding="utf-8") == RESTORED + "\n"


def test_d16_hard_links_stay_linked(repo: Path):
    os.link(repo / "a.txt", repo / "hard.txt")
    ino = (repo / "a.txt").stat().st_ino
    assert unspin(["fix", "-w", "a.txt"], repo).exit_code == 0
    assert (repo / "hard.txt").read_text(encoding="utf-8") == RESTORED + "\n"
    assert (repo / "a.txt").stat().st_ino == ino and (repo / "a.txt").stat().st_nlink == 2
    assert not temps(repo)


# --- d15, d21: -o never writes into or over its inputs --------------------------------------------

@pytest.mark.parametrize("outdir, arg, cwd", [
    (".", ".", "in"),            # equal
    ("../in", "../in/a.txt", "elsewhere"),  # contains an input
    ("in/out", "in", "."),       # inside an input folder
])
def test_d15_output_folder_equal_to_inside_or_containing_an_input_is_refused(tmp_path, outdir, arg, cwd):
    root = project(tmp_path / "p")
    (root / "in").mkdir()
    (root / "elsewhere").mkdir()
    (root / "in" / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    r = unspin(["fix", "-o", outdir, arg], root / cwd)
    assert r.exit_code == 2 and r.stderr.startswith("unspin: error: ") and "choose a folder outside" in r.stderr
    assert (root / "in" / "a.txt").read_text(encoding="utf-8") == SPUN + "\n"
    assert [p.relative_to(root).as_posix() for p in root.rglob("*.txt") if "in" in p.parts] == ["in/a.txt"]


# --- d09: encodings ----------------------------------------------------------------------------

def test_d09_utf8_sig_writes_the_bom_once_and_only_where_it_was(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 100)
    (repo / "sig.txt").write_bytes(b"\xef\xbb\xbf" + ((SPUN + "\n") * 20).encode())
    r = unspin(["fix", "-w", "--encoding", "utf-8-sig", "-j", "1", "sig.txt", "a.txt"], repo)
    assert r.exit_code == 0, r.stderr
    assert (repo / "sig.txt").read_bytes() == b"\xef\xbb\xbf" + ((RESTORED + "\n") * 20).encode()
    assert (repo / "a.txt").read_bytes() == (RESTORED + "\n").encode()


def test_d09_utf16_with_a_bom_is_text_and_round_trips(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 100)
    body = (SPUN + "\n") * 6
    (repo / "u16.txt").write_bytes(body.encode("utf-16"))
    r = unspin(["check", "u16.txt"], repo)
    assert r.exit_code == 1 and r.stdout.count("u16.txt:") == 30
    r = unspin(["fix", "-w", "-j", "1", "--encoding", "utf-16", "u16.txt"], repo)
    assert r.exit_code == 0, r.stderr
    assert (repo / "u16.txt").read_bytes() == ((RESTORED + "\n") * 6).encode("utf-16")


def test_d09_utf16_without_a_bom_is_a_clear_error(repo: Path):
    (repo / "nobom.txt").write_bytes("中心集会".encode("utf-16-le"))
    r = unspin(["check", "--encoding", "utf-16", "nobom.txt"], repo)
    assert r.exit_code == 2
    one_error_path(r.stderr)
    assert "nobom.txt: utf-16 without a byte-order mark; pass --encoding utf-16-le or utf-16-be" in r.stderr


def test_d09_a_restoration_big5_cannot_store_is_skipped_with_a_note(repo: Path):
    raw = "宏不雅政策\n".encode("big5")
    (repo / "b5.txt").write_bytes(raw)
    r = unspin(["fix", "-w", "--encoding", "big5", "b5.txt"], repo)
    one_error_path(r.stderr)
    assert r.exit_code == 0 and "big5 cannot store" in r.stderr
    assert (repo / "b5.txt").read_bytes() == raw and not temps(repo)


# --- d05, d11: JSON Lines ----------------------------------------------------------------------

def test_d11_only_the_repaired_words_change_in_a_record(repo: Path):
    line = ('{"id": 1, "v": 1e400, "a": 1, "a": 2, "f": 0.1000000000000000055511151231257827, '
            '"e": "caf\\u00e9", "text": "\\u00e9' + SPUN + '"}\n')
    (repo / "a.jsonl").write_text(line, encoding="utf-8")
    r = unspin(["fix", "-w", "--field", "text", "a.jsonl"], repo)
    assert r.exit_code == 0, r.stderr
    assert (repo / "a.jsonl").read_text(encoding="utf-8") == line.replace(SPUN, RESTORED)


def test_d11_a_raw_u2028_inside_a_string_does_not_split_the_record(repo: Path):
    rows = [json.dumps({"id": 1, "text": "第一\u2028行"}, ensure_ascii=False),
            json.dumps({"id": 2, "text": SPUN}, ensure_ascii=False)]
    (repo / "b.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = unspin(["check", "--field", "text", "b.jsonl"], repo)
    assert r.exit_code == 1 and "not valid JSON" not in r.stderr
    assert {line.split(":")[1] for line in r.stdout.splitlines()} == {"2"}
    r = unspin(["fix", "-w", "--field", "text", "b.jsonl"], repo)
    assert (repo / "b.jsonl").read_text(encoding="utf-8") == rows[0] + "\n" + rows[1].replace(SPUN, RESTORED) + "\n"


def test_d05_a_lone_surrogate_is_a_record_error_not_a_traceback(repo: Path):
    rows = f'{{"id": 1, "text": "{SPUN}"}}\n{{"id": 2, "text": "{SPUN}\\ud800"}}\n'
    (repo / "s.jsonl").write_text(rows, encoding="utf-8")
    r = unspin(["check", "--field", "text", "s.jsonl"], repo)
    assert r.exit_code == 2 and "unspin: error: s.jsonl:2: field 'text' holds a lone surrogate" in r.stderr
    one_error_path(r.stderr)
    r = unspin(["fix", "-w", "--field", "text", "s.jsonl"], repo)
    assert r.exit_code == 2 and not temps(repo)
    assert (repo / "s.jsonl").read_text(encoding="utf-8") == rows.replace(SPUN, RESTORED, 1)


def test_field_typo_is_an_error_and_a_partial_miss_a_note(repo: Path):
    (repo / "c.jsonl").write_text(f'{{"text": "{SPUN}"}}\n{{"body": "x"}}\n', encoding="utf-8")
    r = unspin(["check", "--field", "txet", "c.jsonl"], repo)
    assert r.exit_code == 2 and "c.jsonl: no record has a text field 'txet' (2 records); check --field" in r.stderr
    r = unspin(["check", "--field", "text", "c.jsonl"], repo)
    assert r.exit_code == 1 and "c.jsonl: 1 of 2 records have no text field 'text'" in r.stderr


def test_field_given_twice_is_a_usage_error(repo: Path):
    (repo / "c.jsonl").write_text(f'{{"text": "{SPUN}"}}\n', encoding="utf-8")
    r = unspin(["check", "--field", "text", "--field", "body", "c.jsonl"], repo)
    assert r.exit_code == 2 and "--field" in r.stderr and "name one field" in r.stderr


def test_a_record_longer_than_a_chunk_is_not_cut(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 50)
    rows = "".join(json.dumps({"n": i, "text": SPUN * 3}, ensure_ascii=False) + "\n" for i in range(4))
    (repo / "long.jsonl").write_text(rows, encoding="utf-8")
    r = unspin(["check", "--field", "text", "-j", "1", "long.jsonl"], repo)
    assert r.exit_code == 1 and "not valid JSON" not in r.stderr
    assert sorted({int(line.split(":")[1]) for line in r.stdout.splitlines()}) == [1, 2, 3, 4]


# --- d20, d22: chunk boundaries ----------------------------------------------------------------

def test_d20_a_word_straddling_a_chunk_boundary_is_found(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 64)
    text = "，" * 62 + "经由过程审议。"
    (repo / "f.txt").write_text(text, encoding="utf-8")
    r = unspin(["check", "-j", "1", "f.txt"], repo)
    assert r.exit_code == 1 and "f.txt:1:63: 经由过程 -> 通过" in r.stdout


def test_d20_the_filter_finds_it_too(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.files.textio, "STREAM_CHUNK_CHARS", 64)
    r = unspin([], repo, stdin="，" * 62 + "经由过程审议。")
    assert r.exit_code == 0 and r.stdout.endswith("，通过审议。")


def test_d22_json_offsets_index_the_file(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 100)
    text = "".join(f"{'前言' * i}{SPUN}\n{CLEAN}\n\n" for i in range(8))  # no two chunks alike
    (repo / "big.txt").write_text(text, encoding="utf-8")
    r = unspin(["check", "--format", "json", "-j", "1", "big.txt"], repo)
    found = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(found) == 40
    assert all(text[f["start"]:f["end"]] == f["old"] for f in found)


# --- d04: stdin in bounded pieces; one code path for the filter and `fix -` ------------------------

def test_filter_and_fix_stdin_give_the_same_bytes(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.files.textio, "STREAM_CHUNK_CHARS", 80)
    text = "\ufeff" + "".join(f"{SPUN}\r\n{SPUN} unspin: ignore\r\n\r\n" for _ in range(5))
    data = text.encode()
    a = unspin([], repo, stdin=data)
    b = unspin(["fix", "-w", "-"], repo, stdin=data)
    assert a.exit_code == b.exit_code == 0
    assert a.stdout_bytes == b.stdout_bytes
    assert a.stdout_bytes.startswith(b"\xef\xbb\xbf") and a.stdout_bytes.count(b"\xef\xbb\xbf") == 1
    assert a.stdout_bytes == text.replace(f"{SPUN}\r\n", f"{RESTORED}\r\n").encode()


def test_nul_bytes_on_stdin_are_refused_before_any_output(repo: Path):
    r = unspin([], repo, stdin=b"\0" * 300_000)
    assert r.exit_code == 2 and r.stdout_bytes == b""
    assert r.stderr.startswith("unspin: error: <stdin>: binary data (NUL byte at byte 0)")


def _limited(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_d04_endless_stdin_is_refused_at_once_in_bounded_memory(repo: Path, device: str):
    with open(device, "rb") as stdin:
        p = subprocess.run(CLI, cwd=repo, stdin=stdin, capture_output=True, timeout=120,
                           preexec_fn=_limited(3 << 30))
    assert p.returncode == 2 and p.stdout == b""
    assert p.stderr.startswith(b"unspin: error: <stdin>: ") and b"Traceback" not in p.stderr


def test_a_long_single_line_on_stdin_goes_through_bounded_chunks(repo: Path, monkeypatch):
    seen: list[int] = []
    monkeypatch.setattr(Engine, "analyse", lambda self, text, rest=None, score=True: (seen.append(len(text)) or [], Score(0.0, 0)))
    line = ("中心政法委书记" * 20 + "，") * 4000  # 564,000 characters, no newline
    r = unspin([], repo, stdin=line)
    assert r.exit_code == 0 and r.stdout == line
    assert max(seen) <= repair.files.textio.STREAM_CHUNK_CHARS and len(seen) >= 8


# --- d18: pipes and FIFOs named on the command line ----------------------------------------------

def test_d18_process_substitution_is_read_as_a_stream(repo: Path):
    read, write = os.pipe()
    os.write(write, (SPUN + "\n").encode())
    os.close(write)
    try:
        r = unspin(["check", f"/dev/fd/{read}"], repo)
    finally:
        os.close(read)
    assert r.exit_code == 1 and r.stdout.count(f"/dev/fd/{read}:1:") == 5


def test_d18_fifo_without_a_writer_is_an_error_not_a_hang(repo: Path, monkeypatch):
    monkeypatch.setattr(repair.reading, "FIFO_WAIT", 0.2)
    os.mkfifo(repo / "p")
    r = unspin(["check", "p", "a.txt"], repo)
    assert r.exit_code == 2 and "unspin: error: p: FIFO with no writer" in r.stderr
    assert r.stdout.count("a.txt:") == 5


def test_d18_fifo_with_a_writer_is_read(repo: Path):
    fifo = repo / "p"
    os.mkfifo(fifo)

    def writer() -> None:
        time.sleep(0.1)
        with open(fifo, "w", encoding="utf-8") as fh:
            fh.write(SPUN + "\n")

    t = threading.Thread(target=writer)
    t.start()
    r = unspin(["check", "p"], repo)
    t.join()
    assert r.exit_code == 1 and r.stdout.count("p:1:") == 5


def test_fix_write_refuses_a_stream_argument(repo: Path):
    read, write = os.pipe()
    os.write(write, (SPUN + "\n").encode())
    os.close(write)
    try:
        r = unspin(["fix", "-w", f"/dev/fd/{read}"], repo)
    finally:
        os.close(read)
    assert r.exit_code == 2 and "not a regular file; cannot write it back" in r.stderr


# --- d17: nothing skipped silently -----------------------------------------------------------------

def test_d17_unreadable_sub_folder_is_reported(repo: Path, monkeypatch):
    """FileSelector (files/walk.py) records the folders it cannot read; every command reports them."""
    (repo / "secret").mkdir()
    real_scandir = os.scandir

    def denied(path="."):
        if str(path).endswith("secret"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    r = unspin(["check", "."], repo)
    assert r.exit_code == 2 and "secret" in r.stderr


# --- one error path: an engine failure is about its file; a configuration error is said once ----------

def test_an_engine_failure_on_one_file_is_its_error_and_the_rest_completes(repo: Path, monkeypatch):
    (repo / "bad.txt").write_text("坏" + SPUN + "\n", encoding="utf-8")
    real = Engine.analyse

    def fragile(self, text, rest=None, score=True):
        if text.startswith("坏"):
            raise ValueError("boom")
        return real(self, text, rest, score)

    monkeypatch.setattr(Engine, "analyse", fragile)
    r = unspin(["fix", "-w", "-j", "1", "a.txt", "bad.txt"], repo)
    assert r.exit_code == 2
    one_error_path(r.stderr)
    assert "unspin: error: bad.txt:1: cannot be repaired (ValueError: boom); left unchanged" in r.stderr
    assert (repo / "a.txt").read_text(encoding="utf-8") == RESTORED + "\n"
    assert (repo / "bad.txt").read_text(encoding="utf-8") == "坏" + SPUN + "\n" and not temps(repo)


def test_a_configuration_error_met_while_repairing_is_one_line(repo: Path, monkeypatch):
    from repair.errors import UnspinError

    def broken(self, text, rest=None, score=True):
        raise UnspinError("model.lm: not a KenLM model")

    monkeypatch.setattr(Engine, "analyse", broken)
    (repo / "b.txt").write_text(SPUN + "\n", encoding="utf-8")
    r = unspin(["check", "-j", "1", "a.txt", "b.txt"], repo)
    assert r.exit_code == 2 and r.stderr == "unspin: error: model.lm: not a KenLM model\n"
    r = unspin([], repo, stdin=SPUN)
    assert r.exit_code == 2 and r.stdout == "" and r.stderr == "unspin: error: model.lm: not a KenLM model\n"


# --- d06, d16 as an unprivileged user (root ignores permissions) -----------------------------------

def _as_nobody() -> list[str] | None:
    """A command prefix running Python as uid/gid 65534 with this checkout importable, or None."""
    import shutil

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
    probe = subprocess.run(prefix + ["-c", "import repair.cli"], capture_output=True, timeout=60)
    return prefix if probe.returncode == 0 else None


NOBODY = _as_nobody()
needs_nobody = pytest.mark.skipif(NOBODY is None, reason="needs root, setpriv and an install uid 65534 can import")


@needs_nobody
def test_d06_as_a_user_an_unwritable_folder_is_one_error_and_the_rest_is_fixed(tmp_path_factory):
    # pytest's own temporary folders are private to root (0700): the other user could not even
    # reach the project, so it lives in a folder of its own under the system's temporary folder
    import shutil
    import tempfile

    tmp_path = Path(tempfile.mkdtemp(prefix="unspin-nobody-"))
    try:
        _d06_as_a_user(tmp_path)
    finally:
        subprocess.run(["chmod", "-R", "u+rwX", str(tmp_path)], check=False)
        shutil.rmtree(tmp_path, ignore_errors=True)


def _d06_as_a_user(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    for rel in ("a_ro/1.txt", "z/2.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(SPUN + "\n", encoding="utf-8")
    subprocess.run(["chown", "-R", "65534:65534", str(tmp_path)], check=True)
    tmp_path.chmod(0o755)
    (root / "a_ro").chmod(0o555)
    assert NOBODY is not None
    p = subprocess.run(NOBODY + ["-c", "from repair.cli import main; main()", "fix", "-w", "-j", "1", "."],
                       cwd=root, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "unspin: error: a_ro/1.txt: cannot write (no temporary file can be created in its folder: " \
        "Permission denied); left unchanged" in p.stderr
    assert (root / "z" / "2.txt").read_text(encoding="utf-8") == RESTORED + "\n"
    assert (root / "a_ro" / "1.txt").read_text(encoding="utf-8") == SPUN + "\n" and not temps(root)


# --- properties of the pieces: chunking loses nothing, decoding is exact, splicing touches one field -----

from hypothesis import given, settings, strategies as st  # noqa: E402

from repair.engine.changes import Change, apply_changes  # noqa: E402
from repair.files.records import field_span, splice_field  # noqa: E402
from repair.files.textio import Encoding, TextReader, read_chunks  # noqa: E402

_PIECES = st.sampled_from(["中心", "集会", "经由过程", "，", "。", "\n", "\r\n", "\n\n", " ", "a", "\u2028", "é", "😀"])
_TEXT = st.lists(_PIECES, max_size=80).map("".join)


class _Stream:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def read(self, n: int = -1) -> str:
        end = len(self.text) if n < 0 else self.pos + n
        piece, self.pos = self.text[self.pos:end], min(end, len(self.text))
        return piece


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.integers(2, 40), st.booleans(), st.booleans())
def test_chunks_join_back_to_the_input_and_stay_bounded(text, limit, paragraphs, records):
    chunks = list(read_chunks(_Stream(text), paragraphs, limit, records=records))
    assert "".join(chunks) == text and all(chunks)
    if records:
        assert all(c.endswith("\n") for c in chunks[:-1])
    else:
        assert all(len(c) <= limit for c in chunks)


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "gb18030"]), st.booleans(), st.integers(1, 7))
def test_text_reader_decodes_exactly_in_any_pieces(text, codec, bom, piece):
    import io

    if codec == "gb18030":
        bom = False
    marks = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
    head = marks[codec] if bom else b""
    data = head + text.encode(codec)
    old = repair.files.textio.READ_BYTES
    repair.files.textio.READ_BYTES = piece
    try:
        reader = TextReader(io.BytesIO(data), Encoding(codec, head), "x")
        got = "".join(iter(lambda: reader.read(3), ""))
    finally:
        repair.files.textio.READ_BYTES = old
    assert got == text


_VALUES = st.text(st.sampled_from("中心集会ab\"\\/\u00e9\u2028\n\t😀"), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "x", "meta"]), st.one_of(st.integers(), _VALUES), max_size=3),
       _VALUES, st.booleans(), st.data())
def test_splicing_changes_only_the_field_and_gives_the_repaired_value(others, value, ascii_only, data):
    record = {**others, "text": value}
    line = json.dumps(record, ensure_ascii=ascii_only)
    changes, pos = [], 0
    while pos < len(value) and data.draw(st.booleans()):
        start = data.draw(st.integers(pos, len(value)))
        end = data.draw(st.integers(start, min(len(value), start + 3)))
        new = data.draw(st.sampled_from(["中央", "会议", "\"", "\\", ""]))
        if end > start:
            changes.append(Change(start, end, value[start:end], new, 1.0, "test", "test"))
        pos = end + 1
    span = field_span(line, "text")
    assert span is not None and json.loads(line[span[0]:span[1]]) == value
    out = splice_field(line, span, value, changes)
    assert json.loads(out) == {**record, "text": apply_changes(value, changes)}
    assert out[:span[0]] == line[:span[0]] and out.endswith(line[span[1]:])


def test_a_long_stream_decides_each_chunk_with_the_evidence_of_the_chunks_before(repo: Path, monkeypatch):
    # alone, one ambiguous word in a short line is left alone (see the README's limits);
    # after pages of spun text on the same stdin, the document is known to be spun
    lone = "市长主持集会。\n"
    assert unspin([], repo, stdin=lone.encode()).stdout_bytes == lone.encode()
    monkeypatch.setattr(repair.files.textio, "STREAM_CHUNK_CHARS", len(SPUN) + 2)  # a paragraph a chunk
    spun = f"{SPUN}\n\n" * 3
    out = unspin([], repo, stdin=(spun + lone).encode()).stdout_bytes.decode()
    assert out == f"{RESTORED}\n\n" * 3 + "市长主持会议。\n"
    assert unspin(["fix", "-w", "-"], repo, stdin=(spun + lone).encode()).stdout_bytes.decode() == out
