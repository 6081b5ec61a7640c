"""Shortcuts of the spin-rate fit and the lattice builder: each must give the very floats of the long way."""
from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
import yaml

import repair
from repair.engine.candidates import drop_mentions
from repair.engine.inference import posteriors, solve
from repair.engine.lattice import clusters, han_after, han_before, is_han
from repair.engine.normalize import Analysis, analysis_copy, to_input_script
from repair.engine.params import ModelParams
from repair.engine.spinrate import _coarse, _Coarse, _grid, _Single, _spin_rate, counted_evidence

CASES = Path(__file__).parent / "cases"


def _spun_text() -> str:
    return "".join(c["spun"] for c in yaml.safe_load((CASES / "spun.yaml").read_text(encoding="utf-8")))


def _lattices(r: repair.Repairer, text: str) -> list:
    """Every cluster of ``text`` built and solved, as a first round builds them."""
    text_a = analysis_copy(text).simplified
    cands = drop_mentions(text_a, list(r.finder.find(text_a).candidates))
    lattices = []
    for group in clusters(text_a, cands, r.config.params):
        lat = r.builder.build(text_a, group)
        solve(r.builder, text_a, lat)
        lattices.append(lat)
    return lattices


@pytest.mark.parametrize("register", [1.0, 0.3])
def test_single_lattice_counts_are_those_of_its_posteriors(register: float):
    r = repair.Repairer(repair.Config())
    gain = r.config.params.max_context_gain
    lattices = _lattices(r, _spun_text())
    fast = [lat for lat in lattices if _Single.fits(lat, gain)]
    assert len(fast) > 20 and any(lat.markers for lat in fast) and len(fast) < len(lattices)
    for lat in fast:
        single = _Single(lat, gain, register)
        for rate in (1e-4, 0.002, 0.3, 0.8, 0.95):
            post = posteriors(lat, (rate, rate), gain, register)
            assert single.counted(rate) == counted_evidence(lat, post, register)  # the same floats


def _spin_rate_at_once(spun, opportunities, markers, mass, modern, params):
    """The spin rate computed in one piece, as before its two parts were cached apart."""
    n = max(0.0, opportunities)
    k = min(max(0.0, spun), n)
    rho, log_rho, log_rest, log_w, first_spun = _grid(params.clean_rate, params.prior_spun * modern)
    h = min(max(0.0, markers), k)
    log_marker = math.log(max(params.marker_clean_rate, 1e-12))
    exp, rest = math.exp, n - k
    logs = [lw + k * lr + rest * lr1 for lr, lr1, lw in zip(log_rho, log_rest, log_w)]
    if h and params.marker_clean_rate > 0:
        for i in range(first_spun):
            logs[i] += h * (log_marker - log_rho[i])
    top = max(logs)
    ws = [exp(x - top) for x in logs]
    spun_mass = sum(ws[first_spun:])
    p_spun = spun_mass / sum(ws)
    if mass > k:
        km = min(mass, n)
        rest = n - km
        logs = [km * lr + rest * lr1 for lr, lr1 in zip(log_rho[first_spun:], log_rest[first_spun:])]
        top = max(logs)
        ws = [0.0] * first_spun + [exp(x - top) for x in logs]
        spun_mass = sum(ws[first_spun:])
    spun_mean = sum(w * r for w, r in zip(ws[first_spun:], rho[first_spun:])) / spun_mass if spun_mass else 0.5
    rate = p_spun * spun_mean + (1 - p_spun) * params.clean_floor
    return p_spun, min(max(rate, 1e-4), 0.95)


@pytest.mark.parametrize("params", [ModelParams(), ModelParams(marker_clean_rate=0.001, clean_rate=0.05)])
def test_the_split_spin_rate_is_the_one_computation(params: ModelParams):
    """P(spun) and the rate, their parts (evidence, mass) cached apart: the same floats as in one piece."""
    rng = random.Random(7)
    for _ in range(3000):
        n = round(rng.choice((rng.uniform(0, 5), rng.uniform(0, 100), rng.uniform(0, 3000))), 1)
        k = round(rng.uniform(-1, n * rng.random()), 1)
        counts = (k, n, round(rng.uniform(-1, 3), 1), round(k + rng.uniform(-2, 40), 1), round(rng.uniform(0.01, 1), 3))
        assert _spin_rate(*counts, params) == _spin_rate_at_once(*counts, params)


