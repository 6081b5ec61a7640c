#!/usr/bin/env python3
"""Build unspin's shipped context statistics from a KenLM model of clean Chinese.

Source: Debian's ``libime-data-language-model`` (``libime/zh_CN.lm``, a word
trigram model by the fcitx/libime authors, LGPL-2.1-or-later). We cannot ship
the whole model (and a plain ``pip install`` must work without the Debian
package), so this script extracts the part unspin's decisions use:

* every vocabulary word with its unigram log10 probability (used to segment
  the context around a candidate and when a bigram is unseen);
* every bigram in the model that has, on either side, a word that occurs in a
  dictionary form (garbled or original), with the neighbour drawn from the
  model's most probable words. These are the probabilities that tell
  "主持会议" from "主持集会".

The output (``dictionaries/context/``) is therefore a derived work of the LGPL
model and is distributed under the same licence; see its README. Re-run this
after the dictionaries change; a per-word cache makes re-runs incremental.

Usage::

    apt-get install libime-data-language-model && pip install kenlm
    python scripts/build_context.py [--lm PATH] [--neighbours 60000] [--jobs 2]
"""
from __future__ import annotations

import argparse
import glob
import multiprocessing as mp
import pickle
import sys
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from repair.context import BIGRAM_FILE, COVERED_FILE, MAX_WORD, SCALE, UNIGRAM_FILE, VOCAB_FILE, pack_key  # noqa: E402
from repair.dictionary import all_forms, load_builtin, load_dictionary  # noqa: E402

OUT = ROOT / "dictionaries" / "context"
CACHE = ROOT / "build" / "context-cache.pickle"

_model = None
_states: list = []
_neighbours: list[str] = []


def default_lm() -> str:
    found = glob.glob("/usr/lib/*/libime/zh_CN.lm")
    if not found:
        sys.exit("zh_CN.lm not found: apt-get install libime-data-language-model, or pass --lm")
    return found[0]


def read_vocab(lm_path: str, count: int) -> list[str]:
    """KenLM binaries end with the vocabulary, NUL-separated, in id order."""
    with open(lm_path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 40 * count))
        tail = f.read()
    words = tail.split(b"\0")
    if words and words[-1] == b"":
        words.pop()
    return [w.decode("utf-8", "replace") for w in words[-count:]]


def _init(lm_path: str, neighbours: list[str]) -> None:
    global _model, _states, _neighbours
    import kenlm

    _model = kenlm.Model(lm_path)
    _neighbours = neighbours
    null = kenlm.State()
    _model.NullContextWrite(null)
    _states = []
    for w in neighbours:
        s = kenlm.State()
        _model.BaseScore(null, w, s)
        _states.append(s)


def _bigrams_of(word: str) -> tuple[str, list[tuple[str, float]], list[tuple[str, float]]]:
    """(word, [(left, logp(word|left))], [(right, logp(right|word))]) for bigrams that exist."""
    import kenlm

    m = _model
    out = kenlm.State()
    left = []
    for v, s in zip(_neighbours, _states):
        r = m.BaseFullScore(s, word, out)
        if r.ngram_length >= 2:
            left.append((v, r.log_prob))
    null = kenlm.State()
    m.NullContextWrite(null)
    sw = kenlm.State()
    m.BaseScore(null, word, sw)
    right = []
    for v in _neighbours:
        r = m.BaseFullScore(sw, v, out)
        if r.ngram_length >= 2:
            right.append((v, r.log_prob))
    return word, left, right


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lm", default=None)
    ap.add_argument("--neighbours", type=int, default=60000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--extra", nargs="*", default=[], type=Path,
                    help="more dictionary files whose words should get bigram statistics")
    args = ap.parse_args()

    import kenlm

    lm_path = args.lm or default_lm()
    model = kenlm.Model(lm_path)
    with open(lm_path, "rb") as f:
        header = f.read(0x90)
    unigram_count = int.from_bytes(header[0x6C:0x70], "little")
    vocab = read_vocab(lm_path, unigram_count)
    null, out = kenlm.State(), kenlm.State()
    model.NullContextWrite(null)
    uni: dict[str, float] = {}
    for w in vocab:
        if w in ("<s>", "</s>", "<unk>") or len(w) > MAX_WORD:
            continue
        uni[w] = model.BaseScore(null, w, out)
    print(f"vocabulary: {len(uni)} words", file=sys.stderr)

    by_prob = sorted(uni, key=lambda w: -uni[w])
    entries, phrases = load_builtin()
    for path in args.extra:
        entries.extend(load_dictionary(path))
    forms = all_forms(entries) | set(phrases)
    # Words inside dictionary forms. Single characters only when they are forms
    # themselves (大, 和): each has thousands of bigrams, and a form is cut into
    # single characters only when the model has no longer word for it.
    targets = sorted({form[i:j] for form in forms for i in range(len(form))
                      for j in range(i + 1, min(len(form), i + MAX_WORD) + 1)
                      if form[i:j] in uni and (j - i > 1 or form[i:j] in forms)})
    neighbours = sorted(set(by_prob[: args.neighbours]) | set(targets))
    print(f"dictionary words in the model: {len(targets)}; neighbours: {len(neighbours)}", file=sys.stderr)

    cache: dict = {}
    key = (lm_path, args.neighbours)
    if CACHE.exists():
        saved = pickle.loads(CACHE.read_bytes())
        if saved.get("key") == key:
            cache = saved["words"]
    todo = [w for w in targets if w not in cache]
    print(f"to compute: {len(todo)} (cached {len(targets) - len(todo)})", file=sys.stderr)
    if todo:
        with mp.Pool(args.jobs, initializer=_init, initargs=(lm_path, neighbours)) as pool:
            for n, (w, left, right) in enumerate(pool.imap_unordered(_bigrams_of, todo, chunksize=8), 1):
                cache[w] = (left, right)
                if n % 200 == 0:
                    print(f"  {n}/{len(todo)}", file=sys.stderr)
                    CACHE.parent.mkdir(exist_ok=True)
                    CACHE.write_bytes(pickle.dumps({"key": key, "words": cache}))
        CACHE.parent.mkdir(exist_ok=True)
        CACHE.write_bytes(pickle.dumps({"key": key, "words": cache}))

    words = sorted(uni)
    ids = {w: i for i, w in enumerate(words)}
    bigrams: dict[int, float] = {}
    for w in targets:
        left, right = cache[w]
        for v, lp in left:
            bigrams[pack_key(ids[v], ids[w])] = lp
        for v, lp in right:
            bigrams[pack_key(ids[w], ids[v])] = lp
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / VOCAB_FILE).write_text("\n".join(words) + "\n", encoding="utf-8")
    (OUT / COVERED_FILE).write_text("\n".join(targets) + "\n", encoding="utf-8")
    (OUT / UNIGRAM_FILE).write_bytes(array("h", [max(-32768, round(uni[w] * SCALE)) for w in words]).tobytes())
    keys = sorted(bigrams)
    (OUT / BIGRAM_FILE).write_bytes(array("Q", keys).tobytes()
                                    + array("h", [round(bigrams[k] * SCALE) for k in keys]).tobytes())
    print(f"wrote {len(words)} words, {len(keys)} bigrams to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
