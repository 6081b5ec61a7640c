"""Discovering which words a spinner garbled, from a corpus of its output (``unspin learn``).

A spinner leaves the same substitution wherever it met the word, so a pair
``garbled → original`` is found by looking at *every* occurrence of the
garbled form and asking the context model, each time, how much more natural
the original would be there (the *gain*, in log10 units, over the left and
right word context). Pairs whose gain is large and consistent across the
corpus are what the spinner did; a real word that merely resembles another
gains nothing on average.

Candidates come from five places, all cheap and all scored the same way:

* **partners** — a synonym source: the built-in dictionaries (MIT), user
  ``--table`` files and ``--synonyms`` groups, each pair in both directions;
* **glued synonyms** — a spinner with a polysemous word in its table may put
  two of its synonyms in for one word (处理 → 处置惩罚, 通过 → 经由过程,
  配置 → 设置装备摆设): a form the model does not know as a word whose
  pieces are each partners of one word;
* **piece by piece** — a compound the model does not know, in which a piece
  swapped back through a partner pair gives a word it does know
  (野生智能 → 人工智能 through 人工/野生; 年夜学 → 大学 through 大/年夜);
* **shared slots** — two forms seen between the same left and right words
  in the corpus (or in a clean ``--reference`` corpus) that share a
  character (先容 in ``简略先容了`` and 介绍 in ``简单介绍了``);
* **one-character swaps** — with a clean reference, a word in excess over the
  corpus's texts and a word of the same length, one character apart, in
  deficit (次要 for 主要, 南京 for 北京): pairs no synonym list holds.

Against a reference, counts are evidence independent of the context model:
a garbled form must be in excess counted in texts (a name repeated in one
article is in excess only in occurrences), and each form's best original is
kept by one probability that weighs the counts and the context together (a
form is a garble; this is its original: ``Learner.posterior``), not by
separate bars. Without a reference, the counts are estimates from the model's
unigrams, and the pair must pass a bar on each.

The corpus is read twice (candidates, then scores), each text once per pass,
and the reference twice, so time is linear in their size; memory is bounded by
the candidate tables, a capped slot index and word counts over the model's
vocabulary, not by the corpus.

The context model is used only through ``bigram(prev, word)`` and
``is_word(word)``, so a fuller model improves every score without a change here.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from .context import ContextModel
from .segment import make_segmenter

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
#: Longest garbled form considered, in tokens and in characters.
MAX_SPAN_TOKENS = 3
MAX_SPAN_CHARS = 6
#: One occurrence's gain is clipped to this many log10 units when ranking, so an
#: unknown form (log10 p ≈ -6) does not outweigh evidence from many occurrences.
CLIP = 4.0
#: A gain above this (ten times more probable) counts as a clear preference.
CLEAR_GAIN = 1.0
#: The slot index keeps at most this many (left, right, filler) entries before it
#: forgets the ones seen once (lossy counting): memory stays bounded.
SLOT_CAP = 1_500_000
#: Fillers of one slot that are paired with each other, most frequent first.
SLOT_FILLERS = 12
#: An original is checked for missing occurrences only where clean text would use it this often.
MIN_EXPECTED = 2.0
#: Words of corpus from which an original expected fewer than MIN_EXPECTED times is a rare
#: word (under 2 in 100,000): a pair without a measurable deficit then rests on the model alone.
RARE_CORPUS = 100_000
#: A one-character neighbour of a form is a candidate original when the form is in excess over
#: texts at least this much (log-likelihood ratio ≥ 4: a chance near 1 in 200; a word has many
#: neighbours, so more than a synonym needs) and the neighbour is visibly rarer than in clean text
#: (≥ 0.5: a spinner's original keeps its occurrences inside longer words and gains its partner's,
#: so its deficit is often small); the scores decide the rest.
SWAP_EXCESS = 4.0
SWAP_DEFICIT = 0.5
#: Against a clean reference a pair's probability is P(the form is a garble) × P(this is its
#: original); each is a logistic in the evidence below (natural-log odds, weights fitted on the
#: discovery bench's tuning seeds 3 and 5 and rounded; see ``Learner.posterior``).
PRIOR_FORM = -2.6
PRIOR_CHOICE = -0.6
#: log-odds per log10 unit of mean gain (of the original, and of its lead over the next one)
GAIN_WEIGHT = 1.8
#: an unknown form gains about two log10 units against any word it is scored with: taken back
UNKNOWN_FORM = -4.0
#: log-odds per unit of log-likelihood ratio: a form's excess counted in texts, an original's
#: deficit counted in occurrences (between two halves of one clean corpus, a word's occurrence
#: count varies about four times as much as chance alone would make it; its count in texts does
#: not, but a form's excess says it is a garble, not which)
EXCESS_WEIGHT = 1 / 3
DEFICIT_WEIGHT = 1 / 4
#: A count's log-likelihood ratio adds at most this much: past it, evidence is no longer the limit.
COUNT_CAP = 20.0
#: A pair is listed when its probability reaches this (on the tuning seeds, the lines kept are
#: then about 90% right: the goal of issue 8).
MIN_POSTERIOR = 0.6
#: Against a clean reference, a garbled form must be in excess counted in *texts* at least this
#: much (log-likelihood ratio, natural log): about three texts the reference never has it in
#: (3 ln 2 = 2.08), a chance near 1 in 20. A name or term of one article repeated many times is
#: in excess in occurrences, not in texts.
MIN_EXCESS_TEXTS = 2.0


# ---------------------------------------------------------------- candidate sources

@dataclass
class Partners:
    """A synonym relation (both directions) and what a spinner's mechanics make of it."""

    words: dict[str, set[str]] = field(default_factory=dict)
    #: piece-level swaps (garbled piece → original piece) for compounds garbled piece by piece
    pieces: dict[str, set[str]] = field(default_factory=dict)
    finished: bool = False

    def add(self, a: str, b: str) -> None:
        if a and b and a != b:
            self.words.setdefault(a, set()).add(b)
            self.words.setdefault(b, set()).add(a)

    def add_group(self, group: Iterable[str], min_len: int = 2) -> None:
        """Every pair of a synonym group; single characters are left out by default (a thesaurus
        pairs 要 with 恳求 and 而 with 比方, which no spinner swaps and every context seems to like)."""
        group = [w for w in dict.fromkeys(group) if w and len(w) >= min_len]
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                self.add(a, b)

    def add_piece(self, garbled: str, original: str) -> None:
        if garbled and original and garbled != original:
            self.pieces.setdefault(garbled, set()).add(original)

    def finish(self) -> "Partners":
        """Derive piece swaps from the word pairs (once)."""
        if self.finished:
            return self
        self.finished = True
        for a, bs in self.words.items():
            for b in bs:
                # pieces of two characters swapped for two (人工 → 野生 inside 人工智能); shorter
                # or unequal pieces come only from dictionary entries (partners_from_entries)
                if len(a) == len(b) == 2:
                    self.add_piece(b, a)
                pre = _common_prefix(a, b)
                suf = _common_suffix(a[pre:], b[pre:])
                da, db = a[pre:len(a) - suf], b[pre:len(b) - suf]
                if (pre or suf) and len(da) == len(db) == 2:
                    self.add_piece(db, da)  # 人工智能/野生智能 → piece 野生 → 人工
        return self

    def glued(self, pieces: list[str]) -> set[str]:
        """Words two or three consecutive pieces are all partners of (处置 + 惩罚 → 处理).

        Looked up when an unknown form is met rather than listed in advance: a thesaurus
        of 70,000 words would otherwise give millions of glued forms no text contains.
        """
        words = self.words
        out: set[str] = set()
        for cut in range(1, len(pieces)):
            left, right = "".join(pieces[:cut]), "".join(pieces[cut:])
            if len(left) >= 2 and len(right) >= 2 and left in words and right in words:
                out |= words[left] & words[right]
        if len(pieces) == 3 and all(len(p) >= 2 and p in words for p in pieces):
            out |= words[pieces[0]] & words[pieces[1]] & words[pieces[2]]
        return out


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def partners_from_entries(entries, partners: Partners | None = None) -> Partners:
    """Partners from dictionary or table entries (``Entry`` objects: garbled, originals)."""
    p = partners or Partners()
    for e in entries:
        for o in e.originals:
            p.add(e.garbled, o)
            if len(e.garbled) <= MAX_SPAN_CHARS:
                pre = _common_prefix(e.garbled, o)
                suf = _common_suffix(e.garbled[pre:], o[pre:])
                dg, do = e.garbled[pre:len(e.garbled) - suf], o[pre:len(o) - suf]
                if dg and do and len(do) == 1 and len(dg) <= 2:
                    p.add_piece(dg, do)  # 年夜学 → 大学 gives the swap 年夜 → 大
    return p


