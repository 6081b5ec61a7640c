"""Issue 10, files wing: findings on one long line located in linear time, and the size cap of
Markdown/HTML files, which are read whole (refused over it: no byte lost, the rest of the run done)."""
from __future__ import annotations

import functools
import time
from pathlib import Path

import pytest
from cli_helpers import CLEAN, RESTORED, SPUN, project, unspin

#: ``unspin`` in-process without colour, exceptions kept on the result
_invoke = functools.partial(unspin, env={"NO_COLOR": "1"}, catch_exceptions=True)


# --- findings on one long line are located in linear time ------------------------------------

def test_locating_many_findings_on_one_long_line_is_linear():
    from repair.engine.changes import Change
    from repair.files.documents import Job, locate

    text = "中心集会" * 250_000  # 1M characters, one line
    changes = [Change(i, i + 2, "中心", "中央", 1.0, "pair", "", ()) for i in range(0, len(text), 250)]
    job = Job("text", text, "a.txt", line=3, col=5, byte_col=9)
    start = time.perf_counter()
    found = [locate(job, text, c) for c in changes]
    elapsed = time.perf_counter() - start
    assert [(f.line, f.col, f.byte_col) for f in found[:3]] == [(3, 5, 9), (3, 255, 759), (3, 505, 1509)]
    assert found[-1].byte_col == 9 + 3 * changes[-1].start
    assert elapsed < 1.0, f"{len(changes)} findings took {elapsed:.2f} s"  # 3 s when each re-encoded its line

    crlf = "a\r\n中心b"  # later lines: columns from the line start, in bytes too
    f = locate(Job("text", crlf, "a.txt", line=1, col=7, byte_col=7), crlf, Change(4, 5, "心", "央", 1.0, "pair", "", ()))
    assert (f.line, f.col, f.byte_col) == (2, 2, 4)


# --- Markdown and HTML are read whole, so they are capped -------------------------------------

@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_a_markup_file_over_the_cap_is_refused_and_left_alone(suffix, tmp_path: Path, monkeypatch):
    from repair.files import runner

    project(tmp_path)
    monkeypatch.setattr(runner, "MARKUP_MAX_BYTES", 4096, raising=False)
    big = tmp_path / f"big{suffix}"
    body = ("<p>" if suffix == ".html" else "") + (SPUN + "\n\n") * 100
    big.write_text(body, encoding="utf-8")
    small = tmp_path / f"small{suffix}"
    small.write_text(SPUN + "\n", encoding="utf-8")
    r = _invoke(["fix", "-w", "."], tmp_path)
    assert r.exit_code == 2, r.output
    assert f"unspin: error: big{suffix}: " in r.stderr and "MiB" in r.stderr and "--type text" in r.stderr
    assert big.read_text(encoding="utf-8") == body  # not a byte lost or changed
    assert RESTORED in small.read_text(encoding="utf-8")  # the rest of the run goes on
    assert not list(tmp_path.rglob("*.unspin-tmp"))
    r = _invoke(["fix", "-w", "--type", "text", big.name], tmp_path)  # the way out the message names
    assert r.exit_code == 0 and RESTORED in big.read_text(encoding="utf-8")


def test_a_markup_stream_over_the_cap_is_refused(tmp_path: Path, monkeypatch):
    from repair.files import runner

    project(tmp_path)
    monkeypatch.setattr(runner, "MARKUP_MAX_BYTES", 4096, raising=False)
    r = _invoke(["check", "--type", "markdown", "-"], tmp_path, stdin=(CLEAN + "\n") * 200)
    assert r.exit_code == 2 and "unspin: error: <stdin>: Markdown file over" in r.stderr, r.output
    r = _invoke(["check", "--type", "markdown", "-"], tmp_path, stdin=SPUN + "\n")
    assert r.exit_code == 1, r.output


# --- data files the user names are read whole, so they are bounded ----------------------------

@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("args", [
    ["check", "--table", "/dev/zero", "a.txt"],
    ["check", "--dictionary", "/dev/zero", "a.txt"],
    ["learn", "--synonyms", "/dev/zero", "a.txt", "-o", "pairs.tsv"],
])
def test_a_data_file_that_never_ends_is_refused_with_its_name(args: list[str], tmp_path: Path):
    """``--table /dev/zero`` (or a pipe that never ends) read until memory ran out; now the read
    stops past the bound, with one line that names the file, exit 2, nothing written."""
    (tmp_path / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    r = _invoke(args, tmp_path)
    assert r.exit_code == 2, (r.stdout, r.stderr, r.exception)
    assert "/dev/zero: larger than 64 MiB" in r.stderr
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == SPUN + "\n"
    assert not (tmp_path / "pairs.tsv").exists()


@pytest.mark.parametrize("name, body", [(".unspin.yaml", "# x\n"), ("pyproject.toml", "# x\n")])
def test_a_config_file_over_its_bound_is_refused(name: str, body: str, tmp_path: Path):
    from repair.reading import MAX_CONFIG_BYTES

    (tmp_path / name).write_text(body * (MAX_CONFIG_BYTES // len(body) + 1), encoding="utf-8")
    (tmp_path / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    r = _invoke(["check", "a.txt"], tmp_path)
    assert r.exit_code == 2 and f"{name}: larger than 8 MiB" in r.stderr, (r.stdout, r.stderr)
