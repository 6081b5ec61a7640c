"""A user's synonym table: a spinner's uniform choice among a word's partners, and the
expected precision asked of a table's restorations (see ``ModelParams.table_choice`` and
``ModelParams.table_precision``). Tables of our own words, written for these tests."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from repair import Config, Repairer
from repair.engine.dictionary import Entry
from repair.engine.inference import Decision
from repair.engine.lattice import Diff, Edge
from repair.engine.params import ModelParams
from repair.engine.occurrences import Occurrences
from repair.engine.choose import unwritten

SPUN = "中心政法委书记郭声琨主持集会,要求增强政策供给、批量办理题目。"
PAIRS = ["会议-集会", "问题-题目", "解决-办理", "加强-增强", "中央-中心"]
#: more partners of 会议, none of which occurs in SPUN: only the spinner's choice among them changes
MORE_PARTNERS = ["大会-会议", "例会-会议", "聚会-会议", "年会-会议"]


def _table(tmp_path: Path, name: str, pairs: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(pairs) + "\n", encoding="utf-8")
    return path


def _odds(repairer: Repairer, text: str, old: str) -> float:
    [change] = [c for c in repairer.explain(text, min_confidence=0.5) if c.old == old]
    return change.confidence / (1.0 - change.confidence)


def test_a_word_with_k_partners_in_the_table_is_restored_with_one_kth_of_the_odds(tmp_path):
    # the spinner picks uniformly among 会议's partners: with five of them 集会 is one chance in
    # five, not in √5 ≈ 2.2; the rest of the page (its words, its rate) is the same
    one = Repairer(Config(builtin=False, tables=(_table(tmp_path, "one.txt", PAIRS),)))
    five = Repairer(Config(builtin=False, tables=(_table(tmp_path, "five.txt", PAIRS + MORE_PARTNERS),)))
    assert one.analyse(SPUN).spin_rate == five.analyse(SPUN).spin_rate
    ratio = _odds(one, SPUN, "集会") / _odds(five, SPUN, "集会")
    assert 3.5 < ratio < 7.0
    # still restored: the context is decisive
    assert five.fix(SPUN) == "中央政法委书记郭声琨主持会议,要求加强政策供给、批量解决问题。"


TABLE = ["官员-干部", "进步-提高", "公司-企业", "修建-建设", "增强-加强", "题目-问题", "召开-举行", "民众-群众"]
PAGE = "省政府举行工作会议,要求各级官员增强领导,解决民众反映的题目,推动经济发展和公司改革,进步修建水平。"


def test_a_tables_restorations_are_applied_surest_first_while_their_mean_confidence_holds(tmp_path):
    path = _table(tmp_path, "table.txt", TABLE)
    target = 0.96  # ModelParams.table_precision
    r = Repairer(Config(builtin=False, tables=(path,)))
    report = r.analyse(PAGE, min_confidence=0.5)
    applied = [c for c in report.changes if c.kind == "table"]
    assert applied and sum(c.confidence for c in applied) / len(applied) >= target
    assert r.config.params.table_precision == target
    # a restoration past the threshold that would have lowered the mean is a suggestion, not applied
    held = [c for c in report.suggestions if c.kind == "table" and c.confidence >= r.config.threshold]
    assert held and not any(c.applied for c in held)
    assert all(any(e.startswith("held back:") for e in c.evidence) for c in held)  # explained
    assert max(c.confidence for c in held) <= min(c.confidence for c in applied)
    mean_with = (sum(c.confidence for c in applied) + held[0].confidence) / (len(applied) + 1)
    assert mean_with < target
    # without the precision asked for, the threshold alone decides, and all of them are applied
    loose = Repairer(Config(builtin=False, tables=(path,), params=ModelParams().with_values(table_precision=0.0)))
    changed = {c.old for c in loose.analyse(PAGE).changes}
    assert {c.old for c in held} <= changed
    # the held restoration is not applied by a second run either: fix stays idempotent
    fixed = r.fix(PAGE)
    assert r.fix(fixed) == fixed


def test_the_dictionaries_are_decided_as_before_without_a_table():
    # the table-only parameters change nothing in built-in mode
    text = SPUN + "市中心的广场上有人集会,考试题目很难。"
    plain = Repairer(Config())
    other = Repairer(Config(params=ModelParams().with_values(table_precision=0.0, table_choice=0.5)))
    assert plain.explain(text, min_confidence=0.5) == other.explain(text, min_confidence=0.5)


#: a table of our own: one partner each, and five for 会议
OFFICE = ["会议-集会", "问题-题目", "解决-办理", "加强-增强", "中央-中心", "发展-生长", "工作-任务", "提高-进步",
          "经济-财经", "重要-主要", "建设-修建", "企业-公司", "群众-民众", "政府-当局", "领导-引导", "干部-官员",
          "改革-变革", "要求-请求", "推动-推进", "水平-程度", "反映-反应", "召开-举行", "各级-各层", "指出-指明",
          "大会-会议", "例会-会议", "聚会-会议", "年会-会议"]
OFFICE_CLEAN = "省政府召开工作会议,要求各级干部加强领导,解决群众反映的问题,推动经济发展和企业改革,提高建设水平。"
OFFICE_SPUN = "省政府召开工作会议,要求各层干部加强领导,解决民众反映的问题,推动财经发展和公司改革,提高修建水平。"


def test_a_page_the_tables_detection_reads_as_spun_is_fitted_again_from_a_spun_start(tmp_path):
    # the first fit settles on "clean" (no swap reads as restored at a clean rate), while the
    # table's candidates read at the light detection rate say "spun": without markers, which a
    # user's table never has, the page kept every swap. Fitted again from a spun start, its
    # restorations need the suggest tier's confidence.
    # (no discount for originals the page never writes, ``table_repeat``: every original here is
    # one, and this test is about the second start)
    r = Repairer(Config(builtin=False, tables=(_table(tmp_path, "office.txt", OFFICE),),
                        params=ModelParams().with_values(table_repeat=0.0)))
    changes = r.explain(OFFICE_SPUN)
    assert {("各层", "各级"), ("民众", "群众"), ("财经", "经济")} <= {(c.old, c.new) for c in changes}
    assert all(c.confidence >= r.config.params.suggest_threshold for c in changes)
    assert r.fix(OFFICE_CLEAN) == OFFICE_CLEAN


def test_the_tables_restart_has_its_own_gate(tmp_path):
    """``restart_table_gate`` alone decides whether the tables' light-rate reading restarts the fit:
    closed (1.0), the page above keeps its swaps; the dictionaries' gate does not open it."""
    path = _table(tmp_path, "office.txt", OFFICE)

    def changes(**values: float) -> set[tuple[str, str]]:
        params = ModelParams().with_values(table_repeat=0.0, **values)
        return {(c.old, c.new) for c in Repairer(Config(builtin=False, tables=(path,), params=params)).explain(OFFICE_SPUN)}

    assert ("民众", "群众") in changes()
    assert ("民众", "群众") not in changes(restart_table_gate=1.0)
    assert changes(restart_table_gate=1.0) == changes(restart_table_gate=1.0, restart_gate=0.0)


