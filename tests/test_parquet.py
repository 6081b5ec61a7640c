"""Parquet shards in ``fix``, ``check`` and ``score``: ``--field`` names the column, the rest is kept.

Expectations come from the library (or from the same documents as JSON Lines),
never from hard-coded engine output.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from repair.files import parquet as parquet_files

from cli_helpers import CLEAN, SPUN, engine, project, unspin

DOCS = [SPUN, CLEAN, None, SPUN + "\n第二段:主持集会。", "", CLEAN + SPUN]


@pytest.fixture
def pa():
    return pytest.importorskip("pyarrow", reason="Parquet needs pyarrow: pip install 'unspin[parquet]'")


def write_shard(pa, path: Path, docs: list, column: str = "text", row_group_size: int = 2) -> None:
    import pyarrow.parquet as pq

    table = pa.table({
        "id": pa.array(range(len(docs)), pa.int64()),
        column: pa.array(docs, pa.string()),
        "meta": pa.array([{"url": f"https://example.com/{i}", "lang": "zh"} for i in range(len(docs))]),
        "score": pa.array([0.5] * len(docs), pa.float32()),
    }).replace_schema_metadata({"crawl": "2026-11"})
    pq.write_table(table, path, row_group_size=row_group_size, compression="zstd")


def write_jsonl(path: Path, docs: list) -> None:
    path.write_text("".join(json.dumps({"text": d}, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")


def read(path: Path):
    import pyarrow.parquet as pq
    return pq.ParquetFile(path)


def test_fix_output_keeps_every_other_column_the_schema_and_row_groups(pa, tmp_path):
    root = project(tmp_path / "p")
    write_shard(pa, root / "shard.parquet", DOCS)
    original = (root / "shard.parquet").read_bytes()
    result = unspin(["fix", "-o", "out", "shard.parquet"], root)
    assert result.exit_code == 0, result.stderr
    before, after = read(root / "shard.parquet"), read(root / "out" / "shard.parquet")
    assert after.schema_arrow.equals(before.schema_arrow, check_metadata=True)
    assert after.num_row_groups == before.num_row_groups
    assert after.metadata.row_group(0).column(1).compression == "ZSTD"
    old, new = before.read().to_pylist(), after.read().to_pylist()
    lib = engine(root)
    for a, b in zip(old, new, strict=True):
        assert {k: v for k, v in b.items() if k != "text"} == {k: v for k, v in a.items() if k != "text"}
        assert b["text"] == (lib.analyse(a["text"]).fixed if a["text"] is not None else None)
    assert new[0]["text"] != SPUN and new[1]["text"] == CLEAN and new[2]["text"] is None
    assert (root / "shard.parquet").read_bytes() == original


def test_parquet_rows_are_repaired_like_the_same_documents_in_json_lines(pa, tmp_path, monkeypatch):
    """Many jobs across row groups, two workers: the same text as the JSON Lines route, row for row."""
    monkeypatch.setattr(parquet_files, "ROWS_PER_JOB", 7)
    root = project(tmp_path / "p")
    docs = [d if d is None else f"{i}. {d}" for i, d in enumerate(DOCS * 7)]
    write_shard(pa, root / "shard.parquet", docs, row_group_size=16)
    write_jsonl(root / "docs.jsonl", docs)
    result = unspin(["fix", "-j", "2", "--field", "text", "-o", "out", "shard.parquet", "docs.jsonl"], root)
    assert result.exit_code == 0, result.stderr
    from_jsonl = [json.loads(line)["text"] for line in (root / "out" / "docs.jsonl").read_text("utf-8").splitlines()]
    assert read(root / "out" / "shard.parquet").read().column("text").to_pylist() == from_jsonl
    assert read(root / "out" / "shard.parquet").num_row_groups == 3


def test_write_in_place_and_a_clean_shard_is_left_alone(pa, tmp_path):
    root = project(tmp_path / "p")
    write_shard(pa, root / "spun.parquet", DOCS)
    write_shard(pa, root / "clean.parquet", [CLEAN, None])
    clean_bytes = (root / "clean.parquet").read_bytes()
    result = unspin(["fix", "-w", "."], root)
    assert result.exit_code == 0, result.stderr
    assert "fixed spun.parquet" in result.stdout and "clean.parquet" not in result.stdout
    assert (root / "clean.parquet").read_bytes() == clean_bytes
    texts = read(root / "spun.parquet").read().column("text").to_pylist()
    assert texts[0] == engine(root).analyse(SPUN).fixed != SPUN
    again = unspin(["fix", "spun.parquet"], root)
    assert again.stdout == ""


def test_diff_shows_changed_rows_numbered_from_one(pa, tmp_path):
    root = project(tmp_path / "p")
    write_shard(pa, root / "shard.parquet", [CLEAN, SPUN])
    result = unspin(["fix", "shard.parquet"], root)
    fixed = engine(root).analyse(SPUN).fixed
    assert "--- a/shard.parquet" in result.stdout
    assert f"-{json.dumps(SPUN, ensure_ascii=False)}\n+{json.dumps(fixed, ensure_ascii=False)}\n" in result.stdout
    assert "@@ -1,2 +1,2 @@" in result.stdout
    assert not (root / "out").exists()


def test_score_and_check_give_one_line_per_row_like_json_lines(pa, tmp_path):
    root = project(tmp_path / "p")
    write_shard(pa, root / "shard.parquet", DOCS)
    write_jsonl(root / "shard.jsonl", DOCS)
    for command in (["score"], ["check"], ["check", "--format", "json"]):
        got = unspin([*command, "--field", "text", "shard.parquet"], root)
        want = unspin([*command, "--field", "text", "shard.jsonl"], root)
        assert got.exit_code == want.exit_code
        assert got.stdout == want.stdout.replace("shard.jsonl", "shard.parquet") != ""
    rows = [json.loads(line) for line in unspin(["score", "shard.parquet"], root).stdout.splitlines()]
    lib = engine(root)
    assert [r["line"] for r in rows] == [1, 2, 4, 5, 6]  # the null row has no score
    assert [r["score"] for r in rows] == [round(lib.analyse(d).spin_score, 4) for d in DOCS if d is not None]


def test_field_names_the_column_and_a_missing_column_is_an_error(pa, tmp_path):
    root = project(tmp_path / "p")
    write_shard(pa, root / "shard.parquet", [SPUN], column="content")
    missing = unspin(["check", "shard.parquet"], root)
    assert missing.exit_code == 2
    assert "no column 'text' (columns: id, content, meta, score)" in missing.stderr
    assert "--field" in missing.stderr
    found = unspin(["check", "--field", "content", "shard.parquet"], root)
    assert found.exit_code == 1 and found.stdout.startswith("shard.parquet:1:1: ")
    wrong_type = unspin(["check", "--field", "id", "shard.parquet"], root)
    assert wrong_type.exit_code == 2 and "not text" in wrong_type.stderr


def test_a_broken_shard_is_reported_and_the_others_go_on(pa, tmp_path):
    root = project(tmp_path / "p")
    (root / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    write_shard(pa, root / "good.parquet", [SPUN])
    result = unspin(["check", "."], root)
    assert result.exit_code == 2
    assert "broken.parquet: not a readable Parquet file" in result.stderr
    assert "good.parquet:1:1: " in result.stdout


def test_without_pyarrow_parquet_is_a_clean_usage_error(tmp_path, monkeypatch):
    root = project(tmp_path / "p")
    (root / "shard.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = unspin(["score", "shard.parquet"], root)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("unspin: error: ")
    assert "pip install 'unspin[parquet]'" in result.stderr


def test_without_ray_the_ray_option_is_a_clean_usage_error(tmp_path, monkeypatch):
    root = project(tmp_path / "p")
    (root / "a.txt").write_text(SPUN, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "ray", None)
    for args in (["score", "--ray", "a.txt"], ["fix", "--ray-address", "auto", "a.txt"]):
        result = unspin(args, root)
        assert result.exit_code == 2
        assert result.stderr.startswith("unspin: error: ") and "pip install 'unspin[ray]'" in result.stderr
