"""Behaviour of the restoration engine through the public API."""
from __future__ import annotations

from pathlib import Path

import pytest

import repair
from repair import Change, Config, Repairer, apply_changes

SPUN = "中心政法委书记郭声琨主持集会,要求增强政策供给、批量办理题目。"
RESTORED = "中央政法委书记郭声琨主持会议,要求加强政策供给、批量解决问题。"
CLEAN = "市中心的广场上有人集会,考试题目很难,环境保护很重要。"
FIXTURES = Path(__file__).parent / "fixtures"


def test_issue_example_is_restored_exactly():
    assert repair.fix(SPUN) == RESTORED


def test_issue_clean_example_comes_back_byte_for_byte():
    assert repair.fix(CLEAN) == CLEAN
    assert repair.explain(CLEAN) == []


def test_explanations_replay_to_the_fixed_text():
    fixed, changes = repair.fix_and_explain(SPUN)
    assert fixed == RESTORED
    assert apply_changes(SPUN, changes) == fixed
    for c in changes:
        assert SPUN[c.start:c.end] == c.old
        assert 0.0 <= c.confidence <= 1.0 and c.reason and c.evidence
        assert Change.from_dict(c.to_dict()) == c


def test_each_change_says_where_what_why_and_how_sure():
    changes = {c.old: c for c in repair.explain(SPUN)}
    assert changes["集会"].new == "会议"
    assert changes["集会"].start == SPUN.index("集会")
    assert changes["中心"].confidence >= Config().threshold


def test_spin_score_separates_spun_from_clean():
    assert repair.spin_score(SPUN) > 0.8
    assert repair.spin_score(CLEAN) < 0.5
    assert repair.spin_score("no Chinese here") == 0.0


def test_traditional_input_is_restored_in_traditional():
    spun = "中心政法委書記郭聲琨主持集會,要求增強政策供給、批量辦理題目。"
    assert repair.fix(spun) == "中央政法委書記郭聲琨主持會議,要求加強政策供給、批量解決問題。"


def test_width_and_punctuation_are_never_normalised():
    text = "中心政法委书记主持集会，要求ＡＩ企业（２０２４年）批量办理题目！"
    fixed = repair.fix(text)
    for ch in "，（）！ＡＩ２０２４":
        assert fixed.count(ch) == text.count(ch)
    assert "会议" in fixed and "问题" in fixed


def test_marker_forms_are_restored_in_context():
    text = "我们要经由过程野生智能技巧处置惩罚这些数据。"
    fixed = repair.fix(text)
    assert "通过" in fixed and "人工智能" in fixed and "处理" in fixed


def test_higher_threshold_changes_less():
    lenient = Repairer(Config(threshold=0.6)).explain(SPUN)
    strict = Repairer(Config(threshold=0.999999)).explain(SPUN)
    assert len(strict) <= len(lenient)
    assert all(c.confidence >= 0.999999 for c in strict)


def test_lower_min_confidence_reports_suggestions_without_applying_them():
    r = Repairer()
    text = "他在会上谈了题目。"
    weak = r.explain(text, min_confidence=0.0)
    assert r.fix(text) == apply_changes(text, [c for c in weak if c.confidence >= r.config.threshold
                                              and c.kind != "suggest"])


def test_protected_words_are_never_changed():
    r = Repairer(Config(protected=frozenset({"集会"})))
    fixed = r.fix(SPUN)
    assert "集会" in fixed and "中央" in fixed


def test_excluded_forms_are_not_candidates():
    r = Repairer(Config(exclude=frozenset({"集会"})))
    assert all(c.old != "集会" for c in r.explain(SPUN))


def test_imported_table_pairs_work_in_both_directions():
    r = Repairer(Config(builtin=False, tables=(FIXTURES / "tiny-table.txt",)))
    assert r.fix(SPUN) == RESTORED
    assert r.fix(CLEAN) == CLEAN


def test_idempotent_on_the_examples():
    once = repair.fix(SPUN)
    assert repair.fix(once) == once


def test_non_string_input_is_a_type_error():
    with pytest.raises(TypeError):
        repair.fix(b"\xe4\xb8\xad")  # type: ignore[arg-type]


def test_full_kenlm_model_can_replace_the_shipped_statistics():
    """--lm: with Debian's libime model and the kenlm module present (skipped elsewhere)."""
    import glob

    pytest.importorskip("kenlm")
    found = glob.glob("/usr/lib/*/libime/zh_CN.lm")
    if not found:
        pytest.skip("libime-data-language-model is not installed")
    r = Repairer(Config(lm_path=found[0]))
    assert r.fix(SPUN) == RESTORED
    assert r.fix(CLEAN) == CLEAN


def test_confidences_do_not_depend_on_min_confidence():
    r = Repairer()
    text = SPUN + "他说男人和女人都来了。" + CLEAN
    strict = {(c.start, c.old, c.new): c.confidence for c in r.explain(text)}
    loose = {(c.start, c.old, c.new): c.confidence for c in r.explain(text, min_confidence=0.05)}
    assert strict and set(strict) <= set(loose)
    for key, conf in strict.items():
        assert loose[key] == conf
    assert r.analyse(text, 0.05).spin_rate == r.analyse(text).spin_rate


def test_a_long_documents_rate_is_fitted_once_over_its_chunks():
    r = Repairer()
    chunks = [SPUN * 3, CLEAN * 3, SPUN + CLEAN]
    total = repair.Evidence(0.0, 0.0)
    parts = [r.evidence(c) for c in chunks]
    for p in parts:
        total = total + p
    assert total.opportunities == sum(p.opportunities for p in parts) > 0
    # the clean chunk alone looks clean; as part of a spun document it is decided at that document's rate
    alone = r.analyse(chunks[1])
    inside = r.analyse(chunks[1], rest=total - parts[1])
    assert alone.spin_score < 0.5 < inside.spin_score
    assert inside.spin_rate > alone.spin_rate


def test_lone_surrogates_are_no_obstacle():
    text = "\udfff" + SPUN + "\ud800"
    fixed, changes = repair.fix_and_explain(text)
    assert fixed == "\udfff" + RESTORED + "\ud800"
    assert apply_changes(text, changes) == fixed


@pytest.mark.parametrize("digits", ["30", "３０"])
def test_a_number_in_digits_reads_as_a_number_in_a_spun_document(digits):
    # 来岁 is a marker (明年). After digits it began a window with no word before it, so even in a
    # document that looks spun 30来岁 had to be read as 十来|岁 to be kept, as 三十来岁 always was.
    text = f"他{digits}来岁就当上了厂长，{SPUN}"
    fixed = repair.fix(text)
    assert fixed.startswith(f"他{digits}来岁就当上了厂长，")
    assert fixed.endswith(RESTORED)
    # the number's readings only keep text: a garble after digits is still restored
    assert repair.fix(f"今年农村出现了3年夜变化，{SPUN}") == f"今年农村出现了3大变化，{RESTORED}"
