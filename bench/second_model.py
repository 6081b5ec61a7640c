"""A second context model, interpolated with the shipped one, measured on dev.

Issue 7 welcomed a second licensed model "if it measures better". Debian's
``sunpinyin-data`` ships the open-gram word trigram model (CC BY-SA 3.0, a
different corpus from libime's) in sunpinyin's own threaded format: this module
reads it (``lm_sc.t3g`` and its lexicon ``pydict_sc.bin``; the layout is
sunpinyin's ``src/slm/slm.h`` and ``src/lexicon/pytrie.h``), mixes its
probabilities with the engine's model, and runs ``python -m bench.dev`` with the
mix. Nothing here ships: the engine never imports it. Measured at weight 0.5 (dev,
150 pages spun with the dense table), recall rose 1.6 points at rate 0.8 and
precision fell below 95% at 0.2 (README, *Measured*)::

    apt-get download sunpinyin-data && dpkg-deb -x sunpinyin-data_*.deb sp
    python -m bench.second_model --data sp/usr/lib/x86_64-linux-gnu/sunpinyin/data --weight 0.5 \\
        --dense --docs 150 [--rate 0.2]

Every argument after ``--weight`` goes to ``bench.dev``.
"""
from __future__ import annotations

import argparse
import bisect
import math
import runpy
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

#: sunpinyin's quantisation tables: 2^16 probabilities, 2^14 back-off weights (``CThreadSlm``)
PR_TABLE, BOW_TABLE = 1 << 16, 1 << 14


