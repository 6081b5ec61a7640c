"""Every reading of a stretch of text: keep each garbled form, or restore it.

Neighbouring candidates garble each other's context (中心书记处置惩罚), so
candidates a few characters apart share one lattice and are decided jointly
(:mod:`repair.engine.inference`). A lattice holds at most
``ModelParams.max_cluster`` candidates: a dense run without punctuation (a
keyword list, a table cell) is cut into windows, so building and solving cost
time linear in the text whatever the candidate density.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, NamedTuple, Sequence

from .candidates import Candidate
from .context import ContextModel
from .dictionary import Entry
from .params import ModelParams
from .sources import SOURCES, TABLES, Layout, layout, source_of

#: Tiers whose changes may be applied; ``suggest`` is only ever reported.
APPLICABLE = frozenset({"phrase", "marker", "ambiguous", "table"})
#: Tiers of forms only a spinner writes.
SPINNER_ONLY = frozenset({"phrase", "marker"})


def is_han(ch: str) -> bool:
    """A CJK ideograph (the characters spinners swap)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def is_digit(ch: str) -> bool:
    """An ASCII or full-width digit (see ``LatticeBuilder._numeral_edges``)."""
    return "0" <= ch <= "9" or "\uff10" <= ch <= "\uff19"


#: a run of the characters :func:`is_han` accepts
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
#: the same run, ending where the search ends
_HAN_RUN_END = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+\\Z")


def han_before(text: str, at: int, limit: int) -> int:
    """How many of the (at most ``limit``) characters just before ``at`` are Han, counting back
    to the first that is not. A regex, not a loop of :func:`is_han`: the lattice asks this of
    every cluster and context word."""
    m = _HAN_RUN_END.search(text, max(0, at - limit), at)
    return at - m.start() if m else 0


def han_after(text: str, at: int, limit: int) -> int:
    """How many of the (at most ``limit``) characters from ``at`` on are Han, up to the first that is not."""
    m = _HAN_RUN.match(text, at, at + limit)
    return m.end() - at if m else 0


class Diff(NamedTuple):
    """A minimal replacement in analysis coordinates; the unit of a Change.

    A tuple: every restore edge carries some, and decisions add up their posteriors by diff
    (hashed in C, where a dataclass hashes in Python).
    """

    start: int
    end: int
    new: str


class Edge(NamedTuple):
    """One step through the lattice: a kept word, or a restored form.

    A tuple, made once and never changed: a lattice makes one per word and restoration it spans.
    Edges are told apart by identity (``id``), never by value.
    """

    start: int
    end: int
    tokens: tuple[str, ...]
    internal: float  # log10 p of the tokens after the first, inside the edge
    channel: float = 0.0  # log prior of the restoration (0 for a kept word)
    tier: float = 0.0  # the part of ``channel`` that is the tier's prior (log k)
    entry: Entry | None = None
    source: int = 0  # of a restoration: the dictionaries' or the tables' (see :mod:`.sources`)
    garbled: str = ""
    original: str = ""
    diffs: tuple[Diff, ...] = ()


class Clue(NamedTuple):
    """How much a candidate's context, beyond word frequency, favours restoring it (``gain``, log10,
    less its tier's evidence floor), the source of the entry that favours it most, and its form.

    ``frequency``: how much commoner (log10, out of context) that entry's original is than the form;
    ``kind``: that entry's tier. Only the spin score reads them (see ``spinrate.detection_llr``).
    """

    gain: float
    source: int
    form: str
    frequency: float = 0.0
    kind: str = ""


def strong_counts(clues: Sequence[Clue], weight: Callable[[str], float] | None = None) -> tuple[float, float]:
    """Per source, the candidates whose context argues for restoring them (``gain > 0``), each
    counted ``weight(form)`` (1 unless given)."""
    strong = [0.0, 0.0]
    for c in clues:
        if c.gain > 0.0:
            strong[c.source] += weight(c.form) if weight is not None else 1.0
    return strong[0], strong[1]


