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


def _against_reference(model) -> L.Learner:
    """A learner that has read a corpus of 100 texts and a reference of as many (counts set by hand)."""
    lr = L.Learner(model, L.Partners(), options=L.LearnOptions(min_count=3))
    lr.tokens_seen, lr.texts_seen, lr.ref_tokens, lr.ref_texts = 50_000, 100, 50_000, 100
    return lr


def _pair(g: str, o: str, gain: float, excess: float = 0.0, deficit: float = 0.0) -> L.PairStats:
    return L.PairStats(g, o, "partner", count=12, gain_sum=12 * gain, clipped_sum=12 * gain,
                       clear=12 if gain > L.CLEAR_GAIN else 0, docs=10, excess_llr=excess, deficit_llr=deficit,
                       over=0.9, under=0.9)


def _listed(lr: L.Learner, *pairs: L.PairStats) -> set[tuple[str, str]]:
    return {(p.garbled, p.original) for p in lr.rank({(p.garbled, p.original): p for p in pairs})}


def test_decisive_counts_make_up_for_a_context_that_likes_both_words(model):
    # 集会 and 会议 are both words the model likes: a small gain is no evidence on its own
    lr = _against_reference(model)
    assert _listed(lr, _pair("集会", "会议", 0.3, excess=2.5, deficit=0.5)) == set()
    assert _listed(lr, _pair("集会", "会议", 0.3, excess=20.0, deficit=20.0)) == {("集会", "会议")}
    # and a clear context makes up for counts that are only just in excess
    assert _listed(lr, _pair("集会", "会议", 2.5, excess=2.5, deficit=0.5)) == {("集会", "会议")}
    # without a reference the counts were not measured: the gain bar stands
    lr.ref_texts = lr.ref_tokens = 0
    assert _listed(lr, _pair("集会", "会议", 0.3, excess=20.0, deficit=20.0)) == set()


def test_an_original_the_context_cannot_single_out_needs_its_deficit(model):
    # the form is surely a garble (in excess, clear gain), but two originals gain alike
    lr = _against_reference(model)
    tied = [_pair("亮度", "力度", 2.0, excess=8.0), _pair("亮度", "温度", 2.0, excess=8.0)]
    assert _listed(lr, *tied) == set()
    # the one clean text has lost occurrences of is the spinner's
    tied[1].deficit_llr = 12.0
    assert _listed(lr, *tied) == {("亮度", "温度")}
    # and one well ahead in the context needs no deficit
    assert _listed(lr, _pair("亮度", "力度", 3.5, excess=8.0), _pair("亮度", "温度", 1.0, excess=8.0)) == {("亮度", "力度")}


def test_an_unknown_form_gains_against_anything_so_it_needs_more(model):
    lr = _against_reference(model)
    word, unknown = _pair("诚然", "实在", 1.6, excess=6.0), _pair("诚然犇", "实在", 1.6, excess=6.0)
    unknown.margin = word.margin = math.inf
    assert model.is_word("诚然") and not model.is_word("诚然犇")
    assert lr.posterior(unknown) < lr.posterior(word)


def test_verdict_names_what_a_pair_lacks(model):
    lr = _against_reference(model)
    few = _pair("集会", "会议", 3.0, excess=20.0)
    few.count = 2
    assert lr.verdict(few) == "count"
    one_text = _pair("集会", "会议", 3.0, excess=20.0)
    one_text.docs = 1
    assert lr.verdict(one_text) == "texts"
    assert lr.verdict(_pair("集会", "会议", 3.0, excess=1.0)) == "excess"
    weak = _pair("集会", "会议", 0.2, excess=2.5)
    weak.margin = math.inf
    assert lr.verdict(weak) == "evidence"
    good = _pair("集会", "会议", 3.0, excess=20.0)
    good.margin = math.inf
    assert lr.verdict(good) is None


def test_originals_tied_on_clipped_weight_go_by_mean_gain(model):
    lr = L.Learner(model, L.Partners(), options=L.LearnOptions(min_count=2, min_docs=1))
    lr.tokens_seen = 1000
    stats = {}
    for o, gain in (("甲乙", 9.0), ("丙丁", 6.0)):  # both clipped at CLIP on every occurrence
        s = L.PairStats("戊己", o, "partner", count=3, gain_sum=3 * gain, clipped_sum=3 * L.CLIP, clear=3,
                        over=1.0, under=1.0, docs=3)
        stats[("戊己", o)] = s
    assert [(p.garbled, p.original) for p in lr.rank(stats)] == [("戊己", "甲乙")]


def test_the_least_probability_is_an_option(model, tmp_path):
    lr = _against_reference(model)
    weak = _pair("集会", "会议", 0.8, excess=4.0, deficit=2.0)
    listed = _listed(lr, weak)  # sets the pair's margin, which its probability takes in
    p = lr.posterior(weak)
    assert listed == ({("集会", "会议")} if p >= L.MIN_POSTERIOR else set())
    lr.opt.min_posterior = p - 0.01
    assert _listed(lr, weak) == {("集会", "会议")}
    lr.opt.min_posterior = p + 0.01
    assert _listed(lr, weak) == set()
    # and on the command line, against a reference folder
    from click.testing import CliRunner

    from repair.cli import main
    (tmp_path / "spun").mkdir()
    (tmp_path / "clean").mkdir()
    for i, text in enumerate(SPUN):
        (tmp_path / "spun" / f"{i}.txt").write_text(text, encoding="utf-8")
    for i, text in enumerate(CLEAN):
        (tmp_path / "clean" / f"{i}.txt").write_text(text, encoding="utf-8")
    args = ["learn", str(tmp_path / "spun"), "--reference", str(tmp_path / "clean"), "--no-slots", "--no-builtin", "--min-count", "3"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    assert "次要\t主要\t" in r.stdout
    r = CliRunner().invoke(main, args + ["--min-probability", "1"])
    assert r.exit_code == 0, r.output
    assert "次要\t主要\t" not in r.stdout
