"""``unspin explain``: an inline diff of one file or stdin, each change with its evidence."""
from __future__ import annotations

from pathlib import Path

from cli_helpers import CLEAN, SPUN, engine, project, unspin


def test_plain_markers_and_evidence_when_not_a_terminal(tmp_path: Path):
    root = project(tmp_path)
    text = f"{CLEAN}\n{SPUN}\n"
    (root / "a.txt").write_text(text, encoding="utf-8")
    r = unspin(["explain", "a.txt"], root)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == ("a.txt:2: [-中心-]{+中央+}政法委书记郭声琨主持[-集会-]{+会议+},要求[-增强-]{+加强+}"
                        "政策的供给、批量[-办理-]{+解决+}[-题目-]{+问题+}。")
    first = engine(root).explain(text)[0]
    assert lines[1] == f"    中心 -> 中央  {first.confidence:.2f}  {first.reason}"
    assert lines[2:2 + len(first.evidence)] == [f"        {e}" for e in first.evidence]
    assert "\x1b[" not in r.stdout
    assert "a.txt: 5 changes" in r.stderr


def test_colour_when_asked(tmp_path: Path):
    root = project(tmp_path)
    r = unspin(["explain", "--color", "-"], root, stdin=SPUN)
    assert "\x1b[31m" in r.stdout and "\x1b[32m" in r.stdout and "[-中心-]" in r.stdout


def test_side_by_side_puts_old_and_new_in_two_columns(tmp_path: Path):
    root = project(tmp_path)
    # one spun line on its own is not evidence enough for 集会 (a real word): a spun paragraph is
    r = unspin(["explain", "--side-by-side", "-"], root, stdin=SPUN)
    first = r.stdout.splitlines()[0]
    left, right = first.split("│")
    assert left.startswith("<stdin>:1: [-中心-]政法委") and right.strip().startswith("{+中央+}政法委")


def test_clean_input_explains_nothing(tmp_path: Path):
    root = project(tmp_path)
    r = unspin(["explain", "-"], root, stdin=CLEAN)
    assert r.exit_code == 0 and r.stdout == "" and "0 changes" in r.stderr


def test_unreadable_input_exits_2(tmp_path: Path):
    root = project(tmp_path)
    (root / "big5.txt").write_bytes(SPUN.encode("big5", errors="ignore"))
    r = unspin(["explain", "big5.txt"], root)
    assert r.exit_code == 2 and "big5.txt" in r.stderr and "not valid utf-8" in r.stderr
