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

from .links import broken_link

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
                try:
                    if f.is_file():
                        specs.append(_spec(f.read_text(encoding="utf-8", errors="replace").splitlines()))
                except OSError:
                    pass  # an unreadable ignore file ignores nothing; the folder's own error is reported
            self._cache[directory] = specs
        return self._cache[directory]

    def chain(self, directory: Path, top: Path) -> "_Chain":
        """The rules that apply inside ``directory``: those of ``top`` and every folder down to it."""
        if directory != top and top not in directory.parents:
            return _Chain(())
        chain, here = _Chain(()).enter(top, self._specs_in(top)), top
        for part in directory.relative_to(top).parts:
            here = here / part
            chain = chain.enter(here, self._specs_in(here), part)
        return chain

    def ignored(self, path: Path, top: Path, is_dir: bool) -> bool:
        """Whether ``path`` is ignored by rules in ``top`` or any folder between them."""
        return self.chain(path.parent, top).ignored(path.name, is_dir)


@dataclass(frozen=True)
class _Chain:
    """Ignore rules in force in one folder: (spec, path from the spec's folder to here) pairs.

    Folders without ignore files add nothing, so checking a name costs one match per
    ignore file above it, not one per folder level: a walk is linear in depth.
    """

    rules: tuple[tuple["pathspec.PathSpec", str], ...]

    def enter(self, directory: Path, specs: list["pathspec.PathSpec"], name: str | None = None) -> "_Chain":
        """The chain inside ``directory`` (a child named ``name`` of this chain's folder, or its root)."""
        moved = tuple((spec, f"{prefix}{name}/") for spec, prefix in self.rules) if name is not None else self.rules
        return _Chain(moved + tuple((spec, "") for spec in specs))

    def ignored(self, name: str, is_dir: bool) -> bool:
        verdict = False
        for spec, prefix in self.rules:
            result = spec.check_file(prefix + name + ("/" if is_dir else "")).include
            if result is not None:
                verdict = result
        return verdict


def _absolute(arg: str) -> Path:
    """``arg`` resolved, or only made absolute when it is a broken link (a loop, a dangling link):
    resolving a loop raises, and a dangling link resolves to its missing target, whose error
    would then not say it was reached through a link. The run reports it by its own name."""
    if broken_link(arg) is not None:
        return Path(os.path.abspath(arg))
    return Path(arg).resolve()


