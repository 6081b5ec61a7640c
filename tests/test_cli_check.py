"""``unspin check``: findings in four formats, confidence floor, inline opt-outs, exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import CLEAN, SPUN, project, unspin
from repair import Repairer
from repair.engine.config import Config
from repair.cli.report import format_change_line


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = project(tmp_path / "site")
    (root / "spun.txt").write_text(f"标题\n\n  {SPUN}\n", encoding="utf-8")
    (root / "clean.txt").write_text(CLEAN + "\n", encoding="utf-8")
    return root


def test_text_lines_match_format_change_line_and_exit_1(repo: Path):
    r = unspin(["check", "."], repo)
    assert r.exit_code == 1
    text = (repo / "spun.txt").read_text(encoding="utf-8")
    changes = Repairer(Config(tables=(repo / "spin-table.txt",))).explain(text)
    assert r.stdout.splitlines() == [format_change_line("spun.txt", text, c) for c in changes]
    assert r.stdout.startswith("spun.txt:3:3: 中心 -> 中央 (")
    assert not list(repo.rglob("*.unspin-tmp")) and SPUN in text


def test_clean_files_exit_0_with_no_output(repo: Path):
    r = unspin(["check", "clean.txt"], repo)
    assert r.exit_code == 0 and r.stdout == ""


def test_json_format_one_object_per_finding(repo: Path):
    r = unspin(["check", "--format", "json", "spun.txt"], repo)
    assert r.exit_code == 1
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(d["line"], d["col"], d["old"], d["new"]) for d in rows][:2] == [(3, 3, "中心", "中央"), (3, 15, "集会", "会议")]
    assert {"confidence", "reason", "evidence", "kind", "start", "end"} <= rows[0].keys()


def test_rdjson_counts_columns_in_utf8_bytes(repo: Path):
    r = unspin(["check", "--format", "rdjson", "spun.txt"], repo)
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["source"]["name"] == "unspin"
    first, second = doc["diagnostics"][:2]
    assert first["location"] == {"path": "spun.txt", "range": {"start": {"line": 3, "column": 3},
                                                               "end": {"line": 3, "column": 9}}}
    # two spaces + 12 Chinese characters (36 bytes) before 集会
    assert second["location"]["range"]["start"] == {"line": 3, "column": 2 + 36 + 1}
    assert second["suggestions"][0]["text"] == "会议"


def test_rdjson_is_a_valid_empty_report_when_clean(repo: Path):
    r = unspin(["check", "--format", "rdjson", "clean.txt"], repo)
    assert r.exit_code == 0 and json.loads(r.stdout)["diagnostics"] == []


def test_github_annotations(repo: Path):
    r = unspin(["check", "--format", "github", "spun.txt"], repo)
    assert r.exit_code == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith("::warning file=spun.txt,line=3,col=3,endColumn=5,title=unspin::中心 -> 中央 (")
    assert "%2C" not in first.split("::")[2]  # the message part keeps its commas


def test_min_confidence_filters_and_lowers_the_floor(repo: Path):
    strict = unspin(["check", "--min-confidence", "0.999", "spun.txt"], repo)
    everything = unspin(["check", "--format", "json", "--min-confidence", "0.5", "spun.txt"], repo)
    default = unspin(["check", "spun.txt"], repo)
    n_strict, n_all, n_default = (len(r.stdout.splitlines()) for r in (strict, everything, default))
    assert n_strict < n_default <= n_all
    assert all(json.loads(line)["confidence"] >= 0.5 for line in everything.stdout.splitlines())
    assert strict.exit_code == (1 if n_strict else 0)
    # below the threshold: a weak suggestion on clean text shows up, and only with the low floor
    # (集会 → 会议 at 0.009: the test table repeats built-in pairs, which count once, as the dictionaries')
    low = unspin(["check", "--format", "json", "--min-confidence", "0.005", "clean.txt"], repo)
    assert low.exit_code == 1
    assert all(0.005 <= json.loads(line)["confidence"] < 0.8 for line in low.stdout.splitlines())


def test_inline_ignore_and_off_on_regions(repo: Path):
    (repo / "marked.md").write_text(
        f"{SPUN} <!-- unspin: ignore -->\n\n<!-- unspin: off -->\n{SPUN}\n<!-- unspin: on -->\n\n主持集会,批量办理题目。\n",
        encoding="utf-8")
    r = unspin(["check", "marked.md"], repo)
    assert r.exit_code == 1
    assert {line.split(":")[1] for line in r.stdout.splitlines()} == {"7"}


def test_protected_words_from_the_config_file(repo: Path):
    cfg = repo / ".unspin.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "protected: [集会]\n", encoding="utf-8")
    r = unspin(["check", "spun.txt"], repo)
    assert r.exit_code == 1 and "集会 ->" not in r.stdout and "中心 -> 中央" in r.stdout


def test_jsonl_findings_name_the_record_line(repo: Path):
    recs = [{"t": CLEAN}, {"t": SPUN}]
    (repo / "d.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    r = unspin(["check", "--field", "t", "d.jsonl"], repo)
    assert r.exit_code == 1 and r.stdout.startswith("d.jsonl:2:1: 中心 -> 中央")


def test_broken_jsonl_record_is_reported_and_exit_2(repo: Path):
    (repo / "d.jsonl").write_text('{"t": "ok"}\n{"t": \n', encoding="utf-8")
    r = unspin(["check", "--field", "t", "d.jsonl"], repo)
    assert r.exit_code == 2 and "d.jsonl:2: not valid JSON" in r.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "rdjson", "github"])
def test_exit_codes_do_not_depend_on_the_format(repo: Path, fmt: str):
    assert unspin(["check", "--format", fmt, "spun.txt"], repo).exit_code == 1
    assert unspin(["check", "--format", fmt, "clean.txt"], repo).exit_code == 0
    assert unspin(["check", "--format", fmt, "missing.txt"], repo).exit_code == 2
    (repo / "gbk.txt").write_bytes(SPUN.encode("gb18030"))
    assert unspin(["check", "--format", fmt, "gbk.txt", "spun.txt"], repo).exit_code == 2


def test_engine_options_work_after_the_command_name(repo: Path):
    """`unspin check --threshold X` and `unspin --threshold X check` mean the same."""
    text = (repo / "spun.txt").read_text(encoding="utf-8")
    strict = Repairer(Config(threshold=0.999, tables=(repo / "spin-table.txt",))).explain(text)
    after = unspin(["check", "--threshold", "0.999", "spun.txt"], repo)
    before = unspin(["--threshold", "0.999", "check", "spun.txt"], repo)
    assert after.stdout == before.stdout
    assert after.stdout.splitlines() == [format_change_line("spun.txt", text, c) for c in strict]
    extra = repo / "more.txt"
    extra.write_text("政策-战略\n", encoding="utf-8")
    assert unspin(["check", "--table", "more.txt", "spun.txt"], repo).exit_code == 1
    assert unspin(["check", "--table", "missing.txt", "spun.txt"], repo).exit_code == 2


def test_github_format_annotates_a_file_that_could_not_be_checked(repo: Path):
    """A file the run could not read is an error annotation too (as ruff's E902), not only a line on
    stderr that a pull request never shows; the finding lines are unchanged."""
    (repo / "gone.txt").symlink_to("nowhere.txt")
    r = unspin(["check", "--format", "github", "."], repo)
    assert r.exit_code == 2
    errors = [line for line in r.stdout.splitlines() if line.startswith("::error ")]
    assert errors == ["::error file=gone.txt,title=unspin::gone.txt: a dangling symbolic link to nowhere.txt "
                      "(which does not exist); skipped"]
    assert any(line.startswith("::warning file=spun.txt,") for line in r.stdout.splitlines())
    assert "gone.txt: a dangling symbolic link" in r.stderr
    plain = unspin(["check", "."], repo)  # other formats: stderr only, as before
    assert plain.exit_code == 2 and "::error" not in plain.stdout
