"""The finder searches UTF-8 bytes: its candidates must be exactly the character-level occurrences."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from repair.engine.candidates import Finder
from repair.engine.dictionary import Entry

FORMS = ["中心", "心集", "集会", "中心集会", "a中", "𠀀心", "题目"]
#: ASCII (1 byte), Han (3 bytes), an astral character (4 bytes) and a lone surrogate
ALPHABET = "ab中心集会题目x𠀀\ud800"


def occurrences(text: str) -> list[tuple[int, int, str]]:
    """Every occurrence of every form, overlaps included, found character by character."""
    out = []
    for form in FORMS:
        i = text.find(form)
        while i >= 0:
            out.append((i, i + len(form), form))
            i = text.find(form, i + 1)
    return sorted(out, key=lambda t: (t[0], -t[1]))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_candidates_are_the_character_level_occurrences(text: str):
    finder = Finder(Entry(f, ("原文",), "ambiguous", "test") for f in FORMS)
    assert [(c.start, c.end, c.garbled) for c in finder.find(text).candidates] == occurrences(text)
