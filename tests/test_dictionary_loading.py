"""Loading dictionaries and spinner tables: every defect is reported with file:line."""
from __future__ import annotations

from pathlib import Path

import pytest

from repair import Config, Repairer
from repair.engine.dictionary import parse_dictionary, parse_gazetteer
from repair.errors import DictionaryError
from repair.engine.tables import TableWarning, load_table, parse_table


def test_entries_carry_tier_and_source_line():
    entries = parse_dictionary("politics:\n  中心: 中央\n  天下: [全国, 世界]\n", "x.yaml", "ambiguous")
    assert [(e.garbled, e.originals, e.kind, e.source) for e in entries] == [
        ("中心", ("中央",), "ambiguous", "x.yaml:2"),
        ("天下", ("全国", "世界"), "ambiguous", "x.yaml:3"),
    ]


def test_tier_line_sets_the_tier():
    entries = parse_dictionary("tier: marker\neveryday:\n  客岁: 去年\n", "u.yaml", "ambiguous")
    assert entries[0].kind == "marker"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("politics:\n  中心: 中央\n  中心: 中间\n", 3, "duplicate key"),
        ("politics:\n  中心: 中心\n", 2, "maps to itself"),
        ("politics:\n  中心: [ ]\n", 2, "empty list"),
        ("politics:\n  中心: 中 央\n", 2, "spaces"),
        ("politics: [中心]\n", 1, "must be a mapping"),
        ("politics:\n  中心: 中央\n   bad: : :\n", 3, "not valid YAML"),
        ("tier: nonsense\n", 1, "unknown tier"),
        ("politics:\n  中心: ~\n", 2, "expected a string"),
    ],
)
def test_malformed_dictionaries_name_file_and_line(text, line, message):
    with pytest.raises(DictionaryError) as err:
        parse_dictionary(text, "bad.yaml", "ambiguous")
    assert err.value.line == line
    assert message in err.value.message
    assert str(err.value).startswith(f"bad.yaml:{line}: ")


def test_gazetteer_is_lists_of_phrases():
    assert parse_gazetteer("politics:\n  - 中共中央\n  - 国务院\n", "g.yaml") == ["中共中央", "国务院"]
    with pytest.raises(DictionaryError):
        parse_gazetteer("politics: 中共中央\n", "g.yaml")


@pytest.mark.parametrize("line", ["会议-集会", "会议→集会", "会议,集会", "会议\t集会", "会议->集会", "会议，集会"])
def test_table_line_formats(line):
    entries = parse_table(line + "\n", "t.txt")
    assert {(e.garbled, e.originals[0]) for e in entries} == {("集会", "会议"), ("会议", "集会")}
    assert all(e.kind == "table" for e in entries)


def test_strict_table_errors_name_the_line():
    with pytest.raises(DictionaryError) as err:
        parse_table("# comment\n会议-集会\nnot a pair at all\n", "t.txt", strict=True)
    assert err.value.line == 3


def test_lenient_table_skips_bad_lines_with_one_warning_that_counts_them():
    text = "会议-集会\nnot a pair at all\n\n问题→题目\n-\n这一行 是 一个 句子\n"
    with pytest.warns(TableWarning) as caught:
        entries = parse_table(text, "t.txt")
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "skipped 3 line(s)" in message and "line 2:" in message and "line 5:" in message
    assert {(e.garbled, e.originals[0]) for e in entries} == {
        ("集会", "会议"), ("会议", "集会"), ("题目", "问题"), ("问题", "题目")}


def test_table_chains_are_synonym_sets_and_notes_are_dropped():
    entries = parse_table("种瓜得瓜-种豆得豆-因果报应\n恳求-请求  (口语)\n", "t.txt")
    pairs = {(e.garbled, e.originals[0]) for e in entries}
    assert ("因果报应", "种瓜得瓜") in pairs and ("种瓜得瓜", "种豆得豆") in pairs and len(pairs) == 8
    assert ("请求", "恳求") in pairs and ("恳求", "请求") in pairs


def test_a_pair_listed_both_ways_is_one_candidate_each_way():
    entries = parse_table("会议-集会\n集会-会议\n", "t.txt")
    assert len(entries) == 2


def test_gb18030_tables_load(tmp_path: Path):
    p = tmp_path / "gbk.txt"
    p.write_bytes("会议-集会\n".encode("gb18030"))
    assert len(load_table(p)) == 2


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_wide_tables_with_a_byte_order_mark_load(tmp_path: Path, codec: str):
    p = tmp_path / "notepad.txt"
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[codec]
    p.write_bytes(bom + "会议-集会\r\n问题-题目\r\n".encode(codec))
    pairs = {(e.garbled, e.originals[0]) for e in load_table(p)}
    assert pairs == {("集会", "会议"), ("会议", "集会"), ("题目", "问题"), ("问题", "题目")}


def test_binary_table_is_refused(tmp_path: Path):
    p = tmp_path / "bin.txt"
    p.write_bytes(b"\x00\x01\x02abc")
    with pytest.raises(DictionaryError, match="binary"):
        load_table(p)


def test_large_table_loads(tmp_path: Path):
    import random

    rng = random.Random(7)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    lines = {"".join(rng.sample(chars, 2)) + "-" + "".join(rng.sample(chars, 2)) for _ in range(30_000)}
    p = tmp_path / "big.txt"
    p.write_text("\n".join(lines), encoding="utf-8")
    r = Repairer(Config(builtin=False, tables=(p,)))
    assert len(r.entries) >= 2 * len(lines) - 10


def test_bad_user_dictionary_fails_the_repairer(tmp_path: Path):
    p = tmp_path / "mine.yaml"
    p.write_text("politics:\n  中心: 中央\n  中心: 中间\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=r"mine\.yaml:3"):
        Repairer(Config(dictionaries=(p,)))


@pytest.mark.parametrize("line", [
    "中心-中央", "中心→中央", "中心,中央", "中心，中央", "中心=中央", "中心|中央", "中心->中央", "中心=>中央",
    "a-b", "中心-abc", "abc中-中央", "中心-中心", "中心-中央-会议", "中心- 中央", "中心 中央", "中心-", "-中央",
    "中心--中央", "中<心-中央", "中心>-中央", "一二三四五六七八九十一二三四五六-中央",
    "一二三四五六七八九十一二三四五六七-中央", "中心\t中央", "x中-y央", "中心,,中央", "中心→→中央", "中心-中央 (口语)",
])
def test_the_plain_pair_fast_path_reads_what_the_general_reader_reads(line: str) -> None:
    from repair.engine import tables

    assert tables._members(line) == tables._members_general(line)
