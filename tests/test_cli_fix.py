"""``unspin fix``: diff, in place, mirror folder, stdin, file types, workers, ignore files."""
from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import CLEAN, RESTORED, SPUN, project, unspin


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = project(tmp_path / "site")
    (root / "articles" / "2024").mkdir(parents=True)
    (root / "articles" / "spun.txt").write_text(SPUN + "\n", encoding="utf-8")
    (root / "articles" / "2024" / "deep.txt").write_text("前言\n\n" + SPUN + "\n", encoding="utf-8")
    (root / "articles" / "clean.txt").write_text(CLEAN + "\n", encoding="utf-8")
    return root


def test_without_write_prints_a_unified_diff_and_writes_nothing(repo: Path):
    before = {p: p.read_bytes() for p in repo.rglob("*.txt")}
    r = unspin(["fix", "articles"], repo)
    assert r.exit_code == 0, r.stderr
    assert f"--- a/articles/spun.txt\n+++ b/articles/spun.txt\n@@ -1 +1 @@\n-{SPUN}\n+{RESTORED}\n" in r.stdout
    assert f"+++ b/articles/2024/deep.txt\n@@ -1,3 +1,3 @@\n 前言\n \n-{SPUN}\n+{RESTORED}\n" in r.stdout
    assert "clean.txt" not in r.stdout
    assert {p: p.read_bytes() for p in repo.rglob("*.txt")} == before
    assert r.stderr.strip().endswith("unspin: 3 files, 10 changes in 2 files, 0 skipped")


def test_write_fixes_in_place_and_leaves_clean_files_untouched(repo: Path):
    clean = repo / "articles" / "clean.txt"
    clean_mtime = clean.stat().st_mtime_ns
    r = unspin(["fix", "-w", "articles"], repo)
    assert r.exit_code == 0, r.stderr
    assert (repo / "articles" / "spun.txt").read_text(encoding="utf-8") == RESTORED + "\n"
    assert (repo / "articles" / "2024" / "deep.txt").read_text(encoding="utf-8") == "前言\n\n" + RESTORED + "\n"
    assert clean.stat().st_mtime_ns == clean_mtime
    assert "fixed articles/spun.txt (5 changes)" in r.stdout
    assert not list(repo.rglob("*.unspin-tmp"))


def test_write_keeps_permissions_bom_and_crlf(repo: Path):
    f = repo / "win.txt"
    f.write_bytes(b"\xef\xbb\xbf" + (SPUN + "\r\n" + CLEAN + "\r\n").encode())
    f.chmod(0o640)
    r = unspin(["fix", "-w", "win.txt"], repo)
    assert r.exit_code == 0, r.stderr
    assert f.read_bytes() == b"\xef\xbb\xbf" + (RESTORED + "\r\n" + CLEAN + "\r\n").encode()
    assert f.stat().st_mode & 0o777 == 0o640


def test_output_dir_mirrors_the_tree_and_leaves_inputs_alone(repo: Path):
    r = unspin(["fix", "-o", "out", "articles"], repo)
    assert r.exit_code == 0, r.stderr
    assert (repo / "out" / "articles" / "2024" / "deep.txt").read_text(encoding="utf-8") == "前言\n\n" + RESTORED + "\n"
    assert (repo / "out" / "articles" / "clean.txt").read_text(encoding="utf-8") == CLEAN + "\n"
    assert (repo / "articles" / "spun.txt").read_text(encoding="utf-8") == SPUN + "\n"


def test_write_and_output_together_is_a_usage_error(repo: Path):
    r = unspin(["fix", "-w", "-o", "out", "articles"], repo)
    assert r.exit_code == 2 and "not both" in r.stderr


def test_stdin_with_write_goes_to_stdout_and_without_is_a_diff(repo: Path):
    r = unspin(["fix", "-w", "-"], repo, stdin=SPUN + "\n")
    assert r.exit_code == 0 and r.stdout == RESTORED + "\n"
    r = unspin(["fix", "-"], repo, stdin=SPUN + "\n")
    assert r.exit_code == 0 and f"-{SPUN}\n+{RESTORED}\n" in r.stdout and "a/<stdin>" in r.stdout


MARKDOWN = f"""---
title: {SPUN}
---
# 标题

{SPUN} 见 `主持集会` 与 https://example.com/集会 以及 [链接](https://x.cn/办理题目 "办理题目")。

```python
s = "{SPUN}"
```

    {SPUN}

**中心**政法委
"""


def _prose_changed(template: str, result: str, holes: int) -> list[str]:
    """The texts that filled ``{}`` holes of ``template`` in ``result``; everything else must be identical."""
    pattern = "(.*?)".join(re.escape(part) for part in template.split("{}"))
    m = re.fullmatch(pattern, result, re.S)
    assert m, "markup or code changed"
    assert len(m.groups()) == holes
    return list(m.groups())


