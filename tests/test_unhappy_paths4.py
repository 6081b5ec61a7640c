"""Unhappy paths of the fourth sweep: each test fails on the code before its fix (or says it was found fine)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli_helpers import RESTORED, SPUN, unspin
from test_unhappy_paths import LEARN_SPUN


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("unspin: error: ")]


# --- learn: a Markdown or HTML corpus file is read whole, so within a bound ---------------------------

@pytest.mark.parametrize("suffix, what", [(".md", "Markdown"), (".html", "HTML")])
def test_learn_refuses_a_markup_file_over_the_bound_and_learns_from_the_rest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, what: str):
    """``learn`` read a Markdown or HTML corpus file whole with no bound (a 5 GB ``dump.html`` took
    all memory), where fix and check refuse one over ``MARKUP_MAX_BYTES``. Its prose is cut out of
    the markup as a whole document, so it cannot be read in chunks: it is refused under the same
    bound, one error naming the file and the bound and the plain-text way out, exit 2, and the
    pairs of the rest are written."""
    from repair.files import runner

    monkeypatch.setattr(runner, "MARKUP_MAX_BYTES", 4096)
    reads: list[int] = []
    real_open = Path.open

    def spy_open(self, *args, **kwargs):  # every read of the big file: none may be unbounded
        fh = real_open(self, *args, **kwargs)
        if self.name.startswith("big"):
            read = fh.read
            fh.read = lambda n=-1: (reads.append(n), read(n))[1]  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(Path, "open", spy_open)
    (tmp_path / "t.txt").write_text("通过-经由过程\n", encoding="utf-8")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    big = tmp_path / "c" / f"big{suffix}"
    big.write_text(("<p>" if suffix == ".html" else "") + LEARN_SPUN * 100, encoding="utf-8")
    args = ["--table", "t.txt", "--no-builtin", "--min-count", "1", "--min-docs", "1"]
    alone = unspin(["learn", "c/a.txt", *args], tmp_path)
    assert alone.exit_code == 0 and "经由过程\t通过" in alone.stdout, alone.output
    r = unspin(["learn", "c", *args, "-o", "pairs.tsv"], tmp_path)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == [
        f"unspin: error: c/big{suffix}: {what} file over 4096 bytes, which is read whole; skipped "
        f"(`unspin learn - < FILE` reads it as plain text, markup included)"], r.stderr
    assert (tmp_path / "pairs.tsv").read_text(encoding="utf-8") == alone.stdout
    assert all(0 <= n <= 4097 for n in reads), reads
