"""One spin rate per source: a table's spinning is judged by the table's words, not the dictionaries'."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from repair import Config, Repairer

HERE = Path(__file__).parent
#: Thesaurus pairs none of whose forms is a garbled form of the built-in dictionaries.
TABLE = HERE / "fixtures" / "synonym-table.txt"


def _spun_by_the_table() -> tuple[str, str, int]:
    """Clean sentences holding the table's words (and many built-in originals), and the same with
    every table word swapped for its partner, and how many were swapped."""
    pairs = [line.split("-") for line in TABLE.read_text(encoding="utf-8").split()]
    clean = [c["text"] for c in yaml.safe_load((HERE / "cases" / "negative.yaml").read_text(encoding="utf-8"))
             if any(a in c["text"] for a, _ in pairs)]
    spun, swapped = [], 0
    for sentence in clean:
        for a, b in pairs:
            swapped += sentence.count(a)
            sentence = sentence.replace(a, b)
        spun.append(sentence)
    return "".join(clean), "".join(spun), swapped


@pytest.fixture(scope="module")
def beside_builtin() -> Repairer:
    return Repairer(Config(tables=(TABLE,)))


def test_a_table_spin_is_restored_beside_the_builtin_dictionaries(beside_builtin: Repairer):
    clean, spun, swapped = _spun_by_the_table()
    assert swapped >= 80
    report = beside_builtin.analyse(spun)
    restored = [c for c in report.changes if c.kind == "table"]
    # the built-in dictionaries' intact words (hundreds of them) no longer dilute the table's rate
    assert len(restored) >= 0.9 * swapped
    assert report.spin_rate > 0.5 and report.spin_score > 0.99
    assert report.evidence.table_opportunities > 0 and report.evidence.opportunities > report.evidence.table_opportunities
    alone = Repairer(Config(builtin=False, tables=(TABLE,))).analyse(spun)
    assert report.fixed == alone.fixed


def test_the_clean_text_stays_clean_beside_a_table(beside_builtin: Repairer):
    clean, _, _ = _spun_by_the_table()
    report = beside_builtin.analyse(clean)
    assert report.changes == ()
    assert report.spin_score < 0.5


def test_a_table_spin_does_not_raise_the_dictionaries_rate(beside_builtin: Repairer):
    """The table's rate is its own: built-in ambiguous words are decided at the dictionaries' rate."""
    _, spun, _ = _spun_by_the_table()
    report = beside_builtin.analyse(spun)
    assert not [c for c in report.changes if c.kind == "ambiguous"]


def test_a_chunk_is_decided_with_the_table_evidence_of_its_document(beside_builtin: Repairer):
    """``Evidence`` carries each source's counts across the chunks of a long document."""
    _, spun, _ = _spun_by_the_table()
    half = len(spun) // 2
    parts = [beside_builtin.evidence(spun[:half]), beside_builtin.evidence(spun[half:])]
    whole = parts[0] + parts[1]
    assert whole.table_spun == parts[0].table_spun + parts[1].table_spun > 0
    assert whole.table_opportunities == parts[0].table_opportunities + parts[1].table_opportunities
    chunk = "中央电视台今晚将直播这场竞赛。"  # 比赛 swapped for its table partner
    assert beside_builtin.analyse(chunk).changes == ()  # one swap alone is no evidence of spinning
    inside = beside_builtin.analyse(chunk, rest=whole)
    assert inside.fixed == "中央电视台今晚将直播这场比赛。"


def test_a_pair_both_sources_hold_is_the_dictionaries(tmp_path: Path):
    """A table repeating built-in pairs (a spinner's own table does) keeps only its other pairs."""
    table = tmp_path / "t.txt"
    table.write_text("中央-中心\n比赛-竞赛\n", encoding="utf-8")
    r = Repairer(Config(tables=(table,)))
    tabled = {(e.garbled, o) for e in r.entries if e.kind == "table" for o in e.originals}
    assert ("中心", "中央") not in tabled  # an ambiguous built-in pair
    assert {("竞赛", "比赛"), ("比赛", "竞赛")} <= tabled
    assert any(e.garbled == "中心" and "中央" in e.originals for e in r.entries if e.kind == "ambiguous")
    alone = Repairer(Config(builtin=False, tables=(table,)))
    assert {(e.garbled, o) for e in alone.entries for o in e.originals} >= {("中心", "中央"), ("中央", "中心")}


def test_a_table_holding_most_dictionary_pairs_shares_their_rate(tmp_path: Path):
    """A spinner's own table repeats most built-in pairs: one spinner, one rate, every pair kept.

    Built from the dictionaries' own pairs (both ways) plus one of the table's own, it is
    decided exactly as one pool of pairs: no pair moves, every table pair is at the
    dictionaries' rate.
    """
    from repair.engine.dictionary import load_builtin
    from repair.engine.sources import DICTIONARIES, SHARED_COVERAGE, source_of

    entries, _ = load_builtin()
    pairs = [(e.garbled, o) for e in entries if e.kind not in ("suggest", "phrase") for o in e.originals]
    lines = [f"{o}-{g}" for g, o in pairs] + ["比赛-竞赛"]
    table = tmp_path / "own.txt"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = Repairer(Config(tables=(table,)))
    tabled = [e for e in r.entries if e.kind == "table"]
    assert all(e.shared and source_of(e) == DICTIONARIES for e in tabled)
    assert {("竞赛", "比赛"), ("中心", "中央")} <= {(e.garbled, o) for e in tabled for o in e.originals}
    # a table holding fewer of them than the bar is fitted apart
    few = tmp_path / "few.txt"
    keep = int(len(pairs) * SHARED_COVERAGE * 0.5)
    few.write_text("\n".join(lines[:keep] + ["比赛-竞赛"]) + "\n", encoding="utf-8")
    apart = [e for e in Repairer(Config(tables=(few,))).entries if e.kind == "table"]
    assert apart and not any(e.shared for e in apart)


def test_a_table_given_twice_is_read_once(tmp_path: Path):
    """In the config and on the command line, or through a symlink: the same pairs, the same decisions."""
    _, spun, _ = _spun_by_the_table()
    link = tmp_path / "link.txt"
    link.symlink_to(TABLE)
    once = Repairer(Config(tables=(TABLE,)))
    for tables in ((TABLE, TABLE), (TABLE, link)):
        twice = Repairer(Config(tables=tables))
        assert len(twice.entries) == len(once.entries)
        assert twice.explain(spun, min_confidence=0.01) == once.explain(spun, min_confidence=0.01)