REPEATED = ["城市-城镇", "会议-集会", "问题-题目", "解决-办理", "加强-增强", "中央-中心", "群众-民众", "企业-公司",
            "建设-修建", "提高-进步", "干部-官员", "举行-召开", "发展-进展"]
LIGHT = ("省政府召开工作集会,要求各级干部增强领导,解决群众反映的题目,推动经济发展和企业改革,提高建设水平。"
         "会议指出,中央的部署必须落实,干部要深入基层,帮助群众解决实际问题。")


def test_a_form_the_page_repeats_and_whose_original_it_never_writes_is_one_authors_choice(tmp_path):
    # at a light rate, 城镇 written twice (and 城市 never) is one choice of the author, not two
    # independent swaps the context model happens to read the same way: the other occurrence adds
    # only the odds of its own swap, and the restoration is no longer applied
    r = Repairer(Config(builtin=False, tables=(_table(tmp_path, "t.txt", REPEATED),)))
    once = LIGHT + "这座城镇的交通很拥挤。"
    twice = LIGHT + "这座城镇的交通很拥挤,城镇的空气也很差。"
    thrice = twice + "城镇的房价很高。"
    assert "这座城市" in r.fix(once)  # one occurrence: restored as before
    conf = {}
    for name, text in (("twice", twice), ("thrice", thrice)):
        report = r.analyse(text, min_confidence=0.5)
        assert "城市" not in report.fixed
        assert "会议" in report.fixed and "问题" in report.fixed  # the page's other restorations stay
        [conf[name]] = {c.confidence for c in report.suggestions if c.old == "城镇"}
        assert conf[name] < 0.95
        assert r.fix(report.fixed) == report.fixed
    assert conf["thrice"] < conf["twice"]
    # the original written elsewhere on the page: the author's choice was 城市, so no discount
    mixed = r.analyse(twice + "城市的绿化不错。", min_confidence=0.5)
    assert max(c.confidence for c in mixed.changes + mixed.suggestions if c.old == "城镇") > 0.95


