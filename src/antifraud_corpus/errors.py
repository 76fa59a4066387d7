"""Typed errors of the library; the CLI turns each into one clear line and an exit code."""

from __future__ import annotations


class CorpusError(Exception):
    """Base class: a problem with the user's input, config or files (not a bug)."""


class ConfigError(CorpusError):
    """A config file, sidecar or override is missing, malformed or has unknown keys."""


class IngestError(CorpusError):
    """A raw file cannot be read or decoded."""


class BudgetError(CorpusError):
    """A document took longer than its time budget (`ingest.yaml` `document_seconds`)."""


class InputFolderError(IngestError):
    """An input folder is missing or cannot be listed (bad usage: nothing can be done)."""


class ExtractError(CorpusError):
    """Extraction cannot run (e.g. a lexicon is inconsistent)."""


class ExportError(CorpusError):
    """An export cannot be written or the normalized store is unreadable."""


class StoreError(CorpusError):
    """The normalized store is missing or holds a file that cannot be read."""
