"""Writing files safely: readers see the old file or the new one, and a failure is one typed line.

Every file the project writes (stored documents, the manifest and its journal, the check
index, exports, comparison reports) goes through here. A full disk, a read-only folder or
a name too long for the file system is then reported the same way everywhere
(`errors.file_error`: the file as the user named it and the cause the OS gives), and no
temporary file outlives a failed write. Files get the mode the user's umask gives (0644
under the usual 022), like any file a shell command writes, so a shared folder or a web
server can serve a report; and a folder that is not there is an error naming it, never
made silently (a typo in `-o` would otherwise grow a tree of folders).
"""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import OutputFolderError, WriteError, file_error

#: Temporary files start so: hidden beside the documents, and swept by the next ingest (store.py).
TMP_PREFIX = ".tmp-"

Content = str | bytes | Callable[[IO[bytes]], None]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A new, empty temporary file beside `path` that replaces `path` when the block ends without error.

    Its name is unique, so two writers of one target never share it, and the rename is atomic,
    so readers see the old file or the new one. On any error the temporary file is removed, and
    an `OSError` about it or about `path` becomes a `WriteError` naming `path` (a
    `DiskFullError` for a full device).

    Raises:
        OutputFolderError: the folder of `path` does not exist.
        WriteError: `path` is a device or a pipe (a rename would put a plain file in its place);
            the folder or the temporary file cannot be made or written, or the temporary file
            cannot be renamed onto `path` (a folder, a name too long ...).
    """
    with _replacing(path, make_folder=False) as (fd, name):
        os.close(fd)
        yield Path(name)


@contextmanager
def _replacing(path: Path, *, make_folder: bool) -> Iterator[tuple[int, str]]:
    """`atomic_path` with the temporary file still open: its descriptor and its name.

    `write_atomic` writes through the descriptor opened here: opening the file again by its
    name costs as much as the rest of a stored document's write (ingest writes one per
    document).
    """
    if _is_special(path):
        raise WriteError(f"{path}: cannot write (a device or a pipe, not a file); give a file's path")
    try:
        try:
            fd, name = _create_beside(path)
        except FileNotFoundError:
            if not make_folder:
                require_folder(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = _create_beside(path)
    except OSError as exc:
        # (e.g. /proc/version: the file is there, but no file can be made beside it)
        raise file_error(exc, path, action=f"make a file in {path.parent}") from None
    try:
        yield fd, name
        os.replace(name, path)
    except BaseException as exc:
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename in (None, name, os.fspath(path)):
            raise file_error(exc, path) from None
        raise


def _create_beside(path: Path) -> tuple[int, str]:
    """A new file with a unique hidden name in the folder of `path`: its descriptor and its name.

    Made with mode 0666 less the umask, as `open()` would make `path` itself (`mkstemp` makes
    every file owner-only, and a rename keeps that mode).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        name = os.path.join(path.parent, f"{TMP_PREFIX}{os.urandom(6).hex()}")  # (secrets.token_hex, unimported)
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:  # pragma: no cover - 48 random bits met an earlier file
            continue


def require_folder(path: Path) -> None:
    """Check that the folder `path` is to be written in exists (before a long run writes it).

    Raises:
        OutputFolderError: it does not; the message names it and how to make it.
    """
    folder = path.parent
    if not folder.exists():  # (a file in its place is the OS's "Not a directory" when written)
        raise OutputFolderError(f"{path}: the folder {folder} does not exist; "
                                f"make it first (mkdir -p {shlex.quote(str(folder))}) or write somewhere else")


def write_atomic(path: Path, content: Content, *, durable: bool = True, make_folder: bool = True) -> None:
    """Write `content` to `path` so that readers see the old file or the new one, never a mix.

    `content` may be a function that writes bytes to the file itself, so that a large document
    is streamed rather than built as one string first.
    `durable=False` skips fsync: the rename alone is atomic against a killed
    process; only a power cut could leave such a file empty, and ingest treats
    an empty document file as missing and redoes it.
    `make_folder=False` (a file the user named) makes a missing folder an `OutputFolderError`;
    the store's own files make the folder they belong in.

    Raises:
        WriteError: see `atomic_path`.
    """
    with _replacing(path, make_folder=make_folder) as (fd, _), open(fd, "wb") as fh:
        _write(fh, content)
        fh.flush()
        if durable:
            os.fsync(fh.fileno())


def write_output(path: Path, content: Content) -> None:
    """Write a file the user named (`-o FILE`): atomically, or in place when it is a device or a pipe.

    A device or a pipe (`/dev/stdout`, `/dev/null`, a FIFO) cannot be replaced by a rename, and
    must not be: that would put a plain file where the device was. It is written as it is.

    Raises:
        OutputFolderError: the folder of `path` does not exist.
        WriteError: the file cannot be written (a `DiskFullError` for a full device).
    """
    if not _is_special(path):
        write_atomic(path, content, make_folder=False)
        return
    try:
        with open(path, "wb") as fh:
            _write(fh, content)
    except OSError as exc:
        raise file_error(exc, path) from None


class GuardedStream:
    """A text stream that is already open (standard output) whose failures are `WriteError`s naming it.

    Everything a command prints (rich tables, JSON, CSV) reaches the stream through
    `write` and `flush`, so a full disk behind `> FILE` is the same one line as `-o FILE`.
    Anything else is the stream's own.
    """

    def __init__(self, stream: IO[str], name: str = "standard output") -> None:
        self._stream = stream
        self._name = name

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise  # the reader stopped (`| head`): click ends quietly, as a pipeline expects
        except OSError as exc:
            raise file_error(exc, self._name) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise file_error(exc, self._name) from None

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._stream, attribute)


def _is_special(path: Path) -> bool:
    """Whether `path` is there and is neither a plain file nor a folder (a device, a pipe, a socket)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # missing (or not even stat-able: the write says why)
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write(fh: IO[bytes], content: Content) -> None:
    if callable(content):
        content(fh)
    else:
        fh.write(content.encode("utf-8") if isinstance(content, str) else content)
