"""Unhappy paths left open by the attack sweep (``../shared/attacks``): bad input gets one clear line, exit 2.

Each test fails on the code before its fix.
"""
from __future__ import annotations

import builtins
import codecs
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

import repair.files.textio
from cli_helpers import CLEAN, SPUN, engine, unspin
from repair import Repairer


def one_error(stderr: str, where: Path, reason: str) -> None:
    """``stderr`` is exactly one ``unspin: error: WHERE: ...REASON...`` line, no traceback."""
    assert len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith(f"unspin: error: {where}: "), stderr
    assert reason in stderr


# --- a config file name taken by something that is not a file ----------------------------------

@pytest.mark.parametrize("make, reason", [
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.symlink_to(p.name), "a symbolic-link loop (Too many levels of symbolic links"),
    (lambda p: p.symlink_to("missing.yaml"), "a dangling symbolic link to missing.yaml"),
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


# --- learn: a file or folder of the corpus that cannot be read ----------------------------------

LEARN_SPUN = "我们经由过程测试发明，这个题目可以很快处置惩罚。\n经由过程这次集会，各方处置惩罚了多年的分歧。\n"


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch):
    """``deny(path, ...)`` makes paths unreadable: mode 000 for a user; for root, who reads
    everything, the kernel's EACCES is simulated on every open of a file and listing of a folder."""
    chmodded: list[Path] = []
    denied: set[str] = set()
    real_open, real_scandir = io.open, os.scandir

    def open_(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and os.path.abspath(file) in denied:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    def scandir(path="."):
        if os.path.abspath(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def make(*paths: Path) -> None:
        if os.geteuid() != 0:
            for p in paths:
                p.chmod(0)
                chmodded.append(p)
            return
        denied.update(str(p) for p in paths)
        monkeypatch.setattr(io, "open", open_)  # Path.open
        monkeypatch.setattr(builtins, "open", open_)
        monkeypatch.setattr(os, "scandir", scandir)

    yield make
    for p in chmodded:
        p.chmod(0o755)


def test_learn_reports_an_unreadable_file_and_folder_and_learns_from_the_rest(tmp_path: Path, deny):
    """As check and fix do: one ``unspin: error: NAME: cannot read...; skipped`` line each, the
    rest is read and the pairs are written, exit 2. Before, the file stopped the run with a raw
    ``[Errno 13] ...`` and the folder was skipped without a word."""
    table = tmp_path / "t.txt"
    table.write_text("通过-经由过程\n", encoding="utf-8")
    corpus = tmp_path / "c"
    (corpus / "secret").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "secret/c.txt"):
        (corpus / name).write_text(LEARN_SPUN, encoding="utf-8")
    args = ["learn", "c", "--table", "t.txt", "--no-builtin", "--min-count", "1", "--min-docs", "1"]
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    expected = unspin(["learn", "alone/a.txt", *args[2:]], tmp_path)
    assert expected.exit_code == 0 and "经由过程\t通过" in expected.stdout, expected.output
    deny(corpus / "b.txt", corpus / "secret")
    r = unspin([*args, "-o", "pairs.tsv"], tmp_path)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.stderr and "Errno" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if "error" in line]
    assert errors == ["unspin: error: c/secret: cannot read this folder (Permission denied); skipped",
                      "unspin: error: c/b.txt: cannot be read (Permission denied); skipped"]
    assert (tmp_path / "pairs.tsv").read_text(encoding="utf-8") == expected.stdout


