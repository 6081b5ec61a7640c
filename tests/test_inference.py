"""Forward-backward against brute-force enumeration, and the lattice's bounds."""
from __future__ import annotations

import math
import random

import pytest

from repair.engine.candidates import Candidate
from repair.engine.dictionary import Entry
from repair.engine.inference import LN10, NEG_INF, logaddexp, posteriors, solve
from repair.engine.lattice import LatticeBuilder, clusters
from repair.engine.params import ModelParams


class ToyModel:
    """A random but fixed bigram model over a small vocabulary."""

    max_word_len = 3

    def __init__(self, words: set[str], seed: int) -> None:
        self.words = words
        self.rng = random.Random(seed)
        self.table: dict[tuple[str | None, str], float] = {}

    def is_word(self, word: str) -> bool:
        return word in self.words

    def unigram(self, word: str) -> float:
        return self.bigram(None, word)

    def bigram(self, prev: str | None, word: str) -> float:
        key = (prev, word)
        if key not in self.table:
            self.table[key] = -self.rng.uniform(0.5, 4.0)
        return self.table[key]


def _segment(form: str) -> tuple[str, ...]:
    return tuple(form)


def _enumerate(builder: LatticeBuilder, lat) -> tuple[list[float], dict[int, list[float]]]:
    """Z_{k0 k1} and per-edge masses by listing every path, at the layout's points.

    The truncation written out: no more restorations than outer candidates,
    none more of a source than its candidates.
    """
    scale = builder.params.lm_weight * LN10
    total_max = max(1, lat.candidates)
    bounds = [min(lat.sizes[s], total_max) for s in (0, 1)]
    points = sorted((k0, k1) for k0 in range(bounds[0] + 1) for k1 in range(bounds[1] + 1) if k0 + k1 <= total_max)
    assert list(lat.layout.points) == points
    width = len(points)
    z = [NEG_INF] * width
    mass: dict[int, list[float]] = {}
    n = lat.end - lat.start

    def walk(i: int, prev, score: float, used: list) -> None:
        if i == n:
            total = score + (scale * builder.model.bigram(prev, lat.right) if lat.right else 0.0)
            point = tuple(sum(1 for e in used if e.entry is not None and e.source == s) for s in (0, 1))
            if point not in points:
                return
            k = points.index(point)
            z[k] = logaddexp(z[k], total)
            for e in used:
                if e.entry is not None:
                    m = mass.setdefault(id(e), [NEG_INF] * width)
                    m[k] = logaddexp(m[k], total)
            return
        for e in lat.edges[i]:
            s = scale * (builder.model.bigram(prev, e.tokens[0]) + e.internal) + e.channel
            walk(e.end - lat.start, e.tokens[-1], score + s, used + [e])

    walk(0, lat.left, 0.0, [])
    return z, mass


def _posteriors_by_paths(z: list[float], mass: dict[int, list[float]], points, rates) -> dict[int, float]:
    """The posterior of each restore edge at per-source ``rates``, from the enumerated sums."""
    lo = [math.log(r / (1 - r)) for r in rates]

    def at(vec):
        return sum(math.exp(v + p[0] * lo[0] + p[1] * lo[1]) for v, p in zip(vec, points) if v != NEG_INF)

    return {key: at(vec) / at(z) for key, vec in mass.items()}


def _toy_lattices(seed: int) -> tuple[LatticeBuilder, list]:
    """Solved lattices over a random text; from seed 12 on, of both sources.

    Seeds from 12 on mix the dictionaries' entries and a table's, in one
    lattice and in one candidate: a 2-D polynomial, one odds per source.
    """
    rng = random.Random(seed)
    chars = "甲乙丙丁戊己"
    text = "".join(rng.choice(chars) for _ in range(7))
    words = {text[i:i + 2] for i in range(0, 6, 2)} | {"甲乙", "丙丁"}
    model = ToyModel(words, seed)
    cands = []
    for start in sorted(rng.sample(range(6), 3)):
        end = start + rng.choice((1, 2))
        garbled = text[start:end]
        originals = tuple(dict.fromkeys("".join(rng.choice(chars) for _ in range(end - start)) for _ in range(2)))
        kinds = ("ambiguous",) if seed < 12 else rng.choice((("ambiguous",), ("table",), ("ambiguous", "table")))
        cands.append(Candidate(start, end, garbled,
                               tuple(Entry(garbled, originals[i:] or originals, kind, "toy")
                                     for i, kind in enumerate(kinds))))
    params = ModelParams(cluster_gap=3)
    builder = LatticeBuilder(model, _segment, {}, params)
    lattices = []
    for group in clusters(text, cands, params):
        lat = builder.build(text, group)
        solve(builder, text, lat)
        lattices.append(lat)
    return builder, lattices


