"""A page spun only in part: its spun sections are decided at their own rate (repair.engine.sections).

The pages are built from the project's own test sentences (tests/cases): spun
sentences of spun.yaml joined into one paragraph, clean ones of negative.yaml
into others.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from rapidfuzz.distance import Levenshtein

import repair
from repair.engine.normalize import analysis_copy
from repair.engine.pages import FirstRound, rest_reads_spun
from repair.engine.sections import corrected, scan_score, sections, spun_regions, section_count

CASES = Path(__file__).parent / "cases"


def _paragraphs(texts: list[str], size: int) -> list[str]:
    """``texts`` joined into paragraphs of at least ``size`` characters each."""
    out, cur = [], ""
    for t in texts:
        cur += t
        if len(cur) >= size:
            out.append(cur)
            cur = ""
    return out


@pytest.fixture(scope="module")
def page() -> dict[str, str]:
    spun = [c for c in yaml.safe_load((CASES / "spun.yaml").read_text("utf-8")) if "spun" in c][:40]
    clean = [c["text"] for c in yaml.safe_load((CASES / "negative.yaml").read_text("utf-8"))]
    spun_par = _paragraphs([c["spun"] for c in spun], 700)[0]
    # the originals of the sentences that made that paragraph
    count = next(i for i in range(1, len(spun) + 1) if "".join(c["spun"] for c in spun[:i]) == spun_par)
    original_par = "".join(c["original"] for c in spun[:count])
    tail = "\n".join(_paragraphs(clean[100:], 700)[:4])
    return {"spun": spun_par, "original": original_par, "tail": tail,
            "clean": "\n".join(_paragraphs(clean[300:], 700)[:5])}


def _without_sections() -> repair.Repairer:
    r = repair.Repairer()
    return repair.Repairer(dataclasses.replace(r.config, params=r.config.params.with_values(section_chars=0)))


def test_a_spun_paragraph_before_clean_ones_is_decided_at_its_own_rate(page: dict[str, str]) -> None:
    text = page["spun"] + "\n" + page["tail"]
    with_sections, without = repair.Repairer().analyse(text), _without_sections().analyse(text)
    end = len(page["spun"])
    assert with_sections.spin_rate > without.spin_rate
    # more of the spun paragraph restored, and closer to what was written
    inside = [c for c in with_sections.changes if c.end <= end]
    assert len(inside) > len([c for c in without.changes if c.end <= end])
    fixed, before = with_sections.fixed.split("\n")[0], without.fixed.split("\n")[0]
    assert Levenshtein.distance(fixed, page["original"]) < Levenshtein.distance(before, page["original"])
    # each change the section decided says so, with the section's rate
    assert any("section spin rate" in e for c in inside for e in c.evidence)
    # the clean paragraphs after it are decided as a document of their own, at their own rate: as
    # the clean text alone, not at the rate the spun paragraph raised (一样平常 = 一样+平常 was
    # restored to 一般 there)
    after = [c for c in with_sections.changes if c.start > end]
    assert {(c.start, c.new) for c in after} < {(c.start, c.new) for c in without.changes if c.start > end}
    assert with_sections.fixed.split("\n", 1)[1] == repair.Repairer().fix(page["tail"])
    assert all(any("outside its spun sections" in e for e in c.evidence) for c in after)
    assert repair.apply_changes(text, list(with_sections.changes)) == with_sections.fixed


def test_the_spun_paragraph_alone_is_restored_as_on_the_page(page: dict[str, str]) -> None:
    """What the section decides is what the paragraph alone would give: the page no longer dilutes it."""
    text = page["spun"] + "\n" + page["tail"]
    alone = repair.Repairer().analyse(page["spun"])
    on_page = repair.Repairer().analyse(text)
    assert on_page.fixed.split("\n")[0] == alone.fixed


def test_a_clean_page_of_many_sections_is_left_alone(page: dict[str, str]) -> None:
    text = page["clean"]
    assert len(sections(text, 600)) >= 4
    with_sections, without = repair.Repairer().analyse(text), _without_sections().analyse(text)
    assert with_sections.fixed == text
    assert with_sections.spin_score == without.spin_score < 0.01
    assert with_sections.spin_rate == without.spin_rate


def test_fix_writes_what_analyse_decides(page: dict[str, str]) -> None:
    """The sections are read without the suggest tier, so the score flag cannot move a decision."""
    text = page["spun"] + "\n" + page["tail"]
    r = repair.Repairer()
    assert r.fix(text) == r.analyse(text).fixed == r.analyse(text, score=False).fixed


def test_sections_are_cut_at_line_breaks() -> None:
    para = "甲" * 400
    text = "\n".join([para] * 5)  # 2004 characters
    spans = sections(text, 600)
    assert spans == [(0, 801), (802, 1603), (1604, len(text))]
    assert all(text[s:e].count("\n") == 1 for s, e in spans[:2])
    assert sections(text, 0) == [(0, len(text))]
    assert sections("甲" * 1100, 600) == [(0, 1100)]  # shorter than two sections: one
    assert sections("甲" * 1300, 600) == [(0, 1300)]  # no line break: one


def test_a_short_remainder_joins_the_last_section() -> None:
    text = "甲" * 700 + "\n" + "乙" * 700 + "\n" + "丙" * 100
    assert sections(text, 600) == [(0, 700), (701, len(text))]
    text = "甲" * 700 + "\n" + "乙" * 700 + "\n" + "丙" * 400
    assert sections(text, 600) == [(0, 700), (701, 1401), (1402, len(text))]


def test_the_correction_divides_the_odds_by_the_number_of_sections() -> None:
    assert corrected(0.5, 1) == pytest.approx(0.5)
    assert corrected(0.5, 4) == pytest.approx(0.2)  # odds 1 → 1/4
    assert corrected(0.9, 9) == pytest.approx(0.5)
    assert corrected(0.0, 5) == 0.0 and corrected(1.0, 5) == 1.0
    assert scan_score([0.1, 0.9, 0.2], 9) == pytest.approx(0.5)
    assert section_count(3, 1300, 600) == 5
    assert section_count(3, 0, 600) == 3


def test_adjacent_spun_sections_make_one_region() -> None:
    spans = [(0, 10), (11, 20), (21, 30), (31, 40)]
    assert spun_regions(spans, [0.99, 0.99, 0.0, 0.99], 4, 0.5) == [(0, 20), (31, 40)]
    assert spun_regions(spans, [0.6, 0.6, 0.6, 0.6], 4, 0.5) == []  # 0.6 of 4 sections: 0.27
    assert spun_regions(spans, [0.0] * 4, 4, 0.5) == []


def test_a_clean_paragraph_sharing_the_spun_section_is_trimmed_off(page: dict[str, str]) -> None:
    """A spun paragraph shorter than a section shares its section with the clean paragraph after it;
    that paragraph, where nothing argues for a spinner, is left to the rest of the page."""
    spun = page["spun"][:450]
    clean = [c["text"] for c in yaml.safe_load((CASES / "negative.yaml").read_text("utf-8"))]
    tail = "\n".join(_paragraphs(clean[100:], 300)[:8])
    text = spun + "\n" + tail
    assert sections(text, 600)[0][1] > len(spun) + 1  # the first section holds clean text too
    report = repair.Repairer().analyse(text)
    region = [e for c in report.changes for e in c.evidence if e.startswith("section spin rate")]
    assert region and all(f"characters 0-{len(spun)} " in e for e in region)
    assert report.fixed.split("\n", 1)[1] == repair.Repairer().fix(tail)


#: clean sentences of negative.yaml that are dense with dictionary words in their own sense
#: (供给, 今朝, 处置, 嚮導, 题目, 成长): as a paragraph they lean a little towards a spinner by chance
DENSE_CLEAN = ["血液为全身细胞供给氧气和养料。", "我們交換了名片，約好下次再聊。",
               "「今朝有酒今朝醉」说的是一种及时行乐的人生态度。", "这辆二手车的车况总体良好，但轮胎状况需要注意。",
               "各地要继续做好日常监测工作，迅速处置突发情况。", "嚮導帶我們沿著溪谷走了三個小時才到達瀑布。",
               "DNA 的双螺旋结构是沃森和克里克在一九五三年提出的。", "快速反应部队在两小时内抵达灾区。",
               "肌肉紧张会导致头痛和颈部酸痛。", "讲座的题目是「人工智能与未来的工作」。", "睡眠对青少年的成长非常重要。",
               "新来的部门领导很年轻，但处事很稳重。"]


def test_a_dense_clean_paragraph_before_a_spun_one_is_not_taken_into_its_run(page: dict[str, str]) -> None:
    """The clean paragraph shares the spun paragraph's section; its own test leans towards a
    spinner only a little, so it is trimmed off (ModelParams.section_trim) and left unchanged."""
    clean = {c["text"] for c in yaml.safe_load((CASES / "negative.yaml").read_text("utf-8"))}
    assert set(DENSE_CLEAN) <= clean
    first = "".join(DENSE_CLEAN)
    text = first + "\n" + page["spun"] + "\n" + page["tail"]
    assert sections(text, 600)[0] == (0, len(first) + 1 + len(page["spun"]))
    report = repair.Repairer().analyse(text)
    assert report.fixed.startswith(first + "\n")
    assert any("section spin rate" in e for c in report.changes for e in c.evidence)


def test_the_rest_of_a_page_spun_throughout_reads_spun_and_a_clean_body_does_not(page: dict[str, str]) -> None:
    """A page spun throughout has sections that miss the gate between those that pass; together
    they still read spun, and the page is then decided at one rate (each section's own rate would
    scatter around it, and decide most of the page twice)."""
    r = repair.Repairer()
    spun = [c["spun"] for c in yaml.safe_load((CASES / "spun.yaml").read_text("utf-8")) if "spun" in c]
    more = "\n".join(_paragraphs(spun[40:], 300))
    for body, spun_throughout in ((page["tail"], False), (more, True)):
        text = page["spun"] + "\n" + body
        read = FirstRound()
        r._analyse_whole(text, None, None, False, read)
        assert read.text_a == analysis_copy(text).simplified
        assert rest_reads_spun(r, read.text_a, [(0, len(page["spun"]))], read.clusters) is spun_throughout


def test_an_article_spun_throughout_under_a_clean_title_is_decided_as_one() -> None:
    """Trimmed of its first line, the spun run is nearly all of the page: what is left is no
    section's worth, so the page keeps its one rate (decided apart, a wholly spun dev article lost
    restorations: 17 of 9,010 over 360 dev articles, 143 of 13,121 on the bench's test split)."""
    spun = [c["spun"] for c in yaml.safe_load((CASES / "spun.yaml").read_text("utf-8")) if "spun" in c]
    title = "市中心的广场上周末总是挤满了游客。"  # clean (negative.yaml): 中心 in its own sense, trimmed off
    assert title in {c["text"] for c in yaml.safe_load((CASES / "negative.yaml").read_text("utf-8"))}
    text = title + "\n" + "\n".join(_paragraphs(spun, 300))
    assert len(sections(text, 600)) >= 3
    with_sections, without = repair.Repairer().analyse(text), _without_sections().analyse(text)
    assert with_sections.changes == without.changes
    assert not any("section spin rate" in e for c in with_sections.changes for e in c.evidence)


def test_outside_is_what_no_region_covers() -> None:
    from repair.engine.sections import outside

    assert outside([(2, 4), (6, 9)], 10) == [(0, 2), (4, 6), (9, 10)]
    assert outside([(0, 10)], 10) == [(0, 0), (10, 10)]
    assert outside([], 5) == [(0, 5)]


def test_a_page_with_crlf_line_ends_is_decided_in_parts_and_keeps_them(page: dict[str, str]) -> None:
    """Sections are cut at "\\n"; with "\\r\\n" each line keeps its "\\r", and the page is decided as
    with "\\n" alone."""
    lf = page["spun"] + "\n" + page["tail"]
    crlf = lf.replace("\n", "\r\n")
    a, b = repair.Repairer().analyse(lf), repair.Repairer().analyse(crlf)
    assert b.fixed == a.fixed.replace("\n", "\r\n")
    assert any("section spin rate" in e for c in b.changes for e in c.evidence)