def parse_synonyms(text: str) -> Iterator[list[str]]:
    """Groups of a synonym file: Cilin lines (``Aa01A01= 人 士 人物``) or words separated by spaces/tabs/commas."""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = re.split(r"[\s,，、|]+", line)
        if words and re.fullmatch(r"[A-Za-z0-9]+[=#@]?", words[0]):
            if words[0].endswith("@"):
                continue
            words = words[1:]
        words = [w for w in words if HAN_RUN.fullmatch(w)]
        if len(words) >= 2:
            yield words


# ---------------------------------------------------------------- statistics

@dataclass
class PairStats:
    """Evidence for one pair, aggregated over the corpus."""

    garbled: str
    original: str
    source: str
    count: int = 0
    gain_sum: float = 0.0
    clipped_sum: float = 0.0
    clear: int = 0
    examples: list[str] = field(default_factory=list)
    #: A spinner moves occurrences from the original to the garbled form. ``over``: the
    #: share of the garbled form's occurrences that clean text would not have (its excess);
    #: ``under``: how many of those the original is missing (its deficit / that excess).
    over: float = 0.0
    under: float = 0.0
    #: texts the garbled form was seen in: a spinner's substitution is everywhere its
    #: original is, a name or a rare term sits in the one article about it
    docs: int = 0
    _last: int = -1
    #: against a clean reference (0 without one): the log-likelihood ratio that the garbled
    #: form is in excess, counted in texts (a name of one article is in one text however often
    #: it is repeated), and that the original is in deficit, counted in occurrences
    excess_llr: float = 0.0
    deficit_llr: float = 0.0
    #: how far this original's mean gain is ahead of the form's best original not chosen, or of
    #: the form itself (gain 0): the context model's confidence in the choice
    margin: float = 0.0

    @property
    def mean_gain(self) -> float:
        return self.gain_sum / self.count if self.count else 0.0

    @property
    def clear_share(self) -> float:
        return self.clear / self.count if self.count else 0.0

    @property
    def weight(self) -> float:
        """Ranking key: total clipped gain (many consistent occurrences beat one odd one)."""
        return self.clipped_sum

    def line(self) -> str:
        ex = " | ".join(self.examples)
        return f"{self.garbled}\t{self.original}\t{self.count}\t{self.mean_gain:.2f}\t{ex}"


