"""Whether a document is spun is also asked at a fixed light rate (ModelParams.detection_rate).

The fit reads a document's evidence at the rate it settles on, and a lightly
spun page can settle on "clean": at a clean rate nothing reads as restored, so
nothing counts as evidence, so the rate stays clean. The texts are our own.
"""
from __future__ import annotations

import repair
from repair.engine.params import ModelParams

# Five garbles of the applied tiers in three sentences. (The page once had 根基到达年初制定的方针; since
# 方针 became a suggest-tier pair, an author's word as often as a garble, the test weighs it as it
# weighs a function word, so the page reads as 使命 for 任务 instead.)
LIGHT = ("去年全省外贸进出口总值超过两百亿美元,个中出口约一百二十亿美元,根基完成年初制定的使命。"
         "近日,一条长达三百公里的输电线路建成投运,成为今朝全省最长的输电线路,将解决沿线十多万居民的用电问题。"
         "据税务部门负责人介绍,去年全省个人所得税收入比上年增长两成,税务部门加强了对高收益群体的征管。")
CLEAN = (LIGHT.replace("个中", "其中").replace("根基完成", "基本完成").replace("使命", "任务")
         .replace("今朝", "目前").replace("高收益", "高收入"))
FIT_ONLY = ModelParams(detection_rate=1e-4)  # a rate so low nothing reads as restored: the fit's answer alone


def test_a_lightly_spun_page_is_detected_though_the_fit_settles_on_clean() -> None:
    fit_only = repair.Repairer(repair.Config(params=FIT_ONLY)).analyse(LIGHT)
    report = repair.Repairer().analyse(LIGHT)
    assert fit_only.spin_score < 0.02
    assert report.spin_score > 0.1
    assert report.spin_score > 100 * repair.Repairer().analyse(CLEAN).spin_score
    assert report.evidence.ref_spun > report.evidence.spun  # read at the light rate, more of it counts
    assert report.evidence.llr > 2.0  # the light-spin test: five garbles in three sentences


def test_the_clean_page_stays_clean() -> None:
    assert repair.Repairer().analyse(CLEAN).spin_score < 0.01


def test_decisions_do_not_change() -> None:
    for text in (LIGHT, CLEAN):
        a = repair.Repairer().analyse(text)
        b = repair.Repairer(repair.Config(params=FIT_ONLY)).analyse(text)
        assert a.fixed == b.fixed and a.changes == b.changes and a.spin_rate == b.spin_rate


def test_chunks_add_up_to_the_whole() -> None:
    """A long document decided in chunks is scored on the evidence of all of them."""
    r = repair.Repairer()
    parts = [LIGHT[:len(LIGHT) // 2], LIGHT[len(LIGHT) // 2:]]
    total = r.evidence(parts[0]) + r.evidence(parts[1])
    whole = r.evidence(LIGHT)
    assert abs(total.ref_spun - whole.ref_spun) < 0.5
    assert abs(total.llr - whole.llr) < 0.5
    first_with_rest = r.analyse(parts[0], rest=r.evidence(parts[1]))
    assert abs(first_with_rest.spin_score - r.analyse(LIGHT).spin_score) < 0.05