def read_lexicon(data: bytes) -> list[str]:
    """Words by id: a pytrie file ends with every word's UTF-32 string, NUL-terminated, in id order."""
    count, _nodes, offset = (int.from_bytes(data[i:i + 4], "little") for i in (0, 4, 8))
    tail = data[offset:offset + (len(data) - offset) // 4 * 4]
    return tail.decode("utf-32-le").split("\0")[:count]


class ThreadedModel:
    """A sunpinyin threaded back-off trigram model (``CThreadSlm``), read from its bytes.

    Nodes of levels 0..N-1 are three 32-bit words (wid:18 bow:14 | pr:16 ch_lo:16 |
    bon:23 bol:2 ch_hi:7); leaves of level N two (wid:18 pr_lo:14 | bon:23 bol:2 pr_hi:2).
    A node's children are the next level's nodes from its ``ch`` to the next node's.
    Probabilities are plain or log (the header says which), as indexes into the tables.
    """

    def __init__(self, data: bytes, words: list[str]) -> None:
        self.n, self.log = (int.from_bytes(data[i:i + 4], "little") for i in (0, 4))
        if self.n != 3:
            raise ValueError(f"a {self.n}-gram model; this reader knows trigrams")
        sizes = memoryview(data)[8:8 + 4 * (self.n + 1)].cast("I")
        at = 8 + 4 * (self.n + 1)
        self.pr = memoryview(data)[at:at + 4 * PR_TABLE].cast("f")
        at += 4 * PR_TABLE
        self.bow = memoryview(data)[at:at + 4 * BOW_TABLE].cast("f")
        at += 4 * BOW_TABLE
        self.levels = []
        for level, size in enumerate(sizes):
            width = 3 if level < self.n else 2
            self.levels.append(memoryview(data)[at:at + 4 * width * size].cast("I"))
            at += 4 * width * size
        if at != len(data):
            raise ValueError(f"{len(data) - at} bytes after the last level: not a threaded model")
        # word -> index of its unigram node (level 1 is sorted by word id)
        l1 = self.levels[1]
        position = {l1[3 * k] & 0x3FFFF: k for k in range(sizes[1] - 1)}
        self.index = {w: position[i] for i, w in enumerate(words) if w and i in position}
        self.bigram = lru_cache(maxsize=1 << 16)(self._bigram)
        self.trigram = lru_cache(maxsize=1 << 16)(self._trigram)

    def _logp(self, q: int) -> float:
        p = self.pr[q]
        return -p / math.log(10) if self.log else math.log10(max(p, 1e-300))

    def _logbow(self, q: int) -> float:
        b = self.bow[q]
        return -b / math.log(10) if self.log else math.log10(max(b, 1e-300))

    def _node(self, level: int, k: int) -> tuple[int, int, int, int]:
        """(word id, back-off index, probability index, first child) of node ``k``."""
        a = self.levels[level]
        w0, w1, w2 = a[3 * k], a[3 * k + 1], a[3 * k + 2]
        return w0 & 0x3FFFF, w0 >> 18, w1 & 0xFFFF, ((w2 >> 25) << 16) | (w1 >> 16)

    def _child(self, level: int, k: int, wid: int) -> int:
        """The child of node ``k`` of ``level`` for word ``wid`` (an index into the next level), or -1."""
        lo, hi = self._node(level, k)[3], self._node(level, k + 1)[3]
        a, step = self.levels[level + 1], 3 if level + 1 < self.n else 2
        j = bisect.bisect_left(range(lo, hi), wid, key=lambda i: a[step * i] & 0x3FFFF) + lo
        return j if j < hi and a[step * j] & 0x3FFFF == wid else -1

    def _leaf_logp(self, j: int) -> float:
        a = self.levels[self.n]
        w0, w1 = a[2 * j], a[2 * j + 1]
        return self._logp(((w1 >> 25) << 14) | (w0 >> 18))

    def _bigram(self, prev: str | None, word: str) -> float | None:
        """log10 p(word | prev) with the model's own back-off; None for a word it does not know."""
        i = self.index.get(word)
        if i is None:
            return None
        wid, _, q, _ = self._node(1, i)
        j = self.index.get(prev) if prev else None
        if j is None:
            return self._logp(q)
        k = self._child(1, j, wid)
        if k >= 0:
            return self._logp(self._node(2, k)[2])
        return self._logp(q) + self._logbow(self._node(1, j)[1])

    def _trigram(self, prev2: str | None, prev: str | None, word: str) -> float | None:
        i = self.index.get(word)
        a = self.index.get(prev2) if prev2 else None
        b = self.index.get(prev) if prev else None
        if i is None or a is None or b is None:
            return self.bigram(prev, word)
        r = self._child(1, a, self._node(1, b)[0])
        if r < 0:
            return self.bigram(prev, word)
        k = self._child(2, r, self._node(1, i)[0])
        if k >= 0:
            return self._leaf_logp(k)
        below = self.bigram(prev, word)
        return None if below is None else below + self._logbow(self._node(2, r)[1])


class Mixed:
    """The engine's context model with ``second`` mixed in: p = w·p₁ + (1-w)·p₂ where the
    second model knows the word, the engine's alone where it does not (a word one model
    segments differently is no evidence against it)."""

    def __init__(self, base: Any, second: ThreadedModel, weight: float) -> None:
        self.base, self.second = base, second
        self.max_word_len, self.vocabulary = base.max_word_len, base.vocabulary
        self.cover, self.is_word, self.unigram = base.cover, base.is_word, base.unigram
        self._w1, self._w2 = math.log10(weight), math.log10(1.0 - weight)
        self.bigram = lru_cache(maxsize=1 << 16)(self._bigram)
        self.trigram = lru_cache(maxsize=1 << 16)(self._trigram)

    def _mix(self, a: float, b: float | None) -> float:
        if b is None:
            return a
        x, y = a + self._w1, b + self._w2
        top = max(x, y)
        return top + math.log10(10 ** (x - top) + 10 ** (y - top))

    def _bigram(self, prev: str | None, word: str) -> float:
        return self._mix(self.base.bigram(prev, word), self.second.bigram(prev, word))

    def _trigram(self, prev2: str | None, prev: str | None, word: str) -> float:
        return self._mix(self.base.trigram(prev2, prev, word), self.second.trigram(prev2, prev, word))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="the folder holding lm_sc.t3g and pydict_sc.bin")
    ap.add_argument("--weight", type=float, default=0.5, help="the shipped model's weight (1 = it alone)")
    args, rest = ap.parse_known_args(argv)
    if not 0.0 < args.weight <= 1.0:
        ap.error("--weight must be in (0, 1]")
    import repair.engine.repairer as repairer  # noqa: PLC0415 - patched for this run only

    if args.weight < 1.0:
        words = read_lexicon((args.data / "pydict_sc.bin").read_bytes())
        second = ThreadedModel((args.data / "lm_sc.t3g").read_bytes(), words)
        shipped = repairer.load_context
        repairer.load_context = lambda *a, **k: Mixed(shipped(*a, **k), second, args.weight)  # type: ignore[assignment]
    sys.argv = ["bench.dev", *rest]
    runpy.run_module("bench.dev", run_name="__main__")


if __name__ == "__main__":
    main()
