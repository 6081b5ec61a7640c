"""The decision model's constants, as one typed, named object.

They live in :class:`ModelParams`, carried by :class:`~repair.engine.config.Config`,
so a tuning run (``python -m bench.dev --set lm_weight=0.8``) builds a config
instead of patching module globals, and two configurations can be compared in
one process. Every value here was tuned on the benchmark's dev split only.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Mapping


def _tiers() -> Mapping[str, float]:
    return MappingProxyType({"phrase": 40.0, "marker": 30.0, "ambiguous": 1.0, "table": 1.0, "suggest": 0.3})


@dataclass(frozen=True)
class ModelParams:
    """What the noisy channel, the lattice and the spin-rate fit assume.

    tier_prior: prior weight ``k`` of each tier: how much likelier the form is
        spun than written (a marker such as 处置惩罚 is almost never written).
    rank_decay: prior weight of a garbled form's second, third… listed original.
    clean_rate: the highest spin rate a *clean* document shows: the odd
        candidate that reads better restored. Clean documents are modelled as
        ρ uniform on [0, clean_rate], spun ones as ρ uniform on [clean_rate, 1],
        so the score depends on the *rate* of evidence, not its amount: ten clean
        articles joined stay as clean as one.
    clean_floor: the spin rate a document judged clean is decided with.
    marker_clean_rate: how often a clean document shows a form only spinners
        write (a marker or a garbled phrase), if that is to weigh more than a
        doubtful ambiguous word; 0 turns it off (the default: on dev, 0.001
        doubled recall at spin rate 0.2, 12% → 24%, but precision there fell
        from 99% to 91%).
    prior_spun: prior probability that a document is spun.
    modern_chars, formal_chars: particles of modern and of classical or formal
        Chinese; which kind a text writes tells its register
        (see :func:`repair.engine.spinrate.register`). A formal character inside
        a modern word of ``dictionaries/register.txt`` (维吾尔, 几乎) is not
        counted. 尔 is not one: on dev it is as frequent in news, wiki and
        dialogue (0.65, 1.97, 2.05 per thousand Han characters: 偶尔 and the
        transliterations 哈尔滨, 尼尔, 阿尔及利亚) as in classical prose and
        poetry (0.63, 1.48), so it tells nothing of the register.
    modern_rate, formal_rate: modern particles per Han character of modern
        text (counted low) and of formal text.
    particle_share: the share of modern particles among the particles of modern
        text (and of formal particles in formal text); prior_modern: the prior
        that a text is modern.
    formal_floor: the least the prior that a document is spun is scaled by,
        however formal it reads, so overwhelming evidence still counts.
    mass_weight: how much of the posterior mass of restorations *not* backed by
        evidence of their own counts towards the rate of a document judged spun
        (0..1). It never makes a document look spun; it only stops a spun one
        from being decided as if few of its words were.
    em_rounds, em_tolerance: the EM fit of the document's spin rate: at most
        ``em_rounds`` rounds, stopping once the expected spun words move by
        less than ``em_tolerance`` per hundred of them.
    em_start: the share of candidates the fit first assumes spun. The fit
        can settle on "clean" or on "spun" for a borderline document; where it
        starts decides which.
    cluster_gap: candidates closer than this many Han characters share a lattice.
    max_cluster: most candidates decided jointly in one lattice; longer dense runs
        (keyword lists, table cells without punctuation) are decided in windows,
        so the work per character is bounded whatever the density.
    context_chars: longest context word taken either side of a cluster.
    numeral_word: how a number written in digits ends, for the context model, which
        has no digits: a window after digits may read as a word that starts with it
        (30来岁 as 十来|岁, as 三十来岁 does; see ``LatticeBuilder._numeral_edges``).
    max_context_gain: the most (log10) a lone candidate's context may favour a
        restoration; beyond a thousandfold the ratio says more about sparse
        statistics than about the text.
    lm_weight: weight of the context model against the channel prior.
    frequency_weight: how much of a restoration's gain that comes from word
        frequency alone (the gain out of context) counts, 0..1. A modern news
        model finds old, literary and legal words rare everywhere; that is a
        fact about the model, not evidence that a spinner was there, so only
        part of it is trusted, while the gain the neighbours give counts fully.
    backoff: how an unseen bigram falls back to the unigram: ``"stupid"`` (a
        constant penalty, ``stupid_backoff``) or ``"kenlm"`` (the model's own
        back-off weights).
    stupid_backoff: log10 penalty of the constant back-off.
    trigrams: score a lone candidate and the evidence of every candidate with
        the model's trigrams (two words of left context), not bigrams only.
    evidence_floor: log10 context gain (beyond word frequency) below which a
        candidate counts as no evidence of spinning at all when the document's
        spin rate is fitted.
    evidence_floor_table: the same for pairs of a user's table: a generic
        synonym table pairs words a person may well have chosen, so more is asked.
    table_choice: how the spinner picks a garbled form for a word of a user's table: each of its
        ``k`` partners in the tables with probability ``k^-table_choice``. A spinner picks uniformly
        among a word's partners, so 1.0; the dictionaries keep ``1/√k`` (their partners are the
        garbles *known* for a word, not a spinner's choice set). On dev with the dense table
        (rate 0.8), 1.0 made the confidence of table pairs mean what it says (restorations
        reported at 0.85 were right 85% of the time, at 0.93 92%, at 0.97 96%), where ``1/√k``
        overstated it (0.93 → 90%, 0.97 → 90%); a word with many partners was restored too
        readily, and so was a clean word into a synonym with many partners.
    table_precision: the expected precision asked of the restorations of a user's table in one
        text: a confidence is a probability, so a set of changes is right in the proportion of its
        mean confidence; a table's pairs are applied surest first while that mean stays at
        ``table_precision``, the rest are only suggested (0 turns it off). A spinner's own table,
        whose restorations are mostly sure, keeps nearly all the threshold gives; a generic
        thesaurus, where both words of a pair read naturally and many restorations are a near
        thing, keeps its surest. Set on dev: dense table, rate 0.8, precision 91.9% → 95.3%
        (0.95 gave 94.6%, 0.97 96.2% at 3 points less recall); the dictionaries' own table as
        ``--table-only`` 96.3% → 97.0% (recall 71.4% → 67.2%).
    table_repeat, table_repeat_chars: how often an author who writes a word once writes it again
        in a text of ``n`` Han characters, ``table_repeat · n / (n + table_repeat_chars)``: the
        odds of a table restoration whose original the text never writes are multiplied by
        ``1 - repeat·(1-ρ)``, the chance that the author used it only here or that the spinner (at
        rate ρ) swapped the other use too (see ``choose.unwritten``; 0 turns it off). Measured
        on the clean dev news (929 articles, the dense table's words): a use of a word had another
        use in the same article 33% of the time in articles of 100–200 Han characters, 44% at
        200–400, 50% at 400–800, 56% at 800–1,600, 64% at 1,600–3,200 (the formula: 30, 42, 53,
        60, 65%). The context model reads a few words either side and cannot see this: on dev
        (dense table, 300 pages spun at 0.2) restorations reported at ≥ 0.8 whose original the
        page never wrote were right 80% of the time against 94% for the others.
    detection_rate: the light spin rate a document's candidates are also read
        at to judge *whether* it is spun (see
        :func:`repair.engine.spinrate.detection` and ``detection_llr``). On dev,
        0.03 and 0.05 gave the same AUC at spin rate 0.2 (0.984, against 0.971
        from the fit alone), and clean documents scored at most 0.04; the
        light-spin test below moved by at most 0.002 at 0.1 or 0.2.
    detection_context, detection_frequency, detection_intact, detection_prior:
        the light-spin test of the dictionaries' candidates that gives their
        spin score (see :func:`repair.engine.spinrate.detection_llr`): each
        candidate is ``10^(detection_context · context gain + detection_frequency
        · frequency gain)`` times likelier (times its tier's prior) to be a
        spinner's than an author's, each opportunity without a candidate
        ``detection_intact`` times, each spun at ``detection_rate``; against a
        prior ``detection_prior`` of such a light spin. Set on dev (300 + 300
        documents): AUC at spin rate 0.2 0.973 → 0.976 with 30% of the
        dictionary held out, 0.984 → 0.989 with all of it, 0.931 → 0.940 with
        the dense table (whose clean pages' dictionary words made a higher
        prior, 0.002, cost 0.005 there); every clean dev genre's mean score
        fell or stayed (at most 0.0004 built-in, 0.005 with the dense table).
    detection_suggest: the weight of each suggest-tier candidate's term in that
        test (0 leaves the tier out). Spinners swap function words and
        near-synonyms (于/在, 便/就, 把/将) as readily as any word; on a lightly
        spun page they are often the only swaps the dictionaries know. Set on dev
        (300 + 300 documents spun as the benchmark spins them: 30% of the
        dictionary held out, Cilin pairs, rate 0.2): AUC 0.969 → 0.983 at 1.0
        (they count as much as any other tier's; 0.5 gave 0.981, 2.0 0.983 but
        rate 0.8's fell, 0.9999 → 0.9998); ``python -m bench.dev`` (the whole
        dictionary both ways) 0.9928 → 0.9924 (0.5: 0.9925, 2.0: 0.9913): there
        the eight clean articles with no other candidate, which scored 0, now
        have a score. Rate 0.8 unchanged in both; no decision changed; no clean
        dev genre's mean score rose by more than 0.0001 (built-in and with the
        dense table), and 10 and 100 clean articles joined score lower.
    restart_gate, restart_markers, restart_start: when detection gives
        P(spun) of at least ``restart_gate`` and reads at least
        ``restart_markers`` forms only spinners write while the fit settles on
        "clean", the fit starts again with ``restart_start`` of the candidates
        spun (see :func:`repair.engine.spinrate.fit`); detection's P(spun) here
        is the fit's or the light-rate reading's (``Fit.detected``), not the
        spin score's light-spin test. On dev (30% of the dictionary held out,
        Cilin pairs) at spin rate 0.2 all substitutions 10.0% → 12.1% at
        93.7% → 93.6% precision; at 0.8, with the dense table and on clean
        text nothing moved. Without the marker condition, three clean literary
        changes appeared with the dense table. A user's table has no markers:
        there the tables' own light-rate reading (``Fit.table_detected``) at
        ``restart_gate`` is enough. With the dense table, 1/k choices (see
        ``table_choice``) left a fifth of the dev pages spun at 0.8 fitted "clean",
        with no change at all (66 of 120 pages fitted spun; 108 with this start);
        no clean dev page of any genre changed.
    restart_table_gate: the tables' own gate for that second start (``Fit.table_detected``).
        On dev with the dense table the light-rate reading of 300 clean news
        pages stays below 0.008 (99th percentile) while pages spun at 0.2 spread
        from 0 to 1 (median 0.025; 49 of 300 at 0.5 or more, 94 at 0.1): at 0.1
        recall at 0.2 rose 3.8% → 4.7% and precision 96.1% → 96.4% (0.05 gave
        the same), at 0.8 27.1% → 27.3% at 96.0%; the spinner's own table and
        built-in mode did not move, and 1.6 M characters of clean dev genre and
        news text with the dense table changed nothing more.
    suggest_threshold: the confidence a pair of the ``suggest`` tier (antonyms,
        single characters, function words, near-synonyms that both read
        naturally) needs to be *applied*; below it, it is only suggested. Such a
        pair is decided last, on the repaired text, at ``cautious_quantile`` of
        the document's rate, so it can reach this only in a document that reads
        heavily spun (a rate of about 0.17 at least). 1.0 never applies one.
    cautious_quantile: the quantile of the posterior of the document's spin
        rate the suggest tier is decided at (see
        :func:`repair.engine.spinrate.cautious_rate`).
    section_chars, section_gate, section_trim: a document at least twice
        ``section_chars`` characters long is also read in sections of at least
        that many (paragraphs grouped), each by the light-spin test alone; runs of
        sections whose score, corrected for the number of sections (Bonferroni),
        reaches ``section_gate``, less the lines at their ends whose own test's
        log likelihood ratio is not above ``section_trim``, are decided as
        documents of their own when that gives them a higher spin rate and the
        rest of the page is at least ``section_chars`` long and, read as one text
        by the same test, does not read spun too (else the page is spun
        throughout, as far as sections tell), the rest of the page as one
        document without them, and the spin score is at least
        the corrected score of such a run (see :mod:`repair.engine.sections`); 0
        turns it off. Set on dev pages of one spun article followed by three
        clean ones (80 pages, built-in mode, 30% of the dictionary held out, Cilin
        pairs): right restorations in the spun article at rate 0.8 1302 → 1854 of
        7635 substitutions (the article alone: 2150), changes in the clean
        articles after it 31 → 4; at 0.2 136 → 190 of 1829, 0 → 2 after it;
        pages flagged (score ≥ 0.5) 52 → 59 and 19 → 22 of 80. Pages of four
        clean articles: no change, no section decided on its own. A trim at 0
        kept 1912 and 8 at 0.8 (195 and 3 at 0.2), at 4 1798 and 2 (183 and 0);
        at 0, a paragraph of the project's clean test sentences (dense with
        dictionary words in their own sense) before a spun one had 6 of its
        words changed, at 2 none. Without the test of the rest, a 150,000-character
        page spun throughout at 0.8 (dev articles joined) was decided in 36 runs
        and took 2.5 times as long; with it, the page is decided as before, 5%
        slower (the section scan). Without the length of the rest, a wholly spun
        article whose first or last line was trimmed was decided apart, at a rate
        a little off its own: 17 of 9,010 right restorations lost on 360 dev
        articles at 0.8; with it, none. Without the trim and without the rest decided
        apart, 400 and 900 characters gave the same within 4%.
    screen: fit weak clusters as lone candidates and build their lattices only
        where a change could reach the confidence asked for
        (:mod:`repair.engine.screen`); a shortcut, not a model: False builds
        every lattice, for checking that the shortcut changes nothing.
    """

    tier_prior: Mapping[str, float] = field(default_factory=_tiers)
    rank_decay: float = 0.5
    clean_rate: float = 0.02
    clean_floor: float = 0.002
    marker_clean_rate: float = 0.0
    prior_spun: float = 0.02
    mass_weight: float = 1.0
    modern_chars: str = "的了们这么吗呢个"
    formal_chars: str = "之乎矣焉哉兮曰吾汝"
    particle_share: float = 0.95
    modern_rate: float = 0.02
    formal_rate: float = 0.002
    prior_modern: float = 0.9
    formal_floor: float = 0.01
    em_rounds: int = 8
    em_tolerance: float = 0.05
    em_start: float = 0.06
    cluster_gap: int = 2
    max_cluster: int = 8
    context_chars: int = 4
    numeral_word: str = "十"
    max_context_gain: float = 2.5
    lm_weight: float = 1.0
    frequency_weight: float = 1.0
    backoff: str = "stupid"
    stupid_backoff: float = -0.1
    trigrams: bool = True
    evidence_floor: float = 0.0
    evidence_floor_table: float = 1.0
    table_choice: float = 1.0
    table_precision: float = 0.96
    table_repeat: float = 0.7
    table_repeat_chars: float = 200.0
    detection_rate: float = 0.05
    detection_context: float = 0.5
    detection_frequency: float = 0.6
    detection_intact: float = 0.3
    detection_prior: float = 0.0005
    detection_suggest: float = 1.0
    restart_gate: float = 0.5
    restart_table_gate: float = 0.1
    restart_start: float = 0.8
    restart_markers: float = 0.5
    suggest_threshold: float = 0.95
    cautious_quantile: float = 0.1
    screen: bool = True
    section_chars: int = 600
    section_gate: float = 0.5
    section_trim: float = 2.0

    def __post_init__(self) -> None:
        # hashed on every cached call (spin_rate, the Repairer cache): compute it once
        key = tuple((f.name, tuple(sorted(getattr(self, f.name).items()))
                     if f.name == "tier_prior" else getattr(self, f.name)) for f in fields(self))
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:  # the Mapping field is not hashable by default
        return self._hash  # type: ignore[attr-defined]

    def with_values(self, **values: Any) -> "ModelParams":
        """A copy with some values replaced (strings are converted to the field's type)."""
        typed: dict[str, Any] = {}
        for f in fields(self):
            if f.name in values:
                v = values.pop(f.name)
                current = getattr(self, f.name)
                if isinstance(v, str) and isinstance(current, bool):
                    v = v.strip().lower() in ("1", "true", "yes", "on")
                elif isinstance(v, str) and not isinstance(current, str):
                    v = type(current)(v)
                typed[f.name] = v
        if values:
            raise TypeError(f"unknown model parameter(s): {', '.join(sorted(values))}")
        return replace(self, **typed)
