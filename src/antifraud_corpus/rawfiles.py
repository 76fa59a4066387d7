"""The raw folder: which files are documents, their sidecars, and what cannot be ingested.

Hidden files and sidecars are not documents; a link that leads outside the folder, a name a
store cannot hold, or two files with the same name stem are problems, each one line. Ingest and
`corpus check` list a raw folder the same way, from here.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .doc_ids import id_clash
from .errors import InputFolderError, file_error
from .stages.sidecar import is_sidecar, sidecar_path
from .text.safetext import has_control, printable

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class RawEntry:
    """A raw document found in the raw folder."""

    path: Path
    source: str  # relative to the raw folder, with forward slashes
    doc_id: str
    sidecar: Path | None


@dataclass(slots=True)
class Problem:
    """A file that could not be ingested, with a one-line explanation."""

    source: str
    message: str


def file_sha256(path: Path) -> str:
    # Unbuffered: a page is read in one call, not copied through a buffer first (a run over an
    # unchanged corpus is mostly this).
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def discover_raw_files(raw_dir: Path) -> tuple[list[RawEntry], list[Problem]]:
    """List the documents of a raw folder (recursively), with their sidecars.

    Hidden files and sidecars are not documents. A link that leads outside the
    folder, or two files with the same name stem, are problems, not documents.

    Raises:
        IngestError: the folder does not exist or cannot be listed.
    """
    if not raw_dir.is_dir():
        raise InputFolderError(f"{raw_dir}: raw folder does not exist; pass --raw DIR with your documents")
    root = raw_dir.resolve()
    entries: list[RawEntry] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    paths = [(rel, raw_dir / rel) for rel in _listing(raw_dir)]
    # (a sidecar is looked up here before its file is asked: no stat for documents without one)
    sidecars = {path for _, path in paths if is_sidecar(path)}
    for rel, path in paths:
        if path in sidecars:
            continue
        shown = printable(rel)
        naming = name_problem(path.name)
        if naming:
            problems.append(Problem(rel, f"{shown}: {naming}"))
            continue
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            mode = 0
        # A plain file is known from one lstat; links and the rest are asked in full.
        if not stat.S_ISREG(mode):
            if path.is_dir():  # (one made since the folder was listed)
                continue
            problem = file_problem(path, root)
            if problem:
                problems.append(Problem(rel, f"{shown}: {problem}"))
                continue
        doc_id = path.stem
        if doc_id in seen:
            problems.append(Problem(rel, f"{shown}: {id_clash(doc_id, path.name, seen[doc_id])}"))
            continue
        seen[doc_id] = shown
        sidecar = sidecar_path(path) if sidecars else None
        entries.append(RawEntry(path, rel, doc_id, sidecar if sidecar in sidecars and sidecar.is_file() else None))
    return entries, problems


# A stored document is `<doc_id>.json` in one folder entry of at most 255 bytes on common file systems.
_MAX_NAME_BYTES = 250


def name_problem(name: str) -> str:
    """What makes a raw file's name unusable as a document id, or "" when nothing does."""
    try:
        size = len(Path(name).stem.encode("utf-8"))
    except UnicodeEncodeError:  # bytes that are not UTF-8, kept by the OS as lone surrogates
        return "file name is not valid UTF-8; rename the file"
    if has_control(name):
        return "file name holds a control character (a line break, a tab, an escape); rename the file"
    if size > _MAX_NAME_BYTES:
        return (f"file name is {size} bytes long without its extension, more than the store allows "
                f"({_MAX_NAME_BYTES}); shorten it")
    return ""


def file_problem(path: Path, root: Path | None) -> str:
    """What keeps `path` from being a raw document of the folder `root` (None: any folder), or ""."""
    naming = name_problem(path.name)
    if naming:
        return naming
    if path.is_symlink():
        target = link_target(path)
        if target is None:
            return "link cannot be followed (a loop, or its target is gone); fix or remove it"
        if root is not None and not target.is_relative_to(root):
            return (f"link points outside the raw folder ({printable(str(target))}); "
                    "copy the file into the folder instead")
    if not path.is_file():
        return "not a regular file; remove it from the raw folder"
    return ""


def link_target(path: Path) -> Path | None:
    """Where a link leads, or None when it cannot be followed (a loop, a dangling target)."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: pathlib's word for a loop
        return None


def _listing(raw_dir: Path) -> list[str]:
    """Every entry under `raw_dir` but folders and hidden ones, as relative POSIX paths, in `sorted(rglob("*"))` order.

    Walked with `os.walk` on strings: Path objects for every entry of a folder of thousands of
    pages cost more than the rest of a run over an unchanged corpus. Links to folders count
    as folders and are not followed (as `rglob` does not); sub-folders that cannot be read are
    passed over.

    Raises:
        InputFolderError: the folder itself cannot be listed.
    """
    top = os.fspath(raw_dir)
    found: list[tuple[list[str], str]] = []

    def unreadable(exc: OSError) -> None:
        if exc.filename == top:
            raise file_error(exc, raw_dir, action="list the raw folder", error=InputFolderError) from None

    for folder, subfolders, files in os.walk(top, onerror=unreadable):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        prefix = os.path.relpath(folder, top).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        for name in files:
            if not name.startswith("."):
                rel = prefix + name
                found.append((rel.split("/"), rel))
    found.sort()  # by parts, as paths sort (`a/b` before `a-b`)
    return [rel for _, rel in found]
