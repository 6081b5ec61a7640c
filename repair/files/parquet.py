"""Parquet shards: one text column repaired, every other column and the schema kept.

Data teams keep corpora in Parquet, one document per row. ``--field`` names
the text column (default ``text``); every other column, the schema (with its
metadata), the row order and the row groups are written back as they were,
and only the values of the text column change.

Inside the runner a Parquet input is cut into jobs of rows like a JSON Lines
file: a job's text is one JSON string (or ``null``) per row, so jobs stay
small picklable strings that worker processes and Ray actors handle alike,
and a diff shows one changed row per line, numbered by row (from 1).
Writing (``fix -w`` / ``-o``) spools those rows to a temporary file and
rewrites the shard row group by row group through an atomic write, so memory
stays bounded by one row group whatever the shard's size.

pyarrow is optional (``pip install 'unspin[parquet]'``) and imported only
when a Parquet file is actually read or written.
"""
from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from ..engine.changes import apply_changes
from ..errors import InputError, UnspinError
from .atomic import AtomicWriter, Snapshot
from .documents import Engine, Finding, Job, Outcome, Score, utf8_offsets
from .ignores import drop_ignored
from .runner import Options, Source
from .textio import CHUNK_CHARS, Encoding

SUFFIXES = (".parquet", ".pq")
#: The text column when ``--field`` is not given (the name data-juicer and most corpora use).
DEFAULT_COLUMN = "text"
#: At most this many rows (and about CHUNK_CHARS characters) per job.
ROWS_PER_JOB = 1024
INSTALL_HINT = "pip install 'unspin[parquet]'"


def pyarrow_modules(hint: str = INSTALL_HINT) -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``, or an error saying how to install them."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise UnspinError(f"Parquet files need pyarrow, which is not installed: {hint}") from None
    return pyarrow, pyarrow.parquet


def is_parquet(name: str | Path) -> bool:
    """Whether ``name`` is a Parquet file by its suffix."""
    return Path(name).suffix.lower() in SUFFIXES


def column_of(options: Options) -> str:
    """The text column: ``--field``, else ``text``."""
    return options.field or DEFAULT_COLUMN


@dataclass(frozen=True)
class ParquetSource(Source):
    """A Parquet shard and the column to repair."""

    column: str = DEFAULT_COLUMN


def _is_text(pa: Any, kind: Any) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or str(kind) == "string_view"


def _open(path: Path, name: str) -> Any:
    pa, pq = pyarrow_modules()
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{name}: not a readable Parquet file ({exc})") from None


def open_parquet(name: str, path: Path, options: Options) -> ParquetSource:
    """Check the shard opens and has a text column named ``--field`` (default ``text``)."""
    pa, _ = pyarrow_modules()
    column = column_of(options)
    schema = _open(path, name).schema_arrow
    if column not in schema.names:
        raise InputError(f"{name}: no column {column!r} (columns: {', '.join(schema.names)}); "
                         "name the text column with --field")
    kind = schema.field(column).type
    if not _is_text(pa, kind):
        raise InputError(f"{name}: column {column!r} holds {kind}, not text")
    return ParquetSource(name, path, "parquet", Encoding("utf-8"), Snapshot.of(path), column=column)


def encode_rows(values: list[str | None]) -> str:
    """One JSON string (or ``null``) per row, each ending in a newline."""
    return "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in values)


def decode_rows(text: str) -> list[str | None]:
    """The values :func:`encode_rows` wrote (JSON escapes every newline inside a value)."""
    return [json.loads(line) for line in text.split("\n") if line]


def jobs(src: ParquetSource, options: Options) -> Iterator[Job]:
    """The column cut into jobs of rows; ``Job.line`` is the first row's number (from 1)."""
    assert src.path is not None
    shard = _open(src.path, src.name)
    first, rows, chars = 1, [], 0

    def job() -> Job:
        return Job("parquet", encode_rows(rows), src.name, first, field=src.column, want_score=options.want_score)

    for batch in shard.iter_batches(batch_size=ROWS_PER_JOB, columns=[src.column]):
        for value in batch.column(0).to_pylist():
            rows.append(value)
            chars += len(value or "")
            if len(rows) >= ROWS_PER_JOB or chars >= CHUNK_CHARS:
                yield job()
                first, rows, chars = first + len(rows), [], 0
    if rows:
        yield job()


