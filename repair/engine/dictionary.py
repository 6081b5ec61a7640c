"""Loading and validating unspin's dictionaries of known garbled forms.

Dictionaries are plain YAML data (see ``dictionaries/README.md``): a mapping of
domain → mapping of garbled form → original (or a list of originals, first
is the default). The tier of an entry comes from its file, as codespell's
``clear``/``rare`` files do: ``marker.yaml``, ``ambiguous.yaml``,
``suggest.yaml``, ``phrases.yaml``. A user dictionary may say ``tier: NAME``
at the top; otherwise its entries are ``ambiguous`` (need context evidence).

Every problem is reported as ``file:line: message`` because a dictionary
with a silent mistake rewrites text wrongly at scale.
"""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from pathlib import Path
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple

from ..errors import DictionaryError
from ..reading import MAX_DATA_BYTES, TooLarge, read_bounded

if TYPE_CHECKING:
    import yaml
#: Tiers, from most to least trusted. ``suggest`` entries are applied only when sure (ModelParams.suggest_threshold).
TIERS = ("phrase", "marker", "ambiguous", "table", "suggest")
BUILTIN_FILES = {"phrases.yaml": "phrase", "marker.yaml": "marker",
                 "ambiguous.yaml": "ambiguous", "suggest.yaml": "suggest"}
GAZETTEER_FILE = "gazetteer.yaml"
#: modern words whose formal particle character is no particle (see ``load_register_words``)
REGISTER_FILE = "register.txt"


class Entry(NamedTuple):
    """One known substitution: ``garbled`` was produced from one of ``originals``.

    A named tuple, not a dataclass: a spinner's table holds tens of thousands
    of pairs, and a tuple is made in half the time and takes less memory.
    """

    garbled: str
    originals: tuple[str, ...]
    kind: str
    source: str  # "file:line", for explanations and error messages
    #: a table pair fitted at the dictionaries' spin rate, because its table holds most of their
    #: pairs and so describes the same spinner (see ``sources.assign``)
    shared: bool = False


@lru_cache(maxsize=1)
def _yaml() -> ModuleType:
    """PyYAML, imported on first need: the shipped files are read by the fast path below,
    and a filter in a pipeline pays its start-up on every call."""
    import yaml  # noqa: PLC0415

    return yaml


def _loader() -> Any:
    """libyaml's loader when PyYAML was built with it (10× faster), else the pure-Python one."""
    yaml = _yaml()
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _is_han_text(s: str) -> bool:
    """True if ``s`` is non-empty and has no whitespace (dictionary forms are single tokens)."""
    return bool(s) and not any(ch.isspace() for ch in s)


def _scalar(node: yaml.Node, path: str) -> str:
    yaml = _yaml()
    if not isinstance(node, yaml.ScalarNode) or not isinstance(node.value, str) or node.tag.endswith(":null"):
        raise DictionaryError(path, node.start_mark.line + 1, "expected a string")
    value = node.value.strip()
    if not _is_han_text(value):
        raise DictionaryError(path, node.start_mark.line + 1, f"{value!r} is empty or contains spaces")
    return value


def _mapping_pairs(node: yaml.Node, path: str, what: str) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """Pairs of a YAML mapping, refusing duplicate keys (``safe_load`` would keep the last silently)."""
    yaml = _yaml()
    if not isinstance(node, yaml.MappingNode):
        raise DictionaryError(path, node.start_mark.line + 1, f"{what} must be a mapping")
    seen: dict[str, int] = {}
    for key, value in node.value:
        k = key.value if isinstance(key, yaml.ScalarNode) else None
        if k in seen:
            raise DictionaryError(path, key.start_mark.line + 1,
                                  f"duplicate key {k!r} (first on line {seen[k]})")
        if k is not None:
            seen[k] = key.start_mark.line + 1
        yield key, value


#: The only explicit tag accepted: ``!!str`` (quoting by tag) changes nothing a plain string would not.
_STR_TAG = "tag:yaml.org,2002:str"