HEADER = "# garbled\toriginal\tcount\tmean_gain\texamples"


@dataclass
class LearnOptions:
    min_count: int = 2
    min_gain: float = 1.5
    min_clear: float = 0.5
    alternatives: int = 1
    slots: bool = True
    examples: int = 2
    include_known: bool = False
    #: how much of the prior odds (unigram log ratio) a known word's gain leaves out:
    #: 1 = pure context (pointwise mutual information), 0 = the raw probability ratio
    prior_weight: float = 0.5
    #: least excess share of the garbled form, and least deficit of the original per
    #: excess occurrence, against clean text (the reference corpus, else the model's unigrams)
    min_over: float = 0.7
    min_under: float = 0.1
    min_docs: int = 3
    #: against a reference: the least probability a pair is listed with (``Learner.posterior``)
    min_posterior: float = MIN_POSTERIOR


class Learner:
    """Two passes over a corpus: collect candidate pairs, then score every occurrence."""

    def __init__(self, model: ContextModel, partners: Partners, known: set[tuple[str, str]] | None = None,
                 options: LearnOptions | None = None) -> None:
        self.model = model
        self.partners = partners
        self.known = known or set()
        self.opt = options or LearnOptions()
        self._segment = make_segmenter(model)
        self._uni: dict[str, float] = {}
        self.candidates: dict[str, dict[str, str]] = {}  # garbled -> {original: source}
        self.slots: dict[tuple[str, str], dict[str, int]] = {}
        self._slot_entries = 0
        self.tokens_seen = 0
        self.texts_seen = 0
        self.ref_counts: dict[str, int] = {}
        self.ref_tokens = 0
        self.ref_texts = 0
        self.span_counts: dict[str, int] = {}
        #: texts each candidate form was seen in, in the corpus and in the reference
        self.span_docs: dict[str, int] = {}
        self.ref_docs: dict[str, int] = {}
        #: occurrences and texts of every word of two or more characters (the segmenter's
        #: words are the model's, so these are bounded by its vocabulary), in the corpus and
        #: in the reference: where a one-character swap (主要 → 次要) is looked for
        self.words = _WordCounts()
        self.ref_words = _WordCounts()

    # ------------------------------------------------------------ tokens

    def _unigram(self, w: str) -> float:
        u = self._uni.get(w)
        if u is None:
            u = self.model.bigram(None, w) if (len(w) == 1 or self.model.is_word(w)) else -99.0
            if len(self._uni) > 500_000:
                self._uni.clear()
            self._uni[w] = u
        return u

    def sentences(self, text: str) -> Iterator[list[str]]:
        """Han runs of ``text`` cut into the model's words (most probable unigram segmentation)."""
        for m in HAN_RUN.finditer(text):
            yield self._cut(m.group())

    def _cut(self, run: str) -> list[str]:
        n = len(run)
        maxw = self.model.max_word_len
        best = [0.0] + [-math.inf] * n
        back = [0] * (n + 1)
        for i in range(n):
            if best[i] == -math.inf:
                continue
            for j in range(i + 1, min(n, i + maxw) + 1):
                u = self._unigram(run[i:j])
                if u <= -99.0:
                    continue
                s = best[i] + u
                if s > best[j]:
                    best[j], back[j] = s, i
        out, j = [], n
        while j > 0:
            i = back[j]
            out.append(run[i:j])
            j = i
        out.reverse()
        return out

    @staticmethod
    def spans(toks: list[str]) -> Iterator[tuple[int, int, str]]:
        for i in range(len(toks)):
            g = ""
            for k in range(1, MAX_SPAN_TOKENS + 1):
                if i + k > len(toks):
                    break
                g += toks[i + k - 1]
                if len(g) > MAX_SPAN_CHARS:
                    break
                yield i, i + k, g

    # ------------------------------------------------------------ pass 1

    def _add(self, g: str, o: str, source: str) -> None:
        if g == o or (not self.opt.include_known and (g, o) in self.known):
            return
        self.candidates.setdefault(g, {}).setdefault(o, source)

    def collect(self, texts: Iterable[str]) -> None:
        """Pass 1 over the suspected spun corpus: candidates from partners, mechanics and slots."""
        p = self.partners
        is_word = self.model.is_word
        for text in texts:
            self.texts_seen += 1
            for toks in self.sentences(text):
                self.tokens_seen += len(toks)
                self.words.add(toks, self.texts_seen)
                for i, j, g in self.spans(toks):
                    k = j - i
                    for o in p.words.get(g, ()):
                        if len(o) > 1 or len(g) == 1:  # a word is not garbled from one character
                            self._add(g, o, "partner")
                    if k >= 2 and not is_word(g):
                        for o in p.glued(toks[i:j]):
                            self._add(g, o, "glued")
                        self._pieces(g)
                    if self.opt.slots and i > 0 and j < len(toks) and (k <= 2 or not is_word(g)):
                        self._slot(toks[i - 1], toks[j], g)

    def collect_reference(self, texts: Iterable[str]) -> None:
        """Pass over a clean reference corpus: its words' counts, and its slot fillers as candidate originals."""
        for t, text in enumerate(texts):
            for toks in self.sentences(text):
                self.ref_words.add(toks, t + 1)
                if not self.opt.slots:
                    continue
                for i, j, g in self.spans(toks):
                    if j - i <= 2 and i > 0 and j < len(toks) and self.model.is_word(g):
                        self._slot(toks[i - 1], toks[j], g, weight=1)

    def _pieces(self, g: str) -> None:
        """Swap one piece of an unknown compound back through a piece pair: a known word is a candidate."""
        pieces = self.partners.pieces
        for a in range(len(g)):
            for b in (a + 1, a + 2):
                if b > len(g):
                    break
                for orig in pieces.get(g[a:b], ()):
                    o = g[:a] + orig + g[b:]
                    if self.model.is_word(o):
                        self._add(g, o, "pieces")

    def _slot(self, left: str, right: str, filler: str, weight: int = 1) -> None:
        d = self.slots.setdefault((left, right), {})
        if filler not in d:
            self._slot_entries += 1
        d[filler] = d.get(filler, 0) + weight
        if self._slot_entries > SLOT_CAP:
            self._prune_slots()

    def _prune_slots(self) -> None:
        entries = 0
        for key in list(self.slots):
            d = {f: c for f, c in self.slots[key].items() if c > 1}
            if len(d) >= 1:
                self.slots[key] = {f: c - 1 for f, c in d.items()}
                entries += len(d)
            else:
                del self.slots[key]
        self._slot_entries = entries

    def slot_candidates(self) -> None:
        """Forms sharing a slot become candidates (both directions; the scores decide which way).

        Forms that share a character (集会/会议) need one shared slot; forms that do not
        (先容/介绍, 比来/最近) must be of one length and share at least two slots.
        """
        is_word = self.model.is_word
        support: dict[tuple[str, str], int] = {}
        for (left, right), fillers in self.slots.items():
            if len(fillers) < 2:
                continue
            top = sorted(fillers, key=lambda f: -fillers[f])[:SLOT_FILLERS]
            for a in top:
                for b in top:
                    if a == b or not is_word(b) or len(a) < 2 or len(b) < 2 or a in b or b in a:
                        continue
                    if set(a) & set(b):
                        if abs(len(a) - len(b)) <= 4:
                            self._add(a, b, "slot")
                    elif len(a) == len(b) and a < b:
                        support[(a, b)] = support.get((a, b), 0) + 1
                        if len(support) > SLOT_CAP:
                            support = {k: v for k, v in support.items() if v > 1}
        for (a, b), n in support.items():
            if n >= 2:
                self._add(a, b, "slot")
                if is_word(a):
                    self._add(b, a, "slot")
        self.slots.clear()
        self._slot_entries = 0

    # ------------------------------------------------------------ pass 2

    def _logp(self, left: str | None, words: tuple[str, ...] | list[str], right: str | None) -> float:
        bigram = self.model.bigram
        s, prev = 0.0, left
        for w in words:
            s += bigram(prev, w)
            prev = w
        if right is not None:
            s += bigram(prev, right)
        return s

    def score(self, texts: Iterable[str]) -> dict[tuple[str, str], PairStats]:
        """Pass 2: at every occurrence of a candidate garbled form, the gain of each of its originals."""
        stats: dict[tuple[str, str], PairStats] = {}
        cands = self.candidates
        keep = self.opt.examples
        counts = self.span_counts
        forms = set(cands) | {o for origs in cands.values() for o in origs}
        seen: dict[str, int] = {}  # form -> last text it was counted in
        for t, text in enumerate(texts):
            for toks in self.sentences(text):
                for i, j, g in self.spans(toks):
                    if g in forms:
                        counts[g] = counts.get(g, 0) + 1
                        if seen.get(g) != t:
                            seen[g] = t
                            self.span_docs[g] = self.span_docs.get(g, 0) + 1
                    origs = cands.get(g)
                    if not origs:
                        continue
                    left = toks[i - 1] if i > 0 else None
                    right = toks[j] if j < len(toks) else None
                    span = toks[i:j]
                    here = self._logp(left, span, right)
                    # A word of the model is judged by how much more its *context* likes the
                    # original than their prior odds already say (a pointwise-mutual-information
                    # gain): a thesaurus always offers a more frequent synonym, and frequency
                    # alone is no evidence of spinning. A form the model does not know as a word
                    # (经由过程, 野生智能) is evidence itself: its gain is taken whole.
                    pw = self.opt.prior_weight
                    prior_here = self._logp(None, span, None) if len(span) == 1 and pw else None
                    for o, source in origs.items():
                        o_words = self._segment(o)
                        gain = self._logp(left, o_words, right) - here
                        if prior_here is not None:
                            gain -= pw * (self._logp(None, o_words, None) - prior_here)
                        st = stats.get((g, o))
                        if st is None:
                            st = stats[(g, o)] = PairStats(g, o, source)
                        st.count += 1
                        if st._last != t:
                            st._last = t
                            st.docs += 1
                        st.gain_sum += gain
                        st.clipped_sum += max(-CLIP, min(CLIP, gain))
                        st.clear += gain > CLEAR_GAIN
                        if len(st.examples) < keep:
                            ctx = "".join(toks[max(0, i - 3):i]) + f"[{g}]" + "".join(toks[j:j + 3])
                            st.examples.append(ctx)
        return stats

    def count_reference(self, texts: Iterable[str], forms: set[str]) -> None:
        """How often each form occurs in clean reference text (a real word occurs there too)."""
        seen: dict[str, int] = {}
        for t, text in enumerate(texts):
            self.ref_texts += 1
            for toks in self.sentences(text):
                self.ref_tokens += len(toks)
                for _, _, g in self.spans(toks):
                    if g in forms:
                        self.ref_counts[g] = self.ref_counts.get(g, 0) + 1
                        if seen.get(g) != t:
                            seen[g] = t
                            self.ref_docs[g] = self.ref_docs.get(g, 0) + 1

    def _clean_logp(self, form: str) -> float:
        """log10 frequency of ``form`` per word of clean text: the reference's, else the model's."""
        if self.ref_tokens:
            return math.log10((self.ref_counts.get(form, 0) + 0.5) / self.ref_tokens)
        return self._logp(None, self._segment(form), None)

    def _expected(self, form: str) -> float:
        """Occurrences of ``form`` clean text of this corpus's length would have."""
        return max(1, self.tokens_seen) * 10 ** self._clean_logp(form)

    def shifts(self, stats: dict[tuple[str, str], PairStats]) -> None:
        """Fill in how many occurrences each pair moved from the original to the garbled form."""
        counts = self.span_counts
        for st in stats.values():
            n_g = counts.get(st.garbled, 0)
            excess = n_g - self._expected(st.garbled)
            expected_o = self._expected(st.original)
            deficit = expected_o - counts.get(st.original, 0)
            st.over = excess / n_g if n_g else 0.0
            # an original clean text of this length would barely use says nothing by its absence
            st.under = (deficit / excess if excess > 0 else 0.0) if expected_o >= MIN_EXPECTED else math.inf
            if self.ref_tokens:
                st.excess_llr = shift_llr(self.span_docs.get(st.garbled, 0), self.ref_docs.get(st.garbled, 0),
                                          self.texts_seen, self.ref_texts)
                st.deficit_llr = -shift_llr(counts.get(st.original, 0), self.ref_counts.get(st.original, 0),
                                            self.tokens_seen, self.ref_tokens)

    def swap_candidates(self) -> None:
        """Words one character apart whose frequencies moved against each other (needs a reference).

        A spinner that swaps one character of a word for its opposite or a neighbour
        (主要 → 次要, 北京 → 南京, 有关 → 无关) makes pairs no synonym list has. Against a clean
        reference such a pair shows itself: a word in excess over many more texts than clean
        text has it in, and a word of the same length, one character apart, in deficit
        (``SWAP_EXCESS``, ``SWAP_DEFICIT``); the scores decide the rest.
        """
        sp, rf = self.words, self.ref_words
        if not sp.tokens or not rf.tokens:
            return
        short: dict[tuple[int, str], list[str]] = {}
        for w, n in sp.counts.items():
            r = rf.counts.get(w, 0)
            if -shift_llr(n, r, sp.tokens, rf.tokens) >= SWAP_DEFICIT:
                for i in range(len(w)):
                    short.setdefault((i, w[:i] + w[i + 1:]), []).append(w)
        for w, r in rf.counts.items():  # words clean text has that the corpus lost entirely
            if len(w) >= 2 and w not in sp.counts and -shift_llr(0, r, sp.tokens, rf.tokens) >= SWAP_DEFICIT:
                for i in range(len(w)):
                    short.setdefault((i, w[:i] + w[i + 1:]), []).append(w)
        if not short:
            return
        for g, d in sp.docs.items():
            if sp.counts[g] < self.opt.min_count:
                continue
            if shift_llr(d, rf.docs.get(g, 0), sp.texts, rf.texts) < SWAP_EXCESS:
                continue
            for i in range(len(g)):
                for o in short.get((i, g[:i] + g[i + 1:]), ()):
                    if o != g:
                        self._add(g, o, "swap")

    def run(self, corpus: Callable[[], Iterable[str]],
            reference: Callable[[], Iterable[str]] | None = None) -> dict[tuple[str, str], PairStats]:
        """Every pass over ``corpus()`` and ``reference()``: the evidence for each candidate pair, unranked."""
        self.collect(corpus())
        if reference is not None:
            self.collect_reference(reference())
            self.swap_candidates()
        self.slot_candidates()
        stats = self.score(corpus())
        if reference is not None:
            self.count_reference(reference(), {form for pair in stats for form in pair})
        self.shifts(stats)
        return stats

    # ------------------------------------------------------------ ranking

    def _shortfall(self, s: PairStats) -> str | None:
        """Which data requirement ``s`` misses (None if it has enough to be judged at all)."""
        o = self.opt
        if s.count < o.min_count:
            return "count"
        # dispersion says something only over many texts: a corpus of a few pages is still worth learning from
        if s.docs < min(o.min_docs, max(1, self.texts_seen // 10)):
            return "texts"
        # against a reference, the garbled form must be in excess over texts, not only in occurrences
        if self.ref_texts and self.texts_seen >= 10 and s.excess_llr < MIN_EXCESS_TEXTS:
            return "excess"
        return None

    def _unsupported(self, s: PairStats) -> bool:
        """A form the model does not know, whose original clean text would barely use.

        Such a form's gain is taken whole (any unknown form gains against a known one), and
        the original's absence says nothing, so nothing but the model's ignorance speaks for
        the pair: names, idioms and spans across words (记者周, 小到中雨, 不战自败). A glued
        garble (经由过程) stays: its original is common, so its deficit is measured. Applied
        only to a corpus of ``RARE_CORPUS`` words or more, where an original not expected
        twice is a rare word, not merely one a short text had no need of.
        """
        return (self.tokens_seen >= RARE_CORPUS and s.under == math.inf
                and not self.model.is_word(s.garbled))

    def _weak(self, s: PairStats) -> str | None:
        """Without a reference: which bar the chosen pair fails (gain, consistency, estimated shift)."""
        o = self.opt
        if s.mean_gain < o.min_gain:
            return "gain"
        if s.clear_share < o.min_clear:
            return "clear"
        if s.over < o.min_over or s.under < o.min_under:
            return "shift"
        if self._unsupported(s):
            return "unsupported"
        return None

    def posterior(self, s: PairStats) -> float:
        """Against a clean reference: the probability that ``s`` is a substitution the spinner made.

        The counts and the context are weighed together instead of passing separate bars, so
        decisive counts make up for a context model that likes both words (集会 → 会议) and a
        clear context for counts too small to be decisive. Two questions, two logistics:

        * is the form a garble? Its excess counted in texts and the gain of its best original;
          a form the model does not know gains against any word, which ``UNKNOWN_FORM`` takes back;
        * is this its original? How far its gain is ahead of the form's next-best original (a
          thesaurus offers several, the spinner used one) and its own deficit. Against an
          unknown form every known word gains, so there only the deficit can tell, taken whole.
        """
        gain = max(-CLIP, min(CLIP, s.mean_gain))
        deficit = max(-COUNT_CAP, min(s.deficit_llr, COUNT_CAP))
        form = PRIOR_FORM + EXCESS_WEIGHT * min(s.excess_llr, COUNT_CAP) + GAIN_WEIGHT * gain
        if self.model.is_word(s.garbled):
            choice = PRIOR_CHOICE + GAIN_WEIGHT * min(s.margin, CLIP) + DEFICIT_WEIGHT * deficit
        else:
            form += UNKNOWN_FORM
            choice = PRIOR_CHOICE + deficit
        return _logistic(form) * _logistic(choice)

    def verdict(self, s: PairStats) -> str | None:
        """Why the chosen pair ``s`` is not listed (None if it is): the first requirement or bar it fails."""
        short = self._shortfall(s)
        if short:
            return short
        if self.ref_texts:
            return None if self.posterior(s) >= self.opt.min_posterior else "evidence"
        return self._weak(s)

    def choose(self, stats: dict[tuple[str, str], PairStats]) -> list[PairStats]:
        """For each garbled form, its ``alternatives`` originals with the highest mean gain.

        A thesaurus offers a form several originals and the spinner used one; the context model
        tells them apart better than their counts do (a common synonym is in deficit through
        topic drift as often as the spinner's original). ``margin`` records how far each chosen
        original's gain is ahead of the runner-up: the best original not chosen, or the form as
        written (gain 0) if that does better, so a lone candidate is not certain by default.
        """
        by_form: dict[str, list[PairStats]] = {}
        for s in stats.values():
            if self._shortfall(s) is None:
                by_form.setdefault(s.garbled, []).append(s)
        out = []
        keep = self.opt.alternatives
        for group in by_form.values():
            group.sort(key=lambda s: (-s.mean_gain, -s.deficit_llr, s.original))
            rest = max(group[keep].mean_gain, 0.0) if len(group) > keep else 0.0
            for s in group[:keep]:
                s.margin = s.mean_gain - rest
                out.append(s)
        return out

    def rank(self, stats: dict[tuple[str, str], PairStats]) -> list[PairStats]:
        """Pairs with enough consistent evidence, best first; at most ``alternatives`` originals per form."""
        good = [s for s in self.choose(stats) if self.verdict(s) is None]
        if self.ref_texts:
            good.sort(key=lambda s: (-self.posterior(s), s.garbled, s.original))
        else:
            good.sort(key=lambda s: (-s.weight, -s.mean_gain, s.garbled, s.original))
        out = []
        claimed: set[str] = set()
        for s in good:
            # the reverse of a pair already taken is the same substitution seen from the other side
            if s.original in claimed and (s.original, s.garbled) in stats:
                continue
            claimed.add(s.garbled)
            out.append(s)
        # a form seen only inside a longer garbled form (设置装备 in 设置装备摆设, 野生 in
        # 野生智能) is a piece of that substitution, not one of its own
        longer = sorted(out, key=lambda s: -len(s.garbled))
        out = [s for s in out if not any(len(t.garbled) > len(s.garbled) and s.garbled in t.garbled
                                         and t.count >= s.count for t in longer)]
        # and a longer form whose difference from its original *is* a shorter pair taken
        # (也认可 → 也可以 once 认可 → 可以 is in), or that holds a garbled form taken with the
        # same original (的认可 → 可以 once 认可 → 可以 is in), is that pair seen with a neighbour
        taken = {(s.garbled, s.original) for s in out}
        originals: dict[str, list[str]] = {}
        for g, o in taken:
            originals.setdefault(o, []).append(g)
        return [s for s in out if not _explained_by(s.garbled, s.original, taken)
                and not any(g != s.garbled and g in s.garbled for g in originals[s.original])]


class _WordCounts:
    """Occurrences and texts of the words (two characters or more) of a corpus."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.docs: dict[str, int] = {}
        self._last: dict[str, int] = {}
        self.tokens = 0
        self.texts = 0

    def add(self, toks: list[str], text: int) -> None:
        self.tokens += len(toks)
        self.texts = max(self.texts, text)
        counts, docs, last = self.counts, self.docs, self._last
        for w in toks:
            if len(w) < 2:
                continue
            counts[w] = counts.get(w, 0) + 1
            if last.get(w) != text:
                last[w] = text
                docs[w] = docs.get(w, 0) + 1


def shift_llr(a: int, b: int, size_a: int, size_b: int) -> float:
    """Signed log-likelihood ratio (natural log) that ``a`` of ``size_a`` is a higher rate than ``b`` of ``size_b``.

    The two counts are split binomially under "one rate" (a share ``size_a / (size_a + size_b)``
    of ``a + b`` falls on the first side); positive when the first side has more than its
    share, negative when less. A form absent from the reference scores by how often it is seen.
    """
    n = a + b
    if n == 0 or size_a <= 0 or size_b <= 0:
        return 0.0
    p = size_a / (size_a + size_b)
    q = a / n
    ll = (a * math.log(q / p) if a else 0.0) + (b * math.log((1 - q) / (1 - p)) if b else 0.0)
    return ll if q >= p else -ll


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _explained_by(garbled: str, original: str, taken: set[tuple[str, str]]) -> bool:
    """``garbled → original`` differs only inside a shared prefix and suffix by a pair in ``taken``."""
    pre = _common_prefix(garbled, original)
    suf = _common_suffix(garbled[pre:], original[pre:])
    if not pre and not suf:
        return False
    # every split of the shared edges: 认可说 → 可以说 is (认可 → 可以) + 说
    for a in range(pre + 1):
        for b in range(suf + 1):
            inner = (garbled[a:len(garbled) - b], original[a:len(original) - b])
            if inner != (garbled, original) and inner in taken:
                return True
    return False


def learn(model: ContextModel, partners: Partners, corpus: Callable[[], Iterable[str]],
          reference: Callable[[], Iterable[str]] | None = None, known: set[tuple[str, str]] | None = None,
          options: LearnOptions | None = None) -> list[PairStats]:
    """Ranked pairs found in ``corpus()`` (called once per pass, so it can stream from disk)."""
    lr = Learner(model, partners.finish(), known, options)
    return lr.rank(lr.run(corpus, reference))


def known_pairs(entries) -> set[tuple[str, str]]:
    """(garbled, original) of entries already in a dictionary."""
    return {(e.garbled, o) for e in entries for o in e.originals}


# ---------------------------------------------------------------- reviewed lines → dictionary

def read_pairs(text: str) -> list[tuple[str, str]]:
    """(garbled, original) of a learn output or any ``A<TAB>B…`` file, comments skipped."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            parts = re.split(r"\s*(?:→|->|=>|,|，|\s)\s*", line, maxsplit=1)
        if len(parts) >= 2 and parts[0] and parts[1] and parts[0] != parts[1]:
            out.append((parts[0].strip(), parts[1].strip()))
    return out


#: A garbled form whose log10 unigram probability is below this is no word a careful
#: writer uses: log10(100 / 60,101,967), the bar rule 5 of dictionaries/README.md sets
#: with jieba's counts, measured in the context model (tests/test_dictionary_audit.py).
MARKER_FLOOR = -5.78


def tier_of(model: ContextModel, garbled: str) -> str:
    """``marker`` for a form the model does not know (or barely), else ``ambiguous``."""
    if not model.is_word(garbled):
        return "marker"
    return "marker" if model.bigram(None, garbled) < MARKER_FLOOR else "ambiguous"


def to_dictionary(pairs: list[tuple[str, str]], domain: str, tier: str | None) -> str:
    """A dictionary file in unspin's YAML format (``dictionaries/README.md``); one garbled form, its originals."""
    merged: dict[str, list[str]] = {}
    for g, o in pairs:
        lst = merged.setdefault(g, [])
        if o not in lst:
            lst.append(o)
    lines = ["# written by `unspin learn --to-dictionary`; review before use"]
    if tier:
        lines.append(f"tier: {tier}")
    lines.append(f"{domain}:")
    for g in sorted(merged):
        origs = merged[g]
        value = origs[0] if len(origs) == 1 else "[" + ", ".join(origs) + "]"
        lines.append(f"  {g}: {value}")
    return "\n".join(lines) + "\n"
