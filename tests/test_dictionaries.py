"""Consistency checks for the data in dictionaries/.

These tests read the YAML files directly (they do not import ``repair``) and
enforce the rules described in dictionaries/README.md.
"""
import os
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DICT = ROOT / "dictionaries"
DOMAINS = {"politics", "economy", "law", "health", "technology", "society", "everyday", "function"}
TIERS = ["marker", "ambiguous", "suggest", "phrases"]
WORD_TIERS = ["marker", "ambiguous", "suggest"]
# Chinese characters only (CJK unified ideographs + extension A); no spaces or punctuation
CHINESE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
MINIMUM = {"marker": 500, "ambiguous": 600, "phrases": 300, "gazetteer": 400}


def _path(name):
    return DICT / f"{name}.yaml"


def _load(name):
    with open(_path(name), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _originals(value):
    return [value] if isinstance(value, str) else list(value)


@pytest.fixture(scope="module")
def tiers():
    return {name: _load(name) for name in TIERS}


@pytest.fixture(scope="module")
def gazetteer():
    return _load("gazetteer")


def _pairs(node):
    """Key/value node pairs of a MappingNode, duplicates included."""
    assert isinstance(node, yaml.MappingNode), node
    return node.value


# ---------------------------------------------------------------- rule 1


@pytest.mark.parametrize("name", TIERS)
def test_schema(name, tiers):
    data = tiers[name]
    assert isinstance(data, dict) and data, f"{name}: top level must be a non-empty mapping"
    for domain, section in data.items():
        assert domain in DOMAINS, f"{name}: unknown domain {domain!r}"
        assert isinstance(section, dict) and section, f"{name}/{domain}: must be a non-empty mapping"
        for key, value in section.items():
            assert isinstance(key, str) and CHINESE.match(key), f"{name}/{domain}: bad key {key!r}"
            if isinstance(value, list):
                assert value, f"{name}/{domain}/{key}: empty list"
                assert len(set(value)) == len(value), f"{name}/{domain}/{key}: repeated original"
            else:
                assert isinstance(value, str), f"{name}/{domain}/{key}: value must be str or list"
            for original in _originals(value):
                assert isinstance(original, str) and CHINESE.match(original), (
                    f"{name}/{domain}/{key}: bad original {original!r}")
                assert original != key, f"{name}/{domain}/{key}: original equals key"


def test_gazetteer_schema(gazetteer):
    assert isinstance(gazetteer, dict) and gazetteer
    seen = set()
    for domain, phrases in gazetteer.items():
        assert domain in DOMAINS, f"gazetteer: unknown domain {domain!r}"
        assert isinstance(phrases, list) and phrases
        for phrase in phrases:
            assert isinstance(phrase, str) and CHINESE.match(phrase), f"gazetteer/{domain}: {phrase!r}"
            assert phrase not in seen, f"gazetteer: {phrase} listed twice"
            seen.add(phrase)


def test_gazetteer_has_no_garbled_forms(tiers, gazetteer):
    keys = {k for data in tiers.values() for section in data.values() for k in section}
    canon = {p for phrases in gazetteer.values() for p in phrases}
    assert not (keys & canon), f"canonical phrases used as garbled keys: {sorted(keys & canon)[:20]}"


# ---------------------------------------------------------------- rule 2


@pytest.mark.parametrize("name", TIERS)
def test_sorted(name, tiers):
    for domain, section in tiers[name].items():
        keys = list(section)
        assert keys == sorted(keys), (
            f"{name}/{domain}: keys not sorted, first offender "
            f"{next(a for a, b in zip(keys, sorted(keys)) if a != b)}")


# ---------------------------------------------------------------- rule 3


@pytest.mark.parametrize("name", TIERS + ["gazetteer"])
def test_no_duplicate_keys_in_yaml(name):
    with open(_path(name), encoding="utf-8") as fh:
        root = yaml.compose(fh)
    seen = set()
    for domain_node, section in _pairs(root):
        assert domain_node.value not in seen, f"{name}: domain {domain_node.value} repeated"
        seen.add(domain_node.value)
        if isinstance(section, yaml.MappingNode):
            keys = [k.value for k, _ in _pairs(section)]
            dupes = {k for k in keys if keys.count(k) > 1}
            assert not dupes, f"{name}/{domain_node.value}: duplicate keys {sorted(dupes)}"


def test_no_key_in_two_places(tiers):
    where = {}
    clashes = []
    for name, data in tiers.items():
        for domain, section in data.items():
            for key in section:
                if key in where:
                    clashes.append((key, where[key], (name, domain)))
                where[key] = (name, domain)
    assert not clashes, f"garbled forms listed more than once: {clashes[:20]}"


# ---------------------------------------------------------------- rule 4


def test_no_cycles(tiers):
    graph = {}
    for name in WORD_TIERS:
        for section in tiers[name].values():
            for key, value in section.items():
                graph[key] = _originals(value)
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    cycles = []

    def visit(node, path):
        colour[node] = GREY
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if colour[nxt] == GREY:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else path + [nxt])
            elif colour[nxt] == WHITE:
                visit(nxt, path + [nxt])
        colour[node] = BLACK

    for start in graph:
        if colour[start] == WHITE:
            visit(start, [start])
    assert not cycles, f"substitution cycles: {cycles[:10]}"


