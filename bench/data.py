"""Bench data that lives outside the repository: clean text by genre and a dense spinner table.

``bench/manifest.json`` names every source (repository, commit, paths,
licence, genre); this script extracts them from local snapshots of those
repositories (bare git directories, ``<mirrors>/<owner>+<name>/repo``) into
the bench data folder, ``$UNSPIN_BENCH_DATA`` (default: ``bench-data`` next
to the checkout)::

    python -m bench.data build [--mirrors /work/.mirror] [--max-chars 90000]
    python -m bench.data status

Layout of the data folder (nothing in it is ever committed):

* ``genres/<genre>.jsonl`` — one ``{"id", "text"}`` document per line,
  300–3000 characters, cut at paragraph (or sentence) boundaries;
* ``tables/cow-dense.txt`` — the dense spinner table, ``A-B`` lines (the
  format ``unspin --table`` / ``Config(tables=[path])`` loads), each
  undirected pair once; built from Chinese Open Wordnet synsets only, never
  from unspin's dictionaries;
* ``BUILD.json`` — what was built from which commit, with counts.

Document ids are ``<genre>:<path>#<n>``, so the dev/test split
(:func:`bench.corpus.split_of`) is stable across rebuilds.
"""
from __future__ import annotations

import argparse
import csv
import fnmatch
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from collections.abc import Iterable, Iterator

REPO = Path(__file__).resolve().parent.parent
MANIFEST = Path(__file__).resolve().parent / "manifest.json"
MIN_DOC, MAX_DOC = 300, 3000
#: Characters kept per genre (units are taken in a fixed hash order until this is reached).
DEFAULT_MAX_CHARS = 90_000
_CJK_WORD = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{2,6}$")
_SENT_END = re.compile(r"(?<=[。！？!?；;])")


def data_dir() -> Path:
    """The bench data folder: ``$UNSPIN_BENCH_DATA`` or ``<checkout>/../bench-data``."""
    env = os.environ.get("UNSPIN_BENCH_DATA")
    return Path(env) if env else REPO.parent / "bench-data"


def manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def genre_path(genre: str, root: Path | None = None) -> Path:
    return (root or data_dir()) / "genres" / f"{genre}.jsonl"


def table_path(root: Path | None = None) -> Path:
    return (root or data_dir()) / "tables" / "cow-dense.txt"


def load_genres(root: Path | None = None) -> dict[str, list[tuple[str, str]]]:
    """Every genre file present: genre → [(doc id, text)] (empty dict when the folder is absent)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for genre in manifest()["genres"]:
        p = genre_path(genre, root)
        if p.exists():
            docs = []
            with p.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        d = json.loads(line)
                        docs.append((d["id"], d["text"]))
            out[genre] = docs
    return out


def load_table_pairs(path: Path) -> list[tuple[str, str]]:
    """``A-B`` lines → pairs."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "-" in line:
            a, b = line.split("-", 1)
            if a and b:
                pairs.append((a, b))
    return pairs


# --------------------------------------------------------------------------- git access

