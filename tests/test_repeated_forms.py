"""A form the document repeats is one choice of its author, not independent evidence of spinning.

Found on clean dev news with a synonym table beside the dictionaries: a short
report wrote 火警 (a fire *alarm*) three times, in places where the context
model prefers 火灾 (引发火警 reads to it like a garbled 引发火灾). The table
took most of the dictionaries' other words, so three occurrences among seven
opportunities vouched for each other until the report read as spun (score
0.97) and every 火警 was "restored". The story below is our own, written
like that report; the table pairs are ours too.
"""
from __future__ import annotations

from pathlib import Path

import repair

STORY = """男子航班上吸烟引发火警被拘留
本报讯:一名返乡的旅客日前被机场公安机关依法拘留,原因是他在航班上偷偷吸烟引发火警,违反了民航安全管理规定。
上周五,这名旅客登上飞往西安的航班。飞机起飞半小时后,他躲进厕所吸烟,随手把烟头丢进垃圾桶。几分钟后,机上的火警系统响起,乘客们顿时紧张起来。乘务员打开厕所门,看到里面冒出浓烟,马上用灭火器把火扑灭。
飞机落地后,这名旅客被带到机场派出所,警方依照有关规定对他处以拘留。
"""

# a synonym table a user might bring: it holds few of the dictionaries' pairs, so it gets a rate of its own
TABLE = "安全-平安\n规定-规矩\n系统-体系\n机关-机构\n原因-缘故\n违反-违背\n发火-生气\n管理-治理\n打开-开启\n拘留-扣押\n"


def _table(tmp_path: Path) -> Path:
    path = tmp_path / "synonyms.txt"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_a_repeated_form_does_not_vouch_for_itself(tmp_path: Path) -> None:
    report = repair.Repairer(repair.Config(tables=(_table(tmp_path),))).analyse(STORY)
    assert report.fixed == STORY
    assert report.spin_score < 0.1
    # the three 火警 with context on their side count as one piece of evidence, not three
    assert report.evidence.spun < 1.5


def test_the_story_is_clean_without_the_table_too() -> None:
    report = repair.Repairer().analyse(STORY)
    assert report.fixed == STORY
    assert report.spin_score < 0.1


def test_a_spun_copy_is_still_restored(tmp_path: Path) -> None:
    spun = (STORY.replace("公安机关", "公安构造").replace("规定", "划定").replace("乘客", "搭客")
            .replace("紧张", "松张").replace("拘留。", "拘留,并将依法处置惩罚。"))
    for config in (repair.Config(), repair.Config(tables=(_table(tmp_path),))):
        report = repair.Repairer(config).analyse(spun)
        assert report.spin_score > 0.9
        for garbled, original in (("公安构造", "公安机关"), ("划定", "规定"), ("搭客", "乘客"), ("处置惩罚", "处理")):
            assert garbled not in report.fixed and original in report.fixed
