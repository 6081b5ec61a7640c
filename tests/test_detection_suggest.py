"""The light-spin test (``spinrate.detection_llr``) also reads the suggest tier (``ModelParams.detection_suggest``).

Spinners swap function words and near-synonyms (在 → 于, 都 → 皆, 也 → 亦)
as readily as any word; on a lightly spun page they are often the only swaps
the dictionaries know, and a page with nothing else scored 0 like a clean one.
They count for the spin score only: no decision changes. The texts are our own,
except the classical one (the Analects, public domain).
"""
from __future__ import annotations

import repair
from repair.engine.lattice import Clue
from repair.engine.params import ModelParams
from repair.engine.spinrate import detection_llr

CLEAN = ("我们昨天在公园里散步的时候,看见很多孩子都在草地上玩耍。他们的父母也在旁边聊天,大家都很开心。"
         "回家以后,我就把今天拍的照片发给了朋友,朋友们也都说这个公园很漂亮。")
SPUN = (CLEAN.replace("都在草地", "皆在草地").replace("父母也", "父母亦").replace("我就把", "我便把")
        .replace("都很开心", "皆很开心").replace("公园很漂亮", "公园颇漂亮"))
OTHERS = ("今天下午学校在操场上举行了运动会,同学们都很认真地参加比赛,老师也在一旁给大家加油。",
          "周末我和妹妹一起去图书馆看书,那里很安静,我们在里面待了一整个下午,回家的时候天都黑了。",
          "这家小饭馆的菜很便宜,味道也不错,所以每到中午就有很多附近上班的人来这里吃饭。")
CLASSICAL = ("子曰：学而时习之，不亦说乎？有朋自远方来，不亦乐乎？人不知而不愠，不亦君子乎？"
             "有子曰：其为人也孝弟，而好犯上者，鲜矣；不好犯上，而好作乱者，未之有也。君子务本，本立而道生。"
             "曾子曰：吾日三省吾身：为人谋而不忠乎？与朋友交而不信乎？传不习乎？")
OFF = ModelParams(detection_suggest=0.0)


def _clue(gain: float, form: str = "于") -> Clue:
    return Clue(gain, 0, form, 0.0, "suggest")


def test_the_term_is_neutral_without_suggest_candidates_and_grows_with_misfits() -> None:
    p = ModelParams()
    assert detection_llr([], 10.0, 1.0, p) == detection_llr([], 10.0, 1.0, OFF)
    fitting = detection_llr([_clue(0.0)], 0.0, 1.0, p)
    assert fitting < 0.0  # a function word its neighbours are content with is evidence of an author
    one = detection_llr([_clue(2.0)], 0.0, 1.0, p)
    two = detection_llr([_clue(2.0), _clue(2.0, "皆")], 0.0, 1.0, p)
    assert 0.0 < one < two
    assert detection_llr([_clue(2.0), _clue(2.0, "皆")], 0.0, 1.0, OFF) == 0.0
    # not an opportunity: it does not take the place of an intact word the test counts against
    assert detection_llr([_clue(0.0)], 5.0, 1.0, OFF) == detection_llr([], 5.0, 1.0, OFF)


def test_a_page_spun_only_in_its_function_words_scores_above_its_clean_original() -> None:
    on, off = repair.Repairer(), repair.Repairer(repair.Config(params=OFF))
    spun, clean = on.analyse(SPUN), on.analyse(CLEAN)
    assert off.analyse(SPUN).spin_score == 0.0  # no candidate the fit reads: scored as clean before
    assert spun.evidence.llr > 0.5 > 0.0 > clean.evidence.llr
    assert spun.spin_score > 3 * clean.spin_score
    assert clean.spin_score < 0.001
    for text in (SPUN, CLEAN):  # the score only: nothing is restored differently
        a, b = on.analyse(text), off.analyse(text)
        assert a.fixed == b.fixed and a.changes == b.changes


def test_classical_text_does_not_gather_it() -> None:
    """The Analects write 亦, 于, 皆 everywhere; a modern model's doubts say nothing of a spinner there."""
    report = repair.Repairer().analyse(CLASSICAL)
    assert abs(report.evidence.llr) < 0.05
    assert report.spin_score < 1e-4


def test_joining_clean_texts_does_not_raise_it() -> None:
    r = repair.Repairer()
    parts = [CLEAN, *OTHERS]
    alone = [r.analyse(t) for t in parts]
    joined = r.analyse("\n".join(parts * 5))
    assert joined.evidence.llr <= sum(a.evidence.llr for a in alone) + 1e-9
    assert joined.spin_score <= max(a.spin_score for a in alone)


def test_chunks_add_up_without_a_candidate() -> None:
    """A text with only suggest-tier candidates still carries its evidence to the rest of a document."""
    r = repair.Repairer()
    ev = r.evidence(SPUN)
    assert ev.llr == r.analyse(SPUN).evidence.llr > 0.5
    assert r.analyse(CLEAN, rest=ev).spin_score > r.analyse(CLEAN).spin_score


def test_unscored_analysis_gives_the_same_changes_and_leaves_the_suggest_tier_out_of_the_score() -> None:
    """``fix`` and a filter that prints no score skip the suggest tier's reading (a clean text's
    time); what changes is only the score, never the text or a change."""
    r = repair.Repairer()
    for text in (SPUN, CLEAN, CLASSICAL, "中心政法委书记郭声琨主持集会,要求增强政策的供给、批量办理题目。" + SPUN):
        scored, unscored = r.analyse(text), r.analyse(text, score=False)
        assert scored.fixed == unscored.fixed == r.fix(text)
        assert scored.changes == unscored.changes and scored.suggestions == unscored.suggestions
    assert r.analyse(SPUN, score=False).spin_score == 0.0 < r.analyse(SPUN).spin_score
    assert r.evidence(SPUN, score=False).llr == 0.0 < r.evidence(SPUN).llr


def test_the_score_command_reads_the_suggest_tier(tmp_path) -> None:
    """``unspin score`` asks for the score, so it gets the suggest tier's evidence."""
    import json

    from click.testing import CliRunner

    from repair.cli import main

    (tmp_path / "a.txt").write_text(SPUN, encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(tmp_path / "a.txt")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert rows and rows[0]["score"] == round(repair.Repairer().analyse(SPUN).spin_score, 4) > 0.0
