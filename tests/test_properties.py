"""Property tests: things that must hold for any input."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import repair

SPUN_PIECES = ["中心", "集会", "题目", "办理", "增强", "经由过程", "处置惩罚", "野生智能", "政法委", "书记",
               "主持", "要求", "政策", "供给", "批量", "，", "。", "的", "在", "和", "市", "广场", "环境", "保护"]

no_han = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=[chr(c) for c in range(0x3400, 0xA000)]
                               + [chr(c) for c in range(0xF900, 0xFB00)]))


@given(no_han)
@settings(max_examples=300)
def test_text_without_chinese_passes_through(text):
    assert repair.fix(text) == text
    assert repair.explain(text) == []


@given(st.lists(st.sampled_from(SPUN_PIECES), max_size=30).map("".join))
@settings(max_examples=150, deadline=None)
def test_fix_is_idempotent_and_replayable(text):
    fixed, changes = repair.fix_and_explain(text)
    assert repair.apply_changes(text, changes) == fixed
    assert repair.fix(fixed) == fixed


@given(st.text(alphabet=st.sampled_from(list("中心集会题目办理的了是在，。a1 \n")), max_size=60))
@settings(max_examples=150, deadline=None)
def test_changes_point_at_their_text(text):
    for c in repair.explain(text, min_confidence=0.0):
        assert text[c.start:c.end] == c.old and c.old != c.new


#: Inputs a fuzzer once found where a second run changed more (garbles nested in longer garbles).
IDEMPOTENCE_CASES = ["构造部分中华人民共战国行政讼事法", "中心书记处置惩罚了题目。", "设置装备摆设经由过程野生智能"]


@given(st.sampled_from(IDEMPOTENCE_CASES), st.lists(st.sampled_from(SPUN_PIECES + IDEMPOTENCE_CASES), max_size=12))
@settings(max_examples=100, deadline=None)
def test_fix_is_idempotent_with_nested_garbles(case, pieces):
    text = case + "".join(pieces)
    fixed = repair.fix(text)
    assert repair.fix(fixed) == fixed
