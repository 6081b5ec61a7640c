"""Issue 10's attacks on the command line, as tests: data-driven cases plus structural bounds.

``tests/cases/attacks.yaml`` holds one case a line (files to create, arguments, stdin, the exit code
and regexes stdout/stderr must match). The tests below it check what a case line cannot: that the
scanners behind Markdown/HTML splitting, folder walks and line/column lookup do work linear in their
input (counted, not timed), and that the fast dictionary path reads the same entries as YAML does.
"""
from __future__ import annotations

import os
import subprocess
import sys
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from repair.cli import main

CASES = Path(__file__).parent / "cases" / "attacks.yaml"
SPUN_WORD = "中心政法委书记\n"


def _cases() -> list:
    return [pytest.param(c, id=c["id"]) for c in yaml.safe_load(CASES.read_text(encoding="utf-8"))]


def _content(spec) -> str:
    if isinstance(spec, str):
        return spec
    return spec.get("head", "") + spec["repeat"] * spec["times"] + spec.get("tail", "")


def run_case(case: dict, tmp_path: Path):
    for name, spec in (case.get("files") or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_content(spec), encoding="utf-8")
    if case.get("deep"):
        folder = tmp_path.joinpath(*["d"] * case["deep"])
        folder.mkdir(parents=True)
        (folder / "x.txt").write_text(SPUN_WORD, encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        env = {"NO_COLOR": None, **(case.get("env") or {})}
        return CliRunner(env=env).invoke(main, case.get("args", []), input=case.get("stdin"))
    finally:
        os.chdir(old)


@pytest.mark.parametrize("case", _cases())
def test_attack(case: dict, tmp_path: Path):
    r = run_case(case, tmp_path)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.stderr
    assert r.exit_code == case["exit"], (r.exit_code, r.stdout[-500:], r.stderr[-500:])
    for stream in ("stdout", "stderr"):
        if stream in case:
            assert re.search(case[stream], getattr(r, stream)), (stream, getattr(r, stream)[-500:])
    assert not list(tmp_path.rglob("*.unspin-tmp"))


# --- work bounded structurally ---------------------------------------------------------

class _CountingPattern:
    """A compiled pattern that counts the characters its searches walk over."""

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern, self.walked = pattern, 0

    def search(self, text: str, pos: int = 0):
        m = self.pattern.search(text, pos)
        self.walked += (m.end() if m else len(text)) - pos
        return m


def _count_scans(monkeypatch) -> list[_CountingPattern]:
    """Make every pattern the Markdown/HTML splitters search with count its walk; the list fills as they run."""
    from repair.files import formats

    made: list[_CountingPattern] = []

    class Counting(formats._Next):
        def __init__(self, pattern, text):
            super().__init__(_CountingPattern(pattern), text)
            made.append(self.pattern)

    monkeypatch.setattr(formats, "_Next", Counting)
    return made


@pytest.mark.parametrize("text", [
    "<p>中心</p>" + "<script>" * 3000,
    "<p>中心</p>" + "<script>" * 3000 + "</style>",
    "<p>中心</p>" + "<a " * 3000 + ">",
    "<p>中心</p>" + "<!--" * 3000 + "<?" * 3000,
])
def test_html_closers_are_looked_up_once_per_stretch(text: str, monkeypatch):
    from repair.files import formats

    made = _count_scans(monkeypatch)
    formats.html_segments(text)
    assert made and sum(p.walked for p in made) <= 4 * len(text) + 100


def test_markdown_link_openers_are_scanned_once(monkeypatch):
    from repair.files import formats

    text = "中心政法委书记\n" + "](" * 5000
    made = _count_scans(monkeypatch)
    segments = formats.markdown_segments(text)
    assert sum(p.walked for p in made) <= 2 * len(text)
    assert text[segments[0].start:segments[0].end].startswith("中心政法委书记")


def test_inline_code_is_commonmark_runs():
    from repair.files.formats import _code_spans

    assert list(_code_spans("a `x` b ``y`z`` c ` d")) == [(2, 5), (8, 15)]
    assert list(_code_spans("`" * 7 + "x")) == []


def test_folder_walk_does_not_rederive_paths_per_level(tmp_path: Path, monkeypatch):
    from repair.files.walk import FileSelector

    depth = 120
    folder = tmp_path.joinpath(*["d"] * depth)
    folder.mkdir(parents=True)
    (folder / "x.txt").write_text("中心\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.log\n", encoding="utf-8")
    (folder / "y.log").write_text("中心\n", encoding="utf-8")
    calls = {"relative_to": 0}
    original = Path.relative_to

    def counting(self, *args, **kwargs):
        calls["relative_to"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "relative_to", counting)
    targets = list(FileSelector(cwd=tmp_path).select([str(tmp_path)]))
    assert [t.rel.name for t in targets] == [".gitignore", "x.txt"]
    assert calls["relative_to"] <= 10  # not one per folder per level (cubic in depth before)


def _refuse_folder(monkeypatch, name: str) -> None:
    """Make the folder walk's listing of any folder called ``name`` fail as an unreadable one does
    (as root every folder is readable, so the refusal is simulated where the walk lists it)."""
    from repair.files import walk

    real = os.scandir

    def scandir(path):
        if str(path).endswith(name):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)


