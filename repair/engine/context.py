"""The context model: how natural a sequence of words is in clean Chinese.

Two implementations of one small interface (``bigram``, ``is_word``,
``max_word_len``):

* :class:`ShippedBigrams`, always available: unigram probabilities for
  the whole vocabulary of a word trigram model of clean Chinese, plus every
  bigram that touches a dictionary word (see ``scripts/build_context.py`` and
  ``dictionaries/context/README.md``). Stored as flat arrays and searched with
  ``bisect``, so loading costs milliseconds and a few MB, not a dict of
  millions of Python objects.
* :class:`KenlmModel`, optional: a full KenLM binary (``Config.lm_path``),
  for users who have one; it knows bigrams for words outside the dictionary,
  such as those in imported spinner tables.

Scores are log10 probabilities, as in ARPA/KenLM.
"""
from __future__ import annotations

import bisect
from array import array
from functools import lru_cache
from pathlib import Path
from typing import Protocol

VOCAB_FILE = "vocab.txt"
UNIGRAM_FILE = "unigram.bin"
BIGRAM_FILE = "bigram.bin"
#: Words whose bigrams were extracted: the shipped model knows their contexts.
COVERED_FILE = "covered.txt"
#: Longest word kept in the vocabulary (scripts/build_context.py drops longer ones).
MAX_WORD = 8
#: log10 probabilities are stored as int16 thousandths.
SCALE = 1000.0
#: log10 weight of an unseen bigram's fall-back to the unigram ("stupid back-off").
#: The model's own back-off weights normalise it, but they differ wildly from word to
#: word (提供 vs 供给: 1.8 in log10 for the same unseen continuation), and in
#: a comparison between two words where neither bigram was seen that difference is
#: noise, not context; a constant keeps such a comparison to the unigrams.
STUPID_BACKOFF = -0.1
#: log10 p of a word the model has never seen (the source model's <unk>).
UNK_LOGP = -6.264
_ID_BITS = 20


def pack_key(left_id: int, right_id: int) -> int:
    """One sortable integer per bigram, so the table is a flat sorted array."""
    return (left_id << _ID_BITS) | right_id


class ContextModel(Protocol):
    """What the decision stage needs from a model of clean text."""

    max_word_len: int

    def is_word(self, word: str) -> bool: ...

    def bigram(self, prev: str | None, word: str) -> float: ...


class ShippedBigrams:
    """The statistics that ship with unspin (derived from an LGPL trigram model)."""

    def __init__(self, folder: Path) -> None:
        words = (folder / VOCAB_FILE).read_text(encoding="utf-8").split("\n")
        if words and words[-1] == "":
            words.pop()
        # The file is sorted, so a word's id is its position: bisect instead of a
        # 165k-entry dict keeps start-up (and each batch worker) fast and small.
        self._words = words
        probs = array("h")
        probs.frombytes((folder / UNIGRAM_FILE).read_bytes())
        self._uni = probs
        raw = (folder / BIGRAM_FILE).read_bytes()
        n = len(raw) // 10  # 8 bytes of key + 2 bytes of log-prob per bigram
        self._keys = array("Q")
        self._keys.frombytes(raw[: 8 * n])
        self._vals = array("h")
        self._vals.frombytes(raw[8 * n:])
        self.max_word_len = MAX_WORD
        self.bigram = lru_cache(maxsize=1 << 16)(self._bigram)  # type: ignore[method-assign]
        self._id = lru_cache(maxsize=1 << 16)(self._lookup)  # type: ignore[method-assign]

    def _lookup(self, word: str) -> int | None:
        i = bisect.bisect_left(self._words, word)
        return i if i < len(self._words) and self._words[i] == word else None

    def is_word(self, word: str) -> bool:
        return self._id(word) is not None

    def _bigram(self, prev: str | None, word: str) -> float:
        """log10 p(word | prev): the model's bigram if it has one, else the unigram with a constant penalty."""
        wi = self._id(word)
        if wi is None:
            return UNK_LOGP
        uni = self._uni[wi] / SCALE
        if prev is None:
            return uni
        pi = self._id(prev)
        if pi is None:
            return uni
        key = pack_key(pi, wi)
        k = bisect.bisect_left(self._keys, key)
        if k < len(self._keys) and self._keys[k] == key:
            return self._vals[k] / SCALE
        return STUPID_BACKOFF + uni


class KenlmModel:
    """A full KenLM binary; needs the optional ``kenlm`` module."""

    def __init__(self, path: Path, vocab: ShippedBigrams) -> None:
        import kenlm  # optional dependency, imported only when asked for

        self._m = kenlm.Model(str(path))
        self._kenlm = kenlm
        self._vocab = vocab  # for segmentation: KenLM exposes no vocabulary lookup by prefix
        self.max_word_len = vocab.max_word_len
        self.bigram = lru_cache(maxsize=1 << 16)(self._bigram)  # type: ignore[method-assign]

    def is_word(self, word: str) -> bool:
        return self._vocab.is_word(word)

    def _bigram(self, prev: str | None, word: str) -> float:
        k = self._kenlm
        null, state, out = k.State(), k.State(), k.State()
        self._m.NullContextWrite(null)
        if prev is None:
            return self._m.BaseScore(null, word, out)
        self._m.BaseScore(null, prev, state)
        return self._m.BaseScore(state, word, out)


@lru_cache(maxsize=1)
def covered_words() -> frozenset[str]:
    """Words the shipped statistics know the contexts of (every word of the built-in dictionaries)."""
    return frozenset((shipped_folder() / COVERED_FILE).read_text(encoding="utf-8").split())


def shipped_folder() -> Path:
    from .dictionary import builtin_dir

    return builtin_dir() / "context"


@lru_cache(maxsize=4)
def load_context(lm_path: Path | None = None, backoff: str = "stupid", stupid_backoff: float = -0.1) -> ContextModel:
    """The context model, loaded once per process (workers in batch mode share nothing)."""
    shipped = ShippedBigrams(shipped_folder())
    if lm_path is not None:
        return KenlmModel(Path(lm_path), shipped)
    return shipped
