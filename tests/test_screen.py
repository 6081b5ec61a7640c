"""The screen (repair.engine.screen): a shortcut that must change no decision."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

import repair
from repair.engine.candidates import Candidate
from repair.engine.dictionary import Entry
from repair.engine.inference import decisions, posteriors, solve
from repair.engine.lattice import LatticeBuilder
from repair.engine.params import ModelParams
from repair.engine.screen import Lone, best_posterior
from repair.engine.spinrate import counted_evidence

from test_inference import ToyModel, _segment

CASES = Path(__file__).parent / "cases"


def _lone_candidate(seed: int) -> tuple[LatticeBuilder, str, Candidate]:
    """A candidate between two context characters, with two entries and up to three originals each."""
    rng = random.Random(seed)
    text = "".join(rng.sample("甲乙丙丁壬癸", 6))  # no character twice: the form occurs once
    originals = ["".join(rng.choice("戊己庚辛") for _ in range(2)) for _ in range(4)]
    entries = (Entry(text[2:4], tuple(dict.fromkeys(originals[:3])), rng.choice(("ambiguous", "table")), "toy"),
               Entry(text[2:4], (originals[3], originals[0]), "ambiguous", "toy"))
    # only the candidate and its originals are words: nothing crosses the candidate's edges
    model = ToyModel({text[2:4], *originals}, seed)
    partners = {o: rng.randint(1, 4) for o in originals}
    return LatticeBuilder(model, _segment, partners, ModelParams()), text, Candidate(2, 4, text[2:4], entries)


@pytest.mark.parametrize("seed", range(8))
def test_lone_mass_is_the_mass_of_the_candidates_own_lattice(seed: int):
    builder, text, cand = _lone_candidate(seed)
    lat = builder.build(text, [cand])
    assert (lat.start, lat.end) == (cand.start, cand.end)
    solve(builder, text, lat)
    lone = Lone(builder.lone(text, cand))
    # the candidate may hold entries of both sources (dictionaries and a table), each at its own rate
    for rates in ((0.002, 0.002), (0.03, 0.3), (0.3, 0.03), (0.9, 0.9)):
        for register in (1.0, 0.4):
            post = posteriors(lat, rates, builder.params.max_context_gain, register)
            assert lone.mass(rates, register, builder.params) == pytest.approx(
                counted_evidence(lat, post, register)[2], abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_best_posterior_bounds_every_change_of_a_lone_candidate(seed: int):
    builder, text, cand = _lone_candidate(seed)
    lat = builder.build(text, [cand])
    solve(builder, text, lat)
    for rates in ((0.002, 0.002), (0.03, 0.3), (0.3, 0.002)):
        post = posteriors(lat, rates, builder.params.max_context_gain, 1.0)
        top = max(d.posterior for d in decisions([lat], [post], rates))
        assert top <= best_posterior(cand, rates, 1.0, builder.params, builder.choice) + 1e-12


def _texts() -> list[str]:
    """The spun and the clean test sentences."""
    spun = yaml.safe_load((CASES / "spun.yaml").read_text(encoding="utf-8"))
    clean = yaml.safe_load((CASES / "negative.yaml").read_text(encoding="utf-8"))
    return [c["spun"] for c in spun] + [c["text"] for c in clean]


def _changes(r: repair.Repairer, text: str, min_confidence: float | None = None):
    return [(c.start, c.end, c.new, round(c.confidence, 3)) for c in r.explain(text, min_confidence)]


def test_the_screen_changes_no_decision():
    on = repair.Repairer(repair.Config())
    off = repair.Repairer(repair.Config(params=ModelParams(screen=False)))
    texts = _texts()
    joined = "".join(texts)  # one long document: spun and clean sentences side by side
    for text in texts[::3] + [joined]:
        assert _changes(on, text) == _changes(off, text)
        assert on.spin_score(text) == pytest.approx(off.spin_score(text), abs=1e-6)
    for text in texts[::17]:  # suggestions too: the floor is then below the threshold
        assert _changes(on, text, 0.3) == _changes(off, text, 0.3)


def test_clean_text_builds_few_lattices(monkeypatch):
    """What the screen is for: in clean text most clusters never get a lattice, and the result is the same."""
    clean = "\n".join(c["text"] for c in yaml.safe_load((CASES / "negative.yaml").read_text(encoding="utf-8")))
    counts, fixed = {}, {}
    for screen in (True, False):
        r = repair.Repairer(repair.Config(params=ModelParams(screen=screen)))
        built = []
        build = r.builder.build
        monkeypatch.setattr(r.builder, "build", lambda *a, **k: built.append(1) or build(*a, **k))
        fixed[screen] = r.fix(clean)
        counts[screen] = len(built)
    assert fixed[True] == fixed[False]
    assert counts[True] < counts[False] / 2
