"""The register test reads particles, not characters: 维吾尔, 哈尔滨 and 几乎 are modern Chinese.

``spinrate.register`` tells modern from classical or formal text by its
particles. Counting characters, 吾 and 尔 of 维吾尔族, 尔 of 哈尔滨 and 乎 of
几乎 and 似乎 read as classical particles, so a news article about Xinjiang read
as classical prose and its spun words were left alone.
"""
from __future__ import annotations

import re
import sys
from array import array

import pytest

import repair
from repair.engine.dictionary import builtin_dir, load_register_words
from repair.engine.normalize import analysis_copy
from repair.engine.params import ModelParams
from repair.engine.spinrate import Particles, register

P = ModelParams()

# Our own words: a news paragraph with few 的 and many 维吾尔, 哈尔滨, 几乎, 似乎.
NEWS = ("新疆维吾尔自治区南部几个县的维吾尔族农民今年几乎都用上了滴灌。维吾尔族干部说，似乎每个村都在修路。"
        "哈尔滨一家企业来到维吾尔族聚居的和田地区投资建厂，维吾尔族青年几乎人人都找到工作。")
# Analects 1.1 and 2.4 (public domain), written from memory.
ANALECTS = ("子曰：学而时习之，不亦说乎？有朋自远方来，不亦乐乎？人不知而不愠，不亦君子乎？"
            "子曰：吾十有五而志于学，三十而立，四十而不惑，五十而知天命，六十而耳顺，七十而从心所欲，不逾矩。")


@pytest.fixture(scope="module")
def repairer() -> repair.Repairer:
    return repair.Repairer()


def _register(r: repair.Repairer, text: str) -> float:
    ev = r.evidence(text)
    return register(ev.modern, ev.formal, ev.han, P)


def test_a_modern_paragraph_full_of_uyghur_harbin_and_jihu_reads_modern(repairer):
    # counted as characters: 5 modern particles against 14 formal ones, register 0.000
    assert _register(repairer, NEWS) > 0.99
    traditional = "新疆維吾爾自治區南部幾個縣的維吾爾族農民今年幾乎都用上了滴灌。維吾爾族幹部說，似乎每個村都在修路。"
    assert _register(repairer, traditional) > 0.99


def test_classical_text_still_reads_formal(repairer):
    assert _register(repairer, ANALECTS) < 0.01
    # 在乎 and 几乎 are listed modern words, but a classical line full of 之, 乎, 吾 still reads formal
    assert _register(repairer, "醉翁之意不在酒，在乎山水之间也。吾与汝皆知之矣，何乎？" * 2) < 0.01


def test_a_spun_sentence_in_such_a_paragraph_is_restored(repairer):
    original = NEWS + "自治区政府通过调研，决定加大对维吾尔族农户的支持，处理好灌溉用水问题。"
    spun = NEWS + "自治区政府经由过程调研，决定加大对维吾尔族农户的支持，处置惩罚好灌溉用水题目。"
    assert repairer.fix(spun) == original
    assert repairer.fix(original) == original


def test_a_formal_character_inside_a_listed_word_is_not_counted():
    count = Particles(P, ("维吾尔", "几乎")).count
    assert count("维吾尔族几乎都来了") == (1, 0)
    assert count("吾与汝何乎？之乎者也") == (0, 5)  # 吾, 汝, 乎, 之, 乎
    assert count("几乎之乎") == (0, 2)  # only the 乎 outside 几乎, and 之
    assert Particles(P).count("维吾尔族几乎都来了") == (1, 2)  # without the words: 吾 and 乎
    assert "尔" not in P.formal_chars  # 偶尔, 哈尔滨, 尼尔: as frequent in modern text as in classical


def test_the_register_words_file_holds_modern_words_that_cannot_overlap():
    words = load_register_words()
    assert words and len(set(words)) == len(words)
    vocab = set((builtin_dir() / "context" / "vocab.txt").read_text(encoding="utf-8").split("\n"))
    for w in words:
        assert re.fullmatch("[\u4e00-\u9fff]{2,}", w), w
        assert analysis_copy(w).simplified == w, w  # Simplified, as the counted text is
        assert any(ch in w for ch in P.formal_chars), w
        assert w in vocab, w  # a word of the shipped context model
    # no two words share a formal character in the text, so none is taken away twice
    for a in words:
        for b in words:
            if a != b:
                assert a not in b, (a, b)
                assert not any(a[-k:] == b[:k] and any(ch in a[-k:] for ch in P.formal_chars)
                               for k in range(1, min(len(a), len(b)))), (a, b)


def test_the_words_with_hu_are_the_models_commonest_but_the_classical_one():
    # dictionaries/README.md: every word of the model with 乎 at log10 p >= -5.25, but 近乎 (好学近乎知)
    ctx = builtin_dir() / "context"
    vocab = (ctx / "vocab.txt").read_text(encoding="utf-8").split("\n")
    logp = array("h", (ctx / "uni_logp.i16").read_bytes())
    if sys.byteorder == "big":
        logp.byteswap()
    common = {w for w, lp in zip(vocab, logp) if "乎" in w and len(w) > 1 and lp >= -5250}
    assert {w for w in load_register_words() if "乎" in w} == common - {"近乎"}