class Mirror:
    """Read files of one pinned commit from a bare git directory."""

    def __init__(self, mirrors: Path, repo: str, commit: str) -> None:
        self.git_dir = mirrors / repo.replace("/", "+") / "repo"
        if not self.git_dir.exists():
            raise SystemExit(f"no snapshot of {repo} at {self.git_dir} (bring it onto this machine first)")
        self.commit = commit
        if self._git("cat-file", "-t", commit, check=False).strip() != "commit":
            head = self._git("rev-parse", "HEAD").strip()
            raise SystemExit(f"{repo}: commit {commit} is not in the snapshot (HEAD is {head}); "
                             f"update bench/manifest.json after checking the new commit's licence")

    def _git(self, *args: str, check: bool = True) -> str:
        r = subprocess.run(["git", "-c", "core.quotepath=off", f"--git-dir={self.git_dir}", *args],
                           capture_output=True, text=True, check=False)
        if check and r.returncode:
            raise SystemExit(f"git {' '.join(args)} failed: {r.stderr.strip()}")
        return r.stdout

    def files(self) -> list[str]:
        return self._git("ls-tree", "-r", "--name-only", self.commit).splitlines()

    def read_bytes(self, path: str) -> bytes:
        r = subprocess.run(["git", f"--git-dir={self.git_dir}", "show", f"{self.commit}:{path}"],
                           capture_output=True, check=False)
        if r.returncode:
            raise SystemExit(f"cannot read {path} at {self.commit}: {r.stderr.decode(errors='replace').strip()}")
        return r.stdout

    def read(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", errors="replace")


def _match(path: str, pattern: str) -> bool:
    if "**" in pattern:
        head, tail = pattern.split("**/", 1)
        return path.startswith(head) and fnmatch.fnmatch(path.rsplit("/", 1)[-1], tail)
    return fnmatch.fnmatch(path, pattern) and path.count("/") == pattern.count("/")


def _hash_order(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- per-format units
# A *unit* is (unit id, [paragraphs]): one law, one dialogue, one wiki paragraph, one piece.

def _clean(s: str) -> str:
    return unicodedata.normalize("NFC", s).replace("\r\n", "\n").replace("\r", "\n").strip()


def units_poetry_json(path: str, text: str) -> Iterator[tuple[str, list[str]]]:
    """chinese-poetry JSON: every object with ``paragraphs`` is one unit (title line + paragraphs)."""
    data = json.loads(text)
    n = 0

    def walk(node: object) -> Iterator[tuple[str, list[str]]]:
        nonlocal n
        if isinstance(node, dict):
            paras = node.get("paragraphs")
            if not isinstance(paras, list):
                paras = node.get("content")
            if isinstance(paras, list) and paras and all(isinstance(p, str) for p in paras):
                title = node.get("title") or node.get("chapter") or ""
                n += 1
                body = [_clean(p) for p in paras if isinstance(p, str) and p.strip()]
                yield f"{path}#{n}", ([_clean(title)] if title else []) + body
                return
            for v in node.values():
                yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)

    yield from walk(data)


def units_markdown_law(path: str, text: str) -> Iterator[tuple[str, list[str]]]:
    if path.endswith("_index.md"):
        return
    paras = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("<!--") or line == "---" or line.startswith("bookCollapseSection"):
            continue
        paras.append(_clean(line.lstrip("#").strip()))
    if paras:
        yield path, paras


def units_moj_law_json(path: str, text: str) -> Iterator[tuple[str, list[str]]]:
    d = json.loads(text.lstrip("\ufeff"))
    paras = [_clean(d.get("法規名稱", ""))]
    if d.get("前言"):
        paras.append(_clean(d["前言"]))
    for art in d.get("法規內容", []) or []:
        body = art.get("條文內容") or art.get("編章節") or ""
        if body:
            paras.extend(p for p in (_clean(x) for x in body.split("\n")) if p)
    if len(paras) > 1:
        yield path, paras


def units_squad_json(path: str, text: str) -> Iterator[tuple[str, list[str]]]:
    d = json.loads(text)
    for art in d.get("data", []):
        for i, para in enumerate(art.get("paragraphs", [])):
            ctx = _clean(para.get("context", ""))
            if ctx:
                yield f"{path}#{art.get('id') or art.get('title')}-{i}", [ctx]


def units_kdconv_json(path: str, text: str) -> Iterator[tuple[str, list[str]]]:
    for i, dlg in enumerate(json.loads(text)):
        msgs = [_clean(m.get("message", "")) for m in dlg.get("messages", [])]
        msgs = [m for m in msgs if m]
        if msgs:
            yield f"{path}#{i}", msgs


def units_markdown(path: str, text: str) -> Iterator[tuple[str, list[str]]]:
    """A Markdown page, front matter dropped, everything else (code blocks too) kept as paragraphs."""
    text = _clean(text)
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end > 0:
            text = text[end + 4:]
    paras = [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]
    if paras:
        yield path, paras


#: an editor's note marker (⑴, ①, 〔１〕) or a missing glyph with the editor's description of it (□【音“需”…】)
_EDITORIAL = re.compile(r"[\u2460-\u2487]|〔[０-９0-9]+〕|□*【[^】]*】|□")
#: where an edition's notes on a piece begin (they run to the next title): a heading, a first note,
#: or the editor's blurb or contents of a book (《野草》简介：, 《野草》目录：)
_NOTES = re.compile(r"^\s*(□注释|注释[：:]?\s*$|[\u2460-\u2487]|〔[０-９0-9]+〕|《?[^》\s]{1,12}》(简介|目录))")
#: a line naming the collection a piece was taken from: 〔《呐喊》〕, （《朝花夕拾》）
_COLLECTION = re.compile(r"^[〔（(]?(选自)?《[^》]*》[〕）)]?$")


def units_plain_collection(path: str, text: str) -> Iterator[tuple[str, list[str]]]:
    """A collection of pieces as plain text with hard-wrapped lines (the Lu Xun files): each piece
    is a unit; a title is a short line indented by ten or more spaces, paragraphs are separated by
    blank lines or an indent, and their wrapped lines are joined. What the edition added is not the
    author's and is dropped: the notes after each piece (from 注释 or the first numbered note to the
    next title), the markers that point to them, editors' descriptions of missing glyphs, lines
    naming the collection, and a book's front matter (a unit titled 《…》 alone: blurb, contents)."""
    title, paras, cur, in_notes = "", [], [], False

    def flush_para() -> None:
        if cur:
            para = _clean(_EDITORIAL.sub("", "".join(x.strip() for x in cur)))
            if para and not _COLLECTION.match(para):
                paras.append(para)
            cur.clear()

    def piece() -> Iterator[tuple[str, list[str]]]:
        if paras and not _COLLECTION.match(title):
            yield f"{path}#{title}", list(paras)
        paras.clear()

    # not _clean(text): its strip would take the first title's indent, and with it the title
    for line in unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        body = line.strip()
        if body and len(line) - len(line.lstrip()) >= 10 and len(body) <= 30:
            flush_para()
            if not body.startswith(("一九", "一八")):  # a date line closes a piece, a title opens one
                yield from piece()
                title, in_notes = _clean(_EDITORIAL.sub("", body)), False
            continue
        if _NOTES.match(line):
            flush_para()
            in_notes = True
        elif in_notes:
            continue
        elif not body:
            flush_para()
        else:
            if line[:1] in " \u3000":  # an indented line starts a paragraph
                flush_para()
            cur.append(line)
    flush_para()
    yield from piece()


def units_cofacts_replies_zip(path: str, blob: bytes) -> Iterator[tuple[str, list[str]]]:
    """Cofacts' ``replies.csv`` inside its zip (the open data is shipped zipped): each reply is one
    unit, its paragraphs the lines of the ``text`` field, which a volunteer editor wrote on the site.
    The ``reference`` field is left out: it is mostly links and passages quoted from the sources the
    editor cites, not the reply. A text met again (the stock replies editors reuse, such as the one
    for a test message) is kept once, so a few boilerplate lines do not fill the genre."""
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        name = next(n for n in zf.namelist() if n.rsplit("/", 1)[-1] == "replies.csv")
        raw = zf.read(name).decode("utf-8-sig", errors="replace")
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
    seen: set[str] = set()
    for row in csv.DictReader(io.StringIO(raw, newline="")):
        text = _clean(row.get("text") or "")
        if not text or text in seen:
            continue
        seen.add(text)
        paras = [p for p in (_clean(x) for x in text.split("\n")) if p]
        yield f"{path}#{row.get('id') or len(seen)}", paras


FORMATS = {
    "poetry-json": units_poetry_json,
    "markdown-law": units_markdown_law,
    "moj-law-json": units_moj_law_json,
    "squad-json": units_squad_json,
    "kdconv-json": units_kdconv_json,
    "markdown": units_markdown,
    "plain-collection": units_plain_collection,
    "cofacts-replies-zip": units_cofacts_replies_zip,
}
#: formats whose reader takes the file's bytes (an archive), not its text
BINARY_FORMATS = {"cofacts-replies-zip"}


# --------------------------------------------------------------------------- documents

def _split_long(p: str) -> list[str]:
    """A paragraph longer than MAX_DOC, cut at sentence ends (or hard, as a last resort)."""
    if len(p) <= MAX_DOC:
        return [p]
    out, cur = [], ""
    for s in _SENT_END.split(p):
        if len(cur) + len(s) > MAX_DOC and cur:
            out.append(cur)
            cur = ""
        while len(s) > MAX_DOC:
            out.append(s[:MAX_DOC])
            s = s[MAX_DOC:]
        cur += s
    if cur:
        out.append(cur)
    return out


def documents(units: Iterable[tuple[str, list[str]]]) -> Iterator[tuple[str, str]]:
    """Pack units' paragraphs into documents of MIN_DOC–MAX_DOC characters.

    A unit shorter than MIN_DOC is joined with the following ones; a long
    unit is cut at paragraph boundaries into pieces of about 1,500
    characters. A trailing piece under MIN_DOC is dropped.
    """
    buf: list[str] = []
    size = 0
    first = ""
    for uid, paras in units:
        pieces = [x for p in paras for x in _split_long(p)]
        n = 0
        for p in pieces:
            if buf and size + len(p) + 1 > MAX_DOC:
                if size >= MIN_DOC:
                    yield f"{first}@{n}", "\n".join(buf)
                buf, size = [], 0
            if not buf:
                first = uid
                n += 1
            buf.append(p)
            size += len(p) + 1
            if size >= 1500:
                yield f"{first}@{n}", "\n".join(buf)
                buf, size = [], 0
        if size >= MIN_DOC:
            yield f"{first}@{n}", "\n".join(buf)
            buf, size = [], 0
    if size >= MIN_DOC:
        yield f"{first}@end", "\n".join(buf)


def build_genre(genre: str, spec: dict, mirrors: Path, max_chars: int) -> list[tuple[str, str]]:
    m = Mirror(mirrors, spec["repo"], spec["commit"])
    all_files = m.files()
    paths = sorted({f for f in all_files for pat in spec["paths"] if _match(f, pat)}, key=_hash_order)
    if not paths:
        raise SystemExit(f"{genre}: no file of {spec['repo']} matches {spec['paths']}")
    fmt = FORMATS[spec["format"]]
    units: list[tuple[str, list[str]]] = []
    total = 0
    for path in paths:
        content = m.read_bytes(path) if spec["format"] in BINARY_FORMATS else m.read(path)
        file_units = list(fmt(path, content))
        file_units.sort(key=lambda u: _hash_order(u[0]))  # a fixed, content-independent order
        for u in file_units:
            units.append(u)
            total += sum(len(p) for p in u[1])
            if total >= max_chars * 1.15:
                break
        if total >= max_chars * 1.15:
            break
    docs, chars = [], 0
    for did, text in documents(units):
        docs.append((f"{genre}:{did}", text))
        chars += len(text)
        if chars >= max_chars:
            break
    return docs


# --------------------------------------------------------------------------- dense table

def build_table(mirrors: Path, spec: dict, max_synset: int = 12) -> list[tuple[str, str]]:
    """Every pair of multi-character CJK lemmas sharing a Chinese Open Wordnet synset.

    Synsets with more than ``max_synset`` such lemmas (a handful of very
    broad ones) contribute none: their members are rarely interchangeable.
    """
    m = Mirror(mirrors, spec["repo"], spec["commit"])
    synsets: dict[str, set[str]] = {}
    for line in m.read(spec["paths"][0]).splitlines():
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3 or not parts[1].endswith(":lemma"):
            continue
        lemma = unicodedata.normalize("NFC", parts[2].strip())
        if _CJK_WORD.match(lemma):
            synsets.setdefault(parts[0], set()).add(lemma)
    pairs: set[tuple[str, str]] = set()
    for words in synsets.values():
        if 2 <= len(words) <= max_synset:
            ws = sorted(words)
            for i, a in enumerate(ws):
                for b in ws[i + 1:]:
                    pairs.add((a, b))
    return sorted(pairs)


# --------------------------------------------------------------------------- CLI

def cmd_build(args: argparse.Namespace) -> int:
    man = manifest()
    out = args.out
    (out / "genres").mkdir(parents=True, exist_ok=True)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    build: dict = {"genres": {}, "table": {}}
    only = set(args.only or [])
    if not only or "table" in only:
        spec = man["table"]
        pairs = build_table(args.mirrors, spec)
        tp = table_path(out)
        tp.write_text("".join(f"{a}-{b}\n" for a, b in pairs), encoding="utf-8")
        build["table"] = {"path": str(tp), "pairs": len(pairs), "repo": spec["repo"], "commit": spec["commit"],
                          "licence": spec["licence"]}
        print(f"table: {len(pairs):,} pairs → {tp}", file=sys.stderr)
    for genre, spec in man["genres"].items():
        if only and genre not in only:
            continue
        docs = build_genre(genre, spec, args.mirrors, args.max_chars)
        gp = genre_path(genre, out)
        with gp.open("w", encoding="utf-8") as fh:
            for did, text in docs:
                fh.write(json.dumps({"id": did, "text": text}, ensure_ascii=False) + "\n")
        chars = sum(len(t) for _, t in docs)
        build["genres"][genre] = {"docs": len(docs), "chars": chars, "repo": spec["repo"],
                                  "commit": spec["commit"], "licence": spec["licence"]}
        print(f"{genre}: {len(docs)} documents, {chars:,} characters → {gp}", file=sys.stderr)
    prev = out / "BUILD.json"
    if prev.exists() and only:
        old = json.loads(prev.read_text(encoding="utf-8"))
        old["genres"].update(build["genres"])
        if build["table"]:
            old["table"] = build["table"]
        build = old
    prev.write_text(json.dumps(build, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    root = args.out
    print(f"bench data folder: {root} ({'present' if root.exists() else 'absent'})")
    tp = table_path(root)
    print(f"table: {tp} " + (f"{len(load_table_pairs(tp)):,} pairs" if tp.exists() else "absent"))
    genres = load_genres(root)
    for genre in manifest()["genres"]:
        docs = genres.get(genre)
        print(f"{genre}: " + (f"{len(docs)} documents, {sum(len(t) for _, t in docs):,} characters" if docs else "absent"))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.data", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="extract every genre and the dense table into the data folder")
    b.add_argument("--mirrors", type=Path, default=Path(os.environ.get("UNSPIN_MIRRORS", "/work/.mirror")))
    b.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, help="characters per genre")
    b.add_argument("--only", action="append", help="a genre name or 'table' (repeatable)")
    s = sub.add_parser("status", help="what the data folder holds")
    for p in (b, s):
        p.add_argument("--out", type=Path, default=None, help="data folder (default $UNSPIN_BENCH_DATA)")
    args = ap.parse_args(argv)
    if args.out is None:
        args.out = data_dir()
    return cmd_build(args) if args.cmd == "build" else cmd_status(args)


if __name__ == "__main__":
    sys.exit(main())
