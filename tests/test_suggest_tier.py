"""Suggest-tier pairs (antonyms, single characters, near-synonyms) are applied only when the model is sure.

They read naturally either way, so they are decided last, on the repaired
text, at the document's fitted spin rate, and applied only at
``ModelParams.suggest_threshold`` (0.95): in practice only in a document that
reads heavily spun. The texts are our own.
"""
from __future__ import annotations

import repair
from repair.engine.params import ModelParams

SPUN = ("中心经济事情集会在北京召开。集会以为,本年我国经济运转总体平稳,居民消耗连续增长,财政付出继续增加,"
        "呆板进修等新技能成长迅速。集会请求,要鼎力大举推动高质量成长,处置惩罚好成长中的题目。"
        "据新华社报导,集会还对来岁的事情作出了安排。")


def _suggest_changes(report: repair.Report) -> dict[str, str]:
    return {c.old: c.new for c in report.changes if c.kind == "suggest"}


def test_sure_suggest_pairs_are_applied_in_a_heavily_spun_document() -> None:
    report = repair.Repairer().analyse(SPUN)
    assert report.spin_score > 0.99
    applied = _suggest_changes(report)
    assert applied.get("消耗") == "消费" and applied.get("报导") == "报道"
    assert "居民消费" in report.fixed and "新华社报道" in report.fixed
    for c in report.changes:
        if c.kind == "suggest":
            assert c.confidence >= ModelParams().suggest_threshold
            assert c.reason.startswith(f"risky pair {c.old}/{c.new}")
    # the fix replays and is a fixed point
    assert repair.apply_changes(SPUN, list(report.changes)) == report.fixed
    assert repair.Repairer().fix(report.fixed) == report.fixed


def test_a_threshold_of_one_keeps_them_suggestions() -> None:
    never = repair.Repairer(repair.Config(params=ModelParams(suggest_threshold=1.0)))
    report = never.analyse(SPUN, min_confidence=0.3)
    assert _suggest_changes(report) == {}
    assert "居民消耗" in report.fixed
    assert {"消耗", "报导"} <= {c.old for c in report.suggestions if c.kind == "suggest"}


def test_a_change_that_writes_another_garbled_form_stays_a_suggestion() -> None:
    # 付出 → 支出 is right here, but 支出 is itself listed as a garble (of 收入): applying one
    # step of a chain would let a second run of fix change its own output
    report = repair.Repairer().analyse(SPUN, min_confidence=0.3)
    assert "财政付出" in report.fixed
    assert any(c.old == "付出" and c.new == "支出" for c in report.suggestions)


def test_clean_text_keeps_its_near_synonyms() -> None:
    clean = ("居民消耗的热量与运动量有关。据报导,这种设备的能量消耗很低,"
             "财政付出与收入大体平衡,价钱也比去年低。")
    report = repair.Repairer().analyse(clean)
    assert report.fixed == clean and report.changes == ()


def test_tools_label_what_fix_applies(tmp_path) -> None:
    """`check` and JSON say `applied` for a sure suggest-tier change and not for a mere suggestion."""
    import json

    from click.testing import CliRunner

    from repair.cli import main

    (tmp_path / "a.txt").write_text(SPUN + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json", "--min-confidence", "0.3",
                                       str(tmp_path / "a.txt")])
    rows = {(r["old"], r["new"]): r for r in map(json.loads, result.stdout.splitlines())}
    assert rows[("消耗", "消费")]["applied"] is True and rows[("消耗", "消费")]["kind"] == "suggest"
    assert rows[("付出", "支出")]["applied"] is False
    assert rows[("付出", "支出")]["note"] == "suggestion, not applied"


def test_a_stricter_threshold_binds_suggest_pairs_too() -> None:
    strict = repair.Repairer(repair.Config(threshold=0.999))
    report = strict.analyse(SPUN)
    assert all(c.confidence >= 0.999 for c in report.changes)


def test_fix_is_a_fixed_point_when_a_suggest_pair_gives_a_marker_its_context() -> None:
    """皆 → 都 (suggest tier) is applied after the main passes; only with 都 back is the marker in
    一样平常都是 sure. Its neighbours are decided once more, so a second run changes nothing."""
    text = SPUN + "眼下城里的送餐骑手愈来愈多,开送餐摩托的一样平常皆是二十多岁的年青小伙儿。"
    r = repair.Repairer()
    once = r.fix(text)
    assert "一般都是" in once
    assert r.fix(once) == once


def test_fix_then_check_is_clean_with_a_bom_and_crlf(tmp_path) -> None:
    """The pre-commit flow on a file where suggest-tier pairs are applied: `fix -w` keeps the BOM and
    the CRLF line ends, and `check` then finds nothing (exit 0)."""
    from click.testing import CliRunner

    from repair.cli import main

    path = tmp_path / "page.txt"
    path.write_bytes(("\ufeff" + SPUN + "\r\n" + SPUN + "\r\n").encode("utf-8"))
    runner = CliRunner()
    assert runner.invoke(main, ["fix", "-w", str(path)]).exit_code == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 2
    assert "新华社报道" in data.decode("utf-8-sig")
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
