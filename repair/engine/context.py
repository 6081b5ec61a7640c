"""The context model: how natural a sequence of words is in clean Chinese.

Two implementations of one small interface (``bigram``, ``trigram``,
``is_word``, ``max_word_len``, and optionally ``vocabulary`` with ``cover``):

* :class:`ShippedModel`, always available: the whole word trigram model of
  libime (every unigram, bigram and trigram, with back-off weights),
  re-encoded by ``scripts/build_context.py`` into flat little-endian arrays in
  ``dictionaries/context/`` (see its README for source and licence). The
  arrays are memory-mapped, not read: start-up costs milliseconds, and batch
  workers on one machine share the same pages.
* :class:`KenlmModel`, optional: any KenLM binary (``Config.lm_path``), for
  users who have a bigger model; needs the ``kenlm`` module.

Scores are log10 probabilities, as in ARPA/KenLM. An unseen bigram backs off
to the unigram either with the model's own back-off weight (``kenlm``) or
with a constant penalty (``stupid``, the default): back-off weights differ
wildly from word to word, and in a comparison of two words where neither
bigram was seen that difference is noise, not context.
"""
from __future__ import annotations

import bisect
import json
import mmap
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from ..errors import UnspinError
from .vocabulary import Vocabulary

VOCAB_FILE = "vocab.txt"
META_FILE = "meta.json"
#: Longest word (in characters) the lattice considers; longer vocabulary words are rare idioms.
MAX_WORD = 8
#: log10 probabilities are stored as int16 thousandths.
SCALE = 1000.0
#: Fall-back log10 p of a word the model has never seen (its meta.json gives the model's own).
UNK_LOGP = -6.264


class ContextModel(Protocol):
    """What the decision stage needs from a model of clean text."""

    max_word_len: int

    def is_word(self, word: str) -> bool: ...

    def bigram(self, prev: str | None, word: str) -> float: ...

    def unigram(self, word: str) -> float: ...

    # A model may also expose ``vocabulary``, a dict the lattice reads directly (``word in
    # vocabulary``), and then ``cover(text)``, called first with every text the lattice reads,
    # after which ``vocabulary`` holds every word of the model that starts with a character of it.


def _map(path: Path, fmt: str) -> memoryview:
    """A read-only memory map of a flat array file, typed (``'h'`` int16, ``'I'`` uint32)."""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        if size == 0:
            return memoryview(b"").cast(fmt)
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return memoryview(mm).cast(fmt)