@dataclass
class Lattice:
    """All readings of one window of text around a cluster of candidates."""

    start: int
    end: int
    edges: list[list[Edge]]  # by start offset relative to ``start``
    candidates: int  # garbled spans in the window, not nested in another one
    left: str | None  # the context word before the window, if any
    right: str | None  # the context word after it
    left2: str | None = None  # the word before ``left`` (trigram context)
    restore_edges: list[Edge] = field(default_factory=list)
    #: outer candidates per source (a candidate with entries of both counts for both)
    sizes: tuple[int, int] = (0, 0)
    #: the points of the polynomials ``z`` and ``mass`` (see :mod:`.sources`)
    layout: Layout = field(default_factory=lambda: layout((1, 0), 1))
    #: log partition function by number of restorations of each source on the path (see ``inference.solve``)
    z: list[float] = field(default_factory=list)
    #: per restore edge (by id), its log mass by number of restorations
    mass: dict[int, list[float]] = field(default_factory=dict)
    #: restore edges (by id) that count as evidence of spinning (not suggest-only), with their source
    counted: dict[int, int] = field(default_factory=dict)
    #: per outer candidate, how much its context favours restoring it (see ``LatticeBuilder.evidence``;
    #: only the spin-rate fit reads it: a lattice decided at a rate already fitted may be built without it)
    evidence: list[Clue] = field(default_factory=list)
    #: per source, the candidates whose context argues for restoring them: a count, or less where
    #: a form recurs in the document (see ``Repairer._fit``); > 0 counts towards that source's rate
    strong: tuple[float, float] = (0.0, 0.0)
    #: garbled spans of the marker and phrase tiers (forms only a spinner writes)
    markers: int = 0


def clusters(text: str, cands: Sequence[Candidate], params: ModelParams) -> list[list[Candidate]]:
    """Group candidates within ``cluster_gap`` Han characters of each other, at most ``max_cluster`` a group.

    A group is only cut between candidates that do not overlap, so a garbled
    form and the forms nested in it (设置装备摆设 and 设置, 装备, 摆设) are
    always decided together.
    """
    groups: list[list[Candidate]] = []
    end = -10
    outer = 0  # non-overlapping candidates in the current group
    for c in sorted(cands, key=lambda c: (c.start, -c.end)):
        near = groups and c.start <= end + params.cluster_gap and all(is_han(ch) for ch in text[end:c.start])
        overlaps = groups and c.start < end
        if near and (overlaps or outer < params.max_cluster):
            groups[-1].append(c)
            if not overlaps:
                outer += 1
            end = max(end, c.end)
        else:
            groups.append([c])
            outer = 1
            end = c.end
    return groups


def marker_spans(group: Sequence[Candidate]) -> int:
    """Garbled spans of ``group`` with an entry of a tier only spinners write (see ``Lattice.markers``)."""
    if len(group) == 1:  # most clusters: no set of spans to build
        return 1 if any(e.kind in SPINNER_ONLY for e in group[0].entries) else 0
    return len({(c.start, c.end) for c in group if any(e.kind in SPINNER_ONLY for e in c.entries)})


def source_counts(group: Sequence[Candidate]) -> tuple[int, int]:
    """Per source, the outer candidates among those of ``group`` with an entry of that source.

    The words a spinner using that source could have swapped here; in a
    document of one source, :func:`outer_count` of the group.
    """
    if not any(source_of(e) == TABLES for c in group for e in c.entries):  # no table-source word (most groups)
        return outer_count(group), 0
    of = [{source_of(e) for e in c.entries} for c in group]
    return tuple(outer_count([c for c, x in zip(group, of) if s in x]) for s in SOURCES)  # type: ignore[return-value]


