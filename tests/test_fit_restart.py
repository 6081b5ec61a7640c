"""The spin-rate fit's second start (``spinrate.fit``, ``ModelParams.restart_*``).

A lightly spun page can leave the EM at its "clean" fixed point: at a clean
rate its doubtful words do not read as restored, so they count for nothing.
When detection and the page's spinner-only forms say "spun", the fit starts
again from a spun start. The page below was written for this test: two
spinner-only forms (经由过程, 处置惩罚) and three spun ordinary words (相干,
不必然, 题目) among many intact words the dictionaries know.
"""
from __future__ import annotations

import pytest

import repair
from repair.engine.params import ModelParams

LIGHT = ("在Linux体系中，可以经由过程命令查看内存的相干信息。这个编号不必然连续。如果程序不支撑这个功能，就需要升级。"
         "我们在会议上讨论了这个问题，并提出了处置惩罚的方法。管理人员要加强培训，提高工作效率，解决实际题目。"
         "这个项目得到了领导的支持，目前进展顺利，预计明年完成。大家对新的环境很满意，也希望继续改进。"
         "学校的老师和学生一起参加了活动，现场气氛热烈。通过这次活动，同学们了解了更多的知识。")
CLEAN = (LIGHT.replace("体系", "系统").replace("经由过程", "通过").replace("相干", "相关").replace("不必然", "不一定")
         .replace("支撑", "支持").replace("处置惩罚", "处理").replace("题目", "问题"))
HEAVY = "中心政法委书记主持集会,要求增强政策供给、批量办理题目,经由过程鼎新处置惩罚汗青遗留成绩。"

NO_RESTART = ModelParams(restart_gate=1.01)  # P(spun) never reaches it: the first fit always stands


@pytest.fixture(scope="module")
def engines() -> tuple[repair.Repairer, repair.Repairer]:
    return repair.Repairer(), repair.Repairer(repair.Config(params=NO_RESTART))


def restored(report: repair.Report) -> set[tuple[str, str]]:
    return {(c.old, c.new) for c in report.changes}


def test_without_the_restart_the_fit_stays_clean_and_only_markers_are_restored(engines):
    _, first_only = engines
    report = first_only.analyse(LIGHT)
    assert report.spin_score > 0.5  # detection says spun ...
    assert report.spin_rate < 0.02  # ... the fit says clean
    assert restored(report) == {("经由过程", "通过"), ("处置惩罚", "处理")}


def test_a_second_start_finds_the_spun_fixed_point_and_applies_what_it_is_sure_of(engines):
    default, _ = engines
    report = default.analyse(LIGHT, min_confidence=0.5)
    assert report.spin_rate > 0.02
    # two fixed points are a doubt: only changes at the suggest tier's confidence are applied ...
    assert {("经由过程", "通过"), ("处置惩罚", "处理"), ("相干", "相关")} <= restored(report)
    assert all(c.confidence >= 0.95 for c in report.changes)
    # ... and the rest of what the spun fixed point reads are suggestions, not left unsaid
    suggested = {(c.old, c.new) for c in report.suggestions}
    assert {("必然", "一定"), ("题目", "问题")} <= suggested
    assert not any(c.applied for c in report.suggestions)
    # nothing the page's author wrote is touched
    assert all(c.old in {"经由过程", "处置惩罚", "相干", "必然", "题目", "支撑", "体系"}
               for c in report.changes + report.suggestions)


def test_the_clean_page_is_unchanged(engines):
    default, _ = engines
    report = default.analyse(CLEAN)
    assert not report.changes and report.fixed == CLEAN
    assert report.spin_score < 0.1


def test_a_page_the_first_fit_finds_spun_is_decided_as_before(engines):
    default, first_only = engines
    a, b = default.analyse(HEAVY), first_only.analyse(HEAVY)
    assert a.spin_rate > 0.1
    assert a.fixed == b.fixed and [(c.start, c.new, c.confidence) for c in a.changes] == \
        [(c.start, c.new, c.confidence) for c in b.changes]


def test_fix_is_a_fixed_point_after_a_restart(engines):
    default, _ = engines
    once = default.fix(LIGHT)
    assert once != LIGHT
    assert default.fix(once) == once
