"""Unhappy paths of the fourth sweep: each test fails on the code before its fix (or says it was found fine)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli_helpers import RESTORED, SPUN, unspin
from test_unhappy_paths import LEARN_SPUN


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("unspin: error: ")]


# --- learn: a Markdown or HTML corpus file is read whole, so within a bound ---------------------------

@pytest.mark.parametrize("suffix, what", [(".md", "Markdown"), (".html", "HTML")])
def test_learn_refuses_a_markup_file_over_the_bound_and_learns_from_the_rest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, what: str):
    """``learn`` read a Markdown or HTML corpus file whole with no bound (a 5 GB ``dump.html`` took
    all memory), where fix and check refuse one over ``MARKUP_MAX_BYTES``. Its prose is cut out of
    the markup as a whole document, so it cannot be read in chunks: it is refused under the same
    bound, one error naming the file and the bound and the plain-text way out, exit 2, and the
    pairs of the rest are written."""
    from repair.files import runner

    monkeypatch.setattr(runner, "MARKUP_MAX_BYTES", 4096)
    reads: list[int] = []
    real_open = Path.open

    def spy_open(self, *args, **kwargs):  # every read of the big file: none may be unbounded
        fh = real_open(self, *args, **kwargs)
        if self.name.startswith("big"):
            read = fh.read
            fh.read = lambda n=-1: (reads.append(n), read(n))[1]  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(Path, "open", spy_open)
    (tmp_path / "t.txt").write_text("通过-经由过程\n", encoding="utf-8")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text(LEARN_SPUN, encoding="utf-8")
    big = tmp_path / "c" / f"big{suffix}"
    big.write_text(("<p>" if suffix == ".html" else "") + LEARN_SPUN * 100, encoding="utf-8")
    args = ["--table", "t.txt", "--no-builtin", "--min-count", "1", "--min-docs", "1"]
    alone = unspin(["learn", "c/a.txt", *args], tmp_path)
    assert alone.exit_code == 0 and "经由过程\t通过" in alone.stdout, alone.output
    r = unspin(["learn", "c", *args, "-o", "pairs.tsv"], tmp_path)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == [
        f"unspin: error: c/big{suffix}: {what} file over 4096 bytes, which is read whole; skipped "
        f"(`unspin learn - < FILE` reads it as plain text, markup included)"], r.stderr
    assert (tmp_path / "pairs.tsv").read_text(encoding="utf-8") == alone.stdout
    assert all(0 <= n <= 4097 for n in reads), reads


# --- --ray: an input that is stdout is refused before Ray is started --------------------------------

class _Recorder:
    """A handler that keeps what it is told (only ``skipped`` is reached here)."""

    def __init__(self) -> None:
        self.skips: list[tuple[str, str, bool]] = []

    def skipped(self, name: str, message: str, error: bool) -> None:
        self.skips.append((name, message, error))


@pytest.mark.parametrize("others", [[], ["b.txt"]])
def test_ray_refuses_an_input_that_is_stdout_before_ray_starts(
        repo: Path, monkeypatch: pytest.MonkeyPatch, others: list[str]):
    """``unspin check a.txt --ray >> a.txt``: the local runner's "input file is output file" check
    (runner.run, stdout's device and inode against each input's) was reached on Ray only once Ray
    was started or joined (seconds, a cluster's actors), also when every input was refused. It is
    now made first, by the same function with the same message, and a run left with nothing to do
    starts no Ray. (The refusal itself was never skipped: ray_run ends in runner.run.)"""
    import repair.scale.cluster as cluster
    from repair.files.runner import Options

    (repo / "b.txt").write_text(SPUN + "\n", encoding="utf-8")
    connected: list[str | None] = []
    ran: list[list[str]] = []
    monkeypatch.setattr(cluster, "import_ray", lambda: pytest.fail("Ray imported for nothing"))
    monkeypatch.setattr(cluster, "connect", lambda address: connected.append(address))
    monkeypatch.setattr(cluster.runner, "run", lambda inputs, *a, **k: ran.append([n for n, _ in inputs]))
    if others:
        class Ray:
            def cluster_resources(self) -> dict[str, float]:
                return {"CPU": 1.0}
        monkeypatch.setattr(cluster, "import_ray", Ray)
    handler = _Recorder()
    with open(repo / "a.txt", "a", encoding="utf-8") as out:
        monkeypatch.setattr("sys.stdout", out)
        run = cluster.ray_run(None, None, meter=cluster.Meter(write=lambda s: None, tty=False))
        run([(n, repo / n) for n in ["a.txt", *others]], None, Options(), handler, 1)
    assert handler.skips == [("a.txt", "a.txt: input file is output file (stdout goes to it); skipped, as cat "
                                        "refuses it: what is written would be read back", True)]
    assert connected == ([None] if others else []) and ran == ([others] if others else [])
    assert (repo / "a.txt").read_text(encoding="utf-8") == SPUN + "\n"


# --- JSON Lines: a record nested too deeply to parse --------------------------------------------------

DEEP = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"


def _records(*texts: str) -> str:
    import json

    return "".join((t if t.startswith("{") else json.dumps({"text": t}, ensure_ascii=False)) + "\n" for t in texts)


def test_a_record_nested_too_deeply_is_its_own_error_and_the_others_are_repaired(repo: Path):
    """A record of 100,000 nested arrays (``json.loads`` ends in RecursionError) failed the whole
    chunk it was in: "deep.jsonl:1: cannot be repaired (RecursionError: ...)", naming the chunk's first
    line, and every other record of the chunk was left spun, unreported and unscored. It is now an
    error for its own line, as a record that is not valid JSON is, and the others are
    repaired; the deep record is kept byte for byte."""
    body = _records(SPUN, DEEP, SPUN)
    (repo / "deep.jsonl").write_text(body, encoding="utf-8")
    expected = _records(RESTORED, DEEP, RESTORED)
    r = unspin(["fix", "-w", "--field", "text", "deep.jsonl"], repo)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == ["unspin: error: deep.jsonl:2: cannot be read as JSON (nested too deeply)"]
    assert (repo / "deep.jsonl").read_text(encoding="utf-8") == expected
    (repo / "deep.jsonl").write_text(body, encoding="utf-8")
    r = unspin(["score", "--field", "text", "deep.jsonl"], repo)
    assert r.exit_code == 2 and [line.split(",")[1] for line in r.stdout.splitlines()] == [' "line": 1', ' "line": 3']


def test_learn_reports_a_record_nested_too_deeply_instead_of_a_traceback(tmp_path: Path):
    """``learn --field text`` on such a record ended in a RecursionError traceback, exit 1, no pairs
    written. It is now one error naming the file and line, as a record that is not JSON is, exit 2."""
    (tmp_path / "t.txt").write_text("通过-经由过程\n", encoding="utf-8")
    lines = [line for line in LEARN_SPUN.splitlines()]
    (tmp_path / "c.jsonl").write_text(_records(*lines, DEEP), encoding="utf-8")
    r = unspin(["learn", "--field", "text", "c.jsonl", "--table", "t.txt", "--no-builtin", "--min-count", "1",
                "--min-docs", "1", "-o", "pairs.tsv"], tmp_path)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == ["unspin: error: c.jsonl:3: cannot be read as JSON (nested too deeply)"]
    assert "经由过程\t通过" in (tmp_path / "pairs.tsv").read_text(encoding="utf-8")


def test_learn_goes_on_past_a_record_that_is_not_json_as_check_does(tmp_path: Path):
    """A JSON Lines corpus file with one broken record stopped being read there: learn said
    "c.jsonl:1: not valid JSON" and learnt nothing from the thousands of records after it (0 pairs),
    where check and fix report that record and go on. Now learn goes on too: one error per broken
    record (said once, though the corpus is read twice), the pairs of every other record, exit 2."""
    (tmp_path / "t.txt").write_text("通过-经由过程\n", encoding="utf-8")
    lines = LEARN_SPUN.splitlines()
    (tmp_path / "c.jsonl").write_text('{"text": broken\n' + _records(*lines) + "[1,\n", encoding="utf-8")
    (tmp_path / "ok.jsonl").write_text(_records(*lines), encoding="utf-8")
    args = ["--field", "text", "--table", "t.txt", "--no-builtin", "--min-count", "1", "--min-docs", "1"]
    clean = unspin(["learn", "ok.jsonl", *args], tmp_path)
    assert clean.exit_code == 0 and "经由过程\t通过" in clean.stdout, clean.output
    r = unspin(["learn", "c.jsonl", *args], tmp_path)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == ["unspin: error: c.jsonl:1: not valid JSON (Expecting value at column 10)",
                                     "unspin: error: c.jsonl:4: not valid JSON (Expecting value at column 4)"]
    assert r.stdout == clean.stdout


# --- learn --to-dictionary -: stdin read as the reviewed file is --------------------------------------

REVIEWED = "经由过程\t通过\t3\t4.1\tx\n"


@pytest.mark.parametrize("data", [REVIEWED.encode("gb18030"), REVIEWED.encode("utf-8-sig")], ids=["gb18030", "bom"])
def test_to_dictionary_reads_stdin_in_the_encodings_a_reviewed_file_is_read_in(tmp_path: Path, data: bytes):
    """``learn --to-dictionary -`` read stdin as text with no bound and no decoding of its own: GB18030
    input (which a reviewed *file* may be in) ended in a UnicodeEncodeError traceback. Stdin is now
    read as the file is: UTF-8 (a BOM allowed) or GB18030, the same dictionary either way."""
    (tmp_path / "r.tsv").write_bytes(data)
    from_file = unspin(["learn", "--to-dictionary", "r.tsv", "--tier", "marker"], tmp_path)
    assert from_file.exit_code == 0 and "经由过程: 通过" in from_file.stdout, from_file.output
    r = unspin(["learn", "--to-dictionary", "-", "--tier", "marker"], tmp_path, stdin=data)
    assert r.exit_code == 0, r.output
    assert r.stdout == from_file.stdout


def test_to_dictionary_refuses_stdin_that_is_not_text_and_writes_nothing(tmp_path: Path):
    """Bytes that are neither UTF-8 nor GB18030 on stdin gave a dictionary with no entries, exit 0
    (or a traceback): the reviewed pairs were lost without a word. Now one error, as for a file,
    exit 2, and the output file is not created."""
    data = b"\x81\x20\xff\t\xa0\n"
    (tmp_path / "r.tsv").write_bytes(data)
    from_file = unspin(["learn", "--to-dictionary", "r.tsv", "-o", "d.yaml"], tmp_path)
    assert from_file.exit_code == 2 and error_lines(from_file.stderr) == [
        "unspin: error: r.tsv: neither UTF-8 nor GB18030"], from_file.output
    r = unspin(["learn", "--to-dictionary", "-", "-o", "d.yaml"], tmp_path, stdin=data)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == ["unspin: error: <stdin>: neither UTF-8 nor GB18030"]
    assert not (tmp_path / "d.yaml").exists()


def test_to_dictionary_reads_stdin_within_the_bound_a_reviewed_file_is_read_with(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``learn --to-dictionary - < /dev/zero`` read stdin whole, unbounded, into a MemoryError
    traceback. Stdin is now read within MAX_DATA_BYTES, as a reviewed file is, and refused past it."""
    import repair.cli.commands.learn as learn_command

    monkeypatch.setattr(learn_command, "MAX_DATA_BYTES", 1 << 20)
    r = unspin(["learn", "--to-dictionary", "-", "-o", "d.yaml"], tmp_path, stdin=REVIEWED * 100_000)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == ["unspin: error: <stdin>: larger than 1 MiB, so it is not read "
                                     "(is it the right file?)"]
    assert not (tmp_path / "d.yaml").exists()


def test_learn_says_when_no_record_has_the_field_as_check_does(tmp_path: Path):
    """``learn --field txt`` (a typo) on records that all have ``text`` learnt nothing and said
    "0 pairs", exit 0. It now says what check says: an error when no record of a file has the field,
    exit 2, and a note when some lack it."""
    (tmp_path / "t.txt").write_text("通过-经由过程\n", encoding="utf-8")
    lines = LEARN_SPUN.splitlines()
    (tmp_path / "c.jsonl").write_text(_records(*lines), encoding="utf-8")
    (tmp_path / "d.jsonl").write_text(_records(*lines) + '{"id": 3}\n', encoding="utf-8")
    args = ["--table", "t.txt", "--no-builtin", "--min-count", "1", "--min-docs", "1"]
    r = unspin(["learn", "--field", "txt", "c.jsonl", *args], tmp_path)
    assert r.exit_code == 2, r.output
    assert error_lines(r.stderr) == ["unspin: error: c.jsonl: no record has a text field 'txt' (2 records); "
                                     "check --field"]
    check = unspin(["check", "--field", "txt", "c.jsonl"], tmp_path)
    assert error_lines(check.stderr) == error_lines(r.stderr)
    r = unspin(["learn", "--field", "text", "d.jsonl", *args], tmp_path)
    assert r.exit_code == 0 and "经由过程\t通过" in r.stdout, r.output
    assert "d.jsonl: 1 of 3 records have no text field 'text'" in r.stderr.splitlines()  # as check notes it


# --- file names with a newline, a tab or an escape: exact in the JSON formats ---------------------------

@pytest.mark.parametrize("name, shown, github", [
    ("new\nline.txt", "new\\x0aline.txt", "new%0Aline.txt"), ("tab\tbed.txt", "tab\\x09bed.txt", "tab\tbed.txt"),
    ("esc\x1b[31m.txt", "esc\\x1b[31m.txt", "esc\\x1b[31m.txt"), ("c1\x9b31m.txt", "c1\\x9b31m.txt", "c1\\x9b31m.txt")])
def test_json_formats_carry_a_file_name_exactly_and_on_one_line(repo: Path, name: str, shown: str, github: str):
    """``check --format json``, ``rdjson`` and ``score`` wrote a name holding a newline or a tab as
    ``new\\x0aline.txt``, the text format's display form, so a script or reviewdog reading the
    "path" field looked for a file that does not exist. JSON escapes control characters itself:
    the field is now the exact name (``"new\\nline.txt"``), still one line, with no raw control
    character (C1 ones included, as ``\\u009b``) reaching a terminal. The text and github formats
    keep ``\\xNN``, now for a C1 control too (U+009B is a CSI to a UTF-8 terminal: it reached it raw);
    the github format carries a newline as GitHub's ``%0A`` and a tab as it is, so the annotation
    lands on the file (``\\x09`` named one that does not exist)."""
    import json

    (repo / name).write_text(SPUN + "\n", encoding="utf-8")
    check = unspin(["check", "--format", "json", name], repo)
    score = unspin(["score", name], repo)
    rdjson = unspin(["check", "--format", "rdjson", name], repo)
    assert check.exit_code == 1 and score.exit_code == 0 and rdjson.exit_code == 1
    for out in (check.stdout, score.stdout):
        assert len(out.splitlines()) == len([json.loads(line) for line in out.splitlines()])
        assert {json.loads(line)["path"] for line in out.splitlines()} == {name}
    assert {d["location"]["path"] for d in json.loads(rdjson.stdout)["diagnostics"]} == {name}
    for out in (check.stdout, score.stdout, rdjson.stdout):
        assert not any(ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in out)
    out = unspin(["check", "--format", "text", name], repo).stdout
    assert shown in out.splitlines()[0] and name not in out
    out = unspin(["check", "--format", "github", name], repo).stdout
    assert out.splitlines()[0].startswith(f"::warning file={github},line=")
    assert not any(ord(c) < 0x20 and c not in "\t\n" or 0x7f <= ord(c) <= 0x9f for c in out)


# --- a file name near the 255-byte limit: its temporary file must fit too ----------------------------

@pytest.mark.parametrize("name", ["a" * 251 + ".txt", "长" * 83 + ".txt"], ids=["ascii", "utf8"])
def test_a_file_whose_name_is_near_the_limit_is_written_through_a_shorter_temporary_name(
        repo: Path, name: str):
    """``fix -w`` on a file whose name is 235-255 bytes long failed: its temporary file,
    ``.NAME.XXXXXXXX.unspin-tmp``, is 21 bytes longer, past the file system's 255, and the error
    blamed the folder ("no temporary file can be created in its folder: File name too long").
    ``fix -o`` failed the same way for the copy, and ``learn -o`` for its output. The temporary
    name is now cut to fit (it still starts with a dot and ends in ``.unspin-tmp``, so it is
    never an input), and the file is written; no temporary file is left."""
    assert len(os.fsencode(name)) <= 255
    (repo / name).write_text(SPUN + "\n", encoding="utf-8")
    r = unspin(["fix", "-w", name], repo)
    assert r.exit_code == 0, r.output
    assert (repo / name).read_text(encoding="utf-8") == RESTORED + "\n"
    (repo / name).write_text(SPUN + "\n", encoding="utf-8")
    r = unspin(["fix", "-o", "../out", name], repo)
    assert r.exit_code == 0, r.output
    assert (repo.parent / "out" / name).read_text(encoding="utf-8") == RESTORED + "\n"
    assert (repo / name).read_text(encoding="utf-8") == SPUN + "\n"
    assert not [p for p in [*repo.iterdir(), *(repo.parent / "out").iterdir()] if p.name.endswith(".unspin-tmp")]


def test_learn_writes_an_output_whose_name_is_near_the_limit(repo: Path):
    (repo / "t.txt").write_text("通过-经由过程\n", encoding="utf-8")
    (repo / "c.txt").write_text(LEARN_SPUN, encoding="utf-8")
    out = "p" * 251 + ".tsv"
    r = unspin(["learn", "c.txt", "--table", "t.txt", "--no-builtin", "--min-count", "1", "--min-docs", "1",
                "-o", out], repo)
    assert r.exit_code == 0, r.output
    assert "经由过程\t通过" in (repo / out).read_text(encoding="utf-8")


def test_reviewed_pairs_and_synonyms_are_decoded_as_a_table_is(tmp_path: Path):
    """A reviewed pair list saved by Excel or Notepad as "Unicode" (UTF-16 with a byte-order mark)
    was refused by ``--to-dictionary`` as "neither UTF-8 nor GB18030", though the same file loads as
    a ``--table``; and a file of NUL bytes (a binary file named by mistake) gave an empty
    dictionary, exit 0. Reviewed pairs and ``--synonyms`` are now decoded as a table is: a UTF-16
    or UTF-32 byte-order mark is read, NUL bytes are "a binary file", one error, nothing written."""
    (tmp_path / "r16.tsv").write_bytes(REVIEWED.encode("utf-16"))
    (tmp_path / "r8.tsv").write_text(REVIEWED, encoding="utf-8")
    utf8 = unspin(["learn", "--to-dictionary", "r8.tsv", "--tier", "marker"], tmp_path)
    r = unspin(["learn", "--to-dictionary", "r16.tsv", "--tier", "marker"], tmp_path)
    assert r.exit_code == 0 and r.stdout == utf8.stdout and "经由过程: 通过" in r.stdout, r.output
    (tmp_path / "z.tsv").write_bytes(b"\0" * 100)
    r = unspin(["learn", "--to-dictionary", "z.tsv", "-o", "d.yaml"], tmp_path)
    assert r.exit_code == 2 and error_lines(r.stderr) == ["unspin: error: z.tsv: looks like a binary file, "
                                                          "not a list of pairs or synonyms"], r.output
    assert not (tmp_path / "d.yaml").exists()
    (tmp_path / "syn.txt").write_bytes("通过 经由过程\n".encode("utf-16"))
    (tmp_path / "c.txt").write_text(LEARN_SPUN, encoding="utf-8")
    r = unspin(["learn", "c.txt", "--synonyms", "syn.txt", "--no-builtin", "--min-count", "1", "--min-docs", "1"],
               tmp_path)
    assert r.exit_code == 0 and "经由过程\t通过" in r.stdout, r.output


# --- found fine ------------------------------------------------------------------------------------

def test_odd_json_lines_records_come_back_byte_for_byte(repo: Path):
    """Not a fix (found fine): under ``fix -w --field text``, a BOM before the first record, CRLF
    line ends, a blank CRLF line, duplicate keys (the last one is the value, as json.loads reads
    it, and the one repaired), and records whose field is a number, null, a list, an object, or
    that are a bare string or array, all keep every byte but the repaired words'."""
    import json

    spun, restored = json.dumps(SPUN, ensure_ascii=False), json.dumps(RESTORED, ensure_ascii=False)
    lines = ['{"text": %s}', '{"text": "ok", "text": %s}', '{"text": %s, "text": "ok"}', '{"text": 1.50}',
             '{"text": null}', '{"text": [%s]}', '{"text": {"a": %s}}', "%s", "[%s, 1e400]", ""]
    body = "\ufeff" + "\r\n".join(line.replace("%s", spun) for line in lines) + "\r\n"
    (repo / "r.jsonl").write_text(body, encoding="utf-8", newline="")
    r = unspin(["fix", "-w", "--field", "text", "r.jsonl"], repo)
    assert r.exit_code == 0, r.output
    expected = body.replace('{"text": %s}' % spun, '{"text": %s}' % restored, 1).replace(
        '"ok", "text": %s}' % spun, '"ok", "text": %s}' % restored)
    assert (repo / "r.jsonl").read_bytes() == expected.encode("utf-8")


# --- a symlink named as an input: shown and mirrored under the name given, written through -------

def test_a_symlink_named_as_an_input_keeps_its_name_and_is_written_through(repo: Path):
    """A symlink given on the command line was reported and mirrored under its target's name
    (``fix -o out docs/link.txt`` wrote ``out/outside/real.txt``, ``score docs/link.txt`` printed
    ``outside/real.txt``), where the same link reached in a walk keeps its own: it is the name given
    now, as ruff and codespell show it. ``fix -w`` still writes through the link (the link stays),
    and the link and its target named together are one file, reported once, under the first name."""
    import json

    (repo / "docs").mkdir()
    (repo / "outside").mkdir()
    real = repo / "outside" / "real.txt"
    real.write_text(SPUN + "\n", encoding="utf-8")
    (repo / "docs" / "link.txt").symlink_to("../outside/real.txt")
    r = unspin(["score", "docs/link.txt", "outside/real.txt"], repo)
    assert r.exit_code == 0 and [json.loads(line)["path"] for line in r.stdout.splitlines()] == ["docs/link.txt"]
    r = unspin(["check", "docs/link.txt"], repo)
    assert r.exit_code == 1 and r.stdout.startswith("docs/link.txt:1:"), r.stdout
    r = unspin(["fix", "-o", "out", "docs/link.txt"], repo)
    assert r.exit_code == 0, r.output
    assert (repo / "out" / "docs" / "link.txt").read_text(encoding="utf-8") == RESTORED + "\n"
    assert not (repo / "out" / "outside").exists() and real.read_text(encoding="utf-8") == SPUN + "\n"
    r = unspin(["fix", "-w", "docs/link.txt"], repo)
    assert r.exit_code == 0, r.output
    assert (repo / "docs" / "link.txt").is_symlink() and real.read_text(encoding="utf-8") == RESTORED + "\n"


def test_a_dotdot_after_a_symlinked_folder_is_read_where_the_system_reads_it(repo: Path):
    """``link/../x.txt`` names the ``x.txt`` beside the folder the link leads to, as ``cat`` reads it,
    not the one the path would give with its ``..`` taken off by hand; it is shown as given."""
    import json

    (repo / "real" / "deep").mkdir(parents=True)
    (repo / "real" / "x.txt").write_text(SPUN + "\n", encoding="utf-8")
    (repo / "x.txt").write_text("clean\n", encoding="utf-8")
    (repo / "L").symlink_to("real/deep")
    r = unspin(["score", "L/../x.txt", "x.txt"], repo)
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.exit_code == 0 and [row["path"] for row in rows] == ["L/../x.txt", "x.txt"], r.output
    assert rows[0]["candidates"] > 0 and rows[1]["candidates"] == 0
