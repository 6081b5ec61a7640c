"""``unspin learn``: discovering garble pairs from a corpus, and what its output turns into.

The sentences below were written for these tests. The context model is the
shipped one (or whatever ``load_context`` gives), used only through its
``bigram``/``is_word`` interface, so these assert behaviour, not numbers.
"""
from __future__ import annotations

import json
import math

import pytest
import yaml
from click.testing import CliRunner

from repair.cli import main
from repair.engine import learn as L
from repair.engine.context import load_context
from repair.engine.dictionary import parse_dictionary
from repair.engine.tables import parse_table

SPUN = [
    "我们经由过程测试发明，这个题目可以很快处置惩罚。",
    "经由过程这次集会，各方处置惩罚了多年的分歧。",
    "公司经由过程野生智能技术处置惩罚大量数据。",
    "研究职员经由过程野生智能模型阐发了这些数据。",
    "野生智能正在改变很多行业的事情方式。",
]
CLEAN = [
    "我们通过测试发现，这个问题可以很快处理。",
    "通过这次会议，各方处理了多年的分歧。",
    "公司通过人工智能技术处理大量数据。",
    "今天天气很好，我们去公园散步。",
]


@pytest.fixture(scope="module")
def model():
    return load_context()


def _partners(*pairs):
    p = L.Partners()
    for a, b in pairs:
        p.add(a, b)
    return p


def _found(pairs):
    return {(p.garbled, p.original) for p in pairs}


def test_table_pairs_used_by_the_spinner_are_found(model):
    partners = _partners(("通过", "经由过程"), ("处理", "处置惩罚"), ("天气", "气象"))
    found = _found(L.learn(model, partners, lambda: SPUN))
    assert ("经由过程", "通过") in found
    assert ("处置惩罚", "处理") in found
    # a pair of the table the corpus never shows is not reported
    assert not any(g == "气象" or o == "气象" for g, o in found)


def test_compound_garbled_piece_by_piece(model):
    # only the piece pair is known; the garbled compound is discovered
    found = _found(L.learn(model, _partners(("人工", "野生")), lambda: SPUN))
    assert ("野生智能", "人工智能") in found


def test_glued_synonyms(model):
    # 处理 has the partners 处置 and 惩罚; the glued form is found without being listed
    found = _found(L.learn(model, _partners(("处理", "处置"), ("处理", "惩罚")), lambda: SPUN))
    assert ("处置惩罚", "处理") in found


def test_shared_slots_with_a_reference(model):
    spun = ["本文先容一下新版本。", "下面先容一下它的用法。", "我们来先容一下这个工具。", "书中先容了很多方法。"]
    ref = ["本文介绍一下新功能。", "下面介绍一下它的功能。", "我们来介绍一下这个产品。", "书中介绍了很多办法。"]
    found = _found(L.learn(model, L.Partners(), lambda: spun, lambda: ref))
    assert ("先容", "介绍") in found


def test_clean_text_gives_nothing_from_the_spinner_pairs(model):
    partners = _partners(("通过", "经由过程"), ("处理", "处置惩罚"), ("人工", "野生"))
    assert L.learn(model, partners, lambda: CLEAN) == []


def test_counts_gain_and_examples(model):
    pairs = L.learn(model, _partners(("通过", "经由过程")), lambda: SPUN)
    p = next(x for x in pairs if x.garbled == "经由过程")
    assert p.count == 4 and p.mean_gain > 1.5 and p.clear_share == 1.0
    assert all("[经由过程]" in ex for ex in p.examples) and len(p.examples) == 2
    g, o, count, gain, examples = p.line().split("\t")
    assert (g, o, int(count)) == ("经由过程", "通过", 4) and float(gain) > 1.5


def test_ranking_prefers_consistent_evidence(model):
    pairs = L.learn(model, _partners(("通过", "经由过程"), ("处理", "处置惩罚"), ("人工", "野生")), lambda: SPUN)
    weights = [p.weight for p in pairs]
    assert weights == sorted(weights, reverse=True)


def _stats(g: str, o: str, count: int) -> L.PairStats:
    return L.PairStats(g, o, "partner", count=count, gain_sum=3.0 * count, clipped_sum=3.0 * count,
                       clear=count, over=0.9, under=0.9, docs=count)


def test_a_longer_form_explained_by_a_pair_taken_is_dropped(model):
    # 也认可 → 也可以, 认可说 → 可以说 and 的认可 → 可以 are 认可 → 可以 seen with a neighbour;
    # 年夜学 → 大学 is not explained by a pair taken, and stays
    lr = L.Learner(model, L.Partners().finish())
    stats = {(s.garbled, s.original): s for s in (
        _stats("认可", "可以", 20), _stats("也认可", "也可以", 6), _stats("认可说", "可以说", 4),
        _stats("的认可", "可以", 5), _stats("年夜学", "大学", 5))}
    assert [(s.garbled, s.original) for s in lr.rank(stats)] == [("认可", "可以"), ("年夜学", "大学")]


