"""Choosing the files to check: paths given (folders walked), files changed since a git revision, or all."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, InputFolderError
from ..stages.sidecar import document_stem, is_sidecar, sidecar_path
from ..text.safetext import printable


@dataclass(frozen=True, slots=True)
class Target:
    path: Path
    display: str  # as findings name it: relative to the working folder where possible
    source: str | None  # relative to the raw folder; None for a file outside it
    doc_id: str
    sidecar: Path | None
    problem: str = ""  # set for a path that is not a regular file


def display_path(path: Path) -> str:
    """How findings name a file: relative to the working folder where possible, printable on one line."""
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # (RuntimeError: a link loop)
        shown = path.as_posix()
    return printable(shown)


def _is_hidden(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = (path.name,)
    return any(part.startswith(".") for part in parts)


def _document_of_sidecar(sidecar: Path) -> Path | None:
    stem = document_stem(sidecar)
    for candidate in sorted(sidecar.parent.glob("*")):
        if candidate.stem == stem and not is_sidecar(candidate) and candidate.is_file():
            return candidate
    return None


def _target(path: Path, raw_dir: Path) -> Target:
    raw_root = raw_dir.resolve() if raw_dir.exists() else raw_dir.absolute()
    absolute = path.absolute()
    source: str | None = None
    from ..rawfiles import file_problem

    try:
        source = absolute.relative_to(raw_dir.absolute()).as_posix()
    except ValueError:
        try:
            source = path.resolve().relative_to(raw_root).as_posix()
        except (ValueError, OSError, RuntimeError):
            source = None
    sidecar = sidecar_path(path)
    problem = file_problem(path, raw_root if raw_dir.exists() else None)
    try:
        has_sidecar = sidecar.is_file()
    except OSError:  # e.g. a name that is too long once `.meta.yaml` is added
        has_sidecar = False
    return Target(path, display_path(path), source, path.stem, sidecar if has_sidecar else None, problem)


def _walk(folder: Path) -> list[Path]:
    """The files ingest would take from `folder`, and those it would refuse (links out of it,
    special files, a document id taken twice) or pass over (a linked folder, which ingest does
    not follow): the checks report on those."""
    from ..rawfiles import discover_raw_files

    entries, problems = discover_raw_files(folder)
    linked = [p for p in folder.rglob("*") if p.is_symlink() and p.is_dir() and not _is_hidden(p, folder)]
    return sorted([e.path for e in entries] + [folder / p.source for p in problems] + linked)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ConfigError("--since needs git, which is not installed; install it or pass files") from None


def changed_files(raw_dir: Path, since: str) -> list[Path]:
    """Files under `raw_dir` added or changed since git revision `since` (also uncommitted and
    untracked ones), compared with the merge base so that a branch sees only its own changes.

    Raises:
        ConfigError: not a git work tree, or an unknown revision (a usage error: exit 2).
    """
    if not raw_dir.is_dir():
        raise InputFolderError(f"{raw_dir}: raw folder does not exist; pass --raw DIR with your documents")
    top = _git(["rev-parse", "--show-toplevel"], raw_dir)
    if top.returncode != 0:
        raise ConfigError(f"--since {since}: {raw_dir} is not inside a git work tree; pass the files instead")
    root = Path(top.stdout.strip())
    if _git(["rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"], root).returncode != 0:
        raise ConfigError(f"--since {since}: unknown git revision; pass a commit, branch or tag "
                          "(in CI fetch enough history, e.g. fetch-depth: 0)")
    base = _git(["merge-base", since, "HEAD"], root)
    rev = base.stdout.strip() if base.returncode == 0 and base.stdout.strip() else since
    scope = raw_dir.resolve().relative_to(root.resolve()).as_posix() or "."
    diff = _git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRT", rev, "--", scope], root)
    extra = _git(["ls-files", "-z", "--others", "--exclude-standard", "--", scope], root)
    if diff.returncode != 0:
        raise ConfigError(f"--since {since}: git diff failed ({diff.stderr.strip()})")
    names = {n for n in (diff.stdout + extra.stdout).split("\0") if n}
    return sorted(root / n for n in names)


def select_targets(paths: Sequence[Path] | None, raw_dir: Path, since: str | None = None) -> list[Target]:
    """The files to check: the paths given (folders walked), those changed since a revision
    (within the paths given, if any), or every raw file. Sidecars stand for their document.

    Raises:
        InputFolderError: the raw folder (or a given path) does not exist.
        ConfigError: a bad `since`.
    """
    candidates: list[Path] = []
    if since is not None:
        changed = changed_files(raw_dir, since)
        if paths:
            scopes = [p.resolve() for p in paths]
            changed = [c for c in changed if any(c.resolve().is_relative_to(s) for s in scopes)]
        candidates = [c for c in changed if not _is_hidden(c, raw_dir.resolve())]
    elif paths:
        for path in paths:
            if not path.exists() and not path.is_symlink():
                raise InputFolderError(f"{path}: no such file or folder; check the path")
            candidates.extend(_walk(path) if path.is_dir() else [path])
    else:
        if not raw_dir.is_dir():
            raise InputFolderError(f"{raw_dir}: raw folder does not exist; pass --raw DIR with your documents")
        candidates = _walk(raw_dir)
    out: dict[Path, Target] = {}
    for path in candidates:
        if is_sidecar(path):
            document = _document_of_sidecar(path)
            if document is None:
                if path.exists():
                    out.setdefault(path.absolute(), Target(path, display_path(path), None, "", path,
                                                            "sidecar without a document"))
                continue
            path = document
        elif not path.exists() and not path.is_symlink():
            continue  # deleted since the revision
        out.setdefault(path.absolute(), _target(path, raw_dir))
    return sorted(out.values(), key=lambda t: t.display)
