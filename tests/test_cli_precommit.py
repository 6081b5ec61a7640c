"""The pre-commit hooks, for real: ``pre-commit try-repo`` installs this working tree and runs it."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cli_helpers import CLEAN, RESTORED, SPUN, project

ROOT = Path(__file__).resolve().parents[1]


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def snapshot_of_this_tree(dest: Path) -> Path:
    """The working tree as it is now (uncommitted edits included), committed in a new repo."""
    files = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return dest


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")
def test_try_repo_check_points_at_the_spun_file_and_fix_repairs_it(tmp_path: Path):
    hooks = snapshot_of_this_tree(tmp_path / "unspin")
    content = project(tmp_path / "content")
    (content / "spun.md").write_text(f"# 标题\n\n{SPUN}\n", encoding="utf-8")
    (content / "clean.md").write_text(f"# 标题\n\n{CLEAN}\n", encoding="utf-8")
    git(content, "init", "-q")
    git(content, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PRE_COMMIT_COLOR": "never"}
    p = subprocess.run(["pre-commit", "try-repo", str(hooks), "unspin-check", "--all-files"],
                       cwd=content, env=env, capture_output=True, text=True, timeout=900)
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "spun.md:3:1: 中心 -> 中央 (" in out
    assert "clean.md" not in out
    assert "unspin check" in out and "Failed" in out

    p = subprocess.run(["pre-commit", "try-repo", str(hooks), "unspin-fix", "--all-files"],
                       cwd=content, env=env, capture_output=True, text=True, timeout=900)
    assert p.returncode == 1, p.stdout + p.stderr  # pre-commit fails a hook that modified files
    assert (content / "spun.md").read_text(encoding="utf-8") == f"# 标题\n\n{RESTORED}\n"
    assert (content / "clean.md").read_text(encoding="utf-8") == f"# 标题\n\n{CLEAN}\n"
