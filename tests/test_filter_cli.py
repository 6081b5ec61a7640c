"""The stdin → stdout filter, run as the real console script."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

SPUN = "中心政法委书记郭声琨主持集会,要求增强政策供给、批量办理题目。\n"
RESTORED = "中央政法委书记郭声琨主持会议,要求加强政策供给、批量解决问题。\n"
CLEAN = "市中心的广场上有人集会,考试题目很难,环境保护很重要。\n"


def run(args: list[str], data: bytes, cwd=None) -> subprocess.CompletedProcess:
    exe = shutil.which("unspin")
    cmd = [exe] if exe else [sys.executable, "-c", "from repair.cli import main; main()"]
    return subprocess.run(cmd + args, input=data, capture_output=True, timeout=120, cwd=cwd)


def test_filter_restores_the_issue_example():
    p = run([], SPUN.encode())
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode() == RESTORED


def test_filter_leaves_clean_text_byte_for_byte():
    p = run([], CLEAN.encode())
    assert p.returncode == 0 and p.stdout == CLEAN.encode()


def test_explain_goes_to_stderr_and_output_is_unchanged_by_it():
    p = run(["--explain"], SPUN.encode())
    assert p.stdout.decode() == RESTORED
    err = p.stderr.decode()
    assert "<stdin>:1:1: 中心 -> 中央 (" in err
    assert "集会 -> 会议" in err


def test_non_utf8_input_is_refused_with_exit_2_and_no_output():
    p = run([], SPUN.encode("gb18030"))
    assert p.returncode == 2
    assert p.stdout == b""
    assert b"not valid UTF-8" in p.stderr


def test_bom_and_crlf_survive():
    data = "\ufeff".encode() + SPUN.replace("\n", "\r\n").encode()
    p = run([], data)
    assert p.returncode == 0
    assert p.stdout == "\ufeff".encode() + RESTORED.replace("\n", "\r\n").encode()


def test_table_option(tmp_path):
    t = tmp_path / "t.txt"
    t.write_text("会议-集会\n", encoding="utf-8")
    p = run(["--table", str(t), "--threshold", "0.5"], "他主持集会。\n".encode())
    assert p.returncode == 0


def test_malformed_table_lines_are_skipped_with_one_warning(tmp_path):
    t = tmp_path / "t.txt"
    t.write_text("会议-集会\nnonsense here\n问题-题目\n", encoding="utf-8")
    p = run(["--table", str(t)], SPUN.encode())
    assert p.returncode == 0 and p.stdout
    warnings = [line for line in p.stderr.decode().splitlines() if "warning" in line]
    assert len(warnings) == 1 and "skipped 1 line(s)" in warnings[0] and "line 2:" in warnings[0]
    assert "Traceback" not in p.stderr.decode()


def test_a_table_with_no_pairs_is_named_in_one_warning(tmp_path):
    """An empty or comment-only table (an empty download, the wrong file) changes nothing: the run
    goes on, and says so once, where it used to say nothing at all."""
    for body in ("", "# only a comment\n\n"):
        t = tmp_path / "t.txt"
        t.write_text(body, encoding="utf-8")
        p = run(["--table", str(t), "--no-builtin"], SPUN.encode())
        assert p.returncode == 0 and p.stdout == SPUN.encode()
        warnings = [line for line in p.stderr.decode().splitlines() if "warning" in line]
        assert len(warnings) == 1 and "t.txt: no pairs in it" in warnings[0], p.stderr.decode()


def test_strict_table_makes_a_malformed_line_a_clear_error(tmp_path):
    t = tmp_path / "t.txt"
    t.write_text("会议-集会\nnonsense here\n", encoding="utf-8")
    p = run(["--strict-table", "--table", str(t)], SPUN.encode())
    assert p.returncode == 2 and p.stdout == b""
    assert f"{t}:2:".encode() in p.stderr


@pytest.mark.parametrize("threshold", ["1.5", "-1", "x"])
def test_bad_threshold_is_a_usage_error(threshold):
    assert run(["--threshold", threshold], b"").returncode == 2


def test_filter_reads_the_nearest_config_file(tmp_path):
    (tmp_path / ".unspin.yaml").write_text("protected: [集会]\n", encoding="utf-8")
    sub = tmp_path / "deeper"
    sub.mkdir()
    p = run([], SPUN.encode(), cwd=sub)
    assert p.returncode == 0
    assert p.stdout.decode() == RESTORED.replace("会议", "集会")


def test_filter_reports_a_bad_config_file_and_writes_nothing(tmp_path):
    (tmp_path / ".unspin.yaml").write_text("bogus: 1\n", encoding="utf-8")
    p = run([], SPUN.encode(), cwd=tmp_path)
    assert p.returncode == 2 and p.stdout == b""
    assert b".unspin.yaml: bogus: unknown key" in p.stderr