def outer_count(group: Sequence[Candidate]) -> int:
    """Candidates not nested inside another one of the group (linear: the group is sorted by start)."""
    if len(group) == 1:
        return 1
    n = 0
    reach = -1
    for c in sorted(group, key=lambda c: (c.start, -c.end)):
        if c.end > reach:  # every earlier candidate starts no later, so only reach can contain it
            n += 1
            reach = c.end
    return n


#: a memo's "not asked yet" (its values may be None)
_UNSEEN = object()


class _Vocabulary:
    """``word in vocabulary`` for a model that exposes only ``is_word``."""

    __slots__ = ("is_word",)

    def __init__(self, is_word: Callable[[str], bool]) -> None:
        self.is_word = is_word

    def __contains__(self, word: str) -> bool:
        return self.is_word(word)


def _cover_nothing(text: str) -> None:
    """A model with no ``vocabulary`` of its own is asked word by word (:class:`_Vocabulary`)."""


class LatticeBuilder:
    """Builds lattices over the analysis copy; one per (lexicon, context model, params)."""

    def __init__(self, model: ContextModel, segment: Callable[[str], tuple[str, ...]],
                 partners: dict[str, int], params: ModelParams,
                 table_partners: dict[str, int] | None = None) -> None:
        self.model = model
        self.segment = segment
        self.partners = partners  # original -> number of garbled forms known for it
        self.table_partners = table_partners or {}  # word -> its partners in the user's tables
        self.params = params
        vocabulary = getattr(model, "vocabulary", None)
        self._cover: Callable[[str], None]
        if vocabulary is None:
            self._vocabulary, self._cover = _Vocabulary(model.is_word), _cover_nothing
        else:  # ``cover`` fills the vocabulary for a text before it is read (see :class:`ContextModel`)
            self._vocabulary, self._cover = vocabulary, model.cover  # type: ignore[attr-defined]
        self._cover(params.numeral_word)  # the words a number's reading may start (see _numeral_edges)
        self._memo_text: str | None = None
        #: per text: the context word ending at each place asked for, and the one starting there
        self._before: dict[int, str | None] = {}
        self._after: dict[int, str | None] = {}
        self._around: dict[tuple[int, int], tuple[str | None, str | None, str | None]] = {}
        #: per form of the lexicon: its tokens, their internal and their context-free score
        self._forms: dict[str, tuple[tuple[str, ...], float, float]] = {}
        self._priors: dict[tuple[str, str, int], tuple[float, float]] = {}
        self._trigram = getattr(model, "trigram", None) if params.trigrams else None
        # the evidence of a candidate and its lattice score the same readings in the same context
        self.reading_score = lru_cache(maxsize=1 << 12)(self._reading_score)  # type: ignore[method-assign]

    def form(self, form: str) -> tuple[tuple[str, ...], float, float]:
        """``form`` cut into the model's words, log10 p of the words after the first given the one
        before (inside the form), and log10 p of them all with no context (:meth:`_free_score`).

        Kept per form: every candidate of a form and every restoration to it reads the same words,
        and the forms are the lexicon's, so the table is bounded by it.
        """
        known = self._forms.get(form)
        if known is None:
            tokens = self.segment(form)
            bigram = self.model.bigram
            internal = sum(bigram(a, b) for a, b in zip(tokens, tokens[1:]))
            known = self._forms[form] = (tokens, internal, self._free_score(tokens))
        return known

    def _text(self, text: str) -> None:
        """Start the per-text memos afresh when ``text`` is not the one they were filled for, and
        have the model's vocabulary hold the words of the new text."""
        if self._memo_text is not text:
            self._memo_text, self._before, self._after, self._around = text, {}, {}, {}
            self._cover(text)

    def context_word(self, text: str, at: int, step: int) -> str | None:
        """The longest known word (≤ context_chars Han characters) ending (step -1) or starting (+1) at ``at``.

        Memoised per text: a lattice and the evidence of its candidates ask for the same places.
        """
        self._text(text)
        memo = self._after if step > 0 else self._before
        word = memo.get(at, _UNSEEN)
        if word is _UNSEEN:
            word = memo[at] = self._context_word(text, at, step)
        return word

    def around(self, text: str, start: int, end: int) -> tuple[str | None, str | None, str | None]:
        """The context of ``text[start:end]``: the two words before it and the word after it
        (``left2``, ``left``, ``right``), each the longest the model knows.

        Memoised per text and span: a lone candidate's evidence, its lattice and its reading
        alone all ask for it. (:meth:`context_word`'s memo is read here in line: this runs for
        every candidate and every window.)
        """
        if self._memo_text is not text:
            self._text(text)
        found = self._around.get((start, end))
        if found is None:
            before, after, word = self._before, self._after, self._context_word
            left = before.get(start, _UNSEEN)
            if left is _UNSEEN:
                left = before[start] = word(text, start, -1)
            left2 = None
            if left:
                at = start - len(left)
                left2 = before.get(at, _UNSEEN)
                if left2 is _UNSEEN:
                    left2 = before[at] = word(text, at, -1)
            right = after.get(end, _UNSEEN)
            if right is _UNSEEN:
                right = after[end] = word(text, end, +1)
            found = self._around[(start, end)] = (left2, left, right)
        return found

    def _context_word(self, text: str, at: int, step: int) -> str | None:
        # the Han run beside ``at`` first, then its longest known word, longest first
        limit = self.params.context_chars
        if step < 0:
            n = han_before(text, at, limit)
            lo, hi = at - n, at
        else:
            n = han_after(text, at, limit)
            lo, hi = at, at + n
        if n == 0:
            return None
        vocabulary = self._vocabulary
        for k in range(n, 1, -1):
            w = text[hi - k:hi] if step < 0 else text[lo:lo + k]
            if w in vocabulary:
                return w
        return text[hi - 1] if step < 0 else text[lo]

    def choice(self, original: str, kind: str = "") -> float:
        """How likely the spinner was to pick this garbled form for ``original``.

        A pair of a user's table (``kind`` ``"table"``) is a spinner's own: it picks uniformly among
        the table's partners of ``original``, so each of ``k`` has ``1/k`` (``ModelParams.table_choice``
        is the exponent). The dictionaries' partners are the garbles *known* for a word, not a
        spinner's choice set, and keep the gentler ``1/√k``.
        """
        if kind == "table":
            k = self.table_partners.get(original, 1)
            return max(1, k) ** -self.params.table_choice
        return 1.0 / math.sqrt(max(1, self.partners.get(original, 1)))

    def _prior(self, kind: str, original: str, rank: int) -> tuple[float, float]:
        """(log of the tier's prior, the channel prior of restoring ``original`` listed ``rank``-th under
        an entry of tier ``kind``): fixed per lexicon, so worked out once per (tier, original, rank)."""
        key = (kind, original, rank)
        known = self._priors.get(key)
        if known is None:
            p = self.params
            tier = math.log(p.tier_prior.get(kind, 1.0))
            known = self._priors[key] = (tier, tier + math.log(self.choice(original, kind) * p.rank_decay ** rank))
        return known

    def _straddle(self, text: str, a: int, b: int) -> tuple[int, int]:
        """Widen ``[a, b)`` to take in known words that cross its edges.

        A garbled form inside a longer word (年夜 in 年夜饭, 都会 in 大都会)
        must be read as part of that word when it is kept, or the clean
        reading is scored as two odd fragments and loses.
        """
        width = self.params.context_chars
        vocabulary = self._vocabulary
        size = len(text)
        lo, hi = a, b
        # a word may only reach across Han characters: count the run either side once
        # instead of testing every candidate edge for it
        before = han_before(text, a, width - 1)
        # (plain loops, not any() over a generator: this runs for every cluster, on a handful of slices)
        for x in range(a - before, a):
            for y in range(a + 1, min(size, x + width) + 1):
                if text[x:y] in vocabulary:
                    break
            else:
                continue  # no word from x crosses a
            lo = x
            break
        after = han_after(text, b, width - 1)
        for y in range(b + after, b, -1):
            for x in range(max(0, y - width), b):
                if text[x:y] in vocabulary:
                    break
            else:
                continue  # no word ending at y crosses b
            hi = y
            break
        return lo, hi

    def build(self, text: str, group: Sequence[Candidate],
              evidence: list[Clue] | None = None) -> Lattice:
        """Every reading of the span covered by ``group``, between two fixed context words.

        The context either side is the same for every reading, so it is one
        word (the longest the model knows) rather than a lattice of its own.
        ``evidence`` is :meth:`evidence` of the group, when the caller has it already.
        """
        p = self.params
        self._text(text)
        a, b = self._straddle(text, min(c.start for c in group), max(c.end for c in group))
        n = b - a
        edges: list[list[Edge]] = [[] for _ in range(n)]
        maxlen = self.model.max_word_len
        numeral = self._numeral_edges(text, a, b) if a and is_digit(text[a - 1]) else []
        single = len(group) == 1 and (a, b) == (group[0].start, group[0].end) and not numeral
        vocabulary = self._vocabulary
        edges[0].extend(numeral)
        for i in range(0 if single else n):
            row, at = edges[i], a + i
            row.append(Edge(at, at + 1, (text[at],), 0.0))
            for end in range(at + 2, a + min(n, i + maxlen) + 1):
                w = text[at:end]
                if w in vocabulary:
                    row.append(Edge(at, end, (w,), 0.0))
        left2, left, right = self.around(text, a, b)
        total = outer_count(group)
        sizes = source_counts(group)
        lat = Lattice(a, b, edges, total, left, right, left2=left2, sizes=sizes,
                      layout=layout((min(sizes[0], max(1, total)), min(sizes[1], max(1, total))), max(1, total)))
        shrink = (p.frequency_weight - 1.0) * p.lm_weight * math.log(10)
        form, prior = self.form, self._prior
        restore_edges, counted = lat.restore_edges, lat.counted
        for c in group:
            kept_free = form(c.garbled)[2] if shrink else 0.0
            row = edges[c.start - a]
            for entry in c.entries:
                kind, source = entry.kind, source_of(entry)
                for rank, original in enumerate(entry.originals):
                    tokens, internal, free = form(original)
                    tier, channel = prior(kind, original, rank)
                    if shrink:
                        # trust what frequency alone says only partly: a modern model finds
                        # old and literary words rare everywhere (see ModelParams.frequency_weight)
                        channel += shrink * (free - kept_free)
                    e = Edge(c.start, c.end, tokens, internal, channel, tier, entry, source, c.garbled, original,
                             diffs(c, original, group))
                    row.append(e)
                    restore_edges.append(e)
                    if kind in APPLICABLE:
                        counted[id(e)] = source
        lat.evidence = self.evidence(text, group) if evidence is None else evidence
        lat.strong = strong_counts(lat.evidence)
        lat.markers = marker_spans(group)
        return lat

    def _numeral_edges(self, text: str, a: int, b: int) -> list[Edge]:
        """Readings of a window's first characters as the end of the number written in digits before it.

        The context model has no digits. 三十来岁 reads 三|十来|岁 and keeps 来岁, but in
        30来岁 来岁 had nothing before it and was restored to 明年. A word the model
        knows that is ``ModelParams.numeral_word`` followed by the window's first characters
        (十来, 十多, 十年) is a reading of those characters, scored as that word given the
        number, p(十来)/p(十). These readings only keep text: they can stop a restoration,
        never cause one.
        """
        numeral = self.params.numeral_word
        given = -self.model.bigram(None, numeral)
        vocabulary, out = self._vocabulary, []
        for end in range(a + 1, min(b, a + self.model.max_word_len - len(numeral)) + 1):
            w = numeral + text[a:end]
            if w in vocabulary:
                out.append(Edge(a, end, (w,), given))
        return out

    def _reading_score(self, left: str | None, tokens: tuple[str, ...], right: str | None,
                       left2: str | None = None) -> float:
        """log10 p of ``tokens`` between two fixed context words (trigrams where the params ask for them)."""
        trigram = self._trigram
        if trigram is None:
            bigram = self.model.bigram
            total = bigram(left, tokens[0]) + sum(bigram(a, b) for a, b in zip(tokens, tokens[1:]))
            return total + (bigram(tokens[-1], right) if right else 0.0)
        # each word given the two before it, summed in order from 0 (as ``sum`` would)
        total = 0
        a, b = left2, left
        for t in tokens:
            total += trigram(a, b, t)
            a, b = b, t
        return total + (trigram(a, b, right) if right else 0.0)

    def _free_score(self, tokens: tuple[str, ...]) -> float:
        """log10 p of ``tokens`` with no outside context: what frequency alone says."""
        bigram = self.model.bigram
        return bigram(None, tokens[0]) + sum(bigram(a, b) for a, b in zip(tokens, tokens[1:]))

    def lone(self, text: str, cand: Candidate) -> list[tuple[float, float, float, int]]:
        """A candidate read alone between its context words: per restore edge, (weight, channel, tier, source).

        ``weight`` is the edge's log odds over keeping the form, at odds 1 and
        before the cap, as ``inference._solve_single`` scores a lattice of the
        candidate alone (without the words that may cross its edges);
        :class:`repair.engine.screen.Lone` turns them into the candidate's
        posterior mass at any rate, without a lattice.
        """
        p = self.params
        lm_scale = p.lm_weight * math.log(10)
        left2, left, right = self.around(text, cand.start, cand.end)
        keep = self.reading_score(left, self.form(cand.garbled)[0], right, left2)
        edges = []
        for entry in cand.entries:
            for rank, original in enumerate(entry.originals):
                gain = self.reading_score(left, self.form(original)[0], right, left2) - keep
                tier, channel = self._prior(entry.kind, original, rank)
                edges.append((gain, channel, tier, source_of(entry)))
        excess = max(0.0, max((g for g, _, _, _ in edges), default=0.0) - p.max_context_gain)
        return [(lm_scale * (gain - excess) + channel, channel, tier, s) for gain, channel, tier, s in edges]

    def evidence(self, text: str, group: Sequence[Candidate], kinds: frozenset[str] = APPLICABLE) -> list[Clue]:
        """Per outer candidate: how much its context, beyond word frequency, favours restoring it,
        and the source of the entry that favours it most (whose spin rate it is evidence for).

        A modern model finds old and literary words (以致, 海内, 晓得) rare
        everywhere, so the raw gain of restoring them is high in any text that
        uses them. What a spinner leaves behind is different: a word that does
        not fit *its neighbours*. So the evidence is the gain in context minus
        the gain out of context (a pointwise-mutual-information difference),
        which is near zero for an author's unusual but fitting word.

        ``kinds``: the tiers whose entries are weighed (the suggest tier's only when asked).
        """
        out: list[Clue] = []
        reach = -1
        form, score = self.form, self.reading_score
        for c in sorted(group, key=lambda c: (c.start, -c.end)):
            if c.end <= reach:
                continue
            reach = c.end
            left2, left, right = self.around(text, c.start, c.end)
            kept, _, kept_free = form(c.garbled)
            kept_ctx = score(left, kept, right, left2)
            best, source, frequency, kind = float("-inf"), 0, 0.0, ""
            for entry in c.entries:
                if entry.kind not in kinds:
                    continue
                # a generic synonym table needs more than a curated entry to count as evidence
                floor = self.params.evidence_floor_table if entry.kind == "table" else self.params.evidence_floor
                for original in entry.originals:
                    toks, _, free = form(original)
                    gain = (score(left, toks, right, left2) - kept_ctx) - (free - kept_free)
                    if gain - floor > best:
                        best, source, frequency, kind = gain - floor, source_of(entry), free - kept_free, entry.kind
            if best > float("-inf"):
                out.append(Clue(best, source, c.garbled, frequency, kind))
        return out