#: a clean paragraph of our own with none of REPEATED's words: room in which an author who wrote
#: 城市 would likely have written it again
FILLER = ("今天天气晴朗,微风轻拂,湖边的柳树刚刚发芽。老人们在树下下棋聊天,孩子们追着风筝跑来跑去。"
          "小吃摊前排起了长队,煎饼、包子和豆浆的香味飘满了整条街。一位卖花的阿姨笑着说,春天一到,"
          "她的生意就好了许多。远处的山上开满了桃花,粉红一片,吸引了不少游客前来拍照。傍晚时分,"
          "夕阳把湖面染成了金色,渔船慢慢靠岸,船上的人们收起渔网,准备回家吃晚饭。夜里,街灯亮起,"
          "广场上响起了音乐,跳舞的人越来越多,一直热闹到很晚。第二天清晨,公园里又是一片安静,"
          "只有鸟儿在枝头歌唱,晨练的人们沿着小路慢跑,呼吸着新鲜的空气。")


def test_a_restoration_to_a_word_the_page_never_writes_is_discounted_by_the_chance_its_other_uses_were_swapped(
        tmp_path):
    # A page spun lightly (ρ about a quarter) that writes 城镇 once and 城市 nowhere, in 300 Han
    # characters. Had the author written 城市, they would likely have written it again and the
    # spinner would likely have left that use intact: the context model, which reads a few words,
    # called 城镇 → 城市 sure; the page as a whole makes it less so, and it is no longer applied.
    path = _table(tmp_path, "t.txt", REPEATED)
    on = Repairer(Config(builtin=False, tables=(path,)))
    off = Repairer(Config(builtin=False, tables=(path,), params=ModelParams().with_values(table_repeat=0.0)))
    page = LIGHT + FILLER + "这个城镇的交通很拥挤。"
    assert "城市" not in page
    [before] = [c for c in off.analyse(page).changes if c.old == "城镇"]
    report = on.analyse(page, min_confidence=0.5)
    assert "这个城镇" in report.fixed
    [after] = [c for c in report.suggestions if c.old == "城镇"]
    rho = float(after.evidence[2].removeprefix("document spin rate "))  # two decimals
    han = len(re.findall("[\u4e00-\u9fff]", page))
    p = on.config.params
    repeat = p.table_repeat * han / (han + p.table_repeat_chars)
    assert 0.15 < rho < 0.4 and 0.35 < repeat < 0.5
    odds = after.confidence / (1 - after.confidence) / (before.confidence / (1 - before.confidence))
    assert odds == pytest.approx(1 - repeat * (1 - rho), abs=0.01)
    # the restorations whose originals the page writes (会议, 问题) are as confident as before
    kept = {c.old: c.confidence for c in report.changes}
    assert kept and all(kept[c.old] == c.confidence for c in off.analyse(page).changes if c.old != "城镇")
    assert on.fix(report.fixed) == report.fixed
    # 城市 written elsewhere on the page: no discount
    mixed = page + "城市的绿化不错。"
    assert [c.confidence for c in on.explain(mixed, min_confidence=0.5) if c.old == "城镇"] == \
        [c.confidence for c in off.explain(mixed, min_confidence=0.5) if c.old == "城镇"] != []


def _decision(garbled: str, original: str, start: int, posterior: float, rho: float) -> Decision:
    entry = Entry(garbled, (original,), "table", "t.txt:1")
    edge = Edge(start, start + len(garbled), (original,), 0.0, entry=entry, garbled=garbled, original=original)
    return Decision(Diff(start, start + len(garbled), original), posterior, edge, rho)


def test_the_discount_is_lifted_by_another_restoration_that_writes_the_original_never_by_its_own():
    text = Occurrences("这座城镇的交通很拥挤,那座城镇也是。", ("城镇", "城市"))
    first, second = _decision("城镇", "城市", 2, 0.9, 0.2), _decision("城镇", "城市", 12, 0.9, 0.2)
    odds = [d.posterior / (1 - d.posterior) for d in unwritten(text, [first, second], 0.5)({})]
    assert odds == pytest.approx([9 * (1 - 0.5 * 0.8)] * 2)
    # a restoration applied at 2 writes 城市 there: the one at 12 is no longer discounted, and the
    # one at 2 is (it cannot vouch for itself)
    lifted = unwritten(text, [first, second], 0.5)({"城市": frozenset({2})})
    assert [d.posterior for d in lifted] == pytest.approx([9 * 0.6 / (1 + 9 * 0.6), 0.9])
    # heavily spun (ρ near 1), an original nowhere on the page says little: its uses were swapped too
    assert unwritten(text, [_decision("城镇", "城市", 2, 0.9, 0.95)], 0.5)({})[0].posterior > 0.89
    # written on the page, or no discount asked: unchanged
    assert unwritten(Occurrences("这座城镇的交通很拥挤,城市很大。", ("城镇", "城市")), [first], 0.5)({}) == [first]
    assert unwritten(text, [first], 0.0)({}) == [first]
