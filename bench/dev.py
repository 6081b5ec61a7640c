"""A development split for tuning the engine's few constants, apart from the benchmark's.

``python -m bench`` reports on the first documents of the seeded shuffle; this
takes its documents from the *end* of the same shuffle, so whatever is tuned
here is never tuned on the documents the benchmark reports. It prints recall
on the dictionary pairs the engine knows (applied tiers), precision, and
damage on clean documents, for the engine as configured or with some module
constants overridden::

    python -m bench.dev --docs 120
    python -m bench.dev --set repair.engine.decide.LM_WEIGHT=0.7 --set repair.engine.decide.RHO_B=19
"""
from __future__ import annotations

import argparse
import importlib
import time

from . import corpus, metrics, spinner


def _apply(overrides: list[str]) -> None:
    for item in overrides:
        target, value = item.split("=", 1)
        module, name = target.rsplit(".", 1)
        mod = importlib.import_module(module)
        if not hasattr(mod, name):
            raise SystemExit(f"{module} has no {name}")
        setattr(mod, name, type(getattr(mod, name))(value))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=120)
    ap.add_argument("--rate", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--set", action="append", default=[], help="module.CONSTANT=value")
    ap.add_argument("--table-only", action="store_true",
                    help="give the engine the spinner's own table and no dictionaries (decisions alone)")
    ap.add_argument("--show", type=int, default=0, help="print this many errors of each sort")
    args = ap.parse_args()
    _apply(args.set)
    import repair

    docs = corpus.load_documents()
    pool = [d for d in docs if len(d.text) >= 200]
    import random

    random.Random(args.seed).shuffle(pool)
    dev = pool[-2 * args.docs:]
    spin_docs, clean_docs = dev[: args.docs], dev[args.docs:]
    entries = spinner.load_dictionary(repair.engine.dictionary.builtin_dir())
    table = spinner.build_table(entries, frozenset(), [])
    spun = spinner.spin_documents([d.text for d in spin_docs], table, args.rate, args.seed + 1,
                                  spinner.jieba_segmenter())
    cfg = repair.Config() if args.threshold is None else repair.Config(threshold=args.threshold)
    if args.table_only:
        path = table.write(corpus.CACHE_DIR / "dev-table.tsv")
        cfg = cfg.with_options(builtin=False, tables=(path,))
    r = repair.Repairer(cfg)
    t0 = time.perf_counter()
    known = restored = changes = correct = 0
    misses: list[str] = []
    fps: list[str] = []
    for doc in spun:
        out, ch = r.fix_and_explain(doc.spun)
        sc = metrics.score_document(doc.spun, doc.original, out, doc.gold, ch)
        for g, ok in zip(doc.gold, sc.restored):
            if g.source == "dict" and (args.table_only or g.kind in ("marker", "ambiguous", "phrase")):
                known += 1
                restored += ok
                if not ok and len(misses) < args.show:
                    misses.append(f"{g.garbled}→{g.original} ({g.kind}): {doc.spun[max(0, g.start - 8):g.end + 8]}")
        changes += len(ch)
        correct += sum(sc.correct)
        for c, ok in zip(ch, sc.correct):
            if not ok and len(fps) < args.show:
                fps.append(f"{c.old}→{c.new} ({c.kind} {c.confidence:.2f}): {doc.spun[max(0, c.start - 8):c.end + 8]}")
    damage = chars = 0
    clean_fp: list[str] = []
    for d in clean_docs:
        out, ch = r.fix_and_explain(d.text)
        chars += len(d.text)
        damage += len(ch)
        for c in ch[: max(0, args.show - len(clean_fp))]:
            clean_fp.append(f"{c.old}→{c.new} ({c.kind} {c.confidence:.2f}): {d.text[max(0, c.start - 8):c.end + 8]}")
    print(f"known-pair recall {restored / max(1, known):.3f} ({restored}/{known}); "
          f"precision {correct / max(1, changes):.3f} ({correct}/{changes}); "
          f"clean damage {damage * 1e5 / max(1, chars):.1f}/100k chars ({damage}); "
          f"{time.perf_counter() - t0:.1f}s")
    for title, rows in (("missed", misses), ("false positives on spun text", fps), ("changes on clean text", clean_fp)):
        if rows:
            print(f"-- {title}")
            print("\n".join(rows))


if __name__ == "__main__":
    main()