def test_markdown_only_prose_changes_and_markup_is_byte_identical(repo: Path):
    (repo / "a.md").write_text(MARKDOWN, encoding="utf-8")
    r = unspin(["fix", "-w", "a.md"], repo)
    assert r.exit_code == 0, r.stderr
    template = MARKDOWN.replace(f"\n\n{SPUN} 见", "\n\n{} 见").replace("**中心**政法委", "**{}**政法委")
    prose, bold = _prose_changed(template, (repo / "a.md").read_text(encoding="utf-8"), 2)
    assert prose.startswith("中央政法委书记郭声琨主持会议,要求加强") and bold == "中央"


HTML = f"""<!doctype html>
<html><head><title>标题</title><style>p::after {{ content: "主持集会"; }}</style>
<script>var s = "{SPUN}";</script></head>
<body><p class="集会" title="{SPUN}">{SPUN}</p>
<p><b>中心</b>政法委书记主持集会</p><pre>{SPUN}</pre><code>主持集会</code>
<!-- {SPUN} --></body></html>
"""


def test_html_only_text_nodes_change(repo: Path):
    (repo / "a.html").write_text(HTML, encoding="utf-8")
    r = unspin(["fix", "-w", "a.html"], repo)
    assert r.exit_code == 0, r.stderr
    template = HTML.replace(f">{SPUN}</p>", ">{}</p>").replace("<p><b>中心</b>政法委书记主持集会</p>",
                                                               "<p><b>{}</b>政法委书记主持{}</p>")
    prose, bold, word = _prose_changed(template, (repo / "a.html").read_text(encoding="utf-8"), 3)
    assert prose.startswith("中央政法委书记郭声琨主持会议,要求加强") and (bold, word) == ("中央", "会议")


def test_jsonl_repairs_one_dotted_field_and_keeps_everything_else(repo: Path):
    lines = [
        json.dumps({"id": 1, "meta": {"body": SPUN, "tag": "集会"}, "z": 0}, ensure_ascii=False, separators=(",", ":")),
        json.dumps({"id": 2, "meta": {"body": CLEAN}}, ensure_ascii=True),
        json.dumps({"z": 3, "id": 3, "meta": {"body": SPUN}}, ensure_ascii=False),
    ]
    f = repo / "data.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = unspin(["fix", "-w", "--field", "meta.body", "data.jsonl"], repo)
    assert r.exit_code == 0, r.stderr
    out = f.read_text(encoding="utf-8").splitlines()
    assert out[0] == json.dumps({"id": 1, "meta": {"body": RESTORED, "tag": "集会"}, "z": 0},
                                ensure_ascii=False, separators=(",", ":"))
    assert out[1] == lines[1]  # unchanged record: byte for byte, \\u escapes and all
    assert out[2] == json.dumps({"z": 3, "id": 3, "meta": {"body": RESTORED}}, ensure_ascii=False)


def test_jsonl_without_field_is_skipped_with_a_note(repo: Path):
    (repo / "data.jsonl").write_text(json.dumps({"t": SPUN}, ensure_ascii=False) + "\n", encoding="utf-8")
    r = unspin(["fix", "-w", "data.jsonl"], repo)
    assert r.exit_code == 0
    assert "needs --field" in r.stderr and "1 skipped" in r.stderr
    assert SPUN in (repo / "data.jsonl").read_text(encoding="utf-8")


def test_two_workers_give_the_same_result_as_one(repo: Path):
    for i in range(6):
        (repo / "articles" / f"n{i}.txt").write_text((SPUN + "\n") * (i + 1), encoding="utf-8")
    one = unspin(["fix", "-j", "1", "articles"], repo)
    two = unspin(["fix", "-j", "2", "articles"], repo)
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout and one.stdout.count("+++ ") == 8


def test_gitignore_unspinignore_include_and_exclude(repo: Path):
    (repo / ".gitignore").write_text("build/\n*.log\n", encoding="utf-8")
    (repo / "articles" / ".unspinignore").write_text("2024/\n", encoding="utf-8")
    for name in ("build/x.txt", "debug.log", "notes.md", "articles/keep.txt"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(SPUN + "\n", encoding="utf-8")
    r = unspin(["fix", "."], repo)
    shown = {line[6:] for line in r.stdout.splitlines() if line.startswith("+++ b/")}
    assert shown == {"articles/spun.txt", "articles/keep.txt", "notes.md"}
    r = unspin(["fix", "--include", "*.txt", "--exclude", "keep*", "."], repo)
    shown = {line[6:] for line in r.stdout.splitlines() if line.startswith("+++ b/")}
    assert shown == {"articles/spun.txt"}
    # named explicitly: .gitignore does not apply, .unspinignore does
    r = unspin(["fix", "debug.log", "articles/2024/deep.txt"], repo)
    shown = {line[6:] for line in r.stdout.splitlines() if line.startswith("+++ b/")}
    assert shown == {"debug.log"}


def test_progress_bar_only_on_a_terminal(repo: Path):
    cmd = [sys.executable, "-c", "from repair.cli import main; main()", "fix", "-j", "1", "articles"]
    piped = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=120)
    assert "unspin [" not in piped.stderr and "%" not in piped.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    assert b"\runspin [" in seen and b"100%\r\x1b[Kunspin: 3 files" in seen  # cleared before the summary
