#!/usr/bin/env python3
"""Build unspin's context model: the WHOLE libime word trigram model, re-encoded.

Source: Debian's ``libime-data-language-model`` (``libime/zh_CN.lm``, a word
trigram model of clean Chinese by the fcitx/libime authors,
LGPL-2.1-or-later). The file is a KenLM binary ("trie with quantization and
array-compressed pointers"). This script parses that binary directly (numpy +
stdlib, no ``kenlm`` needed) and writes every unigram, bigram and trigram into
flat little-endian arrays that the engine memory-maps:

* ``vocab.txt``          every word except ``<unk>``, sorted by Python str order;
                         a word's id is its 0-based line number
* ``uni_logp.i16``       int16 per id: round(1000 * log10 p(word))
* ``uni_backoff.i16``    int16 per id: round(1000 * log10 backoff(word))
* ``bi_offsets.u32``     uint32, V+1: CSR row starts by left word id
* ``bi_right.u32``       uint32 per bigram: right word id, ascending per row
* ``bi_logp.i16``        int16 per bigram: 1000 * log10 p(right | left)
* ``bi_backoff.i16``     int16 per bigram: 1000 * log10 backoff(left right)
* ``tri_offsets.u32``    uint32, B+1: CSR over bigram rows (w1 w2)
* ``tri_right.u32``      uint32 per trigram: w3 id, ascending per row
* ``tri_logp.i16``       int16 per trigram: 1000 * log10 p(w3 | w1 w2)
* ``meta.json``          source, Debian version, sha256, licence, counts, unk_logp
* ``LICENSE.LGPL-2.1``   the licence text, which travels with the data

Scoring with these files is the standard KenLM back-off recursion:
p(w|v) = bi_logp(v,w) if stored, else uni_backoff[v] + uni_logp[w];
p(w|u v) = tri_logp(u,v,w) if stored, else bi_backoff(u,v) (0 if (u,v) not
stored) + p(w|v). The stored values are exactly what KenLM returns for an
n-gram that exists (the trie keeps plain probabilities, not rest costs; the
quantisation bins are decoded, so values match KenLM to the 1/1000 rounding).

The output is a derived work of the LGPL model (the whole model, re-encoded,
not a subset) and is distributed under the same licence; see its README.

Usage::

    apt-get install libime-data-language-model && python scripts/build_context.py [--lm PATH] [--out DIR]
    # optional check against KenLM itself (needs `pip install kenlm`):
    python scripts/build_context.py --out /tmp/ctx --verify 20000
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import shutil
import struct
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "dictionaries" / "context"
SCALE = 1000
DEBIAN_VERSION = "1.0.16-1"
LICENCE = "LGPL-2.1-or-later"
LICENCE_TEXT = Path("/usr/share/common-licenses/LGPL-2.1")

MAGIC = b"mmap lm http://kheafield.com/code format version 5\n\0"
QUANT_ARRAY_TRIE = 5


def default_lm() -> str:
    found = sorted(glob.glob("/usr/lib/*/libime/zh_CN.lm"))
    if not found:
        sys.exit("zh_CN.lm not found: apt-get install libime-data-language-model, or pass --lm")
    return found[0]


def required_bits(max_value: int) -> int:
    """util::RequiredBits: bits needed to store values 0..max_value."""
    return int(max_value).bit_length()


def align8(n: int) -> int:
    return (n + 7) & ~7


# --------------------------------------------------------------------------
# KenLM binary parsing
# --------------------------------------------------------------------------

class BitReader:
    """Vectorised util::ReadInt57 over a byte buffer (little-endian bit packing)."""

    def __init__(self, buf: np.ndarray, start: int, size: int):
        # 8 bytes of zero padding so every 8-byte gather stays in bounds.
        self.b = np.zeros(size + 8, dtype=np.uint8)
        self.b[:size] = buf[start:start + size]

    def read(self, bit_offsets: np.ndarray, length: int) -> np.ndarray:
        if length == 0:
            return np.zeros(len(bit_offsets), dtype=np.uint64)
        assert length <= 57
        bit_offsets = bit_offsets.astype(np.uint64)
        byte = (bit_offsets >> np.uint64(3)).astype(np.int64)
        shift = bit_offsets & np.uint64(7)
        word = np.zeros(len(byte), dtype=np.uint64)
        for k in range(8):
            word |= self.b[byte + k].astype(np.uint64) << np.uint64(8 * k)
        return (word >> shift) & np.uint64((1 << length) - 1)


def parse_kenlm(path: str) -> dict:
    raw = np.fromfile(path, dtype=np.uint8)
    data = raw.tobytes()
    pos = 0
    # --- Sanity header (binary_format.cc) ---
    magic_len = align8(len(MAGIC))
    if data[:len(MAGIC)] != MAGIC:
        raise ValueError(f"{path}: not a KenLM binary (format version 5)")
    zero_f, one_f, mhalf_f, one_wi, max_wi, _pad, one_u64 = struct.unpack_from("<fffIIIQ", data, magic_len)
    if (zero_f, one_f, mhalf_f, one_wi, max_wi, one_u64) != (0.0, 1.0, -0.5, 1, 0xFFFFFFFF, 1):
        raise ValueError("KenLM sanity values do not match (wrong architecture?)")
    pos = magic_len + 32  # sizeof(Sanity) = 88
    # --- FixedWidthParameters {uchar order; float probing_multiplier; int model_type; bool has_vocab; uint search_version} ---
    order, _mult, model_type, has_vocab, search_version = struct.unpack_from("<B3xfi?3xI", data, pos)
    pos += 20
    counts = list(struct.unpack_from(f"<{order}Q", data, pos))
    pos = align8(pos + 8 * order)  # TotalHeaderSize
    if model_type != QUANT_ARRAY_TRIE or order != 3 or not has_vocab:
        raise ValueError(f"expected a quantised array trie of order 3 with vocabulary, got type {model_type}, order {order}")
    if search_version != 1:
        raise ValueError(f"unexpected trie search version {search_version}")
    c1, c2, c3 = counts

    # --- SortedVocabulary: uint64 size (excl. <unk>), then c1 hashes ---
    (vsize,) = struct.unpack_from("<Q", data, pos)
    if vsize != c1 - 1:
        raise ValueError(f"vocabulary size {vsize} != unigram count - 1")
    pos += 8 + 8 * c1

    # --- SeparatelyQuantize: 8-byte header {version, prob_bits, backoff_bits}, then tables ---
    qversion, prob_bits, bo_bits = struct.unpack_from("<BBB", data, pos)
    if qversion not in (1, 2):
        raise ValueError(f"unexpected quantisation version {qversion}")
    qpos = pos + 8
    mid_prob_bins = np.frombuffer(data, dtype="<f4", count=1 << prob_bits, offset=qpos)
    qpos += 4 << prob_bits
    mid_bo_bins = np.frombuffer(data, dtype="<f4", count=1 << bo_bits, offset=qpos)
    qpos += 4 << bo_bits
    long_prob_bins = np.frombuffer(data, dtype="<f4", count=1 << prob_bits, offset=qpos)
    pos += (order - 2) * ((1 << prob_bits) + (1 << bo_bits)) * 4 + (1 << prob_bits) * 4 + 8

    # --- Unigrams: (c1 + 2) x {float prob, float backoff, uint64 next} ---
    uni = np.frombuffer(data, dtype=np.dtype([("prob", "<f4"), ("backoff", "<f4"), ("next", "<u8")]),
                        count=c1 + 1, offset=pos)
    uni_prob = uni["prob"][:c1].astype(np.float64)
    uni_bo = uni["backoff"][:c1].astype(np.float64)
    uni_next = uni["next"].astype(np.int64)  # c1 + 1 entries (last = end)
    pos += (c1 + 2) * 16

    # --- Middle (bigrams): ArrayBhiksha + bit-packed {word, backoff, prob, next low bits} ---
    mid_start = pos
    bh_base = align8(mid_start)
    bh_version, pointer_bits = data[bh_base], data[bh_base + 1]
    if bh_version != 0:
        raise ValueError(f"unexpected ArrayBhiksha version {bh_version}")
    max_offset, max_next = c2 + 1, c3
    req = required_bits(max_next)
    best_chop, lowest = 0, None
    for chop in range(0, min(req, pointer_bits) + 1):
        change = (max_next >> (req - chop)) * 64 - max_offset * chop
        if lowest is None or change < lowest:
            lowest, best_chop = change, chop
    array_count = (max_next >> (req - best_chop)) + 1
    inline_bits = req - best_chop
    bh_size = 8 * (1 + array_count) + 7
    offsets = np.frombuffer(data, dtype="<u8", count=array_count, offset=bh_base + 8).astype(np.int64)
    word_bits = required_bits(c1)
    quant_bits = prob_bits + bo_bits
    mid_total = word_bits + quant_bits + inline_bits
    mid_bits_start = mid_start + bh_size
    mid_size = ((1 + c2) * mid_total + 7) // 8 + 8
    rd = BitReader(raw, mid_bits_start, mid_size)
    idx = np.arange(c2 + 1, dtype=np.int64)
    base_bits = idx * mid_total
    bi_word = rd.read(base_bits[:c2], word_bits).astype(np.int64)
    q = rd.read(base_bits[:c2] + word_bits, quant_bits)
    bi_bo_q = (q & np.uint64((1 << bo_bits) - 1)).astype(np.int64)
    bi_prob_q = (q >> np.uint64(bo_bits)).astype(np.int64)
    low = rd.read(base_bits + word_bits + quant_bits, inline_bits).astype(np.int64)
    high = np.searchsorted(offsets, idx, side="right") - 1
    bi_next = (high << inline_bits) | low  # c2 + 1 entries
    bi_prob = mid_prob_bins[bi_prob_q].astype(np.float64)
    bi_bo = mid_bo_bins[bi_bo_q].astype(np.float64)
    pos = mid_bits_start + mid_size

    # --- Longest (trigrams): bit-packed {word, prob} ---
    long_total = word_bits + prob_bits
    long_size = ((1 + c3) * long_total + 7) // 8 + 8
    rd = BitReader(raw, pos, long_size)
    base_bits = np.arange(c3, dtype=np.int64) * long_total
    tri_word = rd.read(base_bits, word_bits).astype(np.int64)
    tri_prob = long_prob_bins[rd.read(base_bits + word_bits, prob_bits).astype(np.int64)].astype(np.float64)
    pos += long_size

    # --- Vocabulary strings, NUL-separated, in id order ---
    words_raw = data[pos:].split(b"\0")
    if words_raw and words_raw[-1] == b"":
        words_raw.pop()
    if len(words_raw) != c1 or words_raw[0] != b"<unk>":
        raise ValueError(f"vocabulary strings not where expected ({len(words_raw)} words, first {words_raw[:1]})")
    words = [w.decode("utf-8") for w in words_raw]

    # Structural checks.
    if uni_next[0] != 0 or uni_next[-1] != c2 or np.any(np.diff(uni_next) < 0):
        raise ValueError("unigram next pointers inconsistent")
    if bi_next[0] != 0 or bi_next[-1] != c3 or np.any(np.diff(bi_next) < 0):
        raise ValueError("bigram next pointers inconsistent")
    if bi_word.max() >= c1 or tri_word.max() >= c1:
        raise ValueError("word ids out of range")
    if not np.all(np.isfinite(bi_prob)) or not np.all(np.isfinite(tri_prob)):
        raise ValueError("blank (infinite) probabilities in the trie")

    return dict(order=order, counts=counts, words=words, prob_bits=prob_bits, backoff_bits=bo_bits,
                uni_prob=uni_prob, uni_bo=uni_bo, uni_next=uni_next,
                bi_word=bi_word, bi_prob=bi_prob, bi_bo=bi_bo, bi_next=bi_next,
                tri_word=tri_word, tri_prob=tri_prob)


# --------------------------------------------------------------------------
# Re-encoding
# --------------------------------------------------------------------------

def to_i16(values: np.ndarray) -> np.ndarray:
    v = np.rint(values * SCALE)
    if v.size and (v.min() < -32768 or v.max() > 32767):
        raise ValueError(f"log10 value out of int16 range at scale {SCALE}: {v.min() / SCALE}..{v.max() / SCALE}")
    return v.astype("<i2")


def build(lm: str, out: Path) -> dict:
    t0 = time.time()
    m = parse_kenlm(lm)
    c1, c2, c3 = m["counts"]
    words = m["words"]
    t_parse = time.time() - t0

    # New ids: Python str order, without <unk> and without words containing whitespace.
    keep = [i for i in range(1, c1) if not any(ch.isspace() for ch in words[i])]
    dropped = (c1 - 1) - len(keep)
    keep.sort(key=lambda i: words[i])
    V = len(keep)
    new_id = np.full(c1, -1, dtype=np.int64)
    new_id[np.array(keep, dtype=np.int64)] = np.arange(V)

    # KenLM's trie is keyed by REVERSED n-grams (the predicted word first, then
    # its context from right to left): the bigram records under unigram w hold
    # the context words v of the bigrams (v w), with p(w | v) and backoff(v w);
    # the trigram records under bigram record (w; v) hold u of (u v w).
    bi_right_old = np.repeat(np.arange(c1, dtype=np.int64), np.diff(m["uni_next"]))
    bl, br = new_id[m["bi_word"]], new_id[bi_right_old]
    bi_sel = np.nonzero((bl >= 0) & (br >= 0))[0]
    bi_order = bi_sel[np.lexsort((br[bi_sel], bl[bi_sel]))]
    B = len(bi_order)
    bi_keys = bl[bi_order] * V + br[bi_order]  # ascending: rows sorted by (left, right)

    # Trigrams (u v w): w and v from the parent record, u from the record itself.
    tri_parent_old = np.repeat(np.arange(c2, dtype=np.int64), np.diff(m["bi_next"]))
    tu, tv, tw = new_id[m["tri_word"]], bl[tri_parent_old], br[tri_parent_old]
    tri_sel = np.nonzero((tu >= 0) & (tv >= 0) & (tw >= 0))[0]
    ctx_keys = tu[tri_sel] * V + tv[tri_sel]
    pos = np.minimum(np.searchsorted(bi_keys, ctx_keys), max(B - 1, 0))
    found = bi_keys[pos] == ctx_keys
    if not np.all(found):
        # KenLM guarantees every trigram context is itself stored (as a "blank" if need be).
        raise ValueError(f"{int((~found).sum())} trigrams whose context bigram is not stored")
    tp, tr = pos, tw[tri_sel]
    o = np.lexsort((tr, tp))
    tri_order = tri_sel[o]
    tp, tr = tp[o], tr[o]
    T = len(tri_order)

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "vocab.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(words[i] + "\n" for i in keep))
    keep_a = np.array(keep, dtype=np.int64)
    to_i16(m["uni_prob"][keep_a]).tofile(out / "uni_logp.i16")
    to_i16(m["uni_bo"][keep_a]).tofile(out / "uni_backoff.i16")

    bl_sorted = bl[bi_order]
    bi_offsets = np.searchsorted(bl_sorted, np.arange(V + 1), side="left").astype("<u4")
    bi_offsets.tofile(out / "bi_offsets.u32")
    br[bi_order].astype("<u4").tofile(out / "bi_right.u32")
    to_i16(m["bi_prob"][bi_order]).tofile(out / "bi_logp.i16")
    to_i16(m["bi_bo"][bi_order]).tofile(out / "bi_backoff.i16")

    tri_offsets = np.searchsorted(tp, np.arange(B + 1), side="left").astype("<u4")
    tri_offsets.tofile(out / "tri_offsets.u32")
    tr.astype("<u4").tofile(out / "tri_right.u32")
    to_i16(m["tri_prob"][tri_order]).tofile(out / "tri_logp.i16")

    sha = hashlib.sha256(Path(lm).read_bytes()).hexdigest()
    meta = {
        "source": "libime zh_CN.lm (Debian package libime-data-language-model), " + str(Path(lm).name),
        "source_path": str(lm),
        "debian_version": DEBIAN_VERSION,
        "sha256": sha,
        "licence": LICENCE,
        "unk_logp": round(float(m["uni_prob"][0]), 6),
        "counts": {"unigrams": V, "bigrams": B, "trigrams": T,
                   "source_unigrams": c1, "source_bigrams": c2, "source_trigrams": c3},
        "scale": SCALE,
        "dropped": dropped,
        "quantisation_bits": {"prob": m["prob_bits"], "backoff": m["backoff_bits"]},
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if LICENCE_TEXT.exists():
        shutil.copyfile(LICENCE_TEXT, out / "LICENSE.LGPL-2.1")
    else:
        print(f"warning: {LICENCE_TEXT} missing; copy the LGPL-2.1 text into {out} by hand", file=sys.stderr)

    print(f"parsed {lm} in {t_parse:.1f}s; wrote {V} words, {B} bigrams, {T} trigrams "
          f"({dropped} words with whitespace dropped) to {out} in {time.time() - t0:.1f}s")
    return meta


# --------------------------------------------------------------------------
# Verification against KenLM itself
# --------------------------------------------------------------------------

class FlatModel:
    """Reference scorer over the written files (what the engine will do)."""

    def __init__(self, d: Path):
        self.words = (d / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
        self.ids = {w: i for i, w in enumerate(self.words)}
        ld = lambda n, t: np.fromfile(d / n, dtype=t)  # noqa: E731
        self.uni, self.ubo = ld("uni_logp.i16", "<i2"), ld("uni_backoff.i16", "<i2")
        self.bo_, self.br = ld("bi_offsets.u32", "<u4"), ld("bi_right.u32", "<u4")
        self.bp, self.bbo = ld("bi_logp.i16", "<i2"), ld("bi_backoff.i16", "<i2")
        self.to_, self.tr, self.tp = ld("tri_offsets.u32", "<u4"), ld("tri_right.u32", "<u4"), ld("tri_logp.i16", "<i2")
        self.unk = json.loads((d / "meta.json").read_text())["unk_logp"]

    def bigram_row(self, v: int, w: int) -> int:
        a, b = int(self.bo_[v]), int(self.bo_[v + 1])
        k = a + int(np.searchsorted(self.br[a:b], w))
        return k if k < b and self.br[k] == w else -1

    def trigram_row(self, r: int, w: int) -> int:
        a, b = int(self.to_[r]), int(self.to_[r + 1])
        k = a + int(np.searchsorted(self.tr[a:b], w))
        return k if k < b and self.tr[k] == w else -1

    def score(self, context: list[str], w: str) -> float:
        """log10 p(w | context[-2:]) by the KenLM back-off recursion."""
        if w not in self.ids:
            ctx = [self.ids.get(c) for c in context[-2:]]
            # <unk>: all available backoff of the context (as KenLM does).
            return self.unk + self._ctx_backoff(ctx) / SCALE
        wi = self.ids[w]
        ctx = [self.ids.get(c) for c in context[-2:]]
        # KenLM stops the context at the first unknown word from the right.
        while ctx and ctx[0] is None:
            ctx = ctx[1:]
        if None in ctx:
            ctx = ctx[ctx.index(None) + 1:]
        if len(ctx) == 2:
            u, v = ctx
            r = self.bigram_row(u, v)
            if r >= 0:
                t = self.trigram_row(r, wi)
                if t >= 0:
                    return self.tp[t] / SCALE
                return (int(self.bbo[r]) + self._bi(v, wi)) / SCALE
            return self._bi(v, wi) / SCALE
        if len(ctx) == 1:
            return self._bi(ctx[0], wi) / SCALE
        return self.uni[wi] / SCALE

    def _bi(self, v: int, w: int) -> int:
        r = self.bigram_row(v, w)
        if r >= 0:
            return int(self.bp[r])
        return int(self.ubo[v]) + int(self.uni[w])

    def _ctx_backoff(self, ctx) -> int:
        ctx = [c for c in ctx]
        if not ctx or ctx[-1] is None:
            return 0
        total = int(self.ubo[ctx[-1]])
        if len(ctx) == 2 and ctx[0] is not None:
            r = self.bigram_row(ctx[0], ctx[1])
            if r >= 0:
                total += int(self.bbo[r])
        return total


def verify(lm: str, out: Path, n: int, seed: int = 1) -> None:
    try:
        import kenlm
    except ImportError:
        print("--verify: the kenlm module is not installed; skipping verification", file=sys.stderr)
        return
    t0 = time.time()
    model = kenlm.Model(lm)
    fm = FlatModel(out)
    rng = np.random.default_rng(seed)
    words = fm.words
    V = len(words)
    B, T = len(fm.br), len(fm.tr)
    bi_left = np.repeat(np.arange(V), np.diff(fm.bo_.astype(np.int64)))
    tri_parent = np.repeat(np.arange(B), np.diff(fm.to_.astype(np.int64)))

    null = kenlm.State()
    model.NullContextWrite(null)

    def kscore(seq: list[str]) -> float:
        s = null
        sc = 0.0
        for w in seq:
            o = kenlm.State()
            sc = model.BaseScore(s, w, o)
            s = o
        return sc

    stats: dict[str, list[float]] = {}
    failures = []

    def check(kind: str, ctx: list[str], w: str, stored: float | None) -> None:
        ref = kscore(ctx + [w])
        ours = fm.score(ctx, w)
        errs = [abs(ref - ours)]
        if stored is not None:
            errs.append(abs(ref - stored))
        err = max(errs)
        stats.setdefault(kind, []).append(err)
        if err > 0.002 and len(failures) < 20:
            failures.append((kind, ctx, w, ref, ours, stored))

    for i in rng.integers(0, V, n):
        check("unigram", [], words[i], fm.uni[i] / SCALE)
    for r in rng.integers(0, B, n):
        check("bigram", [words[bi_left[r]]], words[fm.br[r]], fm.bp[r] / SCALE)
    for t in rng.integers(0, T, n):
        r = tri_parent[t]
        check("trigram", [words[bi_left[r]], words[fm.br[r]]], words[fm.tr[t]], fm.tp[t] / SCALE)
    # Bigram back-off weights: p(x | u v) for x with (u v x) not stored but (v x) stored.
    for r in rng.integers(0, B, n):
        u, v = int(bi_left[r]), int(fm.br[r])
        a, b = int(fm.bo_[v]), int(fm.bo_[v + 1])
        if a == b:
            continue
        x = int(fm.br[rng.integers(a, b)])
        if fm.trigram_row(r, x) >= 0:
            continue
        check("bigram-backoff", [words[u], words[v]], words[x], (int(fm.bbo[r]) + int(fm.bp[fm.bigram_row(v, x)])) / SCALE)
    # Non-existing bigrams through the unigram back-off.
    for v, w in zip(rng.integers(0, V, n), rng.integers(0, V, n)):
        if fm.bigram_row(int(v), int(w)) >= 0:
            continue
        check("unseen-bigram", [words[v]], words[w], (int(fm.ubo[v]) + int(fm.uni[w])) / SCALE)
    # Random word triples (full recursion, mostly unseen).
    for u, v, w in zip(rng.integers(0, V, n), rng.integers(0, V, n), rng.integers(0, V, n)):
        check("random-triple", [words[u], words[v]], words[w], None)

    # Random walks along stored bigrams: realistic text, a mix of stored
    # trigrams, trigram back-off and bigram back-off.
    for start in rng.integers(0, B, max(1, n // 5)):
        seq = [words[bi_left[start]], words[fm.br[start]]]
        for _ in range(5):
            v = fm.ids[seq[-1]]
            a, b = int(fm.bo_[v]), int(fm.bo_[v + 1])
            if a == b:
                break
            nxt = words[fm.br[rng.integers(a, b)]]
            check("random-walk", seq[-2:], nxt, None)
            seq.append(nxt)

    for kind, errs in stats.items():
        print(f"verify {kind:15s}: {len(errs):6d} checked, max |error| {max(errs):.5f}")
    print(f"verification took {time.time() - t0:.1f}s")
    if failures:
        for f in failures:
            print("MISMATCH", f, file=sys.stderr)
        sys.exit(f"verification FAILED: {len(failures)}+ mismatches > 0.002")
    print("verification passed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lm", default=None, help="path to zh_CN.lm (default: the Debian package's)")
    ap.add_argument("--out", default=str(OUT), help=f"output folder (default {OUT})")
    ap.add_argument("--verify", type=int, default=0, metavar="N",
                    help="check N random n-grams of each kind against the kenlm module, if installed")
    args = ap.parse_args()
    lm = args.lm or default_lm()
    out = Path(args.out)
    build(lm, out)
    if args.verify:
        verify(lm, out, args.verify)


if __name__ == "__main__":
    main()
