"""The shipped model of the whole language, and what it lets the engine decide."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import repair
from repair.engine.context import ShippedModel, load_context, shipped_folder
from repair.engine.vocabulary import FILL_ALL_AFTER, Vocabulary

TABLE = "配置→设置装备摆设\n请求→恳求\n要求→恳求\n程序→法式\n通过→经由过程\n分析→阐发\n"


@pytest.fixture(scope="module")
def model() -> ShippedModel:
    m = load_context()
    assert isinstance(m, ShippedModel)
    return m


def test_the_whole_vocabulary_ships_with_its_bigrams_and_trigrams(model: ShippedModel):
    meta = json.loads((shipped_folder() / "meta.json").read_text(encoding="utf-8"))
    assert meta["counts"]["unigrams"] > 160_000 and meta["counts"]["bigrams"] > 1_900_000
    assert meta["licence"].startswith("LGPL")
    assert (shipped_folder() / "LICENSE.LGPL-2.1").exists()
    # words no dictionary entry mentions still have their contexts
    assert model.bigram("发送", "请求") > model.bigram("发送", "恳求") + 1.0
    assert model.bigram("主持", "会议") > model.bigram("主持", "集会") + 2.0
    assert model.trigram("主持", "召开", "会议") <= 0.0


def test_unknown_words_and_back_off_are_finite(model: ShippedModel):
    assert model.bigram(None, "不存在的词语啊") < -5
    assert model.bigram("中央", "不存在的词语啊") < -5
    assert not model.is_word("不存在的词语啊") and model.is_word("会议")


def test_the_vocabulary_filled_on_need_answers_as_the_whole_of_it():
    """The word → id dict is filled a first character at a time (``cover``, ``_id``): every
    answer must be the one of the whole vocabulary, its ids the line numbers of vocab.txt."""
    words = (shipped_folder() / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert words == sorted(words) and len(set(words)) == len(words)  # the runs by first character
    whole = dict(zip(words, range(len(words))))
    m = ShippedModel(shipped_folder())  # a fresh one: nothing covered yet
    asked = words[::997] + ["不存在的词语啊", "会议室的", "𠀀", "a", "", "\U0010ffff", words[-1], words[0]]
    for w in asked:
        assert m.is_word(w) == (w in whole) and m.unigram(w) == load_context().unigram(w)
    text = "中心政法委书记郭声琨主持集会，𠀀abc 一样平常糊口\u3000" + "".join(words[5::20011])
    m.cover(text)
    spans = {text[i:j] for i in range(len(text)) for j in range(i + 1, min(len(text), i + 8) + 1)}
    assert {w for w in spans if w in m.vocabulary} == spans & whole.keys()
    assert all(m.vocabulary[w] == whole[w] for w in m.vocabulary)
    m.cover("".join({w[0] for w in words}))  # every first character: the whole vocabulary
    assert m.vocabulary == whole
    # after FILL_ALL_AFTER characters of text, every word at once: the same dict and answers
    m = ShippedModel(shipped_folder())
    m.cover("会议" * (FILL_ALL_AFTER // 2))
    assert m.vocabulary == whole and all(m.is_word(w) == (w in whole) for w in asked)


@pytest.mark.parametrize("end", ["\n", ""])
def test_a_vocabulary_finds_every_run_of_a_first_character(end: str):
    """Runs at the start and the end of the list, one-word runs, the last code point, words
    not in the list, with and without a final line end."""
    words = sorted({"a", "ab", "b", "中", "中央", "中心", "会议", "丙", "\U0010ffff", "\U0010ffffx", "𠀀"})
    v = Vocabulary("\n".join(words) + end)
    assert v.size == len(words)
    for w in words + ["", "c", "中间", "z", "\U0010fffe"]:
        assert v.id(w) == (words.index(w) if w in words else None)
    v = Vocabulary("\n".join(words) + end)
    v.cover("z中\U0010ffff")
    assert v.index == {w: i for i, w in enumerate(words) if w[0] in "z中\U0010ffff"}
    assert Vocabulary("").size == 0 and Vocabulary("").id("a") is None


def test_damaged_statistics_are_a_clear_error(tmp_path: Path):
    for f in shipped_folder().iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes()[:100] if f.suffix == ".u32" else f.read_bytes())
    with pytest.raises(repair.UnspinError, match="reinstall"):
        ShippedModel(tmp_path)


def test_a_word_list_that_is_not_utf8_is_a_clear_error(tmp_path: Path):
    """The list is decoded a run at a time (see repair.engine.vocabulary), so damage shows when a
    damaged run is first read, still as an error that says to reinstall, not a traceback."""
    for f in shipped_folder().iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes(vocab.read_bytes().replace("中央".encode(), b"\xff\xfe"))
    m = ShippedModel(tmp_path)
    with pytest.raises(repair.UnspinError, match="reinstall"):
        m.cover("中心")


@pytest.fixture()
def spinner_table(tmp_path: Path) -> Path:
    p = tmp_path / "spinner.txt"
    p.write_text(TABLE, encoding="utf-8")
    return p


def test_every_table_pair_is_decided_by_context(spinner_table: Path):
    r = repair.Repairer(repair.Config(tables=(spinner_table,)))
    spun = "在设置装备摆设文件中修改参数后，法式会向服务器发送恳求，经由过程阐发返回的数据判断是否成功。"
    assert r.fix(spun) == "在配置文件中修改参数后，程序会向服务器发送请求，通过分析返回的数据判断是否成功。"
    # the chained garble is restored whole, not cut into 设置 + 装备 + 摆设
    whole = [c for c in r.explain(spun) if c.old == "设置装备摆设"]
    assert whole and whole[0].new == "配置"


def test_table_words_in_their_own_sense_stay(spinner_table: Path):
    r = repair.Repairer(repair.Config(tables=(spinner_table,)))
    for clean in ("法式大餐和法式面包都很好吃。", "他恳求法官从轻处罚。", "这份报告对市场做了详细分析。"):
        assert r.fix(clean) == clean


def test_one_clean_sentence_needs_more_evidence_than_one_doubtful_word():
    for clean in ("这个大夫医术高明。", "按照逻辑学的界说，这个概念并不清楚。", "落花如许，春光将尽。"):
        assert repair.fix(clean) == clean


def test_joined_clean_articles_do_not_look_spun():
    clean = [c["text"] for c in __import__("yaml").safe_load(
        (Path(__file__).parent / "cases" / "negative.yaml").read_text(encoding="utf-8")) if not c.get("known_failure")]
    one = repair.spin_score("\n".join(clean[:20]))
    joined = repair.spin_score("\n".join(clean[:400]))
    assert one < 0.1 and joined < 0.1
