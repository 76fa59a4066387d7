"""The library: open a store and read it as records or DataFrames, ingest a folder, process a text, compare.

What the `corpus` commands do, as functions for a notebook or a script; the commands are a thin
layer over these. Records are the package's own dataclasses (`Document`, `Clause`, `Duty`,
`DutyRow`, `Comparison` …), filtered like the commands filter them: the same keywords (`doc`,
`level`, `region`, `actor`, `measure`, `topic`), each taking one value or several, each checked
(an unknown value raises `FilterError` naming the closest match), and any unique prefix of a
document id standing for the id.

Nothing is read or built until it is asked for: the config is loaded on first use (`./configs`
over the packaged defaults, as the commands do), and pandas is needed only by `to_frame`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from .config import Config, load_config
from .filters import DutyFilter, OptionNames, Values, checked_filter
from .models import Document

if TYPE_CHECKING:
    import pandas

    from .compare import Comparison, DocumentInfo
    from .compare.run import AlignAll
    from .export import ClauseRow, DutyRow
    from .pipeline import IngestReport
    from .store import DocumentDuties

DEFAULT_STORE = Path("data/normalized")
DEFAULT_RAW = Path("data/raw")


class Filters(TypedDict, total=False):
    """The filter keywords every reading method takes, as the commands' options (`--actor` → `actor=`).

    Each takes one value or a list; `doc` any unique prefix of a document id; `region` a region or
    province as documents name it (`临汾市`, `山西省`) or its short form (`山西`); `topic` is `on`,
    `off` or `all` (the default).
    """

    doc: Values
    level: Values
    region: Values
    actor: Values
    measure: Values
    topic: str


class Store:
    """A normalized store (written by `corpus ingest` or `ingest`), opened for reading.

    Args:
        path: the store's folder.
        config: the config to read it with; None loads it on first use (`./configs` when that
            folder exists, over the packaged defaults).
        names: how a `FilterError` names a filter: as the keyword typed (`region=shanxi: …`), or as
            the command-line flag (`--region shanxi: …`, what the CLI asks for).
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STORE, config: Config | None = None, *,
                 names: OptionNames = "keyword") -> None:
        self.path = Path(path)
        self._config = config
        self._names: OptionNames = names

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config()
        return self._config

    def ids(self) -> list[str]:
        """Every stored document's id, sorted.

        Raises:
            StoreError: no store at `path`, or an empty one.
        """
        from .store import stored_ids

        return stored_ids(self.path)

    def resolve(self, doc: str) -> str:
        """The id of the document `doc` names in full or by a unique prefix (`"002"` → `"002_b06b64127b7163c7"`).

        Raises:
            FilterError: no such document (the closest ids are named), or a prefix of several.
        """
        from .store import resolve_doc_id

        return resolve_doc_id(self.path, doc)

    def document(self, doc: str) -> Document:
        """One stored document, by its id or a unique prefix of it."""
        from .store import document_path, read_document

        return read_document(document_path(self.path, self.resolve(doc)))

    def filter(self, **filters: Unpack[Filters]) -> DutyFilter:
        """The filter the keywords describe, every value checked and every id prefix completed.

        Raises:
            FilterError: a value that matches nothing, or an id prefix of several documents.
        """
        return checked_filter(self.config, doc_ids=self.ids, regions=self.regions, where=str(self.path),
                              names=self._names, **filters)

    def listing(self, **filters: Unpack[Filters]) -> Iterator[DocumentInfo]:
        """What `corpus list` shows: each kept document's metadata and its number of kept directives.

        With an actor, measure or topic filter only the directives it keeps are counted, and a
        document with none is left out.
        """
        from .compare import DocumentInfo
        from .extract.topic import topic_rules
        from .store import load_document_duties

        keep = self.filter(**filters)
        rules = topic_rules(self.config)
        return (DocumentInfo(doc.doc_id, doc.level, doc.region, doc.province, doc.date, doc.title, doc.kind,
                             n_duties)
                for doc, n_duties in _kept_counts(load_document_duties(self.path), keep, rules.on_topic))

    def documents(self, **filters: Unpack[Filters]) -> Iterator[Document]:
        """The kept documents, whole (text, clauses, duties, removed pieces), in id order.

        With an actor, measure or topic filter a document is kept when one of its directives is;
        its records are as stored (all its duties).
        """
        from .extract.topic import topic_rules
        from .store import load_documents

        keep = self.filter(**filters)
        ids = set(keep.doc_ids) or None
        docs = (doc for doc in load_documents(self.path, ids) if keep.keeps_document(doc))
        if not keep.selects_duties:
            return docs
        on_topic = topic_rules(self.config).on_topic
        return (doc for doc, n_duties in _kept_counts(docs, keep, on_topic) if n_duties)

    def clauses(self, **filters: Unpack[Filters]) -> Iterator[ClauseRow]:
        """Every clause of the kept documents (as `documents` keeps them), with its document's id."""
        from .export import clause_records

        return clause_records(self.documents(**filters))

    def duties(self, **filters: Unpack[Filters]) -> Iterator[DutyRow]:
        """The duties-per-agency table (`corpus export duties`): a row per (duty, actor) that the filters keep."""
        from .export import duty_records
        from .store import load_documents

        keep = self.filter(**filters)
        return duty_records(load_documents(self.path, set(keep.doc_ids) or None), self.config, keep)

    def compare(self, *, workers: int = 1, align_all: AlignAll | None = None, json_diffs: bool = False,
                **filters: Unpack[Filters]) -> Comparison:
        """`corpus compare` on the store: the kept documents aligned with the levels above them.

        References outside the filters are still used, and shown as references. `align_all` runs the
        alignment elsewhere (`distributed.DaskAlign(client)`: on a Dask cluster), with the same result.
        `json_diffs`: the comparison is for writing as JSON (see `compare_corpus`).
        """
        from .compare import compare_corpus
        from .store import load_document_duties

        keep = self.filter(**filters)
        return compare_corpus(load_document_duties(self.path), self.config, filters=keep, workers=workers,
                              align_all=align_all, json_diffs=json_diffs)

    def regions(self) -> list[str]:
        """The regions and provinces the stored documents name, sorted (what `region=` finds documents in)."""
        from .store import load_document_duties

        return sorted({place for doc in load_document_duties(self.path) for place in (doc.region, doc.province)
                       if place})


