"""The reader of sunpinyin's threaded trigram model (``bench.second_model``), on a model built by hand."""
from __future__ import annotations

import math
import struct

import pytest

from bench.second_model import BOW_TABLE, PR_TABLE, Mixed, ThreadedModel, read_lexicon


def _node(wid: int, bow: int, pr: int, ch: int) -> bytes:
    return struct.pack("<3I", wid | bow << 18, pr | (ch & 0xFFFF) << 16, (ch >> 16) << 25)


def _leaf(wid: int, pr: int) -> bytes:
    return struct.pack("<2I", wid | (pr & 0x3FFF) << 18, (pr >> 14) << 25)


def _data() -> tuple[bytes, list[str]]:
    """A trigram model of three words (甲 乙 丙) with one bigram (甲 乙) and one trigram (甲 乙 丙)."""
    lexicon = struct.pack("<3I", 4, 0, 12) + "\0甲\0乙\0丙\0".encode("utf-32-le")
    words = read_lexicon(lexicon)
    pr = [0.0] * PR_TABLE
    pr[1:6] = [0.5, 0.25, 0.125, 0.1, 0.2]
    bow = [1.0, 0.5] + [0.0] * (BOW_TABLE - 2)
    levels = [
        [_node(0, 0, 4, 0), _node(0, 0, 0, 3)],                          # root, sentinel
        [_node(1, 1, 1, 0), _node(2, 0, 2, 1), _node(3, 0, 3, 1), _node(0, 0, 0, 1)],  # 甲 乙 丙
        [_node(2, 1, 5, 0), _node(0, 0, 0, 1)],                          # 甲 乙
        [_leaf(3, 4), _leaf(0, 0)],                                      # 甲 乙 丙
    ]
    data = struct.pack("<2I", 3, 0) + struct.pack("<4I", *map(len, levels))
    data += struct.pack(f"<{PR_TABLE}f", *pr) + struct.pack(f"<{BOW_TABLE}f", *bow)
    data += b"".join(b"".join(level) for level in levels)
    return data, words


def _model() -> ThreadedModel:
    return ThreadedModel(*_data())


def test_lexicon_gives_words_by_id() -> None:
    assert read_lexicon(struct.pack("<3I", 3, 0, 12) + "\0甲\0乙\0".encode("utf-32-le")) == ["", "甲", "乙"]


def test_probabilities_back_off_as_sunpinyin_does() -> None:
    m = _model()
    lg = math.log10
    assert m.bigram(None, "乙") == pytest.approx(lg(0.25))
    assert m.bigram("甲", "乙") == pytest.approx(lg(0.2))                   # a stored bigram
    assert m.bigram("甲", "丙") == pytest.approx(lg(0.125) + lg(0.5))       # back-off weight of 甲
    assert m.bigram("乙", "丙") == pytest.approx(lg(0.125))                 # weight 1
    assert m.trigram("甲", "乙", "丙") == pytest.approx(lg(0.1))            # a stored trigram
    assert m.trigram("甲", "乙", "甲") == pytest.approx(lg(0.5) + lg(0.5))  # p(甲) · bow(甲 乙)
    assert m.trigram("乙", "丙", "甲") == pytest.approx(lg(0.5))            # no history node: the bigram
    assert m.bigram("甲", "丁") is None and m.trigram("甲", "乙", "丁") is None


def test_a_model_with_bytes_left_over_is_refused() -> None:
    data, words = _data()
    with pytest.raises(ValueError, match="bytes after the last level"):
        ThreadedModel(data + b"\0" * 4, words)


class _Base:
    max_word_len, vocabulary = 8, {}

    def cover(self, text: str) -> None: ...

    def is_word(self, word: str) -> bool:
        return True

    def unigram(self, word: str) -> float:
        return -3.0

    def bigram(self, prev: str | None, word: str) -> float:
        return -3.0

    def trigram(self, prev2: str | None, prev: str | None, word: str) -> float:
        return -3.0


def test_mixing_interpolates_where_both_know_the_word() -> None:
    mixed = Mixed(_Base(), _model(), 0.5)
    assert mixed.bigram(None, "乙") == pytest.approx(math.log10(0.5 * 1e-3 + 0.5 * 0.25))
    assert mixed.bigram(None, "丁") == -3.0  # the second model does not know it: the shipped one alone
