"""Project configuration files: ``.unspin.yaml`` or ``[tool.unspin]`` in ``pyproject.toml``.

The nearest one found walking up from the working directory wins (as with
ruff or black), so a content repository can pin its threshold and protected
words for every contributor and for its pre-commit hook. Paths in it are
relative to the file itself, so the hook works from any sub-directory.
Mistakes are reported with the file and key and never half-applied: a typo'd
key that was silently ignored would leave a repository unprotected.
"""
from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..engine.config import Config
from ..engine.dictionary import refuse_unsafe_yaml
from ..errors import UnspinError
from ..reading import MAX_CONFIG_BYTES, TooLarge, read_bounded
from .links import broken_link

if TYPE_CHECKING:
    import yaml

YAML_NAME = ".unspin.yaml"
PYPROJECT_NAME = "pyproject.toml"


@dataclass(frozen=True)
class Settings:
    """A config file's engine settings (as one :class:`Config`) and its file-walking settings."""

    config: Config = Config()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    min_confidence: float | None = None
    source: Path | None = None


class ConfigFileError(UnspinError):
    """A config file that cannot be used; the message names the file and key."""


def _strings(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigFileError(f"{where}: expected a list of strings, got {value!r}")
    return tuple(value)


def _bool(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigFileError(f"{where}: expected true or false, got {value!r}")
    return value


def _unit_float(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ConfigFileError(f"{where}: expected a number between 0 and 1, got {value!r}")
    return float(value)


#: Every accepted key and the check that turns its raw value into a Python value.
_KEYS: dict[str, Callable[[str, Any], Any]] = {
    "dictionaries": _strings,
    "tables": _strings,
    "threshold": _unit_float,
    "include": _strings,
    "exclude": _strings,
    "protected": _strings,
    "min_confidence": _unit_float,
    "builtin": _bool,
}


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest config file at or above ``start`` and its raw ``unspin`` table.

    In one directory ``.unspin.yaml`` is preferred; a ``pyproject.toml``
    without ``[tool.unspin]`` does not count and the search goes on upwards.
    """
    for directory in (start, *start.parents):
        yaml_path = directory / YAML_NAME
        if _config_file_here(yaml_path):
            return yaml_path, _read_yaml(yaml_path)
        toml_path = directory / PYPROJECT_NAME
        if _config_file_here(toml_path):
            table = _read_pyproject(toml_path)
            if table is not None:
                return toml_path, table
    return None


def _config_file_here(path: Path) -> bool:
    """Whether ``path`` is a config file to read; raise if the name is taken by something unreadable.

    A directory, a dangling link or a link loop under the config file's name is a
    mistake the user must hear about: skipping it would run with the defaults, so a
    repository's protected words or threshold would silently stop applying.
    """
    if not os.path.lexists(path):
        return False
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigFileError(f"{path}: {broken_link(path) or f'cannot be read ({exc.strerror or exc})'}") from None
    if stat.S_ISDIR(mode):
        raise ConfigFileError(f"{path}: is a directory, not a config file")
    if not stat.S_ISREG(mode):
        raise ConfigFileError(f"{path}: not a regular file, so it is not read")
    return True


def _read_text(path: Path) -> str:
    """A config file's text, read within ``MAX_CONFIG_BYTES``; a UTF-8 BOM (Windows editors) is
    accepted in either file (tomllib would call it an invalid statement). Any failure is a
    :class:`ConfigFileError` naming the file."""
    try:
        return read_bounded(path, MAX_CONFIG_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigFileError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except TooLarge as exc:
        raise ConfigFileError(f"{path}: {exc}") from None


def _config_error(path: str, line: int | None, message: str) -> ConfigFileError:
    return ConfigFileError(f"{path}:{line}: {message}" if line is not None else f"{path}: {message}")


def _read_yaml(path: Path) -> dict[str, Any]:
    """The settings of a ``.unspin.yaml``: plain data only, every key once.

    Anchors, aliases and tags are refused before anything is built (an alias bomb of a
    few hundred bytes would otherwise expand to gigabytes), and a key given twice is an
    error rather than last-wins; both name the file and line.
    """
    text = _read_text(path)
    refuse_unsafe_yaml(text, str(path), _config_error)
    import yaml  # noqa: PLC0415 - only a project with a .unspin.yaml pays for PyYAML's import

    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:  # pragma: no cover - refuse_unsafe_yaml has parsed it already
        raise ConfigFileError(f"{path}: not valid YAML: {exc}") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise _config_error(str(path), root.start_mark.line + 1, "expected a mapping of settings at the top level")
    _refuse_duplicates(root, str(path))
    try:
        data = yaml.constructor.SafeConstructor().construct_document(root)
    except yaml.constructor.ConstructorError as exc:  # a list or mapping as a key: `[a]: 1`
        mark = exc.problem_mark or exc.context_mark
        raise _config_error(str(path), mark.line + 1 if mark is not None else None,
                            f"not valid settings: {exc.problem or exc}") from None
    return data if isinstance(data, dict) else {}


def _refuse_duplicates(node: yaml.Node, path: str) -> None:
    """Raise at the second occurrence of a key in any mapping under ``node``."""
    import yaml  # noqa: PLC0415

    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in n.value:
                k = key.value if isinstance(key, yaml.ScalarNode) else None
                if k is not None and k in seen:
                    raise _config_error(path, key.start_mark.line + 1,
                                        f"duplicate key {k!r} (first on line {seen[k]})")
                if k is not None:
                    seen[k] = key.start_mark.line + 1
                todo.append(value)
        elif isinstance(n, yaml.SequenceNode):
            todo.extend(n.value)


def _read_pyproject(path: Path) -> dict[str, Any] | None:
    """The ``[tool.unspin]`` table of a pyproject.toml, None without one.

    The TOML parser is imported here: the filter looks for a config file at every start, and
    outside a Python project there is none to parse.
    """
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415
    else:  # pragma: no cover - exercised on old interpreters only
        import tomli as tomllib  # noqa: PLC0415
    try:
        data = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        raise _config_error(str(path), int(m.group(1)) if m else None, f"not valid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("unspin") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigFileError(f"{path}: [tool.unspin] must be a table")
    return table


def parse_settings(path: Path, raw: dict[str, Any]) -> Settings:
    """Validate every key of ``raw`` (read from ``path``) and build the Settings."""
    section = "[tool.unspin]" if path.name == PYPROJECT_NAME else ""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{path}: {section}{'.' if section else ''}{key}"
        if key not in _KEYS:
            raise ConfigFileError(f"{where}: unknown key (known keys: {', '.join(sorted(_KEYS))})")
        values[key] = _KEYS[key](where, value)
    base = path.parent
    engine: dict[str, Any] = {}
    for key in ("dictionaries", "tables"):
        if key in values:
            engine[key] = tuple(_named_file(f"{path}: {section}{'.' if section else ''}{key}", base, p)
                                for p in values[key])
    if "threshold" in values:
        engine["threshold"] = values["threshold"]
    if "protected" in values:
        engine["protected"] = values["protected"]
    if "builtin" in values:
        engine["builtin"] = values["builtin"]
    return Settings(
        config=Config().with_options(**engine),
        include=values.get("include", ()),
        exclude=values.get("exclude", ()),
        min_confidence=values.get("min_confidence"),
        source=path,
    )


def _named_file(where: str, base: Path, name: str) -> Path:
    """``name`` (relative to the config file's folder ``base``) as a path, or a :class:`ConfigFileError`
    naming the config file and key if it is not a file: the engine's own error would give the path
    alone, and the user would not know which file named it, nor that it is read from there."""
    full = base / name
    if os.path.exists(full) and not full.is_dir():
        if stat.S_ISREG(os.stat(full).st_mode):  # a FIFO is not opened here: that would wait for a writer
            try:
                open(full, "rb").close()  # noqa: SIM115 - only whether it opens
            except OSError as exc:  # permissions: the loader's error would name the path alone
                raise ConfigFileError(f"{where}: {name}: cannot be read ({exc.strerror or exc})") from None
        return full  # a file, a FIFO (read as a table is, within its wait): the loader reports the rest
    why = broken_link(full) or ("a folder, not a file" if full.is_dir() else
                                f"no such file ({full}; paths are relative to the config file)")
    raise ConfigFileError(f"{where}: {name}: {why}")


def current_folder() -> Path:
    """The working folder, or an :class:`UnspinError` when it was removed under the shell (a
    folder deleted by a checkout or a clean-up), where ``Path.cwd()`` ended in a traceback."""
    try:
        return Path.cwd()
    except FileNotFoundError:
        raise UnspinError("the current folder no longer exists (it was deleted or moved after the shell "
                          "entered it); cd to a folder that exists") from None


def load_settings(start: Path) -> Settings:
    """Settings from the nearest config file above ``start``, or the defaults."""
    found = find_config_file(start.resolve())
    return parse_settings(*found) if found else Settings()