def _kept_counts(docs: Iterable[Document | DocumentDuties], keep: DutyFilter,
                 on_topic: Any) -> Iterator[tuple[Any, int]]:
    """Each document the filter keeps with its number of kept directives (none left out when no
    actor, measure or topic filter is set; with one, a document without a kept directive is)."""
    for doc in docs:
        if not keep.keeps_document(doc):
            continue
        if not keep.selects_duties:
            yield doc, len(doc.duties)
            continue
        count = sum(1 for duty in doc.duties if keep.keeps_duty(duty.actor_ids, duty.measure_ids,
                                                                 on_topic(duty.topic)))
        if count:
            yield doc, count


def open_store(path: str | os.PathLike[str] = DEFAULT_STORE, config: Config | None = None, *,
               names: OptionNames = "keyword") -> Store:
    """Open the normalized store at `path` for reading (see `Store`)."""
    return Store(path, config, names=names)


def ingest(raw: str | os.PathLike[str] = DEFAULT_RAW, normalized: str | os.PathLike[str] = DEFAULT_STORE, *,
           config_dir: str | os.PathLike[str] | None = None, overrides: Iterable[str] = (), workers: int = 1,
           force: bool = False, prune: bool = False) -> IngestReport:
    """`corpus ingest`: bring the store at `normalized` up to date with the raw folder.

    Args:
        raw, normalized: the folders, as `--raw` and `--normalized`.
        config_dir, overrides: as `--config` and `--set` (worker processes load the same).
        workers: processes; force: redo unchanged files too; prune: delete documents whose raw file is gone.

    Returns:
        What was ingested, skipped and failed, with the warnings per document. A file that
        fails is reported there; the others go on.

    Raises:
        InputFolderError: the raw folder cannot be read. ConfigError: a bad config.
    """
    from .pipeline import ingest_corpus

    folder = Path(config_dir) if config_dir is not None else None
    sets = tuple(overrides)
    return ingest_corpus(Path(raw), Path(normalized), load_config(folder, sets), config_dir=folder,
                         overrides=sets, workers=workers, force=force, prune=prune)