def diffs(c: Candidate, original: str, group: Sequence[Candidate]) -> tuple[Diff, ...]:
    """The replacements an edge makes, cut at the known entries inside it.

    中共中心 → 中共中央 (a phrase), 审议经由过程 → 审议通过 (a compound) and
    the words 中心 → 中央, 经由过程 → 通过 inside them make the same change;
    cutting every edge into the smallest known entries lets their
    probabilities add up, and the explanation shows the word that changed.
    The cut is an alignment of the garbled form with the original in which
    each step copies an equal character or applies one inner entry.
    Where no such alignment exists, a phrase is cut where its characters
    differ (rapidfuzz's opcodes) and a word entry stays whole (处置惩罚 → 处理).
    """
    g = c.garbled
    inner: dict[int, list[tuple[int, str]]] = {}
    for w in group:
        if w is not c and c.start <= w.start and w.end <= c.end:
            for e in w.entries:
                if e.kind != "suggest":
                    for o in e.originals:
                        inner.setdefault(w.start - c.start, []).append((w.end - c.start, o))
    if not inner:  # no entry inside: the alignment below can only copy equal characters
        if c.entries[0].kind != "phrase":
            return (Diff(c.start, c.end, original),)
        return _phrase_diffs(c, original)
    # best[(i, j)] = cheapest alignment of g[:i] with original[:j]
    best: dict[tuple[int, int], tuple[float, tuple[Diff, ...]]] = {(0, 0): (0.0, ())}
    for i in range(len(g) + 1):
        for j in range(len(original) + 1):
            cur = best.get((i, j))
            if cur is None:
                continue
            steps = []
            if i < len(g) and j < len(original) and g[i] == original[j]:
                steps.append(((i + 1, j + 1), cur))
            for we, o in inner.get(i, ()):
                if original.startswith(o, j):
                    # cost = characters replaced, then fewer pieces lose: the smallest entries win
                    # (天下, not 天下人大), and every edge making the same change cuts it the same
                    # way (收集讹诈 inside 电信收集讹诈 and on its own), so their probabilities add up
                    steps.append(((we, j + len(o)),
                                  (cur[0] + (we - i) - 1e-3, cur[1] + (Diff(c.start + i, c.start + we, o),))))
            for key, val in steps:
                if key not in best or val[0] < best[key][0]:
                    best[key] = val
    done = best.get((len(g), len(original)))
    if done is not None and done[1]:
        return done[1]
    if c.entries[0].kind != "phrase":
        return (Diff(c.start, c.end, original),)
    return _phrase_diffs(c, original)


def _phrase_diffs(c: Candidate, original: str) -> tuple[Diff, ...]:
    """A phrase cut where its characters differ from ``original`` (see :func:`diffs`).

    rapidfuzz is imported here, on first need: few texts hold such a phrase, and the filter,
    run on every line a pipeline feeds it, need not import it (a few milliseconds of its start-up).
    """
    from rapidfuzz.distance import Levenshtein  # noqa: PLC0415

    out: list[Diff] = []
    for op in Levenshtein.opcodes(c.garbled, original):
        if op.tag == "equal":
            continue
        new = original[op.dest_start:op.dest_end]
        if out and out[-1].end == c.start + op.src_start:
            out[-1] = Diff(out[-1].start, c.start + op.src_end, out[-1].new + new)
        else:
            out.append(Diff(c.start + op.src_start, c.start + op.src_end, new))
    return tuple(out)