def refuse_unsafe_yaml(text: str, path: str, error: Callable[[str, int | None, str], Exception]) -> None:
    """Raise ``error(path, line, message)`` at the first anchor, alias or tag in ``text``.

    Aliases let a few kilobytes expand into millions of values (an alias bomb), and tags
    such as ``!!binary`` or ``!!python/…`` turn data into something else: unspin's files are
    plain data, so both are refused before anything is built. One pass over libyaml's
    events, which never expands an alias. Syntax errors are reported too.
    """
    yaml = _yaml()
    try:
        for event in yaml.parse(text, Loader=_loader()):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent):
                raise error(path, line, f"YAML aliases (*{event.anchor}) are not allowed; write the values out")
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                raise error(path, line, f"YAML anchors (&{anchor}) are not allowed; write the values out")
            tag = getattr(event, "tag", None)
            if tag is not None and tag != _STR_TAG and not isinstance(event, yaml.DocumentStartEvent):
                shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
                raise error(path, line, f"YAML tag {shown} is not allowed; plain strings only")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise error(path, line, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


def _compose(path: Path, text: str) -> yaml.Node | None:
    yaml = _yaml()
    refuse_unsafe_yaml(text, str(path), DictionaryError)
    try:
        return yaml.compose(text, Loader=_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DictionaryError(str(path), line, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None


# --- fast path ---------------------------------------------------------------
# A million-entry dictionary through yaml.compose costs tens of seconds and a gigabyte
# (three node objects and two marks per entry). Files written in the usual shape
#     domain:
#       garbled: original            # or [original, alternative]
# are read line by line instead. The fast grammar admits only what YAML reads the same
# way: words of non-ASCII, non-space characters (no YAML indicator is among them), ASCII
# identifiers that YAML 1.1 would not resolve to a bool or null, comments, blank lines.
# Any other line sends the whole file down the YAML path above, which gives the same
# entries or the same error.

_WORD = r"[^\x00-\xa0\s\x85\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]+"
_IDENT = r"[A-Za-z_][A-Za-z0-9_-]*"
_TAIL = r"[ \t]*(?:(?<=[ \t])#.*)?$"
_TOP_LINE = re.compile(rf"({_IDENT}|{_WORD}):(?:[ \t]+({_IDENT}|{_WORD}))?{_TAIL}")
_ENTRY_LINE = re.compile(rf"( +)({_WORD}):[ \t]+(?:({_WORD})|\[[ \t]*({_WORD}(?:[ \t]*,[ \t]*{_WORD})*)[ \t]*\]){_TAIL}")
_SKIP_LINE = re.compile(r"[ \t]*(?:#.*)?$")
_LIST_SEP = re.compile(r"[ \t]*,[ \t]*")
#: YAML 1.1 reads these plain words as booleans or null, not strings.
_YAML_WORDS = {"y", "yes", "n", "no", "true", "false", "on", "off", "null"}
#: Characters YAML refuses anywhere in a stream (its reader's check) or reads as line breaks: every
#: character but TAB, LF, \x20-\x7E, \xA0-\uD7FF, \uE000-\uFFFD and \U00010000-\U0010FFFF, and
#: \u2028, \u2029, \ufeff. Written as the few ranges refused, not the many accepted: ``re`` sets a
#: flag per character of a range when it compiles a class, and the accepted ranges cost every
#: start of unspin a few milliseconds.
_NOT_FAST = re.compile("[\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]")


class _Slow(Exception):
    """The file is outside the fast grammar: read it with the YAML parser."""


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based number, line without its end) without building a list of every line."""
    pos, number, n = 0, 0, len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        number += 1
        yield number, text[pos:end]
        pos = end + 1


def _parse_fast(text: str, path: str, default_tier: str) -> list[Entry]:
    """Entries of a dictionary in the usual line shape; raises :class:`_Slow` on anything else."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if _NOT_FAST.search(text):
        raise _Slow
    name_of_file = Path(path).name
    tier = default_tier
    entries: list[Entry] = []
    top_seen: dict[str, int] = {}
    seen: dict[str, int] = {}
    indent: str | None = None
    domain_open = False  # a domain key was read and still has no entry
    in_domain = False
    for number, line in _lines(text):
        if _SKIP_LINE.match(line):
            continue
        if line[0] != " ":
            if domain_open:
                raise _Slow  # an empty domain: YAML reads null, which the slow path reports
            m = _TOP_LINE.match(line)
            if m is None:
                raise _Slow
            key, value = m.group(1), m.group(2)
            if key.lower() in _YAML_WORDS or (value is not None and value.lower() in _YAML_WORDS):
                raise _Slow
            if key in top_seen:
                raise DictionaryError(path, number, f"duplicate key {key!r} (first on line {top_seen[key]})")
            top_seen[key] = number
            if key == "tier":
                if value is None:
                    raise _Slow
                if value not in TIERS:
                    raise DictionaryError(path, number, f"unknown tier {value!r} (one of {', '.join(TIERS)})")
                tier = value
                in_domain = False
                continue
            if value is not None:
                raise _Slow  # a domain must be a mapping: the slow path says so with its line
            seen, indent, domain_open, in_domain = {}, None, True, True
            continue
        m = _ENTRY_LINE.match(line)
        if m is None or not in_domain or (indent is not None and m.group(1) != indent):
            raise _Slow
        indent, domain_open = m.group(1), False
        garbled = m.group(2)
        if garbled in seen:
            raise DictionaryError(path, number, f"duplicate key {garbled!r} (first on line {seen[garbled]})")
        seen[garbled] = number
        originals = (m.group(3),) if m.group(3) is not None else tuple(_LIST_SEP.split(m.group(4)))
        if garbled in originals:
            raise DictionaryError(path, number, f"{garbled!r} maps to itself")
        entries.append(Entry(garbled, originals, tier, f"{name_of_file}:{number}"))
    if domain_open:
        raise _Slow
    return [Entry(e.garbled, e.originals, tier, e.source) for e in entries] if tier != default_tier else entries


def _read_text(path: Path) -> str:
    try:
        return read_bounded(path, MAX_DATA_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DictionaryError(str(path), None, f"not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise DictionaryError(str(path), None, exc.strerror or str(exc)) from None
    except TooLarge as exc:
        raise DictionaryError(str(path), None, str(exc)) from None


@contextmanager
def no_collection() -> Iterator[None]:
    """The cyclic garbage collector off while a lexicon is built: tens of thousands of new tuples
    (entries, automaton values) would trigger full collections over all of them, and over
    everything else a long-lived process holds, again and again. They form no cycles."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse_dictionary(text: str, path: str, default_tier: str) -> list[Entry]:
    """Entries of one dictionary file; raises :class:`DictionaryError` on any defect."""
    try:
        with no_collection():
            return _parse_fast(text, path, default_tier)
    except _Slow:
        pass
    root = _compose(Path(path), text)
    if root is None:
        return []
    yaml = _yaml()
    tier = default_tier
    name_of_file = Path(path).name
    entries: list[Entry] = []
    for key, value in _mapping_pairs(root, path, "the top level"):
        name = _scalar(key, path)
        if name == "tier":
            tier = _scalar(value, path)
            if tier not in TIERS:
                raise DictionaryError(path, value.start_mark.line + 1,
                                      f"unknown tier {tier!r} (one of {', '.join(TIERS)})")
            continue
        for gkey, gval in _mapping_pairs(value, path, f"domain {name!r}"):
            garbled = _scalar(gkey, path)
            if isinstance(gval, yaml.SequenceNode):
                originals = tuple(_scalar(v, path) for v in gval.value)
                if not originals:
                    raise DictionaryError(path, gval.start_mark.line + 1, f"{garbled!r} has an empty list")
            else:
                originals = (_scalar(gval, path),)
            if garbled in originals:
                raise DictionaryError(path, gkey.start_mark.line + 1, f"{garbled!r} maps to itself")
            entries.append(Entry(garbled, originals, tier, f"{name_of_file}:{gkey.start_mark.line + 1}"))
    # the tier line may come after entries; apply it to all of them
    return [Entry(e.garbled, e.originals, tier, e.source) for e in entries] if tier != default_tier else entries


def load_dictionary(path: Path, default_tier: str = "ambiguous") -> list[Entry]:
    """Entries of a dictionary file on disk."""
    return parse_dictionary(_read_text(path), str(path), default_tier)


_DOMAIN_LINE = re.compile(rf"({_IDENT}):{_TAIL}")
_ITEM_LINE = re.compile(rf"( *)- +({_WORD}){_TAIL}")


def _gazetteer_fast(text: str) -> list[str]:
    """Phrases of a gazetteer in the usual shape (``domain:`` lines, ``  - phrase`` items);
    raises :class:`_Slow` on anything else, as :func:`_parse_fast` does."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if _NOT_FAST.search(text):
        raise _Slow
    phrases: list[str] = []
    domains: set[str] = set()
    indent: str | None = None
    open_domain = False  # a domain read with no item yet: YAML reads null, the slow path reports it
    for _, line in _lines(text):
        if _SKIP_LINE.match(line):
            continue
        top = _DOMAIN_LINE.match(line)
        if top is not None:
            if open_domain or top.group(1) in domains or top.group(1).lower() in _YAML_WORDS:
                raise _Slow
            domains.add(top.group(1))
            open_domain, indent = True, None
            continue
        item = _ITEM_LINE.match(line)
        if item is None or not domains or (indent is not None and item.group(1) != indent):
            raise _Slow
        indent, open_domain = item.group(1), False
        phrases.append(item.group(2))
    if open_domain:
        raise _Slow
    return phrases


def parse_gazetteer(text: str, path: str) -> list[str]:
    """Canonical phrases: a mapping of domain → list of phrases."""
    try:
        return _gazetteer_fast(text)
    except _Slow:
        return _gazetteer_yaml(text, path)


def _gazetteer_yaml(text: str, path: str) -> list[str]:
    """:func:`parse_gazetteer` through the YAML parser: any shape YAML reads, every error named."""
    root = _compose(Path(path), text)
    if root is None:
        return []
    yaml = _yaml()
    phrases: list[str] = []
    for key, value in _mapping_pairs(root, path, "the top level"):
        if not isinstance(value, yaml.SequenceNode):
            raise DictionaryError(path, value.start_mark.line + 1,
                                  f"domain {key.value!r} must be a list of phrases")
        phrases.extend(_scalar(v, path) for v in value.value)
    return phrases


def builtin_dir() -> Path:
    """Folder of the shipped dictionaries.

    Installed, ``dictionaries/`` lands inside the package (``repair/dictionaries``,
    see pyproject.toml); in a source checkout or an editable install it is the
    ``dictionaries/`` beside ``repair/``.
    """
    here = Path(__file__).resolve().parent.parent  # repair/
    installed = here / "dictionaries"
    return installed if installed.is_dir() else here.parent / "dictionaries"


def load_builtin() -> tuple[list[Entry], list[str]]:
    """Entries of every shipped tier file, and the gazetteer of canonical phrases."""
    base = builtin_dir()
    entries: list[Entry] = []
    for name, tier in BUILTIN_FILES.items():
        p = base / name
        if p.exists():
            entries.extend(parse_dictionary(_read_text(p), str(p), tier))
    gz = base / GAZETTEER_FILE
    phrases = parse_gazetteer(_read_text(gz), str(gz)) if gz.exists() else []
    return entries, phrases


@lru_cache(maxsize=1)
def load_register_words() -> tuple[str, ...]:
    """The shipped modern words in which a character of ``ModelParams.formal_chars`` is no
    particle (维吾尔, 几乎, 似乎 …), one a line of ``register.txt``; ``#`` starts a comment.

    The register test does not count the character inside them (see
    :class:`repair.engine.spinrate.Particles`). Read once per process; none if the file is absent.
    """
    p = builtin_dir() / REGISTER_FILE
    if not p.exists():
        return ()
    return tuple(w for w in (line.split("#", 1)[0].strip() for line in _read_text(p).splitlines()) if w)
