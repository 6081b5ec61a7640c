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

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from ..errors import DictionaryError

#: libyaml's loader when PyYAML was built with it (10× faster start-up), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Tiers, from most to least trusted. ``suggest`` entries are reported, never applied.
TIERS = ("phrase", "marker", "ambiguous", "table", "suggest")
BUILTIN_FILES = {"phrases.yaml": "phrase", "marker.yaml": "marker",
                 "ambiguous.yaml": "ambiguous", "suggest.yaml": "suggest"}
GAZETTEER_FILE = "gazetteer.yaml"


@dataclass(frozen=True)
class Entry:
    """One known substitution: ``garbled`` was produced from one of ``originals``."""

    garbled: str
    originals: tuple[str, ...]
    kind: str
    source: str  # "file:line", for explanations and error messages


def _is_han_text(s: str) -> bool:
    """True if ``s`` is non-empty and has no whitespace (dictionary forms are single tokens)."""
    return bool(s) and not any(ch.isspace() for ch in s)


def _scalar(node: yaml.Node, path: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not isinstance(node.value, str) or node.tag.endswith(":null"):
        raise DictionaryError(path, node.start_mark.line + 1, "expected a string")
    value = node.value.strip()
    if not _is_han_text(value):
        raise DictionaryError(path, node.start_mark.line + 1, f"{value!r} is empty or contains spaces")
    return value


def _mapping_pairs(node: yaml.Node, path: str, what: str) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """Pairs of a YAML mapping, refusing duplicate keys (``safe_load`` would keep the last silently)."""
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


def _compose(path: Path, text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DictionaryError(str(path), line, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DictionaryError(str(path), None, f"not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise DictionaryError(str(path), None, exc.strerror or str(exc)) from None


def parse_dictionary(text: str, path: str, default_tier: str) -> list[Entry]:
    """Entries of one dictionary file; raises :class:`DictionaryError` on any defect."""
    root = _compose(Path(path), text)
    if root is None:
        return []
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


def parse_gazetteer(text: str, path: str) -> list[str]:
    """Canonical phrases: a mapping of domain → list of phrases."""
    root = _compose(Path(path), text)
    if root is None:
        return []
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


def all_forms(entries: Iterable[Entry]) -> set[str]:
    """Every garbled and original form; the context statistics are built for these words."""
    forms: set[str] = set()
    for e in entries:
        forms.add(e.garbled)
        forms.update(e.originals)
    return forms