def test_an_unknown_form_with_no_measurable_deficit_needs_a_large_corpus(model):
    # 记者周 (a name after 记者) is no word of the model and its "original" too rare to be missed:
    # only the model's ignorance speaks for it. Over a large corpus it is dropped; a known word
    # (诚然) and a short corpus (where nothing is expected twice) keep the old rule.
    def ranked(tokens: int) -> set[tuple[str, str]]:
        lr = L.Learner(model, L.Partners().finish())
        lr.tokens_seen = tokens
        stats = {}
        for g, o in (("记者周", "纪念周"), ("诚然", "实在"), ("经由过程", "通过")):
            s = stats[(g, o)] = _stats(g, o, 9)
            s.under = math.inf if g != "经由过程" else 0.9
        return {(s.garbled, s.original) for s in lr.rank(stats)}

    assert not model.is_word("记者周") and model.is_word("诚然")
    assert ranked(L.RARE_CORPUS) == {("诚然", "实在"), ("经由过程", "通过")}
    assert ranked(L.RARE_CORPUS - 1) == {("记者周", "纪念周"), ("诚然", "实在"), ("经由过程", "通过")}


def test_slot_index_memory_is_bounded(model, monkeypatch):
    monkeypatch.setattr(L, "SLOT_CAP", 200)
    lr = L.Learner(model, L.Partners().finish())
    lr.collect(CLEAN * 50 + SPUN * 50 + [f"第{i}号文件说明了第{i}个问题。" for i in range(300)])
    assert lr._slot_entries <= 200
    assert sum(len(v) for v in lr.slots.values()) <= 200


def test_synonym_file_formats():
    text = "# comment\nAa01A01= 人 士 人物\nAa01A02@ 独自\n配置,设置,装备\n"
    assert list(L.parse_synonyms(text)) == [["人", "士", "人物"], ["配置", "设置", "装备"]]


def test_output_loads_back_as_a_table():
    line = L.PairStats("经由过程", "通过", "partner", count=3, gain_sum=9.0, examples=["a[经由过程]b"]).line()
    entries = parse_table(L.HEADER + "\n" + line + "\n", "pairs.tsv")
    assert {(e.garbled, e.originals) for e in entries} == {("经由过程", ("通过",)), ("通过", ("经由过程",))}


def test_to_dictionary_is_a_valid_dictionary(model):
    pairs = L.read_pairs("# header\n经由过程\t通过\t3\t4.1\tx\n集会\t会议\t5\t2.0\ty\n")
    assert pairs == [("经由过程", "通过"), ("集会", "会议")]
    entries = parse_dictionary(L.to_dictionary(pairs, "everyday", "marker"), "mine.yaml", "ambiguous")
    assert {(e.garbled, e.originals, e.kind) for e in entries} == {
        ("经由过程", ("通过",), "marker"), ("集会", ("会议",), "marker")}
    assert L.tier_of(model, "经由过程") == "marker" and L.tier_of(model, "集会") == "ambiguous"


# ---------------------------------------------------------------- the command


