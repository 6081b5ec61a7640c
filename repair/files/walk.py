"""Which files a command works on: walking folders, ignore files, include/exclude globs.

Folders are walked recursively, honouring ``.gitignore`` and ``.unspinignore``
files from the repository root (or the folder given) down, with gitignore
semantics (the deepest, last matching pattern wins, ``!`` re-includes), so
``unspin fix .`` in a content repository never touches build output or
vendored files. A file named explicitly on the command line skips the
``.gitignore`` rules (you asked for it, as black does) but still honours
``.unspinignore`` and ``--exclude``, because pre-commit passes every staged
file by name and those two are how a repository opts files out of unspin.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    import pathspec


IGNORE_FILES = (".gitignore", ".unspinignore")
ALWAYS_SKIPPED = {".git", ".hg", ".svn"}


@dataclass(frozen=True)
class Target:
    """A file to process: where it is, and the relative path used to show and mirror it."""

    path: Path
    rel: Path


def _spec(lines: Iterable[str]) -> "pathspec.PathSpec":
    import pathspec  # imported on first use: it costs ~25 ms, and the stdin filter never needs it

    return pathspec.GitIgnoreSpec.from_lines(list(lines))


def _repo_root(path: Path) -> Path | None:
    for directory in (path, *path.parents):
        if (directory / ".git").exists():
            return directory
    return None


class IgnoreRules:
    """gitignore-style rules from ignore files, cached per directory."""

    def __init__(self, names: tuple[str, ...] = IGNORE_FILES) -> None:
        self.names = names
        self._cache: dict[Path, list["pathspec.PathSpec"]] = {}

    def _specs_in(self, directory: Path) -> list["pathspec.PathSpec"]:
        if directory not in self._cache:
            specs = []
            for name in self.names:
                f = directory / name
                if f.is_file():
                    specs.append(_spec(f.read_text(encoding="utf-8", errors="replace").splitlines()))
            self._cache[directory] = specs
        return self._cache[directory]

    def ignored(self, path: Path, top: Path, is_dir: bool) -> bool:
        """Whether ``path`` is ignored by rules in ``top`` or any folder between them."""
        verdict = False
        directories = [d for d in reversed(path.parents) if d == top or top in d.parents]
        for directory in directories:
            rel = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
            for spec in self._specs_in(directory):
                result = spec.check_file(rel).include
                if result is not None:
                    verdict = result
        return verdict


class FileSelector:
    """Turns command-line paths into :class:`Target` s, applying every ignore rule."""

    def __init__(self, include: Iterable[str] = (), exclude: Iterable[str] = (),
                 skip: Iterable[Path] = (), cwd: Path | None = None) -> None:
        self.include = _spec(include) if include else None
        self.exclude = _spec(exclude)
        self.skip = {p.resolve() for p in skip}
        self.cwd = (cwd or Path.cwd()).resolve()
        self.walk_rules = IgnoreRules()
        self.explicit_rules = IgnoreRules((".unspinignore",))

    def _shown(self, path: Path, arg_root: Path) -> Path:
        """Relative to the cwd when inside it, else relative to the argument's parent."""
        try:
            return path.relative_to(self.cwd)
        except ValueError:
            return path.relative_to(arg_root.parent)

    def _top(self, path: Path) -> Path:
        """Where ignore files start to count: the git root, else the cwd (if above), else the path."""
        if (root := _repo_root(path)) is not None:
            return root
        if path == self.cwd or self.cwd in path.parents:
            return self.cwd
        return path if path.is_dir() else path.parent

    def _excluded(self, rel: Path, is_dir: bool) -> bool:
        name = rel.as_posix() + ("/" if is_dir else "")
        return self.exclude.match_file(name)

    def _wanted(self, rel: Path) -> bool:
        return not self._excluded(rel, False) and (self.include is None or self.include.match_file(rel.as_posix()))

    def select(self, args: Iterable[str]) -> Iterator[Target]:
        """Every file named by ``args``, folders expanded, in a stable order."""
        for arg in args:
            path = Path(arg).resolve()
            top = self._top(path)
            if path.is_dir():
                yield from self._walk(path, top)
            else:
                rel = self._shown(path, path)
                if self._wanted(rel) and not self.explicit_rules.ignored(path, top, False):
                    yield Target(path, rel)

    def _walk(self, root: Path, top: Path) -> Iterator[Target]:
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            kept = []
            for d in sorted(dirnames):
                full = here / d
                if d in ALWAYS_SKIPPED or full in self.skip:
                    continue
                if self._excluded(self._shown(full, root), True) or self.walk_rules.ignored(full, top, True):
                    continue
                kept.append(d)
            dirnames[:] = kept
            for name in sorted(filenames):
                full = here / name
                rel = self._shown(full, root)
                if full.is_file() and self._wanted(rel) and not self.walk_rules.ignored(full, top, False):
                    yield Target(full, rel)
