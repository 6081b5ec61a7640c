"""Sections of a long document, and which of them read spun when the whole does not.

A content farm often spins only part of a page: the introduction of a copied
article, one of several articles on a page, a paragraph pasted into clean
text. One spin rate per document dilutes such a part: its garbles are decided
at the rate of the whole page, most of which is clean, and few are restored.
So a long document is also read in sections (paragraphs grouped to at least
``ModelParams.section_chars`` characters), each by the light-spin test alone
(``spinrate.detection_llr``). A section is *spun on its own* when that test,
corrected for having looked at every section (Bonferroni: its odds divided by
the number of sections), still finds it more likely spun than not
(``ModelParams.section_gate``); adjacent such sections make one region, which
is decided as a document of its own, at its own spin rate. A clean page has
as many chances to show one odd section as it has sections, and the
correction is what keeps a long clean page from looking spun somewhere.
"""
from __future__ import annotations

import math
from typing import Sequence


def sections(text: str, size: int) -> list[tuple[int, int]]:
    """``text`` cut at line breaks into spans of at least ``size`` characters each (a short
    remainder joins the last span), as ``(start, end)``; one span when ``text`` is shorter
    than two sections. The line break between two spans belongs to neither."""
    if size <= 0 or len(text) < 2 * size:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    start = 0
    cut = text.find("\n", start + size)
    while cut >= 0:
        spans.append((start, cut))
        start = cut + 1
        cut = text.find("\n", start + size)
    if spans and len(text) - start < size // 2:
        spans[-1] = (spans[-1][0], len(text))  # the remainder is too short to be read on its own
    else:
        spans.append((start, len(text)))
    return spans


def corrected(score: float, tests: float) -> float:
    """P(spun) of the best of ``tests`` sections whose own test gave ``score``: its odds
    divided by the number of tests (Bonferroni), so a clean page of many sections is not
    found spun somewhere by chance."""
    if score <= 0.0 or tests <= 0:
        return 0.0
    if score >= 1.0:
        return 1.0
    odds = score / (1.0 - score) / max(1.0, tests)
    return odds / (1.0 + odds)


def scan_score(scores: Sequence[float], tests: float) -> float:
    """The section scan's P(spun) of a document: its best section's score, :func:`corrected`."""
    return corrected(max(scores, default=0.0), tests)


def spun_regions(spans: Sequence[tuple[int, int]], scores: Sequence[float], tests: float,
                 gate: float) -> list[tuple[int, int]]:
    """The regions to decide on their own: runs of adjacent sections whose :func:`corrected`
    score reaches ``gate``, each as one ``(start, end)``."""
    regions: list[tuple[int, int]] = []
    last = -1
    for i, ((start, end), score) in enumerate(zip(spans, scores)):
        if corrected(score, tests) < gate:
            continue
        if regions and last == i - 1:
            regions[-1] = (regions[-1][0], end)
        else:
            regions.append((start, end))
        last = i
    return regions


def outside(regions: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The spans of a text of ``length`` characters that none of ``regions`` (in order, apart)
    covers, empty ones included."""
    cuts = [0, *(x for start, end in regions for x in (start, end)), length]
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]


def section_count(spans: int, rest_han: float, size: int) -> float:
    """How many sections a document has: ``spans`` here and, when this text is one chunk of a
    longer document, as many more as the rest's ``rest_han`` Han characters would make (the
    rest is known only by its evidence, which counts Han characters, not all of them)."""
    return spans + (math.floor(rest_han / size) if size > 0 else 0)
