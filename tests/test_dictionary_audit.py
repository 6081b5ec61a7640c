"""The marker tier against a lexicon, as codespell checks its dictionary against aspell.

A marker is a form "no careful writer uses", so it is restored on sight. A
marker key that the context model knows as an ordinary word of clean Chinese
would rewrite real text (思惟敏捷, 香港差人): such keys belong in the
ambiguous tier, where context and the document's spin rate decide.

The bar is a log10 unigram probability of -5.78 in the context model: the
frequency rule 5 of dictionaries/README.md sets with jieba's counts (fewer
than 100 in jieba's 60,101,967), measured in the model the engine decides
with, so the audit follows the model when it changes.

Also checked here: dictionaries/provenance.tsv, the record of where entries
added or moved for issue 8 were attested.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from repair.engine.context import load_context
from repair.engine.learn import MARKER_FLOOR, tier_of

DICT = Path(__file__).resolve().parent.parent / "dictionaries"
TIERS = ("marker", "ambiguous", "suggest", "phrases")


def _tier(name: str) -> dict[str, list[str]]:
    data = yaml.safe_load((DICT / f"{name}.yaml").read_text(encoding="utf-8"))
    return {k: ([v] if isinstance(v, str) else list(v)) for section in data.values() for k, v in section.items()}


@pytest.fixture(scope="module")
def model():
    return load_context()


def test_floor_is_rule_five_in_the_context_model():
    jieba = pytest.importorskip("jieba")
    jieba.initialize()
    assert MARKER_FLOOR == pytest.approx(math.log10(100 / jieba.dt.total), abs=0.01)


def test_marker_keys_are_not_ordinary_words(model):
    ordinary = sorted((round(model.bigram(None, k), 2), k) for k in _tier("marker")
                      if tier_of(model, k) != "marker")
    assert not ordinary, f"marker keys that are ordinary words (move them to ambiguous.yaml): {ordinary[:20]}"


#: A marker key made of two words the context model has often seen side by side
#: (log10 p(second | first) of at least COLLOCATION) may be an ordinary phrase: 生长速率,
#: 布局优化, 经济布局 and thirteen more were, and moved to ambiguous.yaml (provenance.tsv). Those
#: left are reviewed one by one: artefacts the web-trained model learnt from spun pages
#: (经由过程, 处置惩罚, 缘故原由, 旌旗灯号 …), 年夜/不雅 swaps, and pairs whose words meet in clean
#: text only inside a longer word (百口莫辩, 怀疑人生, 一起首发: the lattice reads that word).
COLLOCATION = -4.0
COLLOCATION_REVIEWED = frozenset(
    "黉舍 旌旗灯号 缘故原由 测验考试 经由过程 出格是 处置惩罚 查询拜访 怀疑人 百口 究竟上 年夜都 准绳上 年夜人 呆板人 "
    "向导人 钻研所 迩来 克日来 相称于 年夜于 年夜将 门生会 年夜会 年夜要 年夜多 向导下 先容 年夜小 不雅看 年夜地 "
    # reviewed when the bar went from -3.6 to -4.0 (尝试效果 moved): compound garbles rare as
    # clean phrases; 利便, 比年 and 有身 are literary words, left to the register check
    "主管部分 布告处 年夜使 当局部分 战平发展 构造部分 相干部分 职能部分 鼎新 本钱市场 治理部分 消耗者 猜测数据 "
    "花费市场 花费者 营商情况 审讯长 执法部分 拘系 打仗者 有身 有身期间 沾染者 节制中心 尝试数据 年夜数据 练习数据 较着 "
    "迷信家 迷信研究 卒业生 教诲部分 不雅点 利便 年夜型 年夜米 年夜自然 年夜部分 情况管理 简略来说 可以或许 比年 "
    "透露表现".split())


def test_marker_keys_that_read_as_a_common_collocation_were_reviewed(model):
    def collocation(key: str) -> float:
        return max((model.bigram(key[:i], key[i:]) for i in range(1, len(key))
                    if model.is_word(key[:i]) and model.is_word(key[i:])), default=-99.0)

    markers = _tier("marker")
    unreviewed = sorted(k for k in markers if collocation(k) >= COLLOCATION and k not in COLLOCATION_REVIEWED)
    assert not unreviewed, f"marker keys that read as two common words side by side: review them ({unreviewed})"
    # and the list stays a list of such keys: one moved or below the bar is taken off it
    stale = sorted(k for k in COLLOCATION_REVIEWED if k not in markers or collocation(k) < COLLOCATION)
    assert not stale, f"reviewed keys no longer marker keys at the bar: {stale}"
    # the check has teeth: the phrases moved for it would fail it
    for phrase in ("生长速率", "布局优化", "经济布局", "传送速率", "有关部分"):
        assert collocation(phrase) >= COLLOCATION, phrase


def test_the_audit_would_catch_an_ordinary_word(model):
    # the audit has teeth: common words and the two known offenders fail it, spinner artefacts pass
    for word in ("思惟", "康健", "中心", "问题"):
        assert tier_of(model, word) == "ambiguous", word
    for form in ("处置惩罚", "经由过程", "野生智能", "设置装备摆设"):
        assert tier_of(model, form) == "marker", form


# ---------------------------------------------------------------- provenance

ROW = re.compile(r"^[\u3400-\u9fff]+$")


def _provenance():
    rows = []
    for n, line in enumerate((DICT / "provenance.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        assert len(fields) == 5, f"provenance.tsv:{n}: 5 tab-separated fields expected"
        rows.append((n, *fields))
    return rows


def test_provenance_rows_are_well_formed():
    rows = _provenance()
    assert len(rows) >= 40
    for n, garbled, original, tier, where, date in rows:
        assert ROW.match(garbled) and ROW.match(original), f"provenance.tsv:{n}"
        assert tier in TIERS + ("removed", "held"), f"provenance.tsv:{n}: tier {tier!r}"
        assert where.strip(), f"provenance.tsv:{n}: where it was attested is missing"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date), f"provenance.tsv:{n}: date {date!r}"


#: one source in the `where` column: a pinned public file, an unpinned code-index file, or no page at all
PINNED = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+@[0-9a-f]{40}:[^\s;()]+")
UNPINNED = re.compile(r"unpinned: code-index files? \d+(?:, \d+)* \([^)]*not identifiable\)")
NO_PAGE = re.compile(r"(?:issue 8|audit|review)\b")
#: the dictionaries as they were before issue 8 (the commit before its first dictionary change)
BEFORE_ISSUE_8 = "01a9d69"


def test_provenance_sources_are_pinned_or_say_why_not():
    for n, garbled, _, _, where, _ in _provenance():
        sources = PINNED.findall(where) + UNPINNED.findall(where)
        assert sources or NO_PAGE.match(where), f"provenance.tsv:{n}: {where[:60]!r} names no source"
        assert "index:" not in where, f"provenance.tsv:{n}: a bare index id, pin it or mark it unpinned"
        for ref in PINNED.findall(where):
            repo, rest = ref.split("@", 1)
            commit, path = rest.split(":", 1)
            assert repo.count("/") == 1 and len(commit) == 40 and path, f"provenance.tsv:{n}: {ref}"


def _tiers_at(rev: str | None) -> dict[str, tuple[str, tuple[str, ...]]]:
    import subprocess

    out = {}
    for name in TIERS:
        if rev is None:
            text = (DICT / f"{name}.yaml").read_text(encoding="utf-8")
        else:
            text = subprocess.run(["git", "show", f"{rev}:dictionaries/{name}.yaml"], cwd=DICT.parent,
                                  capture_output=True, text=True, check=True, encoding="utf-8").stdout
        for section in yaml.safe_load(text).values():
            for k, v in section.items():
                out[k] = (name, tuple([v] if isinstance(v, str) else v))
    return out


def test_every_entry_changed_since_issue_8_has_a_provenance_row():
    import shutil
    import subprocess

    if not shutil.which("git") or subprocess.run(["git", "cat-file", "-e", BEFORE_ISSUE_8], cwd=DICT.parent,
                                                 capture_output=True).returncode:
        pytest.skip("needs the git history of the repository")
    before, now = _tiers_at(BEFORE_ISSUE_8), _tiers_at(None)
    rows = {garbled for _, garbled, *_ in _provenance()}
    changed = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
    assert len(changed) >= 60
    missing = [k for k in changed if k not in rows]
    assert not missing, f"entries added, moved or removed since issue 8 without a provenance.tsv row: {missing}"


def test_provenance_matches_the_dictionaries():
    tiers = {name: _tier(name) for name in TIERS}
    for n, garbled, original, tier, _, _ in _provenance():
        if tier in TIERS:
            assert garbled in tiers[tier], f"provenance.tsv:{n}: {garbled} is not in {tier}.yaml"
            assert original in tiers[tier][garbled], f"provenance.tsv:{n}: {garbled} → {original} not listed"
        else:
            where = [name for name in TIERS if garbled in tiers[name]]
            assert not where, f"provenance.tsv:{n}: {garbled} is {tier} but still in {where}"
