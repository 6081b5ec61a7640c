"""``unspin score``: one spin score per file or per JSON Lines record, ``--above`` to filter."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import CLEAN, SPUN, project, unspin


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = project(tmp_path / "corpus")
    (root / "docs").mkdir()
    (root / "docs" / "spun.txt").write_text(SPUN + "\n", encoding="utf-8")
    (root / "docs" / "clean.txt").write_text(CLEAN + "\n", encoding="utf-8")
    (root / "docs" / "plain.txt").write_text("no Chinese here\n", encoding="utf-8")
    return root


def test_one_json_line_per_file(repo: Path):
    r = unspin(["score", "docs"], repo)
    assert r.exit_code == 0, r.stderr
    rows = {d["path"]: d for d in map(json.loads, r.stdout.splitlines())}
    assert set(rows) == {"docs/spun.txt", "docs/clean.txt", "docs/plain.txt"}
    assert set(rows["docs/spun.txt"]) == {"path", "score", "candidates"}
    assert rows["docs/spun.txt"]["score"] > 0.8 > 0.3 > rows["docs/clean.txt"]["score"]
    assert rows["docs/spun.txt"]["candidates"] >= 5  # the table's five, and any the built-in dictionaries add
    assert rows["docs/plain.txt"] == {"path": "docs/plain.txt", "score": 0.0, "candidates": 0}


def test_above_lists_only_documents_over_the_threshold(repo: Path):
    r = unspin(["score", "--above", "0.5", "docs"], repo)
    assert r.exit_code == 0
    assert [json.loads(line)["path"] for line in r.stdout.splitlines()] == ["docs/spun.txt"]


def test_jsonl_scores_each_record_with_its_line(repo: Path):
    recs = [{"text": CLEAN}, {"text": SPUN}, {"other": 1}, {"text": SPUN}]
    (repo / "c.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    r = unspin(["score", "--field", "text", "--above", "0.5", "-j", "2", "c.jsonl"], repo)
    assert r.exit_code == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(d["path"], d["line"]) for d in rows] == [("c.jsonl", 2), ("c.jsonl", 4)]


def test_stdin_jsonl(repo: Path):
    r = unspin(["score", "--field", "text", "-"], repo, stdin=json.dumps({"text": SPUN}, ensure_ascii=False) + "\n")
    assert r.exit_code == 0
    row = json.loads(r.stdout)
    assert row["path"] == "<stdin>" and row["line"] == 1 and row["score"] > 0.8