def test_builder_memos_follow_the_text():
    """Context words and spans are memoised per text: a new text with the same offsets gets its own."""
    r = repair.Repairer(repair.Config())
    b = r.builder
    assert b.around("会议中心书记处", 2, 4) == (None, "会议", "书记处")
    assert b.around("人民中心广场上", 2, 4) == (None, "人民", "广场")


def test_han_runs_are_those_of_is_han():
    """The regexes that count the Han characters beside a place count what a loop of is_han counts."""
    rng = random.Random(11)
    alphabet = "中文a，\u3400\u4dbf\u4dc0\u9fff\ua000\uf900\ufaff\ufb00 \n"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        at, limit = rng.randint(0, len(text)), rng.randint(0, 6)
        back = 0
        while back < limit and back < at and is_han(text[at - back - 1]):
            back += 1
        ahead = 0
        while ahead < limit and at + ahead < len(text) and is_han(text[at + ahead]):
            ahead += 1
        assert (han_before(text, at, limit), han_after(text, at, limit)) == (back, ahead)


def test_coarse_memo_gives_the_rounded_counts():
    """The fit's memo of rounded counts (one per fit, so it holds one document's counts) is _coarse's floats."""
    rng = random.Random(5)
    counts = [rng.choice((rng.uniform(0, 5), rng.uniform(0, 300), rng.uniform(0, 1e5))) for _ in range(2000)]
    memo = _Coarse()
    for x in counts + counts:
        assert memo[x] == _coarse(x)
    assert len(memo) == len(set(counts))


def _script_window(original: str, start: int, end: int) -> tuple[int, int]:
    """The window ``to_input_script`` reads, found with searches over the whole text (as it once was)."""
    lo = max(0, original.rfind("\n", 0, start) + 1, start - 40)
    hi = original.find("\n", end)
    return lo, min(end + 40, len(original) if hi < 0 else hi)


def test_script_window_is_searched_within_its_reach():
    """Newlines are looked for only within 40 characters of a change, and the script chosen is the same."""
    rng = random.Random(9)
    for _ in range(300):
        text = "".join(rng.choice("會議中心\n" if rng.random() < 0.05 else "會議中心主持集会") for _ in range(300))
        analysis = analysis_copy(text)
        start = rng.randint(0, len(text) - 2)
        lo, hi = _script_window(text, start, start + 2)
        window = Analysis(text[lo:hi], analysis.simplified[lo:hi], analysis.traditional)
        assert to_input_script(analysis, start, start + 2, "会议") == to_input_script(window, start - lo,
                                                                                     start - lo + 2, "会议")


def test_analyse_runs_without_the_cycle_collector_and_makes_no_cycles(monkeypatch):
    """The cyclic collector is off while a call solves its lattices (its full collections walked every
    lattice held) and as it was after it: sound only while the engine makes no reference cycles."""
    import gc

    r = repair.Repairer(repair.Config())
    text = _spun_text() * 3
    collecting: list[bool] = []
    lattice = repair.Repairer._lattice

    def spy(self, *args, **kwargs):
        collecting.append(gc.isenabled())
        return lattice(self, *args, **kwargs)

    monkeypatch.setattr(repair.Repairer, "_lattice", spy)
    r.analyse(text)
    r.explain(text, 0.1)
    r.evidence(text)
    assert len(collecting) > 50 and not any(collecting) and gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        r.analyse(text)
        r.explain(text, 0.1)
        assert gc.collect() == 0  # nothing for the collector to find: reference counting freed it all
        assert not gc.isenabled()  # and a caller's choice stands
    finally:
        gc.enable()
