"""A development split for tuning the engine's few constants, apart from the benchmark's.

``python -m bench`` reports on the first documents of the seeded shuffle; this
takes its documents from the *end* of the same shuffle, so whatever is tuned
here is never tuned on the documents the benchmark reports. It prints recall
on the dictionary pairs the engine knows (applied tiers), precision, and
damage on clean documents, for the engine as configured or with some module
constants overridden::

    python -m bench.dev --docs 120
    python -m bench.dev --set lm_weight=0.7 --set clean_rate=0.03
"""
from __future__ import annotations

import argparse
import time

from pathlib import Path

from . import corpus, data, metrics, spinner

DICTIONARIES = Path(__file__).resolve().parent.parent / "dictionaries"


def _params(overrides: list[str]):
    """ModelParams with ``name=value`` overrides (``--set lm_weight=0.8``): a config, not patched globals."""
    from repair.engine.params import ModelParams

    values: dict = {}
    tiers = dict(ModelParams().tier_prior)
    for item in overrides:
        name, value = item.split("=", 1)
        if name.strip().startswith("tier."):  # --set tier.table=0.5: one tier's prior
            tiers[name.strip()[5:]] = float(value)
            values["tier_prior"] = tiers
        else:
            values[name.strip()] = value
    return ModelParams().with_values(**values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=120)
    ap.add_argument("--rate", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--set", action="append", default=[],
                    help="a ModelParams field, e.g. lm_weight=0.8, or a tier's prior, tier.table=0.5 (repeatable)")
    ap.add_argument("--like-bench", action="store_true",
                    help="spin as `python -m bench` spins its test documents (30%% of the dictionary held "
                         "out of the engine, Cilin thesaurus pairs) and count recall over every substitution")
    ap.add_argument("--table-only", action="store_true",
                    help="give the engine the spinner's own table and no dictionaries (decisions alone)")
    ap.add_argument("--own-table", action="store_true",
                    help="give the engine the spinner's own table beside the dictionaries (as `unspin --table`)")
    ap.add_argument("--dense", action="store_true",
                    help="spin with the dense table (bench data folder) and give the engine that table")
    ap.add_argument("--genres", action="store_true", help="damage on the dev documents of each genre, then exit")
    ap.add_argument("--spun-genres", action="store_true",
                    help="the dev documents of each genre spun as --like-bench spins news (every pair known to "
                         "the engine): precision, recall, and the author's own words changed, then exit")
    ap.add_argument("--register", action="store_true",
                    help="the register (spinrate.register) of every dev document, news and each genre, then exit")
    ap.add_argument("--show", type=int, default=0, help="print this many errors of each sort")
    args = ap.parse_args()
    params = _params(args.set)
    import repair

    cfg = repair.Config(params=params)
    if args.threshold is not None:
        cfg = cfg.with_options(threshold=args.threshold)
    if args.genres:
        _genres(repair, cfg, args.show)
        return
    if args.spun_genres:
        _spun_genres(repair, cfg, args.rate, args.seed, args.show)
        return
    docs = corpus.load_documents()
    if args.register:
        _register(repair, cfg, docs, args.show)
        return
    spin_docs, clean_docs = corpus.split_documents(docs, args.docs, args.docs, args.seed, part="dev")
    entries = spinner.load_dictionary(DICTIONARIES)
    table = spinner.build_table(entries, frozenset(), [])
    if args.like_bench:
        from .__main__ import THESAURUS_PAIRS, spinner_table  # noqa: PLC0415

        spinner.jieba_segmenter()  # jieba's word list, which the thesaurus pairs are chosen by
        excluded, _, table = spinner_table(entries, args.seed, THESAURUS_PAIRS)
        cfg = cfg.with_options(exclude=excluded)
    if args.dense:
        from .__main__ import dense_table  # noqa: PLC0415

        tpath = data.table_path()
        if not tpath.exists():
            raise SystemExit(f"no dense table at {tpath}: python -m bench.data build")
        table = dense_table(data.load_table_pairs(tpath))
        cfg = cfg.with_options(tables=(tpath,))
    spun = spinner.spin_documents([d.text for d in spin_docs], table, args.rate, args.seed + 1,
                                  spinner.jieba_segmenter())
    if args.table_only or args.own_table:
        path = table.write(corpus.CACHE_DIR / "dev-table.tsv")
        cfg = cfg.with_options(builtin=not args.table_only, tables=(path,))
    r = repair.Repairer(cfg)
    t0 = time.perf_counter()
    known = restored = changes = correct = 0
    misses: list[str] = []
    fps: list[str] = []
    scores_spun: list[float] = []
    scores_clean: list[float] = []
    for doc in spun:
        rep = r.analyse(doc.spun)
        out, ch = rep.fixed, list(rep.changes)
        scores_spun.append(rep.spin_score)
        sc = metrics.score_document(doc.spun, doc.original, out, doc.gold, ch)
        for g, ok in zip(doc.gold, sc.restored):
            if args.dense or args.like_bench or (g.source == "dict" and (args.table_only or args.own_table
                                                       or g.kind in ("marker", "ambiguous", "phrase"))):
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
        rep = r.analyse(d.text)
        ch = list(rep.changes)
        scores_clean.append(rep.spin_score)
        chars += len(d.text)
        damage += len(ch)
        for c in ch[: max(0, args.show - len(clean_fp))]:
            clean_fp.append(f"{c.old}→{c.new} ({c.kind} {c.confidence:.2f}): {d.text[max(0, c.start - 8):c.end + 8]}")
    what = "all-substitution" if args.dense or args.like_bench else "known-pair"
    print(f"{what} recall {restored / max(1, known):.3f} ({restored}/{known}); "
          f"precision {correct / max(1, changes):.3f} ({correct}/{changes}); "
          f"clean damage {damage * 1e5 / max(1, chars):.1f}/100k chars ({damage}); "
          f"spin-score AUC {metrics.auc(scores_spun, scores_clean):.3f}; "
          f"{time.perf_counter() - t0:.1f}s")
    for title, rows in (("missed", misses), ("false positives on spun text", fps), ("changes on clean text", clean_fp)):
        if rows:
            print(f"-- {title}")
            print("\n".join(rows))