def repair_text(engine: Engine, text: str) -> tuple[str, list]:
    """One document: the repaired text and the changes applied (its score, for ``unspin score``, is
    ``Engine.score``'s, no change decided).

    The same steps as a JSON Lines record (``unspin: ignore`` markers honoured),
    so every route — files, Parquet, Ray — gives the same document.
    """
    changes, _ = engine.analyse(text, score=False)
    changes = drop_ignored(text, changes)
    return (apply_changes(text, changes) if changes else text), changes


def run_rows(engine: Engine, job: Job) -> Outcome:
    """Repair, locate (row, column in characters) and score each row of a Parquet job."""
    out, outcome = [], Outcome("")
    for row, value in enumerate(decode_rows(job.text), start=job.line):
        if not isinstance(value, str):
            out.append(value)
            continue
        if job.want_score:  # ``unspin score``: the score alone, as for a file (Engine.decide)
            out.append(value)
            score = engine.score(value)
            outcome.scores.append(Score(score.score, score.candidates, row))
            continue
        fixed, changes = repair_text(engine, value)
        out.append(fixed)
        for ch, at in zip(changes, utf8_offsets(value, changes)):
            outcome.findings.append(Finding(row, ch.start + 1, at + 1, ch))
    outcome.fixed = encode_rows(out)
    return outcome


# --- writing --------------------------------------------------------------

class ParquetRewriter:
    """Takes the repaired rows like an :class:`AtomicWriter` and rewrites the shard on :meth:`commit`.

    ``file`` receives the rows as :func:`encode_rows` text (UTF-8 bytes); they
    are spooled to a temporary file, and :meth:`commit` writes ``target``
    atomically: the source shard row group by row group with the text column
    replaced, same schema (and metadata), same compression.
    """

    def __init__(self, source: Path, name: str, column: str, target: Path, expect: Snapshot | None = None,
                 replace_links: bool = False) -> None:
        self.source, self.name, self.column = source, name, column
        self.target, self.expect, self.replace_links = target, expect, replace_links
        self.file = tempfile.TemporaryFile()

    def commit(self) -> None:
        pa, pq = pyarrow_modules()
        shard = _open(self.source, self.name)
        schema = shard.schema_arrow
        index = schema.get_field_index(self.column)
        self.file.seek(0)
        rows = io.TextIOWrapper(self.file, encoding="utf-8", newline="\n")
        writer = AtomicWriter(self.target, self.expect, replace_links=self.replace_links)
        try:
            with pq.ParquetWriter(writer.file, schema, compression=_compression(shard)) as out:
                for group in range(shard.num_row_groups):
                    table = shard.read_row_group(group)
                    values = [json.loads(rows.readline()) for _ in range(table.num_rows)]
                    column = pa.array(values, type=pa.string()).cast(schema.field(index).type)
                    out.write_table(table.set_column(index, schema.field(index), column),
                                    row_group_size=max(1, table.num_rows))
            if rows.readline():
                raise InputError(f"{self.name}: changed on disk during the run; not overwritten")
        except (pa.ArrowException, ValueError) as exc:
            writer.abort()
            raise InputError(f"{self.name}: cannot be rewritten ({exc}); left as it was") from None
        except BaseException:
            writer.abort()
            raise
        finally:
            rows.close()
        writer.commit()

    def abort(self) -> None:
        self.file.close()


def _compression(shard: Any) -> Any:
    """The shard's codec per column (from its first row group), else snappy."""
    meta = shard.metadata
    if meta.num_row_groups == 0:
        return "snappy"
    group = meta.row_group(0)
    codecs = {}
    for i in range(group.num_columns):
        codec = group.column(i).compression.lower()
        codecs[group.column(i).path_in_schema] = "none" if codec == "uncompressed" else codec
    return codecs or "snappy"


def writer_for(src: Source) -> Callable[..., Any]:
    """What ``fix`` writes a source through: a :class:`ParquetRewriter` for a shard, else an AtomicWriter."""
    if isinstance(src, ParquetSource) and src.path is not None:
        path, name, column = src.path, src.name, src.column
        return lambda target, expect=None, replace_links=False: ParquetRewriter(path, name, column, target, expect,
                                                                                replace_links)
    return AtomicWriter