class FileSelector:
    """Turns command-line paths into :class:`Target` s, applying every ignore rule.

    Folders the walk cannot read are not skipped silently: they are listed in
    :attr:`errors` as (shown path, reason) for the command to report.
    """

    def __init__(self, include: Iterable[str] = (), exclude: Iterable[str] = (),
                 skip: Iterable[Path] = (), cwd: Path | None = None, one_per_file: bool = True,
                 own_files: Iterable[Path] = ()) -> None:
        self.include = _spec(include) if include else None
        #: unspin's own inputs (the config file, the tables and dictionaries it runs with): data, not
        #: text to repair; ``fix -w .`` rewrote a table's pairs (通过-经由过程 became 通过-通过)
        self.own_files = {Path(os.path.realpath(p)) for p in own_files}
        #: own files named on the command line, skipped: (shown name, what it is), for a note
        self.own_named: list[str] = []
        self.exclude = _spec(exclude) if exclude else None
        self.skip = {Path(os.path.realpath(p)) for p in skip}  # never raises on a loop, as resolve() does
        self.cwd = (cwd or Path.cwd()).resolve()
        self.walk_rules = IgnoreRules()
        self.explicit_rules = IgnoreRules((".unspinignore",))
        self.errors: list[tuple[str, str]] = []
        self.one_per_file = one_per_file
        self._seen: set[object] = set()  # what was given: (device, inode) per file, or shown names

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

    def _excluded(self, rel: str, is_dir: bool) -> bool:
        return self.exclude is not None and self.exclude.match_file(rel + ("/" if is_dir else ""))

    def _wanted(self, rel: str) -> bool:
        return not self._excluded(rel, False) and (self.include is None or self.include.match_file(rel))

    def select(self, args: Iterable[str]) -> Iterator[Target]:
        """Every file named by ``args``, folders expanded, in a stable order, each file once.

        A file reached twice (named twice, inside a folder also named, or through a
        symlink or hard link to another file of the walk) is the same file: it is given
        once, under the first name it was reached by, across every call of this
        selector. Given twice, ``fix -w`` would write it and then refuse the second
        copy as "changed on disk during the run", and ``check`` would report every
        finding twice. Without ``one_per_file`` (``fix -o``, where each name is a copy
        of its own in the mirror) only the same name is given once.
        """
        for arg in args:
            path = _absolute(arg)
            top = self._top(path)
            if path.is_dir():
                found: Iterable[Target] = self._walk(path, top)
            else:
                # a file is shown, mirrored and matched by the name it was given, as in a walk: a
                # symlink named as an input was reported and mirrored under its target's name
                # (``fix -o out docs/link.txt`` wrote out/outside/real.txt); it is read and written
                # through the link, as a walk reads it (joined, not normalised: ``link/../a.txt`` is
                # the ``..`` of where the link leads, as the system reads it)
                given = self.cwd / arg
                top = self._top(given)
                rel = self._shown(given, given)
                if self._own(given):
                    self.own_named.append(rel.as_posix())
                    continue
                found = [Target(given, rel)] if (self._wanted(rel.as_posix())
                                                  and not self.explicit_rules.ignored(given, top, False)) else []
            for target in found:
                if self._first_time(target):
                    yield target

    def _own(self, path: Path) -> bool:
        """Whether ``path`` is one of :attr:`own_files` (links followed)."""
        return bool(self.own_files) and (path in self.own_files or Path(os.path.realpath(path)) in self.own_files)

    def _first_time(self, target: Target) -> bool:
        """Whether ``target`` was not given yet: its file (device and inode, links followed), or
        without ``one_per_file`` its shown name; a path that cannot be read is always given, for
        the command to report."""
        key: object = target.rel.as_posix()
        if self.one_per_file:
            try:
                st = os.stat(target.path)
            except OSError:
                return True
            key = (st.st_dev, st.st_ino)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _walk(self, root: Path, top: Path) -> Iterator[Target]:
        """Depth first, sorted, with an explicit stack: linear in depth and never recursing.

        Each folder carries its shown path and its ignore rules, extended by one
        step from its parent's, so no path is re-derived from the root.
        """
        shown_root = self._shown(root, root).as_posix()
        stack: list[tuple[str, str, _Chain]] = [(str(root), "" if shown_root == "." else shown_root,
                                                  self.walk_rules.chain(root, top))]
        while stack:
            here, shown, chain = stack.pop()
            try:
                with os.scandir(here) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                self.errors.append((shown or ".", f"cannot read this folder ({exc.strerror or exc}); skipped"))
                continue
            folders = []
            for entry in entries:
                rel = f"{shown}/{entry.name}" if shown else entry.name
                try:
                    is_dir = entry.is_dir(follow_symlinks=True)
                    is_file = not is_dir and entry.is_file(follow_symlinks=True)
                except OSError:  # EACCES (a folder that lists but cannot be searched), ELOOP
                    is_dir, is_file = False, True
                if not (is_dir or is_file) and entry.is_symlink():
                    # a dangling link: given as a file, so the run names it (one error each, as for an
                    # argument, and as ruff does) instead of passing it over without a word
                    is_file = True
                if is_dir:
                    full = os.path.join(here, entry.name)
                    if entry.name in ALWAYS_SKIPPED or Path(full) in self.skip:
                        continue
                    if self._excluded(rel, True) or chain.ignored(entry.name, True):
                        continue
                    if entry.is_symlink():
                        continue  # as os.walk does by default: no loops, no walking out of the tree
                    folders.append((full, rel, entry.name))
                elif entry.name in ALWAYS_SKIPPED:
                    continue  # a worktree's or submodule's .git file (gitdir: PATH) is git's, as its folder is
                elif is_file and self._wanted(rel) and not chain.ignored(entry.name, False):
                    if not self._own(Path(here, entry.name)):
                        yield Target(Path(here, entry.name), Path(rel))
            for full, rel, name in reversed(folders):
                stack.append((full, rel, chain.enter(Path(full), self.walk_rules._specs_in(Path(full)), name)))
