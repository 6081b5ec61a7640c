"""Unhappy paths of the third sweep (files and paths): each test fails on the code before its fix."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli_helpers import RESTORED, SPUN, TABLE, unspin
from test_unhappy_paths import deny  # noqa: F401 - the fixture


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("unspin: error: ")]


# --- stdin: the first real problem is named ---------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    (b"abc \xff def \x00 ghi", "unspin: error: <stdin>: not valid UTF-8 at byte 4; "),
    (b"abc \x00 def \xff ghi", "unspin: error: <stdin>: binary data (NUL byte at byte 4); unspin reads text"),
    ("中心".encode() + b"\x00", "unspin: error: <stdin>: binary data (NUL byte at byte 6); unspin reads text"),
])
def test_stdin_names_the_first_problem_a_bad_byte_before_a_nul_or_a_nul_before_a_bad_byte(
        tmp_path: Path, data: bytes, expected: str):
    """A stream with a byte that is not UTF-8 and, later, a NUL was called "binary data (NUL byte at
    byte 10)": the message sent the user looking past the real first problem. Now it names whichever
    comes first; exit 2 either way, nothing written to stdout."""
    r = unspin([], tmp_path, stdin=data)
    assert r.exit_code == 2 and r.stdout == ""
    assert error_lines(r.stderr) and error_lines(r.stderr)[0].startswith(expected), r.stderr


# --- a symbolic-link loop on the way to a file named to the filter ---------------------------------

@pytest.mark.parametrize("arg", ["loop/a.txt", "loop/deeper/a.txt"])
def test_a_loop_in_a_parent_folder_of_a_filter_argument_is_named(tmp_path: Path, arg: str):
    """``unspin loop/a.txt`` with ``loop`` a link to itself said "no command or file named
    'loop/a.txt'", a usage error that sends the user looking for a typo. Now the name is taken as
    a file, as a dangling link is, and the run names the loop: one error, exit 2."""
    (tmp_path / "loop").symlink_to("loop")
    r = unspin([arg], tmp_path)
    assert r.exit_code == 2 and r.stdout == ""
    assert error_lines(r.stderr) == [f"unspin: error: {arg}: a symbolic-link loop "
                                     "(Too many levels of symbolic links); skipped"], r.stderr


def test_a_missing_file_is_still_no_command_or_file(tmp_path: Path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    for arg in ("nosuch.txt", "a.txt/x"):
        r = unspin([arg], tmp_path)
        assert r.exit_code == 2 and f"no command or file named {arg!r}" in r.stderr


# --- --encoding before the command name: one rule for every command --------------------------------

@pytest.mark.parametrize("command", [["check"], ["learn", "--min-count", "1", "--min-docs", "1"]])
def test_an_encoding_given_before_the_command_name_reads_the_files(repo: Path, command: list[str]):
    """``unspin --encoding gb18030 check|learn FILE`` reads FILE in GB18030 (one function,
    ``given_encoding``, where the fall-back was written twice); its own ``--encoding`` wins."""
    (repo / "a.txt").write_bytes((SPUN + "\n").encode("gb18030"))
    r = unspin(["--encoding", "gb18030", *command, "a.txt"], repo)
    assert r.exit_code in (0, 1) and "not valid" not in r.stderr, r.stderr
    r = unspin(["--encoding", "gb18030", *command, "--encoding", "utf-8", "a.txt"], repo)
    assert r.exit_code == 2 and "a.txt: not valid utf-8" in r.stderr, r.stderr


# --- a table named in a config file that cannot be read ------------------------------------------------

@pytest.mark.parametrize("config, text, key", [
    (".unspin.yaml", "tables: [{name}]\n", "tables"),
    (".unspin.yaml", "dictionaries: [{name}]\n", "dictionaries"),
    ("pyproject.toml", '[tool.unspin]\ntables = ["{name}"]\n', "[tool.unspin].tables"),
])
@pytest.mark.parametrize("command", [["check", "../a.txt"], []], ids=["check", "filter"])
def test_an_unreadable_file_named_in_a_config_file_is_reported_with_the_file_and_key(
        repo: Path, deny, config: str, text: str, key: str, command: list[str]):
    """It was "unspin: error: /r/t.txt: Permission denied", the loader's message: which config file
    named it, and under which key, was left for the user to find. Now as for a missing one."""
    (repo / ".unspin.yaml").unlink()
    (repo / config).write_text(text.format(name="t.txt"), encoding="utf-8")
    (repo / "t.txt").write_text(TABLE, encoding="utf-8")
    deny(repo / "t.txt")
    (repo / "sub").mkdir()
    r = unspin(command, repo / "sub", stdin=SPUN)
    assert r.exit_code == 2 and r.stdout == "", r.output
    assert error_lines(r.stderr) == [f"unspin: error: {repo / config}: {key}: t.txt: cannot be read "
                                     "(Permission denied)"], r.stderr


# --- a broken link or an entry that cannot be looked at, inside a walked folder --------------------

@pytest.mark.parametrize("make, reason", [
    (lambda p: p.symlink_to(p.name), "a symbolic-link loop (Too many levels of symbolic links)"),
    (lambda p: p.symlink_to("missing.txt"), "a dangling symbolic link to missing.txt (which does not exist)"),
], ids=["loop", "dangling"])
@pytest.mark.parametrize("command", [["check"], ["fix", "-w"], ["fix", "-o", "../out"], ["score"], ["explain"],
                                     ["learn", "--min-count", "1", "--min-docs", "1"]])
def test_a_broken_link_inside_a_walked_folder_is_one_error(repo: Path, make, reason: str, command: list[str]):
    """``check .`` passed over a dangling link or a link loop in the folder without a word (exit 0 on
    a folder whose only text file was such a link): it is now one error each, as when it is named as
    an argument (and as ruff's E902), exit 2, and the other files are still done. ``--exclude``
    (or an ignore file) opts a name out."""
    (repo / "d").mkdir()
    (repo / "d" / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    make(repo / "d" / "bad.txt")
    r = unspin([*command, "d"], repo)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == [f"unspin: error: d/bad.txt: {reason}; skipped"], r.stderr
    if command[:2] == ["fix", "-w"]:
        assert (repo / "d" / "a.txt").read_text(encoding="utf-8") == RESTORED + "\n"
    r = unspin([*command, "--exclude", "bad.txt", "d"], repo)
    assert "bad.txt" not in r.stderr and r.exit_code != 2, r.output
    (repo / "d" / ".unspinignore").write_text("bad.txt\n", encoding="utf-8")
    r = unspin([*command, "d"], repo)
    assert "bad.txt" not in r.stderr and r.exit_code != 2, r.output


def test_an_entry_the_walk_cannot_look_at_is_one_error(repo: Path, monkeypatch: pytest.MonkeyPatch):
    """A folder that can be listed but not searched (mode r--, as a user): every ``stat`` of its
    entries fails with EACCES, and the walk dropped them silently. Simulated for root, who may
    search anything: now each is one error naming the reason."""
    import repair.files.walk as walk

    (repo / "d").mkdir()
    (repo / "d" / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    (repo / "d" / "b.txt").write_text(SPUN + "\n", encoding="utf-8")
    real_scandir, real_stat = os.scandir, os.stat
    hidden = str(repo / "d" / "b.txt")

    class Entry:
        def __init__(self, entry): self.entry, self.name, self.path = entry, entry.name, entry.path
        def is_dir(self, follow_symlinks=True): return self._test("is_dir", follow_symlinks)
        def is_file(self, follow_symlinks=True): return self._test("is_file", follow_symlinks)
        def is_symlink(self): return self.entry.is_symlink()
        def _test(self, what, follow):
            if self.path == hidden:
                raise PermissionError(13, "Permission denied", self.path)
            return getattr(self.entry, what)(follow_symlinks=follow)

    class Listing:
        def __init__(self, path): self.it = real_scandir(path)
        def __enter__(self): return (Entry(e) for e in self.it.__enter__())
        def __exit__(self, *exc): return self.it.__exit__(*exc)

    def stat(path, *args, **kwargs):
        if os.path.abspath(path) == hidden:
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(walk.os, "scandir", Listing)
    monkeypatch.setattr(os, "stat", stat)
    r = unspin(["check", "d"], repo)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == ["unspin: error: d/b.txt: cannot be read (Permission denied); skipped"], r.stderr
    assert "d/a.txt:1:" in r.stdout


# --- fix -w: a write by another process in the last moments before the rename ---------------------

APPENDED = "另一个进程追加的一行。\n"


def _append(path: Path) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(APPENDED)


def test_an_append_between_the_content_check_and_the_rename_is_not_overwritten(
        repo: Path, monkeypatch: pytest.MonkeyPatch):
    """The content was compared, then the temporary file took the original's owner, mode and
    attributes, then the rename: an append in between was lost without a word. Now the inode,
    size and mtime are looked at again right before the rename: the file is left unchanged, with
    the append, and the error says why."""
    from repair.files.atomic import AtomicWriter

    real = AtomicWriter._take_identity

    def take_identity(self, st):
        _append(repo / "a.txt")
        return real(self, st)

    monkeypatch.setattr(AtomicWriter, "_take_identity", take_identity)
    r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 2
    assert error_lines(r.stderr) == ["unspin: error: a.txt: changed on disk during the run; not overwritten"]
    assert (repo / "a.txt").read_text(encoding="utf-8") == SPUN + "\n" + APPENDED
    assert not [p for p in repo.iterdir() if "unspin-" in p.name]


def test_an_append_to_a_hard_linked_file_before_its_rewrite_is_not_cut(repo: Path, monkeypatch: pytest.MonkeyPatch):
    """A file with two names is rewritten in its inode, ending with a truncate at the new length:
    an append made after the content check was cut off by it. Now the file is looked at again right
    before the rewrite and left unchanged."""
    from repair.files.atomic import AtomicWriter

    os.link(repo / "a.txt", repo / "b.txt")
    real = AtomicWriter._check_target

    def check_target(self, digest):
        st = real(self, digest)
        _append(repo / "a.txt")
        return st

    monkeypatch.setattr(AtomicWriter, "_check_target", check_target)
    r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 2
    assert error_lines(r.stderr) == ["unspin: error: a.txt: changed on disk during the run; not overwritten"]
    assert (repo / "b.txt").read_text(encoding="utf-8") == SPUN + "\n" + APPENDED


def test_an_append_in_the_instant_of_the_rename_is_saved_and_named(repo: Path, monkeypatch: pytest.MonkeyPatch):
    """What no check can close without a lock every writer takes: a write landing between the last
    look and ``rename`` goes to the old file, which the rename takes off its name. It was lost
    silently (exit 0). Now the old file, still open, is compared after the rename: if it grew or
    changed, it is saved beside as NAME.unspin-saved (with that write) and the error says so."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith("a.txt"):
            _append(Path(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 2
    size = len(APPENDED.encode())
    assert error_lines(r.stderr) == [
        f"unspin: error: a.txt: written, but another process wrote to it while it was being replaced (+{size} "
        "bytes); the file as it was then, with that write, is saved as a.txt.unspin-saved: compare and merge it "
        "by hand"], r.stderr
    assert (repo / "a.txt").read_text(encoding="utf-8") == RESTORED + "\n"
    assert (repo / "a.txt.unspin-saved").read_text(encoding="utf-8") == SPUN + "\n" + APPENDED
    # it was written: listed and counted as fixed, as well as the error
    assert r.stdout == "fixed a.txt (5 changes)\n" and "5 changes in 1 file" in r.stderr
    assert not [p for p in repo.iterdir() if p.name.endswith(".unspin-tmp")]


def test_a_file_locked_by_another_process_is_waited_for_then_left_unchanged(
        repo: Path, monkeypatch: pytest.MonkeyPatch):
    """A writer that takes an advisory lock (``flock(1)``, another unspin) was not waited for: the
    rename could land in the middle of its write. Now the commit takes the lock too; held past
    LOCK_WAIT, the file is left unchanged with one error."""
    fcntl = pytest.importorskip("fcntl")
    from repair.files import atomic

    monkeypatch.setattr(atomic, "LOCK_WAIT", 0.2)
    with open(repo / "a.txt", "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        r = unspin(["fix", "-w", "a.txt"], repo)
    assert r.exit_code == 2
    assert error_lines(r.stderr) == ["unspin: error: a.txt: locked by another process (flock) for 0.2 s; "
                                     "left unchanged"]
    assert (repo / "a.txt").read_text(encoding="utf-8") == SPUN + "\n"
    r = unspin(["fix", "-w", "a.txt"], repo)  # released: written
    assert r.exit_code == 0 and (repo / "a.txt").read_text(encoding="utf-8") == RESTORED + "\n"


# --- /dev/stdin named as an input, a file redirected into it -----------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/stdin") or not os.path.isdir("/proc/self/fd"),
                    reason="needs /dev/stdin and /proc")
@pytest.mark.parametrize("name", ["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"])
def test_dev_stdin_is_a_stream_by_its_own_name_and_never_written_back(repo: Path, name: str):
    """``unspin fix -w /dev/stdin < a.txt`` resolved /dev/stdin to the file behind the descriptor and
    rewrote a.txt, a file the user never named ("fixed a.txt"), and ``check`` reported findings as
    a.txt's. It is now read as the stream it names, shown by that name, and ``-w`` refuses it as it
    refuses any pipe: one error, exit 2, a.txt untouched."""
    import subprocess
    import sys

    cli = [sys.executable, "-c", "from repair.cli import main; main()"]
    with open(repo / "a.txt", "rb") as fh:
        p = subprocess.run([*cli, "fix", "-w", name], stdin=fh, cwd=repo, capture_output=True, text=True,
                           timeout=120)
    assert p.returncode == 2, p.stderr
    assert error_lines(p.stderr) == [f"unspin: error: {name}: an open file descriptor, not a file's name; "
                                     "cannot write it back (read it from stdin instead)"], p.stderr
    assert (repo / "a.txt").read_text(encoding="utf-8") == SPUN + "\n" and "fixed" not in p.stdout
    with open(repo / "a.txt", "rb") as fh:
        p = subprocess.run([*cli, "check", name], stdin=fh, cwd=repo, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1 and p.stdout.startswith(f"{name}:1:1: "), p.stdout + p.stderr


# --- fix -o into a broken link ------------------------------------------------------------------------

@pytest.mark.parametrize("out, make, said", [
    ("lp", lambda d: (d / "lp").symlink_to("lp"),
     "lp: output folder is a symbolic-link loop (Too many levels of symbolic links); nothing was written "
     "(choose another)"),
    ("lp/x", lambda d: (d / "lp").symlink_to("lp"),
     "lp/x: output folder under lp, which is a symbolic-link loop (Too many levels of symbolic links); "
     "nothing was written (choose another)"),
    ("gone", lambda d: (d / "gone").symlink_to("nowhere"),
     "gone: output folder is a dangling symbolic link to nowhere (which does not exist); nothing was written "
     "(create the folder it leads to, or choose another)"),
], ids=["loop", "under-a-loop", "dangling"])
def test_fix_into_an_output_folder_that_is_a_broken_link_is_one_error(repo: Path, out: str, make, said: str):
    """``fix -o LOOP`` ended in a RuntimeError traceback (pathlib's resolve), and ``-o DANGLING`` said
    "no temporary file can be created in its folder: No such file or directory". Now one error
    naming the link, before anything is read, exit 2."""
    make(repo)
    r = unspin(["fix", "-o", out, "a.txt"], repo, catch_exceptions=True)
    assert r.exit_code == 2 and r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert error_lines(r.stderr) == [f"unspin: error: {said}"], r.stderr
    assert not (repo / "nowhere").exists() and (repo / "a.txt").read_text(encoding="utf-8") == SPUN + "\n"


def test_an_output_name_that_is_a_folder_or_a_loop_is_called_so(repo: Path):
    """``fix -o out`` with out/a.txt a folder, and ``learn -o loop``, said "not a regular file; not
    replaced", which sends the user looking for a device or a FIFO; the message now says what it is."""
    (repo / "out" / "a.txt").mkdir(parents=True)
    r = unspin(["fix", "-o", "out", "a.txt"], repo)
    assert r.exit_code == 2
    assert error_lines(r.stderr) == ["unspin: error: out/a.txt: a folder, not a file; not replaced"], r.stderr
    (repo / "loop").symlink_to("loop")
    r = unspin(["learn", "a.txt", "-o", "loop", "--min-count", "1", "--min-docs", "1"], repo)
    assert r.exit_code == 2
    assert error_lines(r.stderr) == ["unspin: error: loop: a symbolic-link loop (Too many levels of symbolic "
                                     "links); not replaced"], r.stderr


# --- a long stream with no punctuation and no line end ------------------------------------------------

def test_a_stream_without_punctuation_or_line_ends_is_cut_into_bounded_half_full_pieces(tmp_path: Path):
    """Not a fix (measured: 1, 2 and 4 MB through the filter take time in proportion, at the same
    ~60 MB): pins what keeps it so. Every piece is at most the limit and, but the last, at least
    half of it, so the number of pieces and the bytes scanned to cut them grow linearly; and the
    filter gives such a stream back byte for byte."""
    import io
    import random

    from repair.files.textio import STREAM_CHUNK_CHARS, Encoding, TextReader, read_chunks

    rng = random.Random(7)
    text = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(5 * STREAM_CHUNK_CHARS + 123))
    reader = TextReader(io.BytesIO(text.encode()), Encoding(), "<stdin>", hashed=False)
    pieces = list(read_chunks(reader, paragraphs=True, limit=STREAM_CHUNK_CHARS))
    assert "".join(pieces) == text
    assert all(len(p) <= STREAM_CHUNK_CHARS for p in pieces)
    assert all(len(p) >= STREAM_CHUNK_CHARS // 2 for p in pieces[:-1])
    r = unspin(["--no-builtin"], tmp_path, stdin=text[:3 * STREAM_CHUNK_CHARS].encode())
    assert r.exit_code == 0 and r.stdout_bytes == text[:3 * STREAM_CHUNK_CHARS].encode()


# --- a file deleted after it was opened and before it is read ---------------------------------------

@pytest.mark.parametrize("command", [["fix", "-w"], ["fix"], ["check"]])
def test_a_file_deleted_between_its_opening_and_its_reading_is_one_error_saying_so(
        repo: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]):
    """A large file removed while it was being measured (the attack d07's first case) gave two
    errors for one file, neither saying what happened: "cannot write (No such file or directory)"
    then "cannot be read (No such file or directory); skipped". Now one line: deleted during the run."""
    from repair.files import runner

    real = runner.open_source

    def open_source(*args, **kwargs):
        src = real(*args, **kwargs)  # checked and sniffed: then it goes
        (repo / "a.txt").unlink()
        return src

    monkeypatch.setattr(runner, "open_source", open_source)
    r = unspin([*command, "a.txt"], repo)
    assert r.exit_code == 2
    said = "deleted during the run; not re-created" if "-w" in command else "deleted during the run; skipped"
    assert error_lines(r.stderr) == [f"unspin: error: a.txt: {said}"], r.stderr
    assert not (repo / "a.txt").exists() and not [p for p in repo.iterdir() if "unspin-" in p.name]


# --- a JSON Lines "record" with no line end: a whole JSON document on one line -----------------------

@pytest.mark.parametrize("command", [["check"], ["fix", "-w"], ["check", "-"],
                                     ["learn", "--min-count", "1", "--min-docs", "1"]])
def test_a_json_lines_line_longer_than_the_record_bound_is_refused_not_read_whole(
        repo: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]):
    """A record is repaired whole, so a line was read on to its end however long: a minified JSON
    array of 100 MB saved as .jsonl took 1.3 GB and 15 s to end in "not valid JSON" (a few GB: the
    out-of-memory killer). Now a line past RECORD_MAX_CHARS is one error for that file, read in
    bounded memory, and the file is left unchanged."""
    import repair.files.textio as textio

    monkeypatch.setattr(textio, "CHUNK_CHARS", 100)
    monkeypatch.setattr(textio, "STREAM_CHUNK_CHARS", 100)
    monkeypatch.setattr(textio, "RECORD_MAX_CHARS", 1000)
    data = ("[" + ",".join(['{"text": "' + SPUN + '"}'] * 40) + "]").encode()
    (repo / "big.jsonl").write_bytes(data)
    stdin = data if "-" in command else None
    r = unspin([*command, "--field", "text", *([] if stdin else ["big.jsonl"])], repo, stdin=stdin)
    assert r.exit_code == 2, r.output
    where = "<stdin>" if stdin else "big.jsonl:1" if command[0] == "learn" else "big.jsonl"
    assert error_lines(r.stderr)[0] == (
        f"unspin: error: {where}: a JSON Lines record (one line) longer than 1000 characters; skipped "
        "(JSON Lines has one record a line: a JSON array or object on one line is not that)"), r.stderr
    assert (repo / "big.jsonl").read_bytes() == data
    # a long record under the bound is still repaired whole
    monkeypatch.setattr(textio, "RECORD_MAX_CHARS", 1 << 20)
    (repo / "one.jsonl").write_text('{"text": "' + SPUN * 5 + '"}\n', encoding="utf-8")
    assert unspin(["check", "--field", "text", "one.jsonl"], repo).exit_code == 1


# --- a working folder removed under the shell ----------------------------------------------------------

@pytest.mark.parametrize("command", [[], ["check", "{f}"], ["fix", "{f}"], ["score", "{f}"], ["explain", "{f}"],
                                     ["learn", "{f}"], ["{f}"]])
def test_a_removed_working_folder_is_one_error(tmp_path: Path, command: list[str]):
    """Run in a folder deleted after the shell entered it (a checkout or a clean-up removed it):
    ``Path.cwd()`` raised FileNotFoundError and every command but learn ended in a traceback; learn
    said "unspin: No such file or directory". Now one error saying what happened, exit 2."""
    import subprocess
    import sys

    f = tmp_path / "a.txt"
    f.write_text(SPUN + "\n", encoding="utf-8")
    gone = tmp_path / "gone"
    gone.mkdir()
    script = ("import os, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]); sys.argv[1:2] = []; "
              "from repair.cli import main; main()")
    p = subprocess.run([sys.executable, "-c", script, str(gone), *(a.format(f=f) for a in command)],
                       input=SPUN, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert error_lines(p.stderr) == ["unspin: error: the current folder no longer exists (it was deleted or "
                                     "moved after the shell entered it); cd to a folder that exists"], p.stderr


# --- the output appended to the input ----------------------------------------------------------------

@pytest.mark.parametrize("args, stdin", [([], True), (["fix", "-w", "-"], True), (["a.txt"], False),
                                         (["check", "a.txt", "b.txt"], False)])
def test_an_input_that_is_also_stdout_is_refused_as_cat_refuses_it(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   args: list[str], stdin: bool):
    """``unspin < a.txt >> a.txt`` read back what it had just written: a 1 MB file grew by 200 MB a
    minute until the disk was full (``cat a >> a`` says "input file is output file"). Such an input
    is now one error and is not read; the other inputs are done."""
    import subprocess
    import sys

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(sys.path))
    (repo / "b.txt").write_text(SPUN + "\n", encoding="utf-8")
    before = (repo / "a.txt").read_bytes()
    with open(repo / "a.txt", "ab") as out, open(repo / "a.txt" if stdin else os.devnull, "rb") as inp:
        p = subprocess.run([sys.executable, "-c", "from repair.cli import main; main()", *args], cwd=repo,
                           stdin=inp, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    name = "<stdin>" if stdin else "a.txt"
    assert p.returncode == 2, p.stderr
    assert error_lines(p.stderr) == [f"unspin: error: {name}: input file is output file (stdout goes to it); "
                                     "skipped, as cat refuses it: what is written would be read back"], p.stderr
    after = (repo / "a.txt").read_bytes()
    assert after.startswith(before)
    if "b.txt" in args:
        assert after[len(before):].decode().startswith("b.txt:1:1: ")  # the other input is checked
    else:
        assert after == before


# --- line endings across chunks ---------------------------------------------------------------------------

@pytest.mark.parametrize("stdin", [False, True])
def test_mixed_and_cr_only_line_endings_come_back_byte_for_byte_across_chunks(
        repo: Path, monkeypatch: pytest.MonkeyPatch, stdin: bool):
    """Not a fix (found fine): CR, CRLF, LF, LFCR and CRCRLF in one file, cut into many chunks (so
    that cuts fall beside every kind), keep every ending where it was, in fix -w and the filter."""
    import repair.files.textio as textio

    monkeypatch.setattr(textio, "CHUNK_CHARS", 40)
    monkeypatch.setattr(textio, "STREAM_CHUNK_CHARS", 40)
    ends = ["\r", "\r\n", "\n", "\n\r", "\r\r\n", "\r\r"]
    spun = "".join(SPUN + end for end in ends * 3)
    restored = "".join(RESTORED + end for end in ends * 3)
    if stdin:
        r = unspin([], repo, stdin=spun.encode())
        assert r.exit_code == 0 and r.stdout_bytes == restored.encode()
    else:
        (repo / "m.txt").write_bytes(spun.encode())
        assert unspin(["fix", "-w", "m.txt"], repo).exit_code == 0
        assert (repo / "m.txt").read_bytes() == restored.encode()


# --- a worktree's or submodule's .git file ---------------------------------------------------------------

def test_a_git_file_in_a_walked_folder_is_never_an_input(repo: Path):
    """In a git worktree or a submodule, ``.git`` is a file (``gitdir: PATH``): the walk skipped a
    ``.git`` folder but walked that file as text, and ``fix -w .`` "repaired" a path with Chinese
    folder names in it, cutting the checkout from its repository. It is git's now, as the folder is."""
    gitdir = f"gitdir: /work/{SPUN}/.git/worktrees/x\n"
    (repo / "wt").mkdir()
    (repo / "wt" / ".git").write_text(gitdir, encoding="utf-8")
    (repo / "wt" / "b.txt").write_text(SPUN + "\n", encoding="utf-8")
    r = unspin(["fix", "-w", "wt"], repo)
    assert r.exit_code == 0 and r.stdout == "fixed wt/b.txt (5 changes)\n", r.output
    assert (repo / "wt" / ".git").read_text(encoding="utf-8") == gitdir


# --- the run's own tables, dictionaries and config file ---------------------------------------------------

def test_fix_never_rewrites_the_tables_and_config_file_it_runs_with(tmp_path: Path):
    """``fix -w .`` in a project whose .unspin.yaml names a table kept beside the text rewrote the
    table's pairs (通过-经由过程 became 通过-通过: the pair was gone for the next run), and ``check .``
    reported the table's lines, so a pre-commit hook failed for ever on it. The config file and the
    tables and dictionaries of the run (named there or by --table) are now never inputs: skipped in
    a walk, and with a note when named (pre-commit names every staged file)."""
    table = "中央-中心\n会议-集会\n加强-增强\n解决-办理\n问题-题目\n通过-经由过程\n处理-处置惩罚\n" * 3
    root = tmp_path / "p"
    root.mkdir()
    (root / ".unspin.yaml").write_text("tables: [t.txt]\n# 中心政法委书记郭声琨主持集会,要求增强政策的供给\n",
                                       encoding="utf-8")
    (root / "t.txt").write_text(table, encoding="utf-8")
    (root / "cli.txt").write_text(table, encoding="utf-8")
    (root / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    config = (root / ".unspin.yaml").read_text(encoding="utf-8")
    r = unspin(["fix", "-w", "--table", "cli.txt", "."], root)
    assert r.exit_code == 0 and r.stdout == "fixed a.txt (5 changes)\n", r.output
    assert (root / "t.txt").read_text(encoding="utf-8") == table
    assert (root / "cli.txt").read_text(encoding="utf-8") == table
    assert (root / ".unspin.yaml").read_text(encoding="utf-8") == config
    r = unspin(["check", "t.txt", ".unspin.yaml", "a.txt"], root)
    assert r.exit_code == 0 and r.stdout == "", r.output
    assert "t.txt: a table, dictionary or config file of this run, not text to repair; skipped" in r.stderr
    assert ".unspin.yaml: a table, dictionary or config file of this run, not text to repair; skipped" in r.stderr
