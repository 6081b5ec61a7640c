"""The engine's building blocks, tested on their own terms."""
from __future__ import annotations

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

import repair
from repair.engine.changes import Change, apply_changes, compose
from repair.engine.params import ModelParams
from repair.engine.spinrate import spin_rate
from repair.engine.normalize import analysis_copy, to_input_script


@st.composite
def change_list(draw, text: str):
    """Random non-overlapping changes on ``text``."""
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=8)))
    out = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        new = draw(st.text(st.sampled_from("中央会议问题"), max_size=4))
        if text[a:b] != new:
            out.append(Change(a, b, text[a:b], new, 0.9, "ambiguous", "test"))
    return out


@given(st.data(), st.text(st.sampled_from("中心集会题目处置惩罚"), min_size=1, max_size=30))
@settings(max_examples=300)
def test_compose_equals_applying_both_passes(data, text):
    first = data.draw(change_list(text))
    middle = apply_changes(text, first)
    second = data.draw(change_list(middle))
    combined = compose(text, first, second)
    assert apply_changes(text, combined) == apply_changes(middle, second)
    assert compose(text, first, second, middle) == combined  # the middle text given, as the repairer does
    for c in combined:
        assert text[c.start:c.end] == c.old


P = ModelParams()


def test_spin_rate_separates_clean_from_spun_documents():
    p_clean, rho_clean = spin_rate(0.5, 60, P)  # half a doubtful candidate in 60 words
    p_spun, rho_spun = spin_rate(40, 60, P)
    p_light, rho_light = spin_rate(8, 60, P)  # a page spun at ~13%
    assert p_clean < 0.1 and rho_clean < P.clean_rate * 1.5
    assert p_spun > 0.99 and 0.5 < rho_spun < 0.8
    assert p_light > 0.9 and 0.08 < rho_light < 0.25


def test_spin_rate_without_evidence_is_low():
    p, rho = spin_rate(0, 0, P)
    assert p < 0.1 and rho < 0.05


def test_clean_score_does_not_grow_with_length():
    # the same share of doubtful candidates, one article and a hundred joined
    one, _ = spin_rate(0.3, 100, P)
    many, _ = spin_rate(30, 10_000, P)
    assert many <= one < 0.1


def test_spun_score_grows_with_evidence_at_the_same_rate():
    few, _ = spin_rate(2, 10, P)
    more, _ = spin_rate(20, 100, P)
    assert few < more and more > 0.99


def test_second_pass_restores_what_the_first_made_readable():
    # 中心书记处 only reads as 中央书记处 once 处置惩罚 has become 处理
    text = "中心书记处置惩罚了题目。"
    fixed = repair.fix(text)
    assert repair.fix(fixed) == fixed
    assert repair.apply_changes(text, repair.explain(text)) == fixed


def test_analysis_copy_keeps_length_and_offsets():
    text = "中心政法委書記主持集會，ＡＩ（２０２４）"
    a = analysis_copy(text)
    assert len(a.simplified) == len(text) and a.traditional
    assert a.simplified.startswith("中心政法委书记主持集会")


def test_write_back_follows_the_local_script():
    trad = analysis_copy("郭聲琨主持集會")
    simp = analysis_copy("乾隆年间主持集会")  # 乾 is Traditional-looking but normal in Simplified
    assert to_input_script(trad, 5, 7, "会议") == "會議"
    assert to_input_script(simp, 6, 8, "会议") == "会议"


def test_markers_weigh_more_than_doubtful_words_when_asked():
    off = ModelParams()
    on = ModelParams(marker_clean_rate=0.001)
    # two spun words among 40: as doubtful words they leave the document clean-ish,
    # as forms only a spinner writes they make it spun
    assert spin_rate(2, 40, on, markers=2)[0] > spin_rate(2, 40, off, markers=2)[0]
    assert spin_rate(3, 40, on, markers=3)[0] > 0.5 > spin_rate(3, 40, off, markers=3)[0]
    assert spin_rate(2, 40, on, markers=0) == spin_rate(2, 40, off, markers=0)


def test_register_tells_modern_from_formal_text_by_its_particles():
    from repair.engine.spinrate import register
    assert register(0, 0, 0, P) == pytest.approx(1.0)  # nothing read: the prior
    assert register(0, 0, 30, P) > 0.8  # a headline without particles is decided nearly as before
    assert register(0, 0, 600, P) < 0.01  # a page without one reads as formal
    assert register(12, 1, 200, P) == pytest.approx(1.0)  # news: 的, 了, 们 …
    assert register(0, 12, 200, P) < 1e-6  # a statute or a classical text: 之, 乎, 矣 …
    assert register(1, 4, 100, P) < 0.1 < 0.99 < register(4, 1, 100, P) <= 1.0


def test_mass_sets_how_spun_a_spun_document_is_not_whether_it_is():
    p0, rho0 = spin_rate(8, 60, P)
    p1, rho1 = spin_rate(8, 60, P, mass=30)
    assert p1 == p0 and rho1 > rho0 + 0.2
    p_clean, rho_clean = spin_rate(0.5, 60, P, mass=10)  # mass alone never makes a document spun
    assert p_clean < 0.1 and rho_clean < P.clean_rate


def test_formal_text_is_not_spun_for_a_modern_model_finding_its_words_odd():
    # Tang and Song lines with 来岁 / 迩来 / 白叟, which spinners also write for 明年 / 最近 / 老人
    poem = ("黄童白叟聚睢盱，来岁春风，看拜西湖之上。迩来谙尽宦游滋味，不知来岁与谁看。"
            "使君元是此中人，乎哉，吾与汝登高而望之矣。") * 3
    assert repair.fix(poem) == poem
    news = "迩来白叟们的生活有了很大改善，来岁的养老金还会上调，这是大家关心的问题。"
    assert repair.Repairer().analyse(news).spin_score >= repair.Repairer().analyse(
        news.replace("的", "之").replace("了", "").replace("们", "")).spin_score


def test_phrase_variants_built_from_a_users_table_are_table_entries_not_phrases():
    from repair.engine.dictionary import Entry
    from repair.engine.gazetteer import expand
    entries = [Entry("中心", ("中央",), "ambiguous", "t"), Entry("不动产", ("房地产",), "table", "t")]
    out = {e.garbled: e.kind for e in expand(["中央政府", "房地产市场"], entries, set())}
    assert out == {"中心政府": "phrase", "不动产市场": "table"}
    clean = "大量资金流向证券和不动产市场，股票和房地产价格上涨。"
    assert repair.Repairer(repair.Config(tables=())).fix(clean) == clean
