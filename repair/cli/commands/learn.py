"""``unspin learn``: discover a spinner's garble pairs from a corpus of its output.

    unspin learn CORPUS... -o pairs.tsv [--reference CLEAN...] [--table T] [--synonyms S]
    unspin learn --to-dictionary reviewed.tsv -o mine.yaml [--tier auto]

The output has one pair a line, ``garbled<TAB>original<TAB>count<TAB>mean_gain<TAB>examples``,
best first; it loads back with ``unspin --table pairs.tsv``. Reviewed lines become a
dictionary file with ``--to-dictionary``.
"""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Iterable

import click

from ...engine.context import load_context
from ...engine.dictionary import load_builtin
from ...engine.learn import (HEADER, MIN_POSTERIOR, LearnOptions, Partners, known_pairs, learn as learn_pairs,
                             parse_synonyms, partners_from_entries, read_pairs, tier_of, to_dictionary)
from ...engine.tables import NotText, decode_table, load_table
from ...errors import EXIT_ERROR, EXIT_OK, UnspinError
from ...files.atomic import AtomicWriter, discard_all, locked, read_only
from ...files.corpus import Corpus
from ...files.settings import current_folder
from ...files.signals import stopping
from ...reading import MAX_DATA_BYTES, TooLarge, read_bounded, read_stream_bounded
from ..main import known_codec
from ..output import problem_line, stdout_bytes
from ..paths import Existing
from .common import given_encoding, interrupted

DOMAINS = ("politics", "economy", "law", "health", "technology", "society", "everyday", "function")


