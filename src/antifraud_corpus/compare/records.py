"""The records `corpus compare` shows: documents, directives, diffs, timeline, summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..models import LEVELS
from ..models import STATUSES as STATUSES  # (the compare API names them; defined with the other ids)
from ..models import Status as Status

if TYPE_CHECKING:
    from .rows import DiffList
    from .views import Timeline

#: Statuses of a local directive that carries out a reference directive.
CARRIED: tuple[str, ...] = ("echoed", "strengthened", "weakened", "reassigned")
RANK = {level: rank for rank, level in enumerate(LEVELS)}
ROW_STATUS = {"a": "added", "o": "omitted", "t": "off_topic"}  # the status of a diff row that is not an aligned pair
NO_ACTOR = ""  # key of duties with no actor in the actor view, as in `export duties`


# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class DocumentInfo:
    """A document as the comparison shows it: metadata and its number of directives."""

    doc_id: str
    level: str | None
    region: str | None
    province: str | None
    date: str | None
    title: str
    kind: str | None = None
    n_duties: int = 0
    role: str = "compared"  # compared (kept by the filters) | reference (shown as a source only)


@dataclass(slots=True)
class Directive:
    """One side of a diff: a directive with its provenance (document, clause, offsets)."""

    doc_id: str
    sentence: str
    clause: str
    start: int
    end: int
    actors: list[str]
    modality: str
    marker: str
    measures: list[str]
    date: str | None = None
    level: str | None = None


@dataclass(slots=True)
class Diff:
    """A local directive against its reference, or an unmatched directive of either side."""

    doc_id: str  # the lower-level document
    status: str
    local: Directive | None  # None for `omitted`
    reference: Directive | None  # None for `added`
    similarity: float  # combined score (text, measures, actors)
    text_similarity: float = 0.0
    reference_later: bool = False  # the reference was issued after the local document
    reasons: tuple[str, ...] = ()
    reference_undated: bool = False  # the reference's date is unknown: shown, not counted as a source


@dataclass(slots=True)
class Echo:
    """Which directives of one earlier document a document carries out (view 4)."""

    doc_id: str
    date: str | None
    level: str | None
    counts: dict[str, int]  # status -> directives
    directives: list[tuple[str, str, str]]  # (reference clause, reference sentence, status)


@dataclass(slots=True)
class TimelineEntry:
    """A document in date order with the earlier documents whose directives it echoes."""

    doc_id: str
    date: str | None
    level: str | None
    region: str | None
    title: str
    echoes: list[Echo] = field(default_factory=list)


@dataclass(slots=True)
class DocumentSummary:
    """Per local document: status counts, the documents it draws on, measures it leaves out."""

    doc_id: str
    counts: dict[str, int]
    later: int  # directives whose only counterpart is in a later reference
    references: int  # documents on its line of authority (any date)
    sources: list[str]  # documents held against it for omissions
    missing_measures: list[str]  # measures of its sources that none of its directives has


@dataclass(slots=True)
class DocumentResult:
    """What aligning one local document gives the views (`run.document_result`), small to send back from
    a worker: the diff rows and timeline links are packed (`rows.pack_rows`), unpacked when read."""

    doc: int
    references: int  # documents on its line of authority (any date)
    summary: DocumentSummary
    links: bytes  # packed [(reference doc, ((position, status), ...))]: the earlier directives it carries out
    shown: tuple[int, ...]  # reference documents its kept rows and sources show
    n_rows: int
    rows: bytes  # packed diff rows (`run.compare_doc`), after the actor, measure and topic filters
    json: tuple[str, int, int] | None = None  # where `Run.spool` holds the rows' JSON (`diffjson.JsonSpool.put`)
    timeline_json: tuple[str, int, int] | None = None  # and where it holds the document's timeline entry


@dataclass(slots=True)
class Comparison:
    """Everything `corpus compare` shows: the four views as records, plus labels for rendering."""

    documents: list[DocumentInfo]
    coverage: dict[str, dict[str, int]]  # measure -> doc_id -> directives (zero counts left out)
    actors: dict[str, dict[str, int]]  # actor ("" = none) -> doc_id -> directives
    diffs: DiffList  # iterable, built as read
    timeline: Timeline  # iterable (of `TimelineEntry`), built as read
    summaries: list[DocumentSummary]
    labels: dict[str, dict[str, str]]  # levels, statuses, modalities, measures, actors -> Chinese
    warnings: list[str] = field(default_factory=list)
    # every document read, shown or not (sorted): a short label is a prefix none of the others starts
    # with, so that it can be typed back (`--doc 000`)
    doc_ids: list[str] = field(default_factory=list)