def test_unreadable_folder_is_recorded_not_skipped_silently(tmp_path: Path, monkeypatch):
    from repair.files import walk

    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "b.txt").write_text("中心\n", encoding="utf-8")
    (tmp_path / "clean.txt").write_text("市中心\n", encoding="utf-8")
    _refuse_folder(monkeypatch, "secret")
    selector = walk.FileSelector(cwd=tmp_path)
    assert [t.rel.as_posix() for t in selector.select([str(tmp_path)])] == ["clean.txt"]
    assert selector.errors == [("secret", "cannot read this folder (Permission denied); skipped")]


def test_many_findings_are_located_with_one_index(monkeypatch):
    from repair.engine import changes

    built = []
    original = changes.LineIndex.__init__

    def counting(self, text):
        built.append(len(text))
        original(self, text)

    monkeypatch.setattr(changes.LineIndex, "__init__", counting)
    changes._LAST_INDEX = None
    text = "中心集会\n" * 20000
    spots = [changes.line_col(text, i) for i in range(0, len(text), 5)]
    assert spots[:3] == [(1, 1), (2, 1), (3, 1)] and spots[-1] == (20000, 1)
    assert built == [len(text)]


def test_line_index_agrees_with_counting():
    from repair.engine.changes import LineIndex

    text = "ab\n\ncd\r\nef\n"
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        assert index.line_col(offset) == (text.count("\n", 0, offset) + 1,
                                          offset - (text.rfind("\n", 0, offset) + 1) + 1)


# --- dictionaries: the fast path reads what YAML reads ---------------------------------

def _outcome(fn):
    """What a parse gives: its result, or the line and kind of its error (the message's words vary)."""
    from repair.errors import DictionaryError

    try:
        return fn()
    except DictionaryError as exc:
        return ("error", exc.line, exc.message.split(":")[0])


def _slow(text: str, path: str, tier: str):
    from repair.engine import dictionary

    original = dictionary._parse_fast
    try:
        dictionary._parse_fast = lambda *a: (_ for _ in ()).throw(dictionary._Slow())
        return dictionary.parse_dictionary(text, path, tier)
    finally:
        dictionary._parse_fast = original


def test_fast_dictionary_path_matches_yaml_on_the_shipped_dictionaries(monkeypatch):
    from repair.engine import dictionary

    for name, tier in dictionary.BUILTIN_FILES.items():
        path = dictionary.builtin_dir() / name
        text = dictionary._read_text(path)
        fast = dictionary._parse_fast(text, str(path), tier)  # raises _Slow if the file left the fast shape
        assert fast == _slow(text, str(path), tier)


@pytest.mark.parametrize("text", [
    "tier: marker\neveryday:\n  中心: 中央   # comment\n  天下: [全国, 世界]\n\n# end\n",
    "政治:\r\n  中心: 中央\r\n",
    "a:\n  中心: 中央\nb:\n    中心: 中间\n",
    "on:\n  中心: 中央\n",                 # YAML 1.1 reads `on` as true: the slow path decides
    "a:\n  中心: 中央#x\n",
    "a:\n  中心: yes\n",
    "a:\n  中心: 中\u3000央\n",
    "a:\n  中心:\n",
    "a:\nb:\n  中心: 中央\n",
])
def test_fast_dictionary_path_gives_yaml_results_or_defers(text: str):
    from repair.engine import dictionary
    assert _outcome(lambda: dictionary.parse_dictionary(text, "u.yaml", "ambiguous")) == \
        _outcome(lambda: _slow(text, "u.yaml", "ambiguous"))