def test_cli_learn_on_files_and_jsonl(tmp_path):
    (tmp_path / "a.txt").write_text("\n".join(SPUN[:3]) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(
        "".join(json.dumps({"id": i, "body": {"text": s}}, ensure_ascii=False) + "\n" for i, s in enumerate(SPUN[3:])),
        encoding="utf-8")
    table = tmp_path / "t.txt"
    table.write_text("通过-经由过程\n人工-野生\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "pairs.tsv"
    r = runner.invoke(main, ["learn", str(tmp_path / "a.txt"), "--table", str(table), "--no-builtin",
                             "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert ["经由过程", "通过"] in [row[:2] for row in rows]
    assert all(len(row) == 5 for row in rows)
    r = runner.invoke(main, ["learn", str(tmp_path / "b.jsonl"), "--field", "body.text", "--table", str(table),
                             "--no-builtin", "--min-count", "1"])
    assert r.exit_code == 0, r.output
    assert "野生智能\t人工智能" in r.stdout
    # the pairs file is a table the filter accepts
    r = runner.invoke(main, ["--table", str(out)], input="天气很好。\n")
    assert r.exit_code == 0 and r.stdout == "天气很好。\n"


def test_cli_to_dictionary(tmp_path):
    reviewed = tmp_path / "reviewed.tsv"
    reviewed.write_text("经由过程\t通过\t3\t4.1\tx\n集会\t会议\t5\t2.0\ty\n", encoding="utf-8")
    out = tmp_path / "mine.yaml"
    r = CliRunner().invoke(main, ["learn", "--to-dictionary", str(reviewed), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == {"tier": "marker", "everyday": {"经由过程": "通过"}}
    sibling = tmp_path / "mine-ambiguous.yaml"
    assert yaml.safe_load(sibling.read_text(encoding="utf-8")) == {"tier": "ambiguous", "everyday": {"集会": "会议"}}
    r = CliRunner().invoke(main, ["--dictionary", str(out)], input="我们经由过程测试发现了它。\n")
    assert r.exit_code == 0


@pytest.mark.parametrize("which", ["corpus", "folder", "table", "reviewed"])
def test_cli_learn_refuses_to_write_over_an_input(tmp_path, which):
    """`unspin learn corpus.txt -o corpus.txt` replaced the corpus with a one-line pair list; any file
    it reads (corpus, inside a folder given, table, reviewed pairs) is now refused as -o, exit 2, untouched."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(SPUN) + "\n", encoding="utf-8")
    table = tmp_path / "t.txt"
    table.write_text("通过-经由过程\n", encoding="utf-8")
    reviewed = tmp_path / "reviewed.tsv"
    reviewed.write_text("经由过程\t通过\t3\t4.1\tx\n", encoding="utf-8")
    args = {"corpus": ["learn", str(corpus), "-o", str(corpus)],
            "folder": ["learn", str(tmp_path), "-o", str(corpus)],
            "table": ["learn", str(corpus), "--table", str(table), "-o", str(table)],
            "reviewed": ["learn", "--to-dictionary", str(reviewed), "-o", str(reviewed)]}[which]
    before = {p: p.read_bytes() for p in (corpus, table, reviewed)}
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and "is also an input" in r.output, r.output
    assert {p: p.read_bytes() for p in before} == before


def test_cli_learn_writes_its_output_atomically(tmp_path, monkeypatch):
    """A write that fails half-way leaves the old pair list whole and no temporary file."""
    import repair.files.atomic as atomic

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(SPUN) + "\n", encoding="utf-8")
    out = tmp_path / "pairs.tsv"
    out.write_text("# an older list\n", encoding="utf-8")

    def fail(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "write", fail)
    r = CliRunner().invoke(main, ["learn", str(corpus), "--include-known", "--min-count", "3", "-o", str(out)])
    assert r.exit_code == 2 and "No space left on device" in r.output, r.output
    assert out.read_text(encoding="utf-8") == "# an older list\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.txt", "pairs.tsv"]


def test_cli_learn_needs_a_corpus():
    r = CliRunner().invoke(main, ["learn"])
    assert r.exit_code == 2


def test_cli_learn_reads_stdin():
    r = CliRunner().invoke(main, ["learn", "-", "--include-known", "--min-count", "3"], input="\n".join(SPUN) + "\n")
    assert r.exit_code == 0, r.output
    assert "经由过程\t通过\t4\t" in r.stdout


def test_dispersion_matters_only_over_many_texts(model):
    partners = _partners(("通过", "经由过程"))
    one_text = ["".join(SPUN)]
    many = SPUN * 4 + CLEAN * 4  # 经由过程 spread over many texts
    assert _found(L.learn(model, partners, lambda: one_text)) == {("经由过程", "通过")}
    assert ("经由过程", "通过") in _found(L.learn(model, partners, lambda: many))
    bursty = ["".join(SPUN)] + CLEAN * 30  # all in one of 31 texts: looks like a term of one article
    assert _found(L.learn(model, partners, lambda: bursty, options=L.LearnOptions(min_docs=2))) == set()


@pytest.mark.parametrize("which", ["pairs", "to-dictionary"])
def test_cli_learn_refuses_a_read_only_output_before_any_work(tmp_path, which):
    """A read-only -o was replaced all the same (the atomic write renames over it, which needs only
    the folder's permission): its owner protected it, so it is refused, exit 2, untouched, as
    `fix -w` refuses a read-only file without --force."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(SPUN) + "\n", encoding="utf-8")
    reviewed = tmp_path / "reviewed.tsv"
    reviewed.write_text("经由过程\t通过\t3\t4.1\tx\n", encoding="utf-8")
    out = tmp_path / "kept.tsv"
    out.write_text("# protected\n", encoding="utf-8")
    out.chmod(0o444)
    args = {"pairs": ["learn", str(corpus), "--include-known", "--min-count", "3", "-o", str(out)],
            "to-dictionary": ["learn", "--to-dictionary", str(reviewed), "--tier", "marker", "-o", str(out)]}[which]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and "read-only file" in r.output, r.output
    assert out.read_text(encoding="utf-8") == "# protected\n"
    assert out.stat().st_mode & 0o777 == 0o444
