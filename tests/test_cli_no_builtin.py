"""`--no-builtin` and `builtin: false`: only the user's table and dictionaries are restored.

With a table found by `unspin learn`, the built-in dictionaries' words dilute the table's
evidence when the spinner used none of their pairs (bench/DISCOVERY.md), so a user can leave
them out, as codespell's `--builtin` chooses its dictionaries.
"""
from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import unspin

TEXT = "中心政法委书记主持集会，研究经由过程的决定。\n"  # 经由过程 is only in the built-in markers


def _table(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "t.txt").write_text("中心-中央\n会议-集会\n", encoding="utf-8")
    return root


def test_filter_without_the_builtin_dictionaries_restores_only_table_pairs(tmp_path: Path):
    root = _table(tmp_path)
    with_all = unspin(["--table", "t.txt"], root, stdin=TEXT).stdout
    table_only = unspin(["--table", "t.txt", "--no-builtin"], root, stdin=TEXT).stdout
    assert "通过" in with_all and "经由过程" in table_only
    assert table_only == "中央政法委书记主持会议，研究经由过程的决定。\n"


def test_file_commands_take_no_builtin_after_the_command_name(tmp_path: Path):
    root = _table(tmp_path)
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    r = unspin(["check", "--format", "json", "--table", "t.txt", "--no-builtin", "a.txt"], root)
    found = [json.loads(line)["old"] for line in r.stdout.splitlines()]
    assert r.exit_code == 1 and found == ["中心", "集会"]


def test_config_file_builtin_false_and_a_bad_value(tmp_path: Path):
    root = _table(tmp_path)
    (root / ".unspin.yaml").write_text("builtin: false\ntables: [t.txt]\n", encoding="utf-8")
    assert unspin([], root, stdin=TEXT).stdout == "中央政法委书记主持会议，研究经由过程的决定。\n"
    (root / ".unspin.yaml").write_text("builtin: 0\n", encoding="utf-8")
    r = unspin([], root, stdin=TEXT)
    assert r.exit_code == 2 and "builtin: expected true or false" in r.stderr and r.stdout == ""
