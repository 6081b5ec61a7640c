"""A spin score without the changes: ``Repairer.scored`` and what ``unspin score`` runs.

The score depends on nothing after the first round's fit and the section scan,
so scoring a page need not decide its changes; these tests hold it to the score
``analyse`` gives, on the project's own test sentences (tests/cases).
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

import repair
from repair.engine import repairer as engine_module
from repair.files import textio
from repair.files.documents import Engine

CASES = Path(__file__).parent / "cases"


def _texts() -> list[str]:
    """Pages of spun and clean test sentences: short and long, dense and light, spun in part."""
    spun = [c["spun"] for c in yaml.safe_load((CASES / "spun.yaml").read_text("utf-8")) if "spun" in c]
    clean = [c["text"] for c in yaml.safe_load((CASES / "negative.yaml").read_text("utf-8"))]
    rng = random.Random(12)
    pages = ["", "no Chinese at all", spun[0], clean[0], "\n".join(spun[:30]) + "\n" + "\n".join(clean[:60])]
    for _ in range(20):
        share = rng.choice((0.1, 0.3, 0.8))
        pages.append("".join(rng.choice(spun if rng.random() < share else clean) + ("\n" if rng.random() < 0.3 else "")
                             for _ in range(rng.randint(2, 50))))
    return pages


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def test_scored_gives_analyse_s_score_candidates_and_evidence(texts: list[str]) -> None:
    r = repair.Repairer()
    for text in texts:
        whole, scored = r.analyse(text), r.scored(text)
        assert (scored.spin_score, scored.candidates, scored.evidence) == \
            (whole.spin_score, whole.candidates, whole.evidence), text[:40]
        assert scored.fixed == text and scored.changes == () and scored.suggestions == ()
        assert r.spin_score(text) == whole.spin_score


def test_scored_with_the_rest_of_a_document_scores_as_analyse_does(texts: list[str]) -> None:
    """A chunk of a long file is scored with the evidence of the others, as it is decided."""
    r = repair.Repairer()
    for text in texts[4:12]:
        half = len(text) // 2
        rest = r.evidence(text[:half])
        assert r.scored(text[half:], rest).spin_score == r.analyse(text[half:], rest=rest).spin_score


def test_scored_decides_no_change(monkeypatch: pytest.MonkeyPatch, texts: list[str]) -> None:
    """No round after the fit: nothing chosen, settled, or decided in parts."""
    calls: list[str] = []
    for name in ("_choose", "_settle", "_sure_suggest_only"):
        original = getattr(repair.Repairer, name)
        monkeypatch.setattr(repair.Repairer, name,
                            lambda self, *a, _n=name, _f=original, **k: calls.append(_n) or _f(self, *a, **k))
    monkeypatch.setattr(engine_module, "decide_in_parts", lambda *a, **k: calls.append("parts"))
    r = repair.Repairer()
    for text in texts:
        r.scored(text)
    assert calls == []


def test_the_score_command_s_engine_scores_a_long_text_in_chunks_as_it_did(
        monkeypatch: pytest.MonkeyPatch, texts: list[str]) -> None:
    """``unspin score`` (Engine.decide with score_only) gives the score the file commands gave with
    the changes, a text longer than a chunk included, and decides no change."""
    monkeypatch.setattr(textio, "CHUNK_CHARS", 2_000)
    engine = Engine(repair.Repairer())
    long = "\n".join(texts[5:])
    assert len(long) > 3 * textio.CHUNK_CHARS
    for text in (texts[4], long):
        changes, score = engine.decide(text, None, True)
        assert changes == [] and score == engine.analyse(text, None, True)[1]
    changes, score = engine.decide(long, None, False)
    assert score is None and changes == engine.analyse(long, None, False)[0]


def test_score_dataset_s_batches_score_without_deciding(monkeypatch: pytest.MonkeyPatch, texts: list[str]) -> None:
    """Ray's score_dataset (fix=False, no changes column) scores as `unspin score` does; asked for the
    number of changes, it decides them."""
    from repair.scale.ray_data import UnspinBatch

    chosen: list[int] = []
    original = repair.Repairer._choose
    monkeypatch.setattr(repair.Repairer, "_choose", lambda self, *a, **k: chosen.append(1) or original(self, *a, **k))
    local = repair.Repairer()
    scores_only = UnspinBatch("text", fix=False, changes_column=None, candidates_column="n")
    out = scores_only.analyse(texts[4:10] + [None])
    assert not chosen
    assert out["spin_score"] == [local.scored(t).spin_score for t in texts[4:10]] + [None]
    assert out["n"] == [local.analyse(t).candidates for t in texts[4:10]] + [0]
    chosen.clear()
    counted = UnspinBatch("text", fix=False, candidates_column="n").analyse(texts[4:6])
    assert chosen and counted["spin_changes"] == [len(local.analyse(t).changes) for t in texts[4:6]]
