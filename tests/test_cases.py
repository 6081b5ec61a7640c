"""Test cases as data (ftfy style): tests/cases/*.yaml.

* negative.yaml — clean sentences using ambiguous words in their real sense: must not change;
* nonchinese.yaml — text with no (Simplified/Traditional) Chinese to fix: must not change;
* spun.yaml — spun sentences and their originals: must be restored exactly, except
  cases marked ``known_failure: reason``, which are strict xfails (a fix makes them fail loudly,
  so the mark gets removed).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import repair

CASES = Path(__file__).parent / "cases"


def _load(name: str) -> list[dict]:
    path = CASES / name
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def _params(name: str, expect_key: str | None = None):
    out = []
    for i, case in enumerate(_load(name)):
        marks = []
        if case.get("known_failure"):
            marks.append(pytest.mark.xfail(reason=str(case["known_failure"]), strict=True))
        out.append(pytest.param(case, id=f"{name.split('.')[0]}-{i}", marks=marks))
    return out


@pytest.mark.parametrize("case", _params("negative.yaml"))
def test_clean_text_is_unchanged(case):
    text = case["text"]
    assert repair.explain(text) == []
    assert repair.fix(text) == text


@pytest.mark.parametrize("case", _params("nonchinese.yaml"))
def test_non_chinese_text_is_unchanged(case):
    assert repair.fix(case["text"]) == case["text"]


@pytest.mark.parametrize("case", _params("spun.yaml"))
def test_spun_text_is_restored(case):
    assert repair.fix(case["spun"]) == case["original"]


@pytest.mark.parametrize("case", [pytest.param(c, id=f"spun-{i}") for i, c in enumerate(_load("spun.yaml"))])
def test_restoration_is_explained_and_idempotent(case):
    fixed, changes = repair.fix_and_explain(case["spun"])
    assert repair.apply_changes(case["spun"], changes) == fixed
    assert repair.fix(fixed) == fixed


def test_there_are_enough_cases():
    assert len(_load("negative.yaml")) >= 300
    assert len(_load("spun.yaml")) >= 50