def test_large_dictionary_takes_the_fast_path(monkeypatch):
    from repair.engine import dictionary

    def no_yaml(*args, **kwargs):
        raise AssertionError("a dictionary in the usual shape must not go through yaml")

    monkeypatch.setattr(dictionary._yaml(), "compose", no_yaml)
    monkeypatch.setattr(dictionary._yaml(), "parse", no_yaml)
    lines = "".join(f"  {chr(0x4e00 + i % 20000)}{chr(0x4e00 + i // 20000)}: 中央\n" for i in range(50000))
    entries = dictionary.parse_dictionary("everyday:\n" + lines, "big.yaml", "ambiguous")
    assert len(entries) == 50000 and entries[-1].source == "big.yaml:50001"


def test_fast_gazetteer_path_matches_yaml_on_the_shipped_gazetteer():
    from repair.engine import dictionary

    path = dictionary.builtin_dir() / dictionary.GAZETTEER_FILE
    text = dictionary._read_text(path)
    assert dictionary._gazetteer_fast(text) == dictionary._gazetteer_yaml(text, str(path))


@pytest.mark.parametrize("text", [
    "# phrases\npolitics:\n  - 中共中央   # a comment\n  - 国务院\n\neconomy:\n    - 一带一路\n",
    "politics:\r\n  - 中共中央\r\n",
    "politics:\n  - 中共中央\n   - 国务院\n",       # uneven items: YAML decides
    "politics:\n- 中共中央\n",                      # items at the domain's level are YAML's too
    "politics:\n  - 中共中央\npolitics:\n  - 国务院\n",  # a domain twice
    "politics:\neconomy:\n  - 一带一路\n",           # an empty domain
    "politics: 中共中央\n",
    "no:\n  - 中共中央\n",
    "politics:\n  - \"中共中央\"\n",
    "politics:\n  - 中共 中央\n",
])
def test_fast_gazetteer_path_gives_yaml_results_or_defers(text: str):
    from repair.engine import dictionary
    assert _outcome(lambda: dictionary.parse_gazetteer(text, "g.yaml")) == \
        _outcome(lambda: dictionary._gazetteer_yaml(text, "g.yaml"))