class ShippedModel:
    """The whole libime trigram model, memory-mapped (derived from an LGPL model; see the data's README)."""

    def __init__(self, folder: Path, backoff: str = "stupid", stupid_backoff: float = -0.1) -> None:
        try:
            words = Vocabulary((folder / VOCAB_FILE).read_bytes())
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
            self._uni = _map(folder / "uni_logp.i16", "h")
            self._uni_bo = _map(folder / "uni_backoff.i16", "h")
            self._bi_off = _map(folder / "bi_offsets.u32", "I")
            self._bi_right = _map(folder / "bi_right.u32", "I")
            self._bi_logp = _map(folder / "bi_logp.i16", "h")
            self._bi_bo = _map(folder / "bi_backoff.i16", "h")
            self._tri_off = _map(folder / "tri_offsets.u32", "I")
            self._tri_right = _map(folder / "tri_right.u32", "I")
            self._tri_logp = _map(folder / "tri_logp.i16", "h")
        except (OSError, ValueError) as exc:
            raise UnspinError(f"context statistics in {folder} are missing or damaged ({exc}); "
                              "reinstall unspin or rebuild them with scripts/build_context.py") from None
        if words.size != len(self._uni) or len(self._bi_off) != words.size + 1:
            raise UnspinError(f"context statistics in {folder} do not match their vocabulary; reinstall unspin")
        # the word -> id dict, filled on need (see :mod:`.vocabulary`); ids are looked up by the
        # vocabulary until it holds every word, then by the dict alone (see :meth:`cover`)
        self._words = words
        self._id = words.id
        self._unk = float(meta.get("unk_logp", UNK_LOGP))
        self._kenlm_backoff = backoff == "kenlm"
        self._stupid = stupid_backoff
        self.max_word_len = MAX_WORD
        self.bigram = lru_cache(maxsize=1 << 14)(self._bigram)  # type: ignore[method-assign]
        # a lattice's readings and the evidence of its candidates score the same words in the
        # same context, and each trigram costs two binary searches over the mapped arrays
        self.trigram = lru_cache(maxsize=1 << 12)(self._trigram)  # type: ignore[method-assign]
        #: ``word in vocabulary`` is ``is_word(word)`` without a method call (the lattice asks it
        #: for every substring it spans), for the words of a text given to :meth:`cover`
        self.vocabulary = words.index

    def cover(self, text: str) -> None:
        """Put every word of the model that starts with a character of ``text`` in ``vocabulary``."""
        self._words.cover(text)
        if self._words.whole:
            self._id = self.vocabulary.get  # type: ignore[method-assign]  # every word is in: a plain lookup

    def is_word(self, word: str) -> bool:
        return self._id(word) is not None

    def unigram(self, word: str) -> float:
        """log10 p(word) with no context."""
        wi = self._id(word)
        return self._unk if wi is None else self._uni[wi] / SCALE

    def _bigram(self, prev: str | None, word: str) -> float:
        """log10 p(word | prev)."""
        wi = self._id(word)
        if wi is None:
            return self._unk
        uni = self._uni[wi] / SCALE
        if prev is None:
            return uni
        pi = self._id(prev)
        if pi is None:
            return uni
        # the bigram (prev, word): a binary search of prev's row (written out here and in
        # _trigram, not a method of its own: every miss of either cache asks it)
        lo, hi = self._bi_off[pi], self._bi_off[pi + 1]
        k = bisect.bisect_left(self._bi_right, wi, lo, hi)
        if k < hi and self._bi_right[k] == wi:
            return self._bi_logp[k] / SCALE
        return uni + (self._uni_bo[pi] / SCALE if self._kenlm_backoff else self._stupid)

    def _trigram(self, prev2: str | None, prev: str | None, word: str) -> float:
        """log10 p(word | prev2 prev), backing off to the bigram."""
        if prev2 is None or prev is None:
            return self.bigram(prev, word)
        a, b, w = self._id(prev2), self._id(prev), self._id(word)
        if a is None or b is None or w is None:
            return self.bigram(prev, word)
        lo, hi = self._bi_off[a], self._bi_off[a + 1]
        r = bisect.bisect_left(self._bi_right, b, lo, hi)  # the bigram (prev2, prev), as in _bigram
        if r == hi or self._bi_right[r] != b:
            return self.bigram(prev, word)
        lo, hi = self._tri_off[r], self._tri_off[r + 1]
        k = bisect.bisect_left(self._tri_right, w, lo, hi)
        if k < hi and self._tri_right[k] == w:
            return self._tri_logp[k] / SCALE
        return self.bigram(prev, word) + (self._bi_bo[r] / SCALE if self._kenlm_backoff else self._stupid)


class KenlmModel:
    """A full KenLM binary; needs the optional ``kenlm`` module."""

    def __init__(self, path: Path, vocab: ShippedModel) -> None:
        try:
            import kenlm  # optional dependency, imported only when asked for
        except ImportError:
            raise UnspinError("--lm needs the kenlm module: pip install kenlm") from None
        try:
            self._m = kenlm.Model(str(path))
        except (OSError, RuntimeError, IOError) as exc:
            raise UnspinError(f"{path}: not a KenLM model ({exc})") from None
        self._kenlm = kenlm
        self._vocab = vocab  # for segmentation: KenLM exposes no vocabulary lookup by prefix
        self.max_word_len = vocab.max_word_len
        self.vocabulary = vocab.vocabulary
        self.cover = vocab.cover
        self.bigram = lru_cache(maxsize=1 << 16)(self._bigram)  # type: ignore[method-assign]

    def is_word(self, word: str) -> bool:
        return self._vocab.is_word(word)

    def unigram(self, word: str) -> float:
        return self.bigram(None, word)

    def _bigram(self, prev: str | None, word: str) -> float:
        k = self._kenlm
        null, state, out = k.State(), k.State(), k.State()
        self._m.NullContextWrite(null)
        if prev is None:
            return self._m.BaseScore(null, word, out)
        self._m.BaseScore(null, prev, state)
        return self._m.BaseScore(state, word, out)


def shipped_folder() -> Path:
    from .dictionary import builtin_dir

    return builtin_dir() / "context"


@lru_cache(maxsize=4)
def load_context(lm_path: Path | None = None, backoff: str = "stupid", stupid_backoff: float = -0.1) -> ContextModel:
    """The context model, loaded once per process (memory-mapped, so workers share its pages)."""
    shipped = ShippedModel(shipped_folder(), backoff, stupid_backoff)
    if lm_path is not None:
        return KenlmModel(Path(lm_path), shipped)
    return shipped
