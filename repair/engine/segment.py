"""Cutting a restored form into the context model's words.

Restorations are scored as word sequences (人工智能 → 人工 智能 if the model
has no single word for it), found by a tiny Viterbi search over the model's
vocabulary. Forms are short, so this is cheap; results are cached.
"""
from __future__ import annotations

from functools import lru_cache

from .context import ContextModel


def make_segmenter(model: ContextModel):
    """A cached ``segment(form) -> tuple[str, ...]`` bound to ``model``."""

    @lru_cache(maxsize=1 << 13)
    def segment(form: str) -> tuple[str, ...]:
        n = len(form)
        # best[i] = (score, tokens) of the best segmentation of form[:i]
        best: list[tuple[float, tuple[str, ...]]] = [(0.0, ())] + [(float("-inf"), ())] * n
        for i in range(n):
            score, toks = best[i]
            if score == float("-inf"):
                continue
            prev = toks[-1] if toks else None
            for j in range(i + 1, min(n, i + model.max_word_len) + 1):
                w = form[i:j]
                if j - i > 1 and not model.is_word(w):
                    continue
                s = score + model.bigram(prev, w)
                if s > best[j][0]:
                    best[j] = (s, toks + (w,))
        return best[n][1]

    return segment