def _genres(repair, cfg, show: int) -> None:
    """Damage on the dev documents of every genre in the bench data folder, built-in and table mode."""
    genres = data.load_genres()
    if not genres:
        raise SystemExit(f"no genre data in {data.data_dir()}: python -m bench.data build")
    modes = {"built-in": repair.Repairer(cfg)}
    if data.table_path().exists():
        modes["table"] = repair.Repairer(cfg.with_options(tables=(data.table_path(),)))
    for genre, docs in genres.items():
        dev = [t for did, t in docs if corpus.split_of(genre, did) == "dev"]
        for mode, r in modes.items():
            chars = sum(len(t) for t in dev)
            rows = []
            n = 0
            for t in dev:
                _, ch = r.fix_and_explain(t)
                n += len(ch)
                rows += [f"  {c.old}→{c.new} ({c.kind} {c.confidence:.2f}): {t[max(0, c.start - 8):c.end + 8]}"
                         for c in ch]
            print(f"{genre} / {mode}: {len(dev)} dev docs, {n} changes, {n * 1e5 / max(1, chars):.1f}/100k")
            print("\n".join(rows[:show]))


def _spun_genres(repair, cfg, rate: float, seed: int, show: int) -> None:
    """Each genre's dev documents spun as ``--like-bench`` spins news (dictionary pairs both ways and
    Cilin pairs; nothing held out of the engine): precision and recall of the changes, and how many
    changed a word the spinner never touched (an author's own word read as a garble), with ``show``
    of the commonest of those per genre."""
    from collections import Counter  # noqa: PLC0415

    from .__main__ import THESAURUS_PAIRS, spinner_table  # noqa: PLC0415

    genres = data.load_genres()
    if not genres:
        raise SystemExit(f"no genre data in {data.data_dir()}: python -m bench.data build")
    segment = spinner.jieba_segmenter()
    _, _, table = spinner_table(spinner.load_dictionary(DICTIONARIES), seed, THESAURUS_PAIRS)
    r = repair.Repairer(cfg)
    for genre, docs in genres.items():
        texts = [t for did, t in docs if corpus.split_of(genre, did) == "dev"]
        spun = spinner.spin_documents(texts, table, rate, seed + 1, segment)
        gold = restored = changes = correct = 0
        authors: Counter = Counter()
        for doc in spun:
            out, found = r.fix_and_explain(doc.spun)
            sc = metrics.score_document(doc.spun, doc.original, out, doc.gold, found)
            gold += len(doc.gold)
            restored += sum(sc.restored)
            changes += len(found)
            correct += sum(sc.correct)
            for c, ok in zip(found, sc.correct):
                if not ok and not any(g.start < c.end and c.start < g.end for g in doc.gold):
                    authors[f"{c.old}→{c.new}"] += 1
        print(f"{genre}: {len(spun)} dev docs spun at {rate}, {gold} substitutions; recall "
              f"{restored / max(1, gold):.3f}, precision {correct / max(1, changes):.3f} ({correct}/{changes}); "
              f"author's own words changed {sum(authors.values())}")
        for pair, n in authors.most_common(show):
            print(f"  {n} {pair}")


