"""``unspin learn`` against a clean reference: frequency evidence and one-character swaps.

The sentences below were written for these tests; the context model is the shipped one.
"""
from __future__ import annotations

import math

import pytest

from repair.engine import learn as L
from repair.engine.context import load_context

# a spinner that turned 主要 into 次要 (one character for its opposite), in every text
TOPICS = ["经济", "农业", "教育", "交通", "环境", "科技", "文化", "卫生", "体育", "住房", "就业", "能源"]
CLEAN = [f"今年的{t}项目主要包括三个部分。他主要负责技术工作。增长主要来自出口，这主要是因为投入增加。"
         for t in TOPICS]
SPUN = [t.replace("主要", "次要") for t in CLEAN]


@pytest.fixture(scope="module")
def model():
    return load_context()


def _found(pairs):
    return {(p.garbled, p.original) for p in pairs}


def test_shift_llr_sign_and_size():
    # three texts of a hundred against none of a hundred: 3 ln 2
    assert L.shift_llr(3, 0, 100, 100) == pytest.approx(3 * math.log(2))
    assert L.shift_llr(0, 3, 100, 100) == pytest.approx(-3 * math.log(2))
    assert L.shift_llr(10, 10, 100, 100) == pytest.approx(0.0)
    # the same counts are no evidence when the first corpus is that much larger
    assert abs(L.shift_llr(20, 10, 200, 100)) < 1e-9
    assert L.shift_llr(0, 0, 100, 100) == 0.0
    assert L.shift_llr(40, 0, 100, 100) > L.shift_llr(4, 0, 100, 100) > 0


def test_one_character_swap_found_only_with_a_reference(model):
    opts = L.LearnOptions(min_count=3, slots=False)
    found = _found(L.learn(model, L.Partners(), lambda: SPUN, lambda: CLEAN, options=opts))
    assert ("次要", "主要") in found
    # no synonym source has the pair; without a reference nothing says the frequencies moved
    assert ("次要", "主要") not in _found(L.learn(model, L.Partners(), lambda: SPUN, options=opts))
    # and clean text learnt against itself moves nothing
    assert not _found(L.learn(model, L.Partners(), lambda: CLEAN, lambda: CLEAN, options=opts))


def test_a_form_repeated_in_one_text_is_no_swap_candidate(model):
    # 次要 twenty times, but in one text: in excess by occurrences, not by texts
    # (主要 is missing from every text, so only the count in texts stands in the way)
    spun = ["他次要负责技术工作。" * 20] + [f"今年的{t}工作进展顺利。" for t in TOPICS[1:]]
    lr = L.Learner(model, L.Partners(), options=L.LearnOptions(min_count=3, slots=False))
    lr.collect(spun)
    lr.collect_reference(CLEAN)
    lr.swap_candidates()
    assert "主要" not in lr.candidates.get("次要", {})


def test_word_counts_hold_only_the_models_words(model):
    lr = L.Learner(model, L.Partners(), options=L.LearnOptions(slots=False))
    lr.collect(SPUN + ["一个模型不认识的词：犇骉猋，鱻羴。"])
    assert lr.words.counts and all(model.is_word(w) for w in lr.words.counts)
    assert lr.words.texts == len(SPUN) + 1
    assert lr.words.docs["次要"] == len(SPUN) and lr.words.counts["次要"] == 4 * len(SPUN)


def test_decisive_counts_lower_the_gain_bar_only_with_a_reference(model):
    lr = L.Learner(model, L.Partners(), options=L.LearnOptions(min_gain=1.5))
    s = L.PairStats("次要", "主要", "swap", excess_llr=10.0, deficit_llr=10.0)
    assert lr._gain_bar(s) == 1.5  # no reference: the counts were not measured against clean text
    lr.ref_texts = 12
    assert lr._gain_bar(s) == L.CLEAR_GAIN
    # one decisive count is not enough: the original must be missing too
    assert lr._gain_bar(L.PairStats("次要", "主要", "swap", excess_llr=10.0, deficit_llr=2.0)) == 1.5


def test_originals_tied_on_clipped_weight_go_by_mean_gain(model):
    lr = L.Learner(model, L.Partners(), options=L.LearnOptions(min_count=2, min_docs=1))
    lr.tokens_seen = 1000
    stats = {}
    for o, gain in (("甲乙", 9.0), ("丙丁", 6.0)):  # both clipped at CLIP on every occurrence
        s = L.PairStats("戊己", o, "partner", count=3, gain_sum=3 * gain, clipped_sum=3 * L.CLIP, clear=3,
                        over=1.0, under=1.0, docs=3)
        stats[("戊己", o)] = s
    assert [(p.garbled, p.original) for p in lr.rank(stats)] == [("戊己", "甲乙")]