@pytest.mark.parametrize("args", [[], ["fix", "-"]])
def test_the_filter_does_not_import_what_it_does_not_use(args: list[str]):
    """Start-up is paid on every call of a filter in a pipeline: no YAML parser for the shipped files
    (they take the fast path), no module of another sub-command, and for ``fix -`` no gitignore
    matcher (standard input is walked by no rule; pathspec cost ~30 ms of a 0.3 s start)."""
    code = ("import sys, io\n"
            "from repair.cli import main\n"
            "sys.stdin = io.TextIOWrapper(io.BytesIO('中心政法委书记主持集会\\n'.encode()), encoding='utf-8')\n"
            f"try:\n    main({args!r}, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "loaded = [m for m in ('yaml', 'repair.engine.learn', 'repair.cli.commands.check', "
            "'repair.cli.commands.learn', 'pathspec') if m in sys.modules]\n"
            "print('LOADED', loaded)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 0, proc.stderr
    assert "中央政法委书记主持会议" in proc.stdout
    assert "LOADED []" in proc.stdout


# --- habits ---------------------------------------------------------------------------

def _invoke(args, tmp_path: Path, stdin=None, env=None):
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        return CliRunner(env={"NO_COLOR": None, **(env or {})}).invoke(main, args, input=stdin)
    finally:
        os.chdir(old)


def test_a_terminal_with_nothing_piped_gets_a_hint(tmp_path: Path, monkeypatch):
    import importlib

    main_module = importlib.import_module("repair.cli.main")

    monkeypatch.setattr(main_module, "_stdin_is_terminal", lambda: True)
    r = _invoke([], tmp_path, stdin="")
    assert r.exit_code == 0 and "reading text from the terminal, end with Ctrl-D" in r.stderr
    assert _invoke(["-q"], tmp_path, stdin="").stderr == ""


def test_no_color_and_the_flags(monkeypatch):
    from repair.cli.main import use_color

    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(None) is False and use_color(True) is True
    monkeypatch.delenv("NO_COLOR")
    assert use_color(None) is None and use_color(False) is False


def test_color_flag_before_the_command_reaches_explain(tmp_path: Path):
    (tmp_path / "a.txt").write_text("中心政法委书记\n", encoding="utf-8")
    assert "\x1b[31m" in _invoke(["--color", "explain", "a.txt"], tmp_path).stdout
    assert "\x1b[" not in _invoke(["--color", "explain", "--no-color", "a.txt"], tmp_path).stdout
    assert "\x1b[" not in _invoke(["explain", "a.txt"], tmp_path, env={"NO_COLOR": "1"}).stdout


def test_side_by_side_fits_the_terminal_in_real_columns(tmp_path: Path):
    from repair.cli.output import cell_width

    line = "中心政法委书记郭声琨主持集会,要求增强政策供给、批量办理题目。" * 2
    (tmp_path / "a.txt").write_text(line + "\n", encoding="utf-8")
    r = _invoke(["explain", "--side-by-side", "a.txt"], tmp_path, env={"COLUMNS": "50"})
    rows = [row for row in r.stdout.splitlines() if "│" in row]
    assert len(rows) > 2 and all(cell_width(row) <= 50 for row in rows)
    bars = {cell_width(row.split("│")[0]) for row in rows}
    assert len(bars) == 1  # the divider sits in the same column on every row
    left = "".join(row.split("│")[0].rstrip() for row in rows)
    right = "".join(row.split("│")[1].strip() for row in rows)
    assert "[-中心-]" in left and "{+中央+}" in right


def test_wrap_cells_counts_wide_characters_twice():
    from repair.cli.output import cell_width, wrap_cells

    assert cell_width("中a") == 3
    assert wrap_cells("中文ab中", 4) == ["中文", "ab中"]
    styled = "\x1b[31m中文中\x1b[0m"
    rows = wrap_cells(styled, 4)
    assert [cell_width(r) for r in rows] == [4, 2] and rows[1].startswith("\x1b[31m")


def test_suggestions_are_labelled_in_every_format(tmp_path: Path):
    import json

    (tmp_path / "a.txt").write_text("中心政法委书记郭声琨主持集会,要求增强政策供给、批量办理题目。\n", encoding="utf-8")
    base = ["check", "--threshold", "1.0", "--min-confidence", "0.0", "a.txt"]
    text = _invoke(base, tmp_path).stdout.splitlines()
    weak = [line for line in text if float(line.rsplit("(", 1)[1].split(",")[0]) < 1.0 or "suggest" in line]
    assert weak and all("suggestion, not applied" in line for line in weak)
    rows = [json.loads(line) for line in _invoke([*base[:-1], "--format", "json", "a.txt"], tmp_path).stdout.splitlines()]
    assert all(row["applied"] is (row["confidence"] >= 1.0 and row["kind"] != "suggest") for row in rows)
    assert all(row.get("note") == "suggestion, not applied" for row in rows if not row["applied"])
    github = _invoke([*base[:-1], "--format", "github", "a.txt"], tmp_path).stdout.splitlines()
    assert any(line.startswith("::notice ") and "suggestion, not applied" in line for line in github)
    rd = json.loads(_invoke([*base[:-1], "--format", "rdjson", "a.txt"], tmp_path).stdout)
    assert any(d["severity"] == "INFO" and "suggestion, not applied" in d["message"] for d in rd["diagnostics"])
    # at the default threshold nothing applied is labelled
    assert "suggestion" not in _invoke(["check", "a.txt"], tmp_path).stdout


def test_printable_path():
    from repair.cli.output import printable_path

    assert printable_path("d/caf\udce9.txt") == "d/caf\\xe9.txt"
    assert printable_path("a\x1b[31m.txt") == "a\\x1b[31m.txt"
    assert printable_path("中心.txt") == "中心.txt"


def test_a_file_name_with_a_newline_or_an_escape_stays_one_line_in_messages(tmp_path: Path):
    """`fix -w` said "fixed NAME" and its errors with the raw name: a newline split the line and an
    escape sequence reached the terminal; findings already showed ``\\xNN``, now every line does."""
    for name in ("new\nline.txt", "esc\x1b[31mred.txt"):
        (tmp_path / name).write_text("中心政法委书记郭声琨主持集会\n", encoding="utf-8")
    (tmp_path / "esc\x1b[31mred.txt").chmod(0o444)
    r = _invoke(["fix", "-w", "-j", "1", "."], tmp_path)
    assert r.exit_code == 2, r.stderr
    assert "fixed new\\x0aline.txt (" in r.stdout + r.stderr
    assert "unspin: error: esc\\x1b[31mred.txt: read-only file" in r.stderr
    assert "\x1b" not in r.stdout + r.stderr
    assert not any(line.startswith("line.txt") for line in (r.stdout + r.stderr).splitlines())


@pytest.mark.parametrize("command", [["score"], ["fix"], ["check"], ["explain"], ["check", "--format", "rdjson"]])
def test_a_file_name_that_is_not_utf8_is_no_traceback(command, tmp_path: Path):
    """Found by tests/test_fuzz_cli.py: `score` on a file named b'\\x80' crashed printing its name."""
    name = os.fsdecode(b"\x80x.txt")
    (tmp_path / name).write_text("中心政法委书记\n", encoding="utf-8")
    r = _invoke([*command, "-j", "1", "."], tmp_path)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code in (0, 1) and "Traceback" not in r.stderr


def test_default_jobs_is_one_for_small_runs_and_all_cores_for_big_ones():
    from repair.cli.output import default_jobs

    assert default_jobs(None, [1000] * 400, cores=8) == 1            # 400 small files: < 1 MB
    assert default_jobs(None, [100_000] * 10, cores=8) == 1          # 1 MB in 10 files
    assert default_jobs(None, [100_000] * 100, cores=8) == 8
    assert default_jobs(None, [100_000] * 60, cores=64) == 60
    assert default_jobs(4, [10] * 2, cores=8) == 2 and default_jobs(3, [10] * 9) == 3


def test_progress_is_cleared_before_output_and_silent_off_a_terminal():
    import io

    from repair.cli.output import Progress, before_output

    stream = io.StringIO()
    with Progress(100, stream, enabled=True) as progress:
        progress.update(50)
        assert stream.getvalue().startswith("\runspin [")
        before_output()
        assert stream.getvalue().endswith("\r\x1b[K") and not progress.shown
        before_output()  # nothing showing: nothing written
        assert stream.getvalue().count("\x1b[K") == 1
    quiet = io.StringIO()
    with Progress(100, quiet, enabled=False) as progress:
        progress.update(100)
    assert quiet.getvalue() == "" and Progress.active is None


def test_d17_unreadable_folder_makes_check_exit_2(tmp_path: Path, monkeypatch):
    """As root every folder is readable, so the refusal is simulated where the walk lists a folder."""
    (tmp_path / "iso" / "secret").mkdir(parents=True)
    (tmp_path / "iso" / "secret" / "b.txt").write_text("中心政法委书记\n", encoding="utf-8")
    (tmp_path / "iso" / "clean.txt").write_text("市中心的广场上有人集会。\n", encoding="utf-8")
    _refuse_folder(monkeypatch, "secret")
    r = _invoke(["check", "-j", "1", "iso"], tmp_path)
    assert r.exit_code == 2
    assert "iso/secret" in r.stderr and "Permission denied" in r.stderr


def test_d18_process_substitution_is_read_and_a_fifo_in_a_folder_is_passed_over(tmp_path: Path):
    r_fd, w_fd = os.pipe()
    os.write(w_fd, "中心政法委书记\n".encode("utf-8"))
    os.close(w_fd)
    try:
        r = _invoke(["check", "-j", "1", f"/dev/fd/{r_fd}"], tmp_path)  # what bash's <(…) passes
    finally:
        os.close(r_fd)
    assert r.exit_code == 1 and "中心 -> 中央" in r.stdout and "Traceback" not in r.stderr
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "d" / "p")  # nobody writes to it: opening it would wait forever
    (tmp_path / "d" / "a.txt").write_text("中心政法委书记\n", encoding="utf-8")
    r = _invoke(["check", "-j", "1", "d"], tmp_path)
    assert r.exit_code == 1 and r.stdout.startswith("d/a.txt:1:1:")


def test_byte_columns_of_findings_in_order_encode_each_character_once(monkeypatch):
    from repair.engine import changes

    line = "中心集会向导题目" * 5000  # one long line, a finding every two characters
    changes._LAST_INDEX = None
    index = changes.line_index(line)
    encoded = []

    class Counting(str):
        def __getitem__(self, key):
            piece = str.__getitem__(self, key)
            encoded.append(len(piece))
            return piece

    index.text = Counting(line)
    cols = [changes.byte_col(index.text, i) for i in range(0, len(line), 2)]
    assert cols[:3] == [1, 7, 13] and cols[-1] == 3 * (len(line) - 2) + 1
    assert sum(encoded) <= 2 * len(line)  # not one re-encoding of the line per finding