def test_learn_reports_a_file_that_is_not_utf8_as_check_does_and_learns_from_the_rest(tmp_path: Path):
    """A corpus file that does not decode is an error (exit 2), worded as ``check`` words it; a binary
    file is the same note ``check`` gives. Before, both were notes and learn exited 0, so a corpus
    in GB18030 learnt nothing from most of its files without failing a script."""
    table = tmp_path / "t.txt"
    table.write_text("通过-经由过程\n", encoding="utf-8")
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    (corpus / "b.txt").write_bytes(LEARN_SPUN.encode("gb18030"))
    (corpus / "c.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    args = ["--table", "t.txt", "--no-builtin", "--min-count", "1", "--min-docs", "1"]
    expected = unspin(["learn", "c/a.txt", *args], tmp_path)
    assert expected.exit_code == 0 and "经由过程\t通过" in expected.stdout, expected.output
    r = unspin(["learn", "c", *args, "-o", "pairs.tsv"], tmp_path)
    assert r.exit_code == 2, r.output
    check = unspin(["check", "c/b.txt", "c/c.txt"], tmp_path)
    assert check.exit_code == 2
    lines = {"unspin: error: c/b.txt: not valid utf-8 at byte 0; skipped (pass --encoding (e.g. gb18030 or big5) "
             "to read it)", "c/c.txt: binary file (NUL bytes), skipped"}
    assert set(r.stderr.splitlines()[:2]) == set(check.stderr.splitlines()[:2]) == lines
    assert (tmp_path / "pairs.tsv").read_text(encoding="utf-8") == expected.stdout


def test_learn_names_an_unreadable_synonym_file_in_one_line(tmp_path: Path, deny):
    (tmp_path / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    synonyms = tmp_path / "syn.txt"
    synonyms.write_text("通过 经由过程\n", encoding="utf-8")
    deny(synonyms)
    r = unspin(["learn", "a.txt", "--synonyms", "syn.txt", "-o", "pairs.tsv"], tmp_path)
    assert r.exit_code == 2, r.output
    assert r.stderr == "unspin: error: syn.txt: Permission denied\n"
    assert not (tmp_path / "pairs.tsv").exists()



@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_learn_names_a_device_output_it_cannot_write_to(tmp_path: Path):
    """``-o`` a device is written to as ``>`` would; a write error there named no file
    ("unspin: error: unspin: No space left on device"): it names the output now, in one line."""
    (tmp_path / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    r = unspin(["learn", "a.txt", "--include-known", "--min-count", "1", "--min-docs", "1", "-o", "/dev/full"],
               tmp_path)
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines()[-1] == "unspin: error: /dev/full: No space left on device"

@pytest.mark.parametrize("output", ["out/pairs.tsv", "out/new/pairs.tsv"], ids=["in-it", "below-it"])
def test_learn_refuses_an_output_folder_it_cannot_write_in_before_any_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str):
    """``learn -o out/pairs.tsv`` with ``out`` read-only learnt for minutes, then failed at the
    atomic write's temporary file and lost the pairs. The folder is tried first now (the same
    temporary file, made and removed), so the run stops before the work. Root ignores folder
    permissions, so the kernel's EACCES on creating a file there is simulated."""
    import repair.cli.commands.learn as learn_command

    (tmp_path / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    (tmp_path / "out").mkdir()
    real_open, real_mkdir = os.open, os.mkdir
    out = str(tmp_path / "out")

    def no_create(path, flags, mode=0o777, *, dir_fd=None):
        if os.path.dirname(os.path.abspath(path)) == out and flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode)

    def no_mkdir(path, mode=0o777, *, dir_fd=None):
        if os.path.dirname(os.path.abspath(path)) == out:
            raise PermissionError(13, "Permission denied")
        return real_mkdir(path, mode)

    def never(*args, **kwargs):
        raise AssertionError("learnt before finding the output folder unwritable")

    monkeypatch.setattr(os, "open", no_create)
    monkeypatch.setattr(os, "mkdir", no_mkdir)
    monkeypatch.setattr(learn_command, "learn_pairs", never)
    r = unspin(["learn", "a.txt", "-o", output], tmp_path)
    assert r.exit_code == 2, r.output
    why = "cannot write (cannot create its folder: Permission denied); not written" if "new" in output else \
        "cannot write (no temporary file can be created in its folder: Permission denied)"
    one_error(r.stderr, Path(output), why)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_fix_names_the_folder_that_refuses_a_new_file(repo: Path, chattr):
    """``fix -w`` of a writable file in an immutable folder said "cannot write (Operation not
    permitted)", which reads as if the file were the trouble: the folder is named now."""
    (repo / "ro").mkdir()
    (repo / "ro" / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    chattr(repo / "ro", "+i")
    r = unspin(["fix", "-w", "ro/a.txt"], repo)
    assert r.exit_code == 2
    one_error(r.stderr.splitlines()[0] + "\n", Path("ro/a.txt"),
              "cannot write (no temporary file can be created in its folder: Operation not permitted); left unchanged")
    assert (repo / "ro" / "a.txt").read_text(encoding="utf-8") == SPUN + "\n"


# --- -j: a pool no larger than the machine can use ----------------------------------------------

@pytest.mark.parametrize("command", ["check", "score"])
def test_jobs_is_capped_at_twice_the_cores(repo: Path, monkeypatch: pytest.MonkeyPatch, command: str):
    """``-j 100000`` started one process per job (up to 100000); the work is CPU-bound."""
    for i in range(12):
        (repo / f"f{i}.txt").write_text((repo / "a.txt").read_text(encoding="utf-8"), encoding="utf-8")
    started: list[int] = []
    real_pool = multiprocessing.Pool

    def pool(workers: int, *args):
        started.append(workers)
        return real_pool(min(workers, 2), *args)  # the test itself never starts a dozen

    monkeypatch.setattr(multiprocessing, "Pool", pool)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    r = unspin([command, "-j", "100000", "."], repo)
    assert r.exit_code in (0, 1), r.output
    assert started == [2 * 2]
    one = unspin([command, "-j", "1", "."], repo)
    assert r.stdout == one.stdout  # the same results, whatever the pool
    zero = unspin([command, "-j", "0", "."], repo)
    assert zero.exit_code == 2 and "Invalid value for '-j' / '--jobs'" in zero.stderr


def test_ray_actors_are_capped_at_twice_the_clusters_cpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """With ``--ray -j 100000`` each actor asked for 1/200000 CPU, so Ray would start them all."""
    import repair.scale.cluster as cluster
    from repair.files.runner import Options

    class Cluster:
        def cluster_resources(self) -> dict[str, float]:
            return {"CPU": 3.0}

    started: list[int] = []
    monkeypatch.setattr(cluster, "import_ray", Cluster)
    monkeypatch.setattr(cluster, "connect", lambda address: False)
    monkeypatch.setattr(cluster.runner, "run", lambda *args, **kwargs: started.append(args[4]))
    inputs = []
    for i in range(20):
        (tmp_path / f"{i}.txt").write_text("文本\n", encoding="utf-8")
        inputs.append((f"{i}.txt", tmp_path / f"{i}.txt"))
    run = cluster.ray_run(None, 100000, meter=cluster.Meter(write=lambda s: None, tty=False))
    run(inputs, None, Options(), None, 1)
    assert started == [6]


# --- one huge JSON Lines record: decided in chunks, memory bounded ------------------------------

PLAIN = "今天天气很好，我们一起去公园散步，看见很多孩子在玩耍。"


def _traced_peak(args: list[str], cwd: Path) -> tuple[int, str]:
    tracemalloc.start()
    try:
        r = unspin(args, cwd)
        return tracemalloc.get_traced_memory()[1], r.stdout
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_a_huge_record_is_decided_in_chunks_in_bounded_memory(repo: Path, monkeypatch: pytest.MonkeyPatch):
    """A record went to the engine whole (~150-600 bytes a character: a 50 MB record took 9 GB),
    and splicing the repaired words kept an int per character. Chunks are made small here so
    that a record of 100 KB stands in for one of megabytes; memory is traced, not timed."""
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 2048)
    text = ((PLAIN * 3 + SPUN) * 400)[:40_000]
    (repo / "small.jsonl").write_text(json.dumps({"text": SPUN}, ensure_ascii=False) + "\n", encoding="utf-8")
    (repo / "big.jsonl").write_text(json.dumps({"id": 1, "text": text}, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    (repo / "big.txt").write_text(text, encoding="utf-8")
    size = (repo / "big.jsonl").stat().st_size
    unspin(["fix", "--field", "text", "small.jsonl"], repo)  # loads what is loaded once per process,
    unspin(["fix", "big.txt"], repo)  # the context model's word index too: it fills with the text read
    base, _ = _traced_peak(["fix", "--field", "text", "small.jsonl"], repo)  # what a run costs anyway
    peak, _ = _traced_peak(["fix", "-w", "--field", "text", "big.jsonl"], repo)
    # ~15x: a few copies of the record (~5x) and its findings (~700 bytes each, one every ~20
    # characters here); whole, the engine alone took ~150-600 bytes a character (~90x at these sizes)
    assert peak - base < 25 * size, (peak - base) / size
    # decided as the same text in a plain file is (same chunks, each with the rest's evidence)
    assert unspin(["fix", "-w", "big.txt"], repo).exit_code == 0
    fixed = json.loads((repo / "big.jsonl").read_text(encoding="utf-8"))
    assert fixed == {"id": 1, "text": (repo / "big.txt").read_text(encoding="utf-8")}
    assert fixed["text"] != text


@pytest.mark.parametrize("name, body", [(".unspin.yaml", "threshold: 0.99\n"),
                                        ("pyproject.toml", "[tool.unspin]\nthreshold = 0.99\n")])
def test_a_config_file_with_a_bom_is_read(repo: Path, name: str, body: str):
    """Windows editors save UTF-8 with a BOM; pyproject.toml's was 'not valid TOML' at line 1."""
    (repo / ".unspin.yaml").unlink()
    default = [json.loads(line) for line in unspin(["check", "--format", "json", "a.txt"], repo).stdout.splitlines()]
    assert any(f["confidence"] < 0.99 for f in default)  # so the file's threshold shows
    (repo / name).write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    r = unspin(["check", "--format", "json", "a.txt"], repo)
    assert r.stderr == "" and r.exit_code in (0, 1), r.output
    assert [json.loads(line) for line in r.stdout.splitlines()] == [f for f in default if f["confidence"] >= 0.99]


# --- SIGTERM to the whole process group while workers wait for work -----------------------------

CLI = [sys.executable, "-c", "from repair.cli import main; main()"]


def _open_writer(fifo: Path, proc: subprocess.Popen) -> int:
    """The FIFO opened for writing as soon as ``proc`` has it open for reading."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            time.sleep(0.05)
    pytest.fail(f"unspin never opened the FIFO (exit {proc.poll()})")


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(2))
@pytest.mark.parametrize("timeout_style", [False, True], ids=["group", "child-then-group"])
def test_sigterm_to_the_group_while_a_worker_waits_on_the_queue_ends_the_run(repo: Path, attempt: int,
                                                                              timeout_style: bool):
    """``timeout 6 unspin check -j2 …`` could hang for ever: an idle worker blocks reading the
    task queue *holding its lock*; killed there by the group's SIGTERM it never releases it, and
    ``Pool.terminate()`` waits for that lock. The parent now kills its workers and never calls it.

    The workers are made idle on purpose: the second input is a FIFO the parent waits on.
    ``timeout`` signals unspin and then its whole group, so unspin may see two SIGTERMs;
    the second must not cut the clean-up short. Looped from outside 20 times each for
    ``timeout N unspin check/fix -w -j2`` (see the commit): 6 of 20 hung before, none after.
    """
    fifo = repo / "more.txt"
    os.mkfifo(fifo)
    proc = subprocess.Popen([*CLI, "check", "-j", "2", "a.txt", "more.txt"], cwd=repo, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        writer = _open_writer(fifo, proc)  # once the parent, its pool started, opens the FIFO
        try:
            time.sleep(1.5)  # the workers finish a.txt and wait on the queue
            if timeout_style:
                os.kill(proc.pid, signal.SIGTERM)
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                _, err = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail("unspin hung after SIGTERM")
        finally:
            os.close(writer)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group, if the run hung
        except ProcessLookupError:
            pass
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert b"terminated" in err and b"Traceback" not in err, err
    assert not list(repo.rglob("*.unspin-tmp"))


# --- a second Ctrl-C or SIGTERM while the first one's clean-up runs -----------------------------

#: Runs the CLI after sending ``FIRST`` to itself as m3.txt's job starts (mid-batch: m0.txt
#: written, m1.txt's temp file pending) and ``SECOND`` as the clean-up begins to remove the
#: temp files: the exact moment a user's impatient second Ctrl-C lands, every time.
TWICE = """
import os, signal
import repair.files.atomic as atomic, repair.files.runner as runner
real_run_job, real_discard, sent = runner.run_job, atomic.discard, []

def run_job(engine, job):
    if job.path == "m3.txt":
        sent.append(signal.{first})
        os.kill(os.getpid(), signal.{first})
    return real_run_job(engine, job)

def discard(path):
    if len(sent) == 1 and path is not None and path.exists():
        sent.append(signal.{second})
        os.kill(os.getpid(), signal.{second})
    real_discard(path)

runner.run_job, atomic.discard = run_job, discard
from repair.cli import main
main()
"""


@pytest.mark.parametrize("first, second", [("SIGINT", "SIGINT"), ("SIGINT", "SIGTERM"), ("SIGTERM", "SIGINT")])
def test_a_second_signal_during_the_clean_up_leaves_no_temp_file(repo: Path, first: str, second: str):
    """Ctrl-C pressed twice: the second KeyboardInterrupt was raised inside ``discard_all`` and
    the temp files not yet removed stayed, with a traceback. The first signal now ends the run
    and later ones are ignored until the clean-up is done (as a second SIGTERM already was)."""
    old, new = SPUN + "\n", engine(repo).fix(SPUN + "\n")
    (repo / "a.txt").unlink()
    paths = []
    for i in range(6):
        paths.append(repo / f"m{i}.txt")
        paths[-1].write_text(old, encoding="utf-8")
    r = subprocess.run([sys.executable, "-c", TWICE.format(first=first, second=second), "fix", "-w", "-j", "1", "."],
                       cwd=repo, capture_output=True, text=True, timeout=300)
    assert r.returncode == 128 + getattr(signal, first), r.stderr
    assert "Traceback" not in r.stderr and "every file is either unchanged or fully written" in r.stderr
    assert not list(repo.rglob("*.unspin-tmp"))
    states = [p.read_text(encoding="utf-8") for p in paths]
    assert set(states) <= {old, new} and states[0] == new and states[-1] == old


#: Runs the CLI and sends SIGINT to itself once, while a file with two hard links is rewritten in
#: its inode: after the new text is copied in, before the old text's tail is cut off.
MID_REWRITE = """
import os, signal, sys
from repair.files.atomic import AtomicWriter
real_rewrite = AtomicWriter._rewrite_inode

def profile(frame, event, arg):
    if event == "c_call" and getattr(arg, "__name__", "") == "truncate":
        sys.setprofile(None)
        os.kill(os.getpid(), signal.SIGINT)

def rewrite(self):
    sys.setprofile(profile)
    try:
        real_rewrite(self)
    finally:
        sys.setprofile(None)

AtomicWriter._rewrite_inode = rewrite
from repair.cli import main
main()
"""


def test_ctrl_c_while_a_hard_linked_file_is_rewritten_leaves_it_whole(tmp_path: Path):
    """A file with several links is copied into its own inode (no rename), which a Ctrl-C could
    cut in two: the new text followed by the tail of the old one. Writing a file back is now one
    section the signal waits for; the run then stops as interrupted."""
    old = LEARN_SPUN * 3
    new = Repairer().fix(old)
    assert len(new.encode("utf-8")) < len(old.encode("utf-8"))  # so a missing truncate shows
    (tmp_path / "a.txt").write_text(old, encoding="utf-8")
    os.link(tmp_path / "a.txt", tmp_path / "b.txt")
    r = subprocess.run([sys.executable, "-c", MID_REWRITE, "fix", "-w", "a.txt"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 130, r.stderr
    assert "Traceback" not in r.stderr and "interrupted" in r.stderr
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == new
    assert os.path.samefile(tmp_path / "a.txt", tmp_path / "b.txt")
    assert not list(tmp_path.rglob("*.unspin-tmp"))


# --- fix -w keeps who owns the file and what is attached to it -----------------------------------

def _xattr(path: Path, name: str, value: bytes) -> None:
    try:
        os.setxattr(path, name, value)
    except (AttributeError, OSError):
        pytest.skip("no extended attributes here")


def test_fix_keeps_extended_attributes(repo: Path):
    """The temp file renamed over the original carried its mode and owner but none of its
    extended attributes: a user tag, and with them POSIX ACLs and SELinux labels, were dropped
    without a word (codespell, black and ruff write in place, so they keep them)."""
    a = repo / "a.txt"
    _xattr(a, "user.origin", b"crawl-2026")
    r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 0, r.output
    assert a.read_text(encoding="utf-8") == engine(repo).fix(SPUN + "\n")
    assert os.getxattr(a, "user.origin") == b"crawl-2026"


@pytest.mark.parametrize("refused", ["fchown", "setxattr"])
def test_a_file_whose_owner_or_attributes_cannot_be_carried_over_is_rewritten_in_place(
        repo: Path, monkeypatch: pytest.MonkeyPatch, refused: str):
    """A user who may write someone else's file cannot give the new file to its owner (only root
    can chown): the rename handed the file over to the user, owner and group, silently. As vim
    does then (``backupcopy=auto``), the original's inode is rewritten instead, so owner, group,
    mode and attributes stay; the new text is complete on disk before any byte of it is touched.
    Root is made to fail as a user would, with EPERM."""
    a = repo / "a.txt"
    _xattr(a, "user.origin", b"crawl-2026")
    os.chown(a, 65534, 65534)
    before = a.stat()

    def eperm(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, refused, eperm)
    r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 0, r.output
    after = a.stat()
    assert a.read_text(encoding="utf-8") == engine(repo).fix(SPUN + "\n")
    assert (after.st_ino, after.st_uid, after.st_gid, after.st_mode) == (before.st_ino, 65534, 65534, before.st_mode)
    assert os.getxattr(a, "user.origin") == b"crawl-2026"
    assert not list(repo.rglob("*.unspin-tmp"))


# --- a file no one may replace: immutable or append-only (chattr +i / +a) ----------------------

@pytest.fixture
def chattr():
    """``chattr(path, "+i")`` sets an inode flag for real (root, a filesystem that has them), else
    skips; every flag set is cleared after the test, so the temporary folder can be removed."""
    flagged: list[Path] = []

    def run(path: Path, flag: str) -> None:
        try:
            subprocess.run(["chattr", flag, str(path)], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            pytest.skip("chattr cannot set flags here (not root, or a filesystem without them)")
        flagged.append(path)

    yield run
    for path in flagged:
        subprocess.run(["chattr", "-i", "-a", str(path)], capture_output=True)


@pytest.mark.parametrize("flag, what", [("+i", "immutable file (lsattr shows its i attribute; chattr -i"),
                                        ("+a", "append-only file (lsattr shows its a attribute; chattr -a")],
                         ids=["immutable", "append-only"])
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_an_immutable_or_append_only_file_is_named_so_and_no_useless_hint_given(
        repo: Path, chattr, flag: str, what: str, force: bool):
    """An immutable file was refused as "read-only; pass --force to write it anyway", and with
    --force it failed all the same ("Operation not permitted"); an append-only one failed at the
    rename. Neither is a matter of --force: the message says what the file is and what clears it."""
    a = repo / "a.txt"
    before = a.read_bytes()
    chattr(a, flag)
    r = unspin(["fix", "-w", *(["--force"] if force else []), "a.txt"], repo)
    assert r.exit_code == 2, r.output
    one_error(r.stderr.splitlines()[0] + "\n", Path("a.txt"), what)
    assert "--force" not in r.stderr and "Operation not permitted" not in r.stderr, r.stderr
    assert a.read_bytes() == before and not list(repo.rglob("*.unspin-tmp"))


def test_an_immutable_file_is_recognised_by_its_inode_flags(repo: Path, monkeypatch: pytest.MonkeyPatch):
    """The same where chattr cannot run (not root, tmpfs): the flag as FS_IOC_GETFLAGS reports it."""
    import repair.files.atomic as atomic

    real = atomic._inode_flags
    monkeypatch.setattr(atomic, "_inode_flags",
                        lambda p: atomic._FS_IMMUTABLE_FL if Path(p).name == "a.txt" else real(p))
    r = unspin(["fix", "-w", "--force", "a.txt"], repo)
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == ("unspin: error: a.txt: immutable file (lsattr shows its i attribute; "
                                        "chattr -i, as root, clears it); not written"), r.stderr
    assert (repo / "a.txt").read_text(encoding="utf-8") == SPUN + "\n"


def test_learn_names_an_immutable_output(tmp_path: Path, chattr):
    """``learn -o pairs.tsv`` over an immutable file said "read-only file … make it writable"."""
    (tmp_path / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    (tmp_path / "pairs.tsv").write_text("# old\n", encoding="utf-8")
    chattr(tmp_path / "pairs.tsv", "+i")
    r = unspin(["learn", "a.txt", "-o", "pairs.tsv"], tmp_path)
    assert r.exit_code == 2
    one_error(r.stderr, Path("pairs.tsv"), "immutable file (lsattr shows its i attribute")


# --- encodings: what the message says about a file that is not what it should be -----------------

@pytest.mark.parametrize("data, at", [(b"ab\xe4\xb8", 2), (b"ab\xe4\xb8\n", 2), (b"\xef\xbb\xbfab\xb8", 5)],
                         ids=["cut-at-the-end", "cut-before-a-newline", "after-a-bom"])
def test_a_bad_byte_is_counted_where_it_is(repo: Path, data: bytes, at: int):
    """A UTF-8 sequence cut short at the end of a file was reported past it ("at byte 4" of a
    4-byte file): the check counted the block the decoder had held back as read. Stdin said 2."""
    (repo / "a.txt").write_bytes(data)
    r = unspin(["check", "a.txt"], repo)
    assert r.exit_code == 2
    one_error(r.stderr, Path("a.txt"), f"not valid utf-8 at byte {at}; skipped")
    filtered = unspin([], repo, stdin=data)
    assert f"at byte {at};" in filtered.stderr, filtered.stderr


def test_a_file_whose_bom_lies_gets_no_hint_to_pass_another_encoding(repo: Path):
    """A UTF-16 byte-order mark before an odd byte said "pass --encoding (e.g. gb18030 or big5)",
    which cannot help a file that names its own encoding, and stdin said "wrong --encoding?"
    though none was given."""
    data = codecs.BOM_UTF16_LE + "中心".encode("utf-16-le") + b"\x41"
    (repo / "a.txt").write_bytes(data)
    for r in (unspin(["check", "a.txt"], repo), unspin([], repo, stdin=data)):
        assert r.exit_code == 2
        assert "not valid utf-16-le at byte 6; skipped (its byte-order mark says utf-16-le: a damaged or " \
               "truncated file?)" in r.stderr, r.stderr
        assert "--encoding" not in r.stderr, r.stderr


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_named_not_called_binary(repo: Path, codec: str):
    """A UTF-16 file saved without a byte-order mark was "binary file (NUL bytes), skipped", a
    note and exit 0: check passed a file it never read. It is named, with the option that reads
    it, and is an error (exit 2) as any text that cannot be read is; binary data stays a note."""
    (repo / "a.txt").write_bytes((SPUN + "\n").encode(codec))
    (repo / "b.bin").write_bytes(bytes(range(256)) * 4)
    (repo / "c.txt").write_bytes(b"abc\n\0def\n")  # a stray NUL in UTF-8 text: binary, as before
    r = unspin(["check", "a.txt", "b.bin", "c.txt"], repo)
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert lines[0] == (f"unspin: error: a.txt: looks like {codec.upper()} without a byte-order mark; "
                        f"skipped (pass --encoding {codec} to read it)"), r.stderr
    assert lines[1:] == ["b.bin: binary file (NUL bytes), skipped", "c.txt: binary file (NUL bytes), skipped"]
    again = unspin(["check", "--encoding", codec, "a.txt"], repo)
    assert again.exit_code == 1 and again.stdout.startswith("a.txt:1:1: 中心 -> 中央"), again.output


@pytest.mark.parametrize("args", [[], ["fix", "-w", "-"]], ids=["filter", "fix-w-stdin"])
def test_stdin_refused_at_its_first_bad_byte_writes_not_even_its_bom(repo: Path, args: list[str]):
    """"Input that is not UTF-8 is refused with exit code 2 and nothing on stdout": the BOM of
    such an input was written before its text was read; an input of a BOM alone still gives it back."""
    r = unspin(args, repo, stdin=codecs.BOM_UTF8 + b"ab\xb8cd\n")
    assert r.exit_code == 2 and r.stdout_bytes == b"", r.stdout_bytes
    assert unspin(args, repo, stdin=codecs.BOM_UTF8).stdout_bytes == codecs.BOM_UTF8


# --- fix's diff names any file in a patch that applies -------------------------------------------

@pytest.mark.parametrize("name, header", [("new\nline.txt", '"a/new\\nline.txt"'),
                                          ("esc\x1b[31m.txt", '"a/esc\\033[31m.txt"'),
                                          ("bad\udcff.txt", '"a/bad\\377.txt"'),
                                          ("中文 名.txt", "a/中文 名.txt")],
                         ids=["newline", "escape", "not-utf8", "chinese"])
def test_the_diff_quotes_a_file_name_as_git_does_and_applies(repo: Path, name: str, header: str):
    """A newline in a name ended the ``---`` line, so the patch named another file (``a/new``),
    and an escape sequence reached the terminal. Names are now written as git writes them:
    as they are, unless they hold a control character, a quote, a backslash or bytes that are
    not UTF-8, then C-quoted; ``git apply`` reads them back."""
    (repo / "a.txt").rename(repo / name)
    r = unspin(["fix", "."], repo)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[:2] == [f"--- {header}", f"+++ {header.replace('a/', 'b/', 1)}"]
    (repo / "fix.patch").write_bytes(r.stdout_bytes)
    subprocess.run(["git", "apply", "fix.patch"], cwd=repo, check=True, capture_output=True)
    assert (repo / name).read_text(encoding="utf-8") == engine(repo).fix(SPUN + "\n")


# --- stdout closed: by its reader (| head -0) or before the run (>&-) ---------------------------

def test_learn_into_a_closed_pipe_exits_141_quietly(tmp_path: Path):
    """As every other command does (``unspin learn corpus | head -0``); learn's own handler for
    OS errors turned it into ``unspin: error: unspin: Broken pipe``, exit 2."""
    (tmp_path / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    p = subprocess.Popen([*CLI, "learn", "a.txt"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None
    p.stdout.close()  # the reader is gone before anything is written
    _, err = p.communicate(timeout=300)
    assert p.returncode == 141, err
    assert b"error" not in err and b"Traceback" not in err, err


@pytest.mark.parametrize("args", [["a.txt"], [], ["learn", "a.txt"]], ids=["files", "stdin", "learn"])
def test_a_stdout_closed_before_the_run_is_one_error_line(repo: Path, args: list[str]):
    """``unspin a.txt >&-``: Python starts with no ``sys.stdout`` and the filter ended in an
    AttributeError traceback. Now one line and exit 2, as ``cat`` reports its write error."""
    def close_stdout() -> None:
        os.close(1)

    r = subprocess.run([*CLI, *args], cwd=repo, input=(SPUN + "\n").encode("utf-8"), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, preexec_fn=close_stdout, timeout=300)
    assert r.returncode == 2, r.stderr
    assert r.stderr.decode().splitlines()[-1] == "unspin: error: stdout is closed; nothing to write the text to"
    assert b"Traceback" not in r.stderr


@pytest.mark.parametrize("args, what", [
    (["check", "a.txt"], "the findings"),
    (["check", "--format", "rdjson", "a.txt"], "the findings"),
    (["score", "a.txt"], "the scores"),
    (["fix", "a.txt"], "the diff"),
    (["explain", "a.txt"], "the explanations"),
], ids=["check", "check-rdjson", "score", "fix-diff", "explain"])
def test_output_to_a_stdout_closed_before_the_run_is_one_error_line(repo: Path, args: list[str], what: str):
    """``unspin check a.txt >&-`` in a hook: click drops text written to a missing stdout
    without a word, so the findings were lost and the run looked like a clean one (score, fix's
    diff and explain exited 0). Now one line naming what could not be printed, exit 2."""
    r = subprocess.run([*CLI, *args], cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       preexec_fn=lambda: os.close(1), timeout=300)
    assert r.returncode == 2, r.stderr
    assert r.stderr.decode() == f"unspin: error: stdout is closed; nothing to write {what} to\n"


def test_a_clean_check_with_stdout_closed_has_nothing_to_lose(repo: Path):
    """Nothing to print, nothing lost: a clean file still exits 0, as the filter of an empty input does."""
    (repo / "a.txt").write_text(CLEAN + "\n", encoding="utf-8")
    r = subprocess.run([*CLI, "check", "a.txt"], cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       preexec_fn=lambda: os.close(1), timeout=300)
    assert r.returncode == 0 and r.stderr == b"", r.stderr


@pytest.mark.parametrize("args", [["fix", "-w", "a.txt"], ["fix", "-o", "out", "a.txt"]], ids=["w", "o"])
def test_fix_writing_with_stdout_closed_refuses_before_writing(repo: Path, args: list[str]):
    """Its ``fixed a.txt`` lines cannot be printed: refused before any file is written, rather than a
    run stopped after the first file (or one whose report is silently lost)."""
    before = (repo / "a.txt").read_bytes()
    r = subprocess.run([*CLI, *args], cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       preexec_fn=lambda: os.close(1), timeout=300)
    assert r.returncode == 2, r.stderr
    assert r.stderr.decode().startswith("unspin: error: stdout is closed; nothing to write the names of the files "
                                        "fixed to; nothing was written"), r.stderr
    assert len(r.stderr.splitlines()) == 1
    assert (repo / "a.txt").read_bytes() == before and not (repo / "out").exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args, what", [
    (["a.txt"], "the text"),
    ([], "the text"),
    (["check", "a.txt"], "the findings"),
    (["fix", "a.txt"], "the diff"),
    (["fix", "-w", "-"], "the text"),
], ids=["filter-files", "filter-stdin", "check", "fix-diff", "fix-w-stdin"])
def test_a_stdout_that_cannot_take_the_output_is_one_error_line(repo: Path, args: list[str], what: str):
    """``unspin a.txt >/dev/full``: the filter ended in a traceback (OSError from the write), and the
    commands said ``unspin: error: unspin: No space left on device``, naming no file. Now stdout is named."""
    with open("/dev/full", "wb") as full:
        r = subprocess.run([*CLI, *args], cwd=repo, input=(SPUN + "\n").encode("utf-8"), stdout=full,
                           stderr=subprocess.PIPE, timeout=300)
    assert r.returncode == 2, r.stderr
    err = r.stderr.decode()
    assert f"unspin: error: stdout: cannot write {what} (No space left on device)\n" in err, err
    assert "Traceback" not in err and len([line for line in err.splitlines() if "error" in line]) == 1, err


@pytest.mark.parametrize("text", [f"{SPUN}\r{SPUN}\r", f"甲\u2028{SPUN}\n乙\x0c{SPUN}\n丙\x85{SPUN}\x1c\n"],
                         ids=["cr-only", "unicode-separators"])
def test_the_diff_of_a_file_with_other_line_breaks_applies(repo: Path, text: str):
    """Lines are ``\\n``-terminated for ``patch`` and ``git apply``, and for check's line numbers;
    the diff split them where Python's ``splitlines`` does (CR, form feed, U+2028, U+0085…), so a
    CR-only file or one with a line separator in scraped text gave a patch that did not apply."""
    (repo / "a.txt").write_bytes(text.encode("utf-8"))
    r = unspin(["fix", "a.txt"], repo)
    assert r.exit_code == 0 and r.stdout, r.output
    (repo / "fix.patch").write_bytes(r.stdout_bytes)
    subprocess.run(["git", "apply", "fix.patch"], cwd=repo, check=True, capture_output=True)
    assert (repo / "a.txt").read_bytes() == engine(repo).fix(text).encode("utf-8")


def test_a_changed_line_starting_with_dashes_stays_in_a_later_chunks_diff(repo: Path, monkeypatch: pytest.MonkeyPatch):
    """A later chunk's diff drops difflib's ``---``/``+++`` header; it was recognised by its
    prefix, so a removed line that starts with ``--`` (``-`` + ``--…``, a Markdown rule or a
    signature line) was dropped with it and the patch did not apply."""
    monkeypatch.setattr(repair.files.textio, "CHUNK_CHARS", 100)
    text = f"{SPUN}\n\n" + f"{CLEAN}\n\n" * 3 + f"--{SPUN}\n++{SPUN}\n"
    (repo / "a.txt").write_text(text, encoding="utf-8")
    (repo / "b.txt").write_text(text, encoding="utf-8")
    r = unspin(["fix", "a.txt"], repo)
    assert r.exit_code == 0 and r.stdout.count("@@ -") > 1 and f"\n---{SPUN}\n" in r.stdout, r.output
    (repo / "fix.patch").write_bytes(r.stdout_bytes)
    subprocess.run(["git", "apply", "fix.patch"], cwd=repo, check=True, capture_output=True)
    assert unspin(["fix", "-w", "b.txt"], repo).exit_code == 0
    assert (repo / "a.txt").read_text(encoding="utf-8") == (repo / "b.txt").read_text(encoding="utf-8") != text


# --- a data file named by mistake -----------------------------------------------------------------

@pytest.mark.parametrize("option", ["--table", "--dictionary"])
def test_a_table_that_is_a_fifo_no_one_writes_to_is_reported_not_waited_on(repo: Path, option: str):
    """``--table <(…)`` is read as a stream, but a FIFO no one writes to blocked ``open`` for
    ever, without a word. As for an input FIFO, it is reported after a few seconds (0.2 here)."""
    os.mkfifo(repo / "t.fifo")
    code = "import repair.reading; repair.reading.FIFO_WAIT = 0.2\nfrom repair.cli import main\nmain()"
    try:
        r = subprocess.run([sys.executable, "-c", code, "check", option, "t.fifo", "a.txt"], cwd=repo,
                           capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("unspin waited for ever on the FIFO")
    assert r.returncode == 2, r.stderr
    assert r.stderr == "unspin: error: t.fifo: FIFO with no writer after 0.2 s\n"


@pytest.mark.parametrize("mode", [0o4755, 0o3644, 0o600, 0o1777], ids=oct)
def test_fix_keeps_odd_mode_bits(repo: Path, mode: int):
    """Set-user-ID, set-group-ID and sticky bits stay (the chown that gives the temp file its
    owner clears set-user-ID, so the mode is set after it)."""
    a = repo / "a.txt"
    a.chmod(mode)
    r = unspin(["fix", "-w", "--force", "a.txt"], repo)
    assert r.exit_code == 0, r.output
    assert a.stat().st_mode & 0o7777 == mode
    assert a.read_text(encoding="utf-8") == engine(repo).fix(SPUN + "\n")


# --- a newline in a name never splits a message ------------------------------------------------

@pytest.mark.parametrize("args", [
    ["dir\nx"],
    ["fix", "-o", "dir\nx", "dir\nx"],
    ["check", "dir\nx/.a.txt.deadbeef.unspin-tmp"],
    ["--table", "dir\nx/bad-table.txt", "a.txt"],
    ["learn", "dir\nx/a.txt", "-o", "dir\nx/a.txt"],
    ["check", "--dictionary", "dir\nx/bad.yaml", "a.txt"],
], ids=["filter-of-a-folder", "fix-o-clash", "temp-file-note", "table-warning", "learn-o-is-input", "bad-dictionary"])
def test_a_newline_in_a_name_never_splits_a_message(repo: Path, args: list[str]):
    """Findings and per-file errors show a name's control characters as ``\\xNN`` (one line
    each, as codespell's); the other messages naming a file printed it raw, so a folder called
    ``dir<newline>x`` split one error over several lines and a line-per-error reader miscounted."""
    folder = repo / "dir\nx"
    folder.mkdir()
    (folder / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    (folder / ".a.txt.deadbeef.unspin-tmp").write_text(SPUN + "\n", encoding="utf-8")
    (folder / "bad-table.txt").write_text("中央-中心\n\x01-abc\n", encoding="utf-8")
    (folder / "bad.yaml").write_text("everyday:\n  中心: [\n", encoding="utf-8")
    r = unspin(args, repo)
    lines = [line for line in r.stderr.splitlines() if "dir" in line]
    assert len(lines) == 1 and "dir\\x0ax" in lines[0], r.stderr


def test_a_signal_ignored_by_the_parent_stays_ignored(repo: Path):
    """A non-interactive shell starts a background job (``unspin fix -w docs &`` in a script) with
    SIGINT ignored, so a Ctrl-C meant for the foreground job does not stop it; installing the run's
    own handler over that would."""
    (repo / "a.txt").unlink()
    for i in range(6):
        (repo / f"m{i}.txt").write_text(SPUN + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-c", TWICE.format(first="SIGINT", second="SIGINT"), "fix", "-w", "-j", "1",
                        "."], cwd=repo, capture_output=True, text=True, timeout=300,
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert r.returncode == 0, r.stderr
    new = engine(repo).fix(SPUN + "\n")
    assert all((repo / f"m{i}.txt").read_text(encoding="utf-8") == new for i in range(6))


# --- learn from stdin: the spilled copy never outlives the run ------------------------------------

@pytest.fixture
def spill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder learn spills stdin into (read twice, so copied once)."""
    import tempfile

    folder = tmp_path / "spill"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_learn_interrupted_removes_its_copy_of_stdin(tmp_path: Path, spill: Path, monkeypatch: pytest.MonkeyPatch):
    """``… | unspin learn -`` copies stdin to a temporary file (a corpus can be gigabytes); a
    Ctrl-C left it behind, with click's 'Aborted!' and exit 1. Now it is removed, and the run
    stops as the other commands do: one line, exit 130."""
    import repair.cli.commands.learn as learn_command

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(learn_command, "learn_pairs", interrupted)
    r = unspin(["learn", "-"], tmp_path, stdin=LEARN_SPUN * 100)
    assert r.exit_code == 130, r.output
    assert r.stderr == "unspin: interrupted; the output file is either unchanged or fully written\n"
    assert list(spill.iterdir()) == []


def test_learn_removes_a_copy_of_stdin_that_filled_the_disk(tmp_path: Path, spill: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    """``yes | unspin learn -`` fills the disk: the error was reported but the copy, set aside
    only once complete, stayed and kept the disk full."""
    import tempfile

    real = tempfile.NamedTemporaryFile

    class Full:
        def __init__(self, *args, **kwargs):
            self.file = real(*args, **kwargs)
            self.name = self.file.name

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data: bytes) -> int:
            self.file.write(data[:10])
            raise OSError(28, "No space left on device", self.name)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", Full)
    r = unspin(["learn", "-"], tmp_path, stdin=LEARN_SPUN * 100)
    assert r.exit_code == 2, r.output
    assert r.stderr.endswith(": No space left on device\n") and len(r.stderr.splitlines()) == 1, r.stderr
    assert list(spill.iterdir()) == []


@pytest.mark.parametrize("kind", ["fifo", "pipe"])
def test_learn_reads_a_fifo_or_a_process_substitution_as_it_reads_stdin(tmp_path: Path, kind: str):
    """The learner reads its corpus twice. A named FIFO was read once to check its encoding and
    then waited on for ever for a second writer; ``learn <(…)`` (``/dev/fd/N``, a link to a pipe)
    was 'pipe:[…]: cannot be read'. Both are now copied once, as stdin is, like check reads them."""
    import threading

    (tmp_path / "a.txt").write_text(LEARN_SPUN * 3, encoding="utf-8")
    (tmp_path / "t.txt").write_text("通过-经由过程\n", encoding="utf-8")
    args = ["--table", "t.txt", "--no-builtin", "--min-count", "1", "--min-docs", "1"]
    expected = unspin(["learn", "a.txt", *args], tmp_path)
    assert expected.exit_code == 0 and "经由过程\t通过" in expected.stdout
    data = (tmp_path / "a.txt").read_bytes()
    if kind == "fifo":
        name = str(tmp_path / "corpus.fifo")
        os.mkfifo(name)
        writer = threading.Thread(target=lambda: Path(name).write_bytes(data), daemon=True)
    else:
        read_end, write_end = os.pipe()
        name = f"/dev/fd/{read_end}"

        def write() -> None:
            with os.fdopen(write_end, "wb") as fh:
                fh.write(data)

        writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:  # in a process of its own: the FIFO was waited on for ever
        r = subprocess.run([*CLI, "learn", name, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                           pass_fds=() if kind == "fifo" else (read_end,))
    except subprocess.TimeoutExpired:
        pytest.fail("learn waited for ever on the stream")
    finally:
        if kind == "pipe":
            os.close(read_end)
    assert r.returncode == 0, r.stderr
    assert r.stdout == expected.stdout