def process_text(text: str | bytes, name: str = "document.txt", config: Config | None = None) -> Document:
    """Every ingest stage on one text in memory: a `Document`, not stored.

    Args:
        text: the page as text, or its raw bytes (any encoding `corpus ingest` reads).
        name: a file name for it: the id is its stem, and a date in it is used as a file name's is.
        config: None loads it as `Store` does.

    Raises:
        IngestError: a binary or undecodable text, or nothing left after cleaning.
    """
    from .pipeline import process_raw
    from .stages.decode import RawFile, decode_bytes

    config = config or load_config()
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    raw = RawFile(Path(name), len(data), hashlib.sha256(data).hexdigest(), decode_bytes(data, config, name=name))
    return process_raw(raw, name, config)


def process_file(path: str | os.PathLike[str], config: Config | None = None) -> Document:
    """Every ingest stage on one raw file (text, web page, PDF, DOCX) and its sidecar: a `Document`, not stored.

    Raises:
        IngestError: the file cannot be read or decoded. ConfigError: an invalid sidecar.
    """
    from .pipeline import process_file as process
    from .stages.sidecar import sidecar_path

    path = Path(path)
    sidecar = sidecar_path(path)
    return process(path, path.parent, config or load_config(), sidecar=sidecar if sidecar.is_file() else None)


def compare_documents(documents: Iterable[Document], config: Config | None = None, *, workers: int = 1,
            **filters: Unpack[Filters]) -> Comparison:
    """`corpus compare` on documents in memory (`process_text`, `Store.documents`), filtered as `Store.compare`."""
    from .compare import compare_corpus

    config = config or load_config()
    docs = list(documents)
    ids = sorted(doc.doc_id for doc in docs)
    keep = checked_filter(config, doc_ids=lambda: ids, regions=lambda: _places(docs), where="the documents given",
                          **filters)
    return compare_corpus(docs, config, filters=keep, workers=workers)


def _places(docs: Iterable[Document]) -> set[str]:
    return {place for doc in docs for place in (doc.region, doc.province) if place}


def to_frame(records: Comparison | Iterable[Any]) -> pandas.DataFrame:
    """A pandas DataFrame of records: a column per field (dataclasses, msgspec structs, dicts).

    A `Comparison` gives its diffs, a row each, with the columns of `corpus compare --format csv`.

    Raises:
        ImportError: pandas is not installed (`pip install 'antifraud-corpus[pandas]'`).
    """
    try:
        import pandas
    except ImportError:
        raise ImportError("to_frame needs pandas, an optional extra: pip install 'antifraud-corpus[pandas]'") \
            from None
    from .compare import DIFF_COLUMNS, Comparison, diff_rows

    if isinstance(records, Comparison):
        return pandas.DataFrame(list(diff_rows(records)), columns=DIFF_COLUMNS)
    rows = [_as_dict(record) for record in records]
    return pandas.DataFrame(rows, columns=list(rows[0]) if rows else None)


def _as_dict(record: Any) -> dict:
    if isinstance(record, dict):
        return record
    if is_dataclass(record):
        return {f.name: getattr(record, f.name) for f in fields(record)}
    struct_fields = getattr(record, "__struct_fields__", None)  # a msgspec Struct
    if struct_fields is not None:
        return {name: getattr(record, name) for name in struct_fields}
    raise TypeError(f"to_frame takes records (dataclasses, msgspec structs or dicts), not {type(record).__name__}")
