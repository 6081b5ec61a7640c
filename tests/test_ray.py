"""unspin on Ray: the ``ray.data`` API and ``--ray`` give what the local engine gives, byte for byte.

One local Ray for the whole module (``num_cpus=2``: this project's CI machine
has two cores, so actors ask for fractions of a CPU). Expectations come from
the local library and the local worker pool, never from hard-coded output.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'unspin[ray]'")
pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed: pip install 'unspin[ray]'")
pq = pytest.importorskip("pyarrow.parquet")

from cli_helpers import CLEAN, SPUN, engine, project, unspin  # noqa: E402

from repair import Config, Repairer  # noqa: E402
from repair.scale.ray_data import UnspinBatch, fix_dataset, score_dataset  # noqa: E402

DOCS = [SPUN, CLEAN, None, SPUN + "\n第二段:主持集会。", "", CLEAN + SPUN, "环境保护很重要。"]


@pytest.fixture(scope="module")
def local_ray():
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    if started:
        ray.shutdown()


def corpus(n: int) -> list[str | None]:
    return [d if d is None else f"第{i}篇。{d}" for i, d in enumerate((DOCS * (n // len(DOCS) + 1))[:n])]


def test_fix_dataset_equals_the_local_engine_document_for_document(local_ray, tmp_path):
    docs = corpus(60)
    table = pa.table({"id": pa.array(range(len(docs)), pa.int64()), "text": pa.array(docs, pa.string()),
                      "url": [f"https://example.com/{i}" for i in range(len(docs))]})
    pq.write_table(table, tmp_path / "shard.parquet", row_group_size=16)
    table_path = project(tmp_path / "p") / "spin-table.txt"

    ds = local_ray.data.read_parquet(str(tmp_path / "shard.parquet"))
    rows = fix_dataset(ds, tables=[table_path], concurrency=2, num_cpus=0.5, batch_size=8).take_all()
    rows.sort(key=lambda r: r["id"])

    local = Repairer(Config(tables=(table_path,)))
    assert [r["url"] for r in rows] == table.column("url").to_pylist()
    for row, doc in zip(rows, docs, strict=True):
        if doc is None:
            assert (row["text"], row["spin_score"], row["spin_changes"]) == (None, None, 0)
            continue
        report = local.analyse(doc)
        assert row["text"].encode("utf-8") == report.fixed.encode("utf-8")
        assert row["spin_score"] == report.spin_score
        assert row["spin_changes"] == len(report.changes)
    assert any(r["spin_changes"] for r in rows)  # some repaired, some left as they were
    assert any(r["text"] == d and r["spin_changes"] == 0 for r, d in zip(rows, docs) if d)

    scored = score_dataset(ds, concurrency=2, num_cpus=0.5, batch_size=8).take_all()
    assert sorted((r["id"], r["text"]) for r in scored) == sorted(zip(range(len(docs)), docs))
    plain = Repairer(Config())
    assert {r["id"]: r["spin_score"] for r in scored if r["text"] is not None} == \
        {i: plain.analyse(d).spin_score for i, d in enumerate(docs) if d is not None}


def test_unspin_batch_keeps_the_batch_format_and_the_other_columns():
    import pandas as pd

    batcher = UnspinBatch("content", output_column="restored", changes_column=None, candidates_column="n")
    local = Repairer(Config())
    frame = pd.DataFrame({"content": [SPUN, None], "keep": [1, 2]})
    out = batcher(frame)
    assert list(out.columns) == ["content", "keep", "restored", "spin_score", "n"]
    assert out["content"].tolist() == frame["content"].tolist() and out["keep"].tolist() == [1, 2]
    assert out["restored"][0] == local.analyse(SPUN).fixed and pd.isna(out["restored"][1])
    assert pd.isna(out["spin_score"][1]) and out["n"].tolist()[1] == 0
    numpy_out = batcher({"content": frame["content"].to_numpy(), "keep": frame["keep"].to_numpy()})
    assert numpy_out["restored"][0] == out["restored"][0]
    assert numpy_out["spin_score"][0] == local.analyse(SPUN).spin_score
    arrow_out = UnspinBatch("content", fix=False)(pa.Table.from_pandas(frame, preserve_index=False))
    assert arrow_out.column_names == ["content", "keep", "spin_score", "spin_changes"]
    assert arrow_out.column("content").to_pylist() == [SPUN, None]


def test_cli_on_ray_writes_what_the_local_pool_writes(local_ray, tmp_path):
    root = project(tmp_path / "p")
    docs = corpus(40)
    (root / "data").mkdir()
    (root / "data" / "a.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": d}, ensure_ascii=False) + "\n" for i, d in enumerate(docs)), "utf-8")
    pq.write_table(pa.table({"id": list(range(len(docs))), "text": pa.array(docs, pa.string())}),
                   root / "data" / "b.parquet", row_group_size=10)

    for args in (["score", "--field", "text", "data"], ["check", "--field", "text", "data"]):
        local, on_ray = unspin([*args, "-j", "2"], root), unspin([*args, "--ray"], root)
        assert on_ray.exit_code == local.exit_code
        assert on_ray.stdout == local.stdout != ""
        assert "docs/s" in on_ray.stderr and "MB/s" in on_ray.stderr

    local = unspin(["fix", "--field", "text", "-o", "local", "data"], root)
    on_ray = unspin(["fix", "--field", "text", "--ray", "-o", "ray", "data"], root)
    assert on_ray.exit_code == local.exit_code == 0
    assert on_ray.stdout == local.stdout
    for name in ("a.jsonl", "b.parquet"):
        assert (root / "ray" / "data" / name).read_bytes() == (root / "local" / "data" / name).read_bytes()
    fixed = pq.read_table(root / "ray" / "data" / "b.parquet").column("text").to_pylist()
    lib = engine(root)
    assert fixed == [None if d is None else lib.analyse(d).fixed for d in docs]
