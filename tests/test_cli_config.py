"""Config files: found walking up, paths relative to the file, flags win, mistakes exit 2."""
from __future__ import annotations

from pathlib import Path

import pytest

from cli_helpers import SPUN, TABLE, unspin


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "conf").mkdir(parents=True)
    (root / "conf" / "table.txt").write_text(TABLE, encoding="utf-8")
    (root / "content" / "deep").mkdir(parents=True)
    (root / "content" / "deep" / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    return root


def findings(r) -> list[str]:
    return [line.split(": ", 1)[1].split(" (")[0] for line in r.stdout.splitlines()]


def test_pyproject_found_from_a_subdirectory_with_relative_paths(repo: Path):
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.unspin]\ntables = ["conf/table.txt"]\n',
                                         encoding="utf-8")
    r = unspin(["check", "a.txt"], repo / "content" / "deep")
    assert r.exit_code == 1 and "中心 -> 中央" in findings(r)


def test_pyproject_without_a_section_is_passed_over(repo: Path):
    (repo / ".unspin.yaml").write_text("tables: [conf/table.txt]\n", encoding="utf-8")
    (repo / "content" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    r = unspin(["check", "deep/a.txt"], repo / "content")
    assert r.exit_code == 1 and "中心 -> 中央" in findings(r)


def test_threshold_from_config_and_the_flag_overrides_it(repo: Path):
    (repo / ".unspin.yaml").write_text("tables: [conf/table.txt]\nthreshold: 0.99\n", encoding="utf-8")
    strict = findings(unspin(["check", "content"], repo))
    loose = findings(unspin(["--threshold", "0.8", "check", "content"], repo))
    assert set(strict) < set(loose) and "增强 -> 加强" in loose and "增强 -> 加强" not in strict


def test_min_confidence_include_and_exclude_from_config(repo: Path):
    (repo / "content" / "b.md").write_text(SPUN + "\n", encoding="utf-8")
    (repo / "content" / "skip.txt").write_text(SPUN + "\n", encoding="utf-8")
    (repo / ".unspin.yaml").write_text(
        "tables: [conf/table.txt]\nmin_confidence: 0.99\ninclude: ['*.txt']\nexclude: [skip.txt]\n",
        encoding="utf-8")
    r = unspin(["check", "content"], repo)
    assert {line.split(":")[0] for line in r.stdout.splitlines()} == {"content/deep/a.txt"}
    assert all(float(line.rsplit("(", 1)[1].split(",")[0]) >= 0.99 for line in r.stdout.splitlines())
    assert len(r.stdout.splitlines()) < 5


@pytest.mark.parametrize("body, key", [
    ("tables: [conf/table.txt]\nthreshhold: 0.9\n", "threshhold"),
    ("threshold: high\n", "threshold"),
    ("threshold: 1.5\n", "threshold"),
    ("protected: 集会\n", "protected"),
    ("include: [1, 2]\n", "include"),
])
def test_unknown_key_or_wrong_type_names_file_and_key(repo: Path, body: str, key: str):
    (repo / ".unspin.yaml").write_text(body, encoding="utf-8")
    for command in (["check", "content"], ["fix", "content"], ["score", "content"], ["explain", "content/deep/a.txt"]):
        r = unspin(command, repo)
        assert r.exit_code == 2, command
        assert f"{repo / '.unspin.yaml'}: {key}:" in r.stderr


def test_pyproject_error_names_the_section(repo: Path):
    (repo / "pyproject.toml").write_text("[tool.unspin]\nexclude = 'x'\n", encoding="utf-8")
    r = unspin(["check", "content"], repo)
    assert r.exit_code == 2 and "pyproject.toml: [tool.unspin].exclude: expected a list of strings" in r.stderr


def test_broken_files_exit_2(repo: Path):
    (repo / "pyproject.toml").write_text("[tool.unspin\n", encoding="utf-8")
    r = unspin(["check", "content"], repo)
    assert r.exit_code == 2 and "not valid TOML" in r.stderr
    (repo / ".unspin.yaml").write_text("tables: [a\n", encoding="utf-8")
    r = unspin(["check", "content"], repo)
    assert r.exit_code == 2 and "not valid YAML" in r.stderr


@pytest.mark.parametrize("body, line", [("[a]: 1\n", 1), ("tables:\n  ? [x]\n  : 1\n", 2)])
def test_an_unhashable_key_is_an_error_with_file_and_line(repo: Path, body: str, line: int):
    """A list as a key (`[a]: 1`) passed every check and crashed PyYAML's constructor with a traceback."""
    (repo / ".unspin.yaml").write_text(body, encoding="utf-8")
    r = unspin(["check", "content"], repo)
    assert r.exit_code == 2, repr(r.exception)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert f"{repo / '.unspin.yaml'}:{line}: not valid settings: found unhashable key" in r.stderr


def test_missing_table_named_in_config_exits_2(repo: Path):
    (repo / ".unspin.yaml").write_text("tables: [conf/nope.txt]\n", encoding="utf-8")
    r = unspin(["check", "content"], repo)
    assert r.exit_code == 2 and "nope.txt" in r.stderr