#: genres whose clean text is classical, poetic or formal: they should read formal (register < 0.5)
FORMAL_GENRES = ("classical", "poetry", "statutes-tw")


def _register(repair, cfg, docs, show: int) -> None:
    """The register of every dev document (People's Daily and each genre), as the engine reads it.

    Per corpus: documents, how many read formal (register < 0.5) and below 0.9,
    and the mean. With ``--show N``, up to N documents of each corpus that read
    against their genre (a news article read formal, a poem read modern), with
    their particle counts and the commonest three-character contexts of the
    formal particles: the words that make the misread.
    """
    from collections import Counter  # noqa: PLC0415

    from repair.engine.normalize import analysis_copy  # noqa: PLC0415
    from repair.engine.spinrate import register  # noqa: PLC0415

    params = cfg.params
    r = repair.Repairer(cfg)
    sets = {"news": [d.text for d in docs if len(d.text) >= 200 and corpus.split_of("pd1998", d.doc_id) == "dev"]}
    for genre, gdocs in data.load_genres().items():
        sets[genre] = [t for did, t in gdocs if corpus.split_of(genre, did) == "dev"]
    for name, texts in sets.items():
        formal = name in FORMAL_GENRES
        regs, rows = [], []
        for t in texts:
            ev = r.evidence(t)
            reg = register(ev.modern, ev.formal, ev.han, params)
            regs.append(reg)
            if (reg >= 0.5) == formal and len(rows) < show:
                s = analysis_copy(t).simplified
                ctx = Counter(s[max(0, i - 1):i + 2] for i, ch in enumerate(s) if ch in params.formal_chars)
                rows.append(f"  register {reg:.3f}, modern {ev.modern:.0f}, formal {ev.formal:.0f}, "
                            f"han {ev.han:.0f}: " + " ".join(f"{w}×{k}" for w, k in ctx.most_common(8)))
        n = max(1, len(regs))
        print(f"{name:12s} {len(regs):4d} dev docs; read formal (<0.5) {sum(x < 0.5 for x in regs):4d}, "
              f"below 0.9 {sum(x < 0.9 for x in regs):4d}, mean {sum(regs) / n:.3f}"
              + ("  (a formal genre)" if formal else ""))
        print("\n".join(rows), end="\n" if rows else "")


if __name__ == "__main__":
    main()