def _full(lat) -> bool:
    """Solved by forward-backward (the lone-candidate fast path has no lattice to enumerate)."""
    return any(e.entry is None for row in lat.edges for e in row)


@pytest.mark.parametrize("seed", range(40))
def test_forward_backward_matches_enumeration(seed: int):
    builder, lattices = _toy_lattices(seed)
    for lat in lattices:
        if not _full(lat):
            continue
        z, mass = _enumerate(builder, lat)
        assert lat.z == pytest.approx(z, abs=1e-9)
        for key, vec in mass.items():
            assert lat.mass[key] == pytest.approx(vec, abs=1e-9)
        for rates in ((0.3, 0.3), (0.3, 0.02), (0.05, 0.8)):
            post = posteriors(lat, rates)
            assert post == pytest.approx(_posteriors_by_paths(z, mass, lat.layout.points, rates), rel=1e-9)
            for p in post.values():
                assert 0.0 <= p <= 1.0 + 1e-12


def test_the_enumeration_meets_lattices_of_both_sources():
    """The test above checks 2-D polynomials, not only lattices of one source."""
    mixed = [lat for seed in range(12, 40) for lat in _toy_lattices(seed)[1]
             if _full(lat) and len(lat.layout.sources) == 2]
    assert len(mixed) >= 5
    assert any(lat.layout.width > 3 for lat in mixed)


def test_a_lattice_of_one_source_keeps_one_rate():
    """A table alone, or the dictionaries alone: the vector k = 0 … n of one-rate decisions."""
    for seed in range(12):
        for lat in _toy_lattices(seed)[1]:
            assert lat.layout.sources == (0,)
            assert lat.layout.points == tuple((k, 0) for k in range(max(1, lat.candidates) + 1))
            assert posteriors(lat, (0.2, 0.9)) == posteriors(lat, (0.2, 0.01))


def test_dense_runs_are_cut_into_bounded_windows():
    text = "中心集会向导题目" * 300
    params = ModelParams()
    cands = [Candidate(i, i + 2, text[i:i + 2], (Entry(text[i:i + 2], ("甲乙",), "ambiguous", "t"),))
             for i in range(0, len(text), 2)]
    groups = clusters(text, cands, params)
    assert max(len(g) for g in groups) <= params.max_cluster
    assert sum(len(g) for g in groups) == len(cands)


def test_nested_forms_stay_in_one_window():
    text = "设置装备摆设" * 3
    params = ModelParams(max_cluster=2)
    cands = []
    for base in range(0, len(text), 6):
        cands.append(Candidate(base, base + 6, "设置装备摆设", (Entry("设置装备摆设", ("配置",), "table", "t"),)))
        for off, w in ((0, "设置"), (2, "装备"), (4, "摆设")):
            cands.append(Candidate(base + off, base + off + 2, w, (Entry(w, ("甲乙",), "table", "t"),)))
    for group in clusters(text, cands, params):
        outer = [c for c in group if len(c.garbled) == 6]
        for c in outer:
            assert all(any(n.start == c.start + off for n in group) for off in (0, 2, 4))


def test_posterior_of_a_lone_restoration_rises_with_the_rate():
    model = ToyModel({"中央", "中心"}, 3)
    builder = LatticeBuilder(model, _segment, {}, ModelParams())
    text = "甲中心乙"
    cand = Candidate(1, 3, "中心", (Entry("中心", ("中央",), "ambiguous", "t"),))
    lat = builder.build(text, [cand])
    solve(builder, text, lat)
    lo = max(posteriors(lat, (0.01, 0.01)).values())
    hi = max(posteriors(lat, (0.6, 0.01)).values())
    assert 0.0 < lo < hi < 1.0
    assert math.isclose(sum(posteriors(lat, (0.5, 0.01)).values()) + 1 / (1 + sum(
        math.exp(v[1] - lat.z[0]) for v in lat.mass.values())), 1.0, rel_tol=1e-9)
