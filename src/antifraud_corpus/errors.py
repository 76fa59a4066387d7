"""Typed errors of the library; the CLI turns each into one clear line and an exit code."""

from __future__ import annotations

import errno


class CorpusError(Exception):
    """Base class: a problem with the user's input, config or files (not a bug)."""


class ConfigError(CorpusError):
    """A config file, sidecar or override is missing, malformed or has unknown keys."""


class MissingExtraError(ConfigError):
    """An optional feature's packages are not installed (bad usage: the message names the extra to install)."""


class SchedulerError(ConfigError):
    """The Dask scheduler given cannot be reached (bad usage: check the address)."""


class ClusterError(CorpusError):
    """A cluster run lost its workers or its scheduler midway (what was stored is kept; run it again)."""


class IngestError(CorpusError):
    """A raw file cannot be read or decoded."""


class BudgetError(CorpusError):
    """A document took longer than its time budget (`ingest.yaml` `document_seconds`)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem  # what went wrong, without the file (check names the file itself)

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # (it crosses from worker processes intact)
        return type(self), (self.source, self.problem)


class InputFolderError(IngestError):
    """An input folder is missing or cannot be listed (bad usage: nothing can be done)."""


class ExtractError(CorpusError):
    """Extraction cannot run (e.g. a lexicon is inconsistent)."""


class ExportError(CorpusError):
    """An export cannot be written or the normalized store is unreadable."""


class StoreError(CorpusError):
    """The normalized store is missing or holds a file that cannot be read."""


class FilterError(CorpusError, ValueError):
    """A filter value or document id that matches nothing known (bad usage: it would select nothing)."""


class WriteError(CorpusError):
    """A file cannot be written: its folder, its permissions or its file system refuse it."""


class OutputFolderError(WriteError):
    """The folder a file is to be written in does not exist (bad usage: it is not made silently)."""


class DiskFullError(WriteError):
    """The device (or the user's quota) is full: nothing more can be written, so the run stops."""


# What to do about the usual causes, by errno. Only causes the OS names are given a hint:
# a cause guessed from what was being done (a read, a write) is wrong as often as right.
_HINTS = {
    errno.EACCES: "check the permissions of the file and its folder",
    errno.EPERM: "check the permissions of the file and its folder",
    errno.EROFS: "the file system is read-only; use another place",
    errno.EISDIR: "give a file, not a folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder; check the path",
    errno.ENAMETOOLONG: "shorten the name",
    errno.ENOENT: "check the path",
    errno.ELOOP: "a link leads round in a loop; fix the link",
}
_NO_SPACE = {errno.ENOSPC: "", getattr(errno, "EDQUOT", -1): " (disk quota exceeded)"}  # (no EDQUOT on Windows)


def file_error(exc: OSError, path: object, *, action: str = "write",
               error: type[CorpusError] = WriteError) -> CorpusError:
    """The one-line typed error for an `OSError` met while doing `action` on `path`.

    A full device is a `DiskFullError` whatever was being done, since every later write
    would fail the same way and the caller should stop. Anything else becomes `error`
    naming `path`, the cause as the OS states it (`strerror`) and, for the usual causes,
    what to do.

    Args:
        exc: the error the OS raised.
        path: the file as the user knows it (not a temporary file beside it).
        action: what failed, as a verb phrase ("write", "read", "make the store's folder").
        error: the class for anything but a full device (e.g. `IngestError` for a raw file).
    """
    if exc.errno in _NO_SPACE:
        return DiskFullError(f"{path}: no space left on device{_NO_SPACE[exc.errno]}; "
                             "free some space and run again")
    cause = exc.strerror or str(exc)
    hint = _HINTS.get(exc.errno or 0, "check the file and the device it is on")
    return error(f"{path}: cannot {action} ({cause}); {hint}")