@click.command()
@click.argument("paths", nargs=-1, type=Existing(inputs=True, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Where to write the pairs (or the dictionary); default stdout.")
@click.option("--field", default=None, metavar="NAME", help="Read this field of each JSON Lines record.")
@click.option("--encoding", default=None, callback=known_codec,
              help="Read the corpus in this encoding (default UTF-8).")
@click.option("--include", multiple=True, metavar="GLOB", help="Only files matching this glob. Repeatable.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching this glob. Repeatable.")
@click.option("--reference", multiple=True, type=Existing(inputs=True),
              help="Clean text of the same kind: its words are candidate originals, and a form as "
                   "common there as in the corpus is not a garble. Repeatable.")
@click.option("--table", "tables", multiple=True, type=Existing(dir_okay=False),
              help="A synonym table (A-B, A→B, A<TAB>B …) whose pairs are candidates. Repeatable.")
@click.option("--synonyms", multiple=True, type=Existing(dir_okay=False),
              help="Synonym groups, one a line (Cilin 'Aa01A01= 人 士 人物' or words separated by spaces). Repeatable.")
@click.option("--no-builtin", is_flag=True, help="Do not use the built-in dictionaries (as a synonym source, or to leave out pairs they have).")
@click.option("--include-known", is_flag=True, help="Also list pairs the built-in dictionaries already have.")
@click.option("--no-slots", is_flag=True, help="Do not pair forms that share a context slot.")
@click.option("--min-count", type=click.IntRange(min=1), default=2, show_default=True,
              help="Occurrences a pair needs.")
@click.option("--min-gain", type=float, default=1.5, show_default=True,
              help="Mean log10 gain a pair needs (1 = the original is ten times more probable); "
                   "without --reference only: with one, the counts and the context are weighed together.")
@click.option("--min-docs", type=click.IntRange(min=1), default=3, show_default=True,
              help="Texts (files, records, 64K chunks) a garbled form must be seen in, in a corpus of "
                   "at least ten times as many: a spinner's substitution is everywhere, a name sits "
                   "in one article.")
@click.option("--min-probability", type=click.FloatRange(0.0, 1.0), default=MIN_POSTERIOR, show_default=True,
              help="With --reference: the least probability a pair is listed with (lower: more pairs to review, "
                   "fewer of them right).")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Write at most this many pairs.")
@click.option("--lm", type=Existing(dir_okay=False), default=None,
              help="A KenLM binary to use as the context model.")
@click.option("--to-dictionary", "reviewed", type=Existing(dir_okay=False, allow_dash=True),
              default=None, help="Turn reviewed pair lines into a dictionary file (YAML) instead of learning.")
@click.option("--tier", type=click.Choice(["auto", "marker", "ambiguous", "suggest"]), default="auto",
              show_default=True,
              help="With --to-dictionary: the tier of the entries; auto puts forms the context model does "
                   "not know in OUTPUT as markers and real words in OUTPUT's '-ambiguous' sibling.")
@click.option("--domain", type=click.Choice(DOMAINS), default="everyday", show_default=True,
              help="With --to-dictionary: the domain the entries are filed under.")
@click.pass_context
def learn(ctx: click.Context, paths, output, field, encoding, include, exclude, reference, tables, synonyms,
          no_builtin, include_known, no_slots, min_count, min_gain, min_docs, min_probability, top, lm, reviewed, tier,
          domain) -> None:
    """Discover garble pairs (garbled → original) from suspected spun text in PATHS."""
    corpora: list[Corpus] = []
    encoding = given_encoding(ctx, encoding)  # `unspin --encoding X learn …` too
    with stopping():  # the first Ctrl-C or SIGTERM stops the run; later ones cannot cut the clean-up short
        try:
            if reviewed is not None:
                _to_dictionary(reviewed, output, tier, domain, lm)
                ctx.exit(EXIT_OK)
            if not paths:
                raise click.UsageError("give the corpus to learn from (files, folders or -), or --to-dictionary")
            current_folder()  # removed under the shell: one clear error (the walk needs it), not "unspin: No such file"
            model = load_context(Path(lm) if lm else None)
            entries, _ = load_builtin()
            partners = Partners()
            if not no_builtin:
                partners_from_entries(entries, partners)
            for t in tables:
                partners_from_entries(load_table(Path(t)), partners)
            for s in synonyms:
                for group in parse_synonyms(_read(Path(s))):
                    partners.add_group(group)
            corpus = Corpus(tuple(paths), field, encoding, tuple(include), tuple(exclude))
            ref = Corpus(tuple(reference), None, encoding) if reference else None
            corpora.extend((corpus, ref) if ref else (corpus,))
            _check_output(output, [p for _, p in corpus.files()],
                          [p for _, p in ref.files()] if ref else [], map(Path, tables), map(Path, synonyms))
            options = LearnOptions(min_count=min_count, min_gain=min_gain, min_docs=min_docs, slots=not no_slots,
                                   include_known=include_known, min_posterior=min_probability)
            texts = _with_progress(corpus, passes=2)
            ref_texts = _with_progress(ref, passes=2, label="reference") if ref else None
            known = set() if no_builtin else known_pairs(entries)
            pairs = learn_pairs(model, partners, texts, ref_texts, known, options)
            corpus.close()
            errors = 0
            for read in corpora:
                for msg in read.skipped:
                    click.echo(problem_line(msg, error=False), err=True)
                for msg in read.errors:
                    click.echo(problem_line(msg, error=True), err=True)
                errors += len(read.errors)
            if top:
                pairs = pairs[:top]
            lines = [HEADER] + [p.line() for p in pairs]
            _write(output, "\n".join(lines) + "\n")
            click.echo(f"unspin: {len(pairs)} pairs", err=True)
            # as check and fix: what could be read is done (the pairs are written), what could not is an error
            ctx.exit(EXIT_ERROR if errors else EXIT_OK)
        except UnspinError as exc:
            click.echo(problem_line(str(exc), error=True), err=True)
            ctx.exit(EXIT_ERROR)
        except BrokenPipeError:  # stdout's reader went away: up to UnspinGroup.invoke, a quiet exit 141
            raise
        except OSError as exc:  # one line naming the file, as check and fix report it (not "[Errno 13] ...")
            click.echo(problem_line(f"{exc.filename or 'unspin'}: {exc.strerror or exc}", error=True), err=True)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt as exc:
            discard_all()
            interrupted(ctx, exc, "the output file is either unchanged or fully written")
        finally:
            for read in corpora:  # a copy of stdin (a corpus can be gigabytes) never outlives the run
                read.close()


def _read(path: Path | None) -> str:
    """A synonym list or reviewed pairs (``None``: stdin), read whole within :data:`MAX_DATA_BYTES`
    and decoded as UTF-8 (a BOM dropped) or GB18030. Stdin is read as a file is: as text it had no
    bound (``< /dev/zero`` took all memory), kept a BOM in its first word and failed on GB18030."""
    shown = "<stdin>" if path is None else str(path)
    try:
        data = read_stream_bounded(sys.stdin.buffer, MAX_DATA_BYTES) if path is None \
            else read_bounded(path, MAX_DATA_BYTES)
    except TooLarge as exc:
        raise UnspinError(f"{shown}: {exc}") from None
    return _decode(data, shown)


def _decode(data: bytes, shown: str) -> str:
    """Reviewed pairs or synonyms decoded as a ``--table`` is (:func:`.tables.decode_table`): a
    UTF-16/32 byte-order mark is read (a pair list reviewed in Excel is saved so), NUL bytes
    otherwise are a binary file (it decoded as UTF-8 into an empty dictionary, exit 0)."""
    try:
        return decode_table(data, "a list of pairs or synonyms")
    except NotText as exc:
        raise UnspinError(f"{shown}: {exc}") from None


def _check_output(output: str, *inputs: Iterable[Path]) -> None:
    """An error, before any work, if ``output`` is one of the files read or a read-only file.

    Learning takes minutes, and its pairs written over the corpus (``unspin learn corpus.txt -o
    corpus.txt``) would lose the corpus. A file made read-only is one its owner protected: the
    atomic write would replace it all the same (a rename needs only the folder's permission), so
    it is refused, as ``fix -w`` refuses one without ``--force``.
    """
    if output == "-":
        return
    if not os.path.exists(output) or os.path.isfile(output):
        # the atomic write's temporary file, made and removed now: a folder that takes no new file
        # (read-only, immutable, missing and not creatable) is known before the work, not after it
        AtomicWriter(Path(output), None, output).abort()
    if not os.path.exists(output):
        return
    if os.path.isfile(output) and (lock := locked(Path(output))) is not None:
        raise UnspinError(f"{output}: {lock}; nothing was learnt or written (or write the pairs elsewhere with -o)")
    if os.path.isfile(output) and read_only(Path(output)):
        raise UnspinError(f"{output}: read-only file; nothing was learnt or written (make it writable, "
                          "or write the pairs elsewhere with -o)")
    for group in inputs:
        for path in group:
            try:
                same = os.path.samefile(output, path)
            except OSError:
                continue
            if same:
                raise UnspinError(f"{output}: is also an input ({path}); write the pairs elsewhere "
                                  "(-o), nothing was learnt or written")


def _write(output: str, text: str) -> None:
    """``text`` to stdout (``-``) or to the file ``output``, atomically: an interrupted or failed
    write leaves the file as it was (a half-written pair list would load as a shorter table)."""
    if output == "-":
        stdout_bytes(text.encode("utf-8"))
        return
    try:
        mode = os.stat(output).st_mode
    except OSError:
        mode = stat.S_IFREG
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        # a device, a FIFO, /dev/stdout: written to, as `>` would; never replaced by a file
        try:
            with open(output, "wb") as fh:
                fh.write(text.encode("utf-8"))
        except OSError as exc:  # a write error names no file (/dev/full): the message must name it
            raise OSError(exc.errno, exc.strerror, output) from None
        return
    writer = AtomicWriter(Path(output), None, output)
    writer.write(text.encode("utf-8"))
    writer.commit()


def _with_progress(corpus: Corpus, passes: int, label: str = "learning"):
    """``corpus.texts`` as a zero-argument callable, with a progress bar on a terminal."""
    if not sys.stderr.isatty():
        return corpus.texts
    total = corpus.size() * passes
    bar = click.progressbar(length=max(total, 1), label=f"unspin {label}", file=sys.stderr)
    state = {"done": 0}

    def texts():
        bar.__enter__()
        try:
            yield from corpus.texts(progress=bar.update)
        finally:
            state["done"] += 1
            if state["done"] >= passes:
                bar.__exit__(None, None, None)
                click.echo("", err=True)

    return texts


def _to_dictionary(reviewed: str, output: str, tier: str, domain: str, lm: str | None) -> None:
    _check_output(output, [Path(reviewed)] if reviewed != "-" else [])
    text = _read(None if reviewed == "-" else Path(reviewed))
    pairs = read_pairs(text)
    if tier != "auto":
        _write(output, to_dictionary(pairs, domain, tier))
        return
    model = load_context(Path(lm) if lm else None)
    markers = [(g, o) for g, o in pairs if tier_of(model, g) == "marker"]
    words = [(g, o) for g, o in pairs if tier_of(model, g) != "marker"]
    out = Path(output)
    sibling = out.with_name(f"{out.stem}-ambiguous{out.suffix or '.yaml'}")
    if words and output != "-":  # checked before either file is written
        _check_output(str(sibling), [Path(reviewed)] if reviewed != "-" else [])
    _write(output, to_dictionary(markers, domain, "marker"))
    if words:
        if output == "-":
            _write("-", "---\n" + to_dictionary(words, domain, "ambiguous"))
        else:
            _write(str(sibling), to_dictionary(words, domain, "ambiguous"))
            click.echo(f"unspin: {len(markers)} marker entries in {out}, {len(words)} ambiguous in {sibling}",
                       err=True)