# ---------------------------------------------------------------- rule 5


def test_marker_keys_are_rare_words(tiers):
    jieba = pytest.importorskip("jieba")
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    freq = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2:
                freq[parts[0]] = int(parts[1])
    common = [(k, freq[k]) for section in tiers["marker"].values() for k in section
              if freq.get(k, 0) >= 100]
    assert not common, f"marker keys that are common words (move to ambiguous): {common[:20]}"


# ---------------------------------------------------------------- rule 6


def test_phrases(tiers, gazetteer):
    canon = {p for phrases in gazetteer.values() for p in phrases}
    for domain, section in tiers["phrases"].items():
        for key, value in section.items():
            for original in _originals(value):
                assert original != key
                assert original in canon or len(original) >= 3, (
                    f"phrases/{domain}/{key}: original {original} neither in gazetteer nor >= 3 chars")


# ---------------------------------------------------------------- rule 7


def test_counts(tiers, gazetteer):
    counts = {name: sum(len(s) for s in tiers[name].values()) for name in TIERS}
    counts["gazetteer"] = sum(len(v) for v in gazetteer.values())
    for name, minimum in MINIMUM.items():
        assert counts[name] >= minimum, f"{name}: {counts[name]} entries, need {minimum}"
    assert sum(counts[n] for n in TIERS) >= 1600
    # suggestions are reported to the user, so keep the list modest
    assert 50 <= counts["suggest"] <= 170, f"suggest: {counts['suggest']} entries, keep 50-170"


# ---------------------------------------------------------------- test cases


def test_spun_cases(tiers):
    path = ROOT / "tests" / "cases" / "spun.yaml"
    if not path.exists():
        pytest.skip("no spun cases")
    with open(path, encoding="utf-8") as fh:
        cases = yaml.safe_load(fh)
    assert isinstance(cases, list) and len(cases) >= 60
    table = {}
    for data in tiers.values():
        for section in data.values():
            for key, value in section.items():
                table[key] = _originals(value)
    longest = max(map(len, table))
    for case in cases:
        assert {"spun", "original", "note"} <= set(case) <= {"spun", "original", "note", "known_failure"}, case
        spun, original = case["spun"], case["original"]
        assert spun != original
        assert _explained(spun, original, table, longest), (
            f"{spun!r} -> {original!r} is not explained by dictionary entries")


def _explained(spun, original, table, longest):
    """True if ``original`` is ``spun`` with some dictionary keys replaced by one of their originals."""
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def ok(i, j):
        if i == len(spun):
            return j == len(original)
        if j < len(original) and spun[i] == original[j] and ok(i + 1, j + 1):
            return True
        for n in range(1, min(longest, len(spun) - i) + 1):
            for candidate in table.get(spun[i:i + n], ()):
                if original.startswith(candidate, j) and ok(i + n, j + len(candidate)):
                    return True
        return False

    return ok(0, 0)
