"""Hypothesis over the command line (issue 10): random bytes, file names and option combinations.

Ported from ``../shared/attacks/fuzz_unspin.py`` (its CLI targets), run in-process through
click's CliRunner with ``-j 1`` so each example costs a few tens of milliseconds. Whatever
the input, every run must:

* exit 0, 1 or 2 (1 only where findings mean something: check), never with a traceback;
* leave no ``*.unspin-tmp`` file behind;
* leave every input byte-identical unless ``fix -w`` was asked to change it, and then
  only by writing what ``fix`` (without ``-w``) said it would.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from repair.cli import main

WORDS = ["中心", "集会", "题目", "办理", "增强", "政法委", "书记", "处置惩罚", "野生智能", "中央", "会议",
         "问题", "客岁", "经由过程", "市中心", "广场", "，", "。", "、", "「", "」"]
MARKUP = ["```", "`", "<!--", "-->", "<script>", "</script>", "<b>", "</b>", "](http://x/中心)", "[中心](",
          "http://例子.中国/集会", "---\n", "unspin: ignore", "unspin: off", "unspin: on", "&amp;", "\n", "\r\n",
          "\ufeff", "\u2028", "\x00", '{"text": "', '"}', "\\u00e9", "\\ud800"]

pieces = st.one_of(st.sampled_from(WORDS), st.sampled_from(MARKUP), st.text(max_size=3))
texts = st.lists(pieces, max_size=30).map("".join)
contents = st.one_of(
    st.binary(max_size=120),
    texts.map(lambda s: s.encode("utf-8", "surrogatepass")),
    texts.map(lambda s: s.encode("gb18030", errors="ignore")),
    texts.map(lambda s: s.encode("utf-16")),
    st.lists(texts, max_size=4).map(lambda rs: "".join(f'{{"id": {i}, "text": "{r}"}}\n' for i, r in enumerate(rs))
                                    .encode("utf-8", "surrogatepass")),
)
names = st.one_of(
    st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=10),
    st.binary(min_size=1, max_size=8).map(os.fsdecode),
).filter(lambda n: n not in (".", "..") and "/" not in n and "\x00" not in n)
suffixes = st.sampled_from(["", ".txt", ".md", ".html", ".jsonl", ".unspin-tmp"])
engine_options = st.lists(st.sampled_from([
    ["--threshold", "0.5"], ["--threshold", "1.0"], ["--type", "text"], ["--type", "markdown"], ["--type", "html"],
    ["--encoding", "gb18030"], ["--encoding", "utf-16"], ["--encoding", "utf-8-sig"], ["--field", "text"],
    ["--include", "*.md"], ["--exclude", "*.txt"],
]), max_size=3).map(lambda xs: [a for x in xs for a in x])
commands = st.sampled_from([
    ["check"], ["check", "--format", "json"], ["check", "--format", "rdjson"], ["check", "--format", "github"],
    ["check", "--min-confidence", "0.1"], ["fix"], ["fix", "-w"], ["score"], ["explain"],
    ["explain", "--side-by-side"], ["explain", "--min-confidence", "0.2"],
])

SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


@contextmanager
def folder():
    old = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="unspin-fuzz-") as tmp:
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            os.chdir(old)


def _run(args: list[str], stdin: bytes | None = None):
    result = CliRunner(env={"NO_COLOR": None, "COLUMNS": "60"}).invoke(main, args, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr[-400:])
    assert "Traceback" not in result.stderr
    return result


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@SETTINGS
@given(contents, st.sampled_from([[], ["--explain"], ["--threshold", "0.5"], ["-q"], ["-"]]))
def test_filter_on_random_bytes(data: bytes, args: list[str]):
    with folder():
        r = _run(args, data)
        assert r.exit_code in (0, 2)
        if r.exit_code == 0 and r.stdout_bytes and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            r.stdout_bytes.decode("utf-8")  # what it writes is UTF-8 text (UTF-16 with a BOM goes back as it came)


@SETTINGS
@given(st.lists(st.tuples(names, suffixes, contents), min_size=1, max_size=3), commands, engine_options,
       st.booleans())
def test_file_commands_on_random_files(files, command: list[str], options: list[str], folder_arg: bool):
    with folder() as root:
        (root / "sub").mkdir()
        written = []
        for name, suffix, data in files:
            path = root / "sub" / f"{name}{suffix}"
            try:
                path.write_bytes(data)
            except OSError:  # a name the file system refuses (too long in bytes)
                continue
            written.append(path)
        before = _snapshot(root)
        targets = ["sub"] if folder_arg or not written else [f"sub/{p.name}" for p in written]
        fix_w = command[:2] == ["fix", "-w"]
        r = _run([*command, "-j", "1", *options, "--", *targets])
        if command[0] != "check":
            assert r.exit_code in (0, 2)
        after = _snapshot(root)
        leftovers = [n for n in after if n.endswith(".unspin-tmp") and n not in before]
        assert not leftovers
        assert set(after) == set(before)
        if not fix_w:
            assert after == before
        else:
            changed = [n for n in before if after[n] != before[n]]
            assert not any(n.endswith(".unspin-tmp") for n in changed)  # stale temp files are never inputs
            if changed:
                # what -w wrote is what `fix` without -w promised: running fix again changes nothing more
                again = _run(["fix", "-j", "1", *options, "--", *targets])
                assert again.exit_code in (0, 2)


@SETTINGS
@given(names, suffixes, contents, st.sampled_from([[], ["--explain"], ["--threshold", "0.9"]]))
def test_unspin_file_filter(name: str, suffix: str, data: bytes, options: list[str]):
    with folder() as root:
        path = root / f"x{name}{suffix}"
        try:
            path.write_bytes(data)
        except OSError:
            return
        before = _snapshot(root)
        r = _run([*options, f"./{path.name}"])
        assert r.exit_code in (0, 2)
        assert _snapshot(root) == before
