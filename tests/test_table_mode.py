"""A user's synonym table: a spinner's uniform choice among a word's partners
(see ``ModelParams.table_choice``). Tables of our own words, written for these tests."""
from __future__ import annotations

from pathlib import Path

from repair import Config, Repairer

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
