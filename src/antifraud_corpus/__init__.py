"""antifraud-corpus: analyze Chinese policy documents on combating telecom and online fraud.

The public API, for notebooks and scripts (README, "In a notebook"):

- `open_store(path)` → `Store`: a normalized store's `documents()`, `listing()`, `clauses()`,
  `duties()` and `compare()` as records, filtered as the commands filter (`doc`, `level`,
  `region`, `actor`, `measure`, `topic`), and `document(id)`; ids may be typed by any unique prefix.
- `to_frame(records)`: a pandas DataFrame of any of them (needs the `[pandas]` extra).
- `ingest(raw, normalized)`: `corpus ingest`. `process_text(text)`, `process_file(path)`: every
  stage on one text or file, in memory. `compare_documents(documents)`: `corpus compare` on
  documents in memory.
- `load_config(config_dir)`, the records (`Document`, `Clause`, `Duty`, `Mention`, `DutyRow`,
  `ClauseRow`, `DutyFilter`, `DocumentInfo` from `listing()`, `Comparison` from `compare()`) and
  the errors (`CorpusError` and its kinds; `FilterError` for a filter value that matches nothing,
  also a `ValueError`).

Importing the package does no work: each name is imported on first use, and dictionaries,
converters and configs are loaded only when a pipeline function asks for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it (imported when the name is first used)
_EXPORTS = {
    "Store": "api", "open_store": "api", "ingest": "api", "process_text": "api", "process_file": "api",
    "compare_documents": "api", "to_frame": "api", "Filters": "api",
    "load_config": "config", "Config": "config",
    "Document": "models", "Clause": "models", "Duty": "models", "Mention": "models",
    "DutyRow": "export", "ClauseRow": "export", "DutyFilter": "filters",
    "DocumentInfo": "compare", "Comparison": "compare",
    "CorpusError": "errors", "ConfigError": "errors", "FilterError": "errors", "IngestError": "errors",
    "StoreError": "errors", "WriteError": "errors",
}

__all__ = [
    "ClauseRow", "Clause", "Comparison", "Config", "ConfigError", "CorpusError", "Document", "DocumentInfo", "Duty",
    "DutyFilter", "DutyRow", "FilterError", "Filters", "IngestError", "Mention", "Store", "StoreError", "WriteError",
    "__version__",
    "compare_documents", "ingest", "load_config", "open_store", "process_file", "process_text", "to_frame",
]

if TYPE_CHECKING:
    from .api import Filters, Store, compare_documents, ingest, open_store, process_file, process_text, to_frame
    from .compare import Comparison, DocumentInfo
    from .config import Config, load_config
    from .errors import ConfigError, CorpusError, FilterError, IngestError, StoreError, WriteError
    from .export import ClauseRow, DutyRow
    from .filters import DutyFilter
    from .models import Clause, Document, Duty, Mention


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'antifraud_corpus' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # (looked up here from now on)
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
