"""Shared bits of the file-command tests: texts, a spinner table, and running the CLI.

The tests load a small spinner table of their own (besides the built-in
dictionaries) so that what they expect depends on the file commands, not on
how the shipped dictionaries evolve.
"""
from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner, Result

from repair import Config, Repairer
from repair.cli import main

# one modern particle (的): a long page without any reads as formal text and is left alone
SPUN = "中心政法委书记郭声琨主持集会,要求增强政策的供给、批量办理题目。"
RESTORED = "中央政法委书记郭声琨主持会议,要求加强政策的供给、批量解决问题。"
CLEAN = "市中心的广场上有人集会,考试题目很难,环境保护很重要。"
TABLE = "中央-中心\n会议-集会\n加强-增强\n解决-办理\n问题-题目\n"


def project(root: Path) -> Path:
    """Make ``root`` a project whose config file loads the test table."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "spin-table.txt").write_text(TABLE, encoding="utf-8")
    (root / ".unspin.yaml").write_text("tables: [spin-table.txt]\nexclude: [spin-table.txt]\n", encoding="utf-8")
    return root


def unspin(args: list[str], cwd: Path, stdin: bytes | str | None = None,
           env: dict[str, str] | None = None, catch_exceptions: bool = False) -> Result:
    """Run ``unspin ARGS`` in ``cwd`` in-process; stdout and stderr kept apart."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner(env=env).invoke(main, args, input=stdin, catch_exceptions=catch_exceptions)
    finally:
        os.chdir(old)


def engine(root: Path) -> Repairer:
    """The library with the same configuration as ``project(root)``, to derive expectations from."""
    return Repairer(Config(tables=(root / "spin-table.txt",)))
