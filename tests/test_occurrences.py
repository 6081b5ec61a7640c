"""``Occurrences`` answers exactly what ``str.count`` and ``str.replace`` would, in one pass.

The table decisions ask it thousands of times per page; before, each question read the whole text
again (quadratic on a long page spun with a big thesaurus). Checked against ``str`` itself on
random texts over a tiny alphabet, where overlaps (aaa in aaaa) and shared edges are common.
"""
from __future__ import annotations

import random

from repair.engine.occurrences import Occurrences


def test_it_agrees_with_str_count_and_replace_on_random_texts() -> None:
    rng = random.Random(7)
    alphabet = "城市镇a大夜"
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        words = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(6)}
        occ = Occurrences(text, words)
        for w in words:
            assert occ.count(w) == text.count(w), (text, w)
            for inside in words:
                if inside != w:
                    assert occ.written_outside(w, inside) == (w in text.replace(inside, "\0")), (text, w, inside)


def test_a_word_the_text_never_writes() -> None:
    occ = Occurrences("这座城镇很大", ("城市", "城镇"))
    assert occ.count("城市") == 0 and occ.count("城镇") == 1
    assert not occ.written_outside("城市", "城镇")
    assert Occurrences("城市里的城镇", ("城市", "城镇")).written_outside("城市", "城镇")
