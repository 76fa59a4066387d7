"""The records that flow through the pipeline and into the normalized store.

Plain dataclasses with `to_dict`/`from_dict`, so the JSON in
`data/normalized/` is the single serialized form and every later command
(`export`, `compare`, `check`) reads the same records back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

# The one list of levels, top down (the order of a line of authority); every other is derived from it.
Level = Literal["central", "provincial", "municipal", "county"]
LEVELS: tuple[Level, ...] = get_args(Level)
Modality = Literal["obligation", "prohibition", "encouragement", "permission"]
MODALITIES: tuple[Modality, ...] = get_args(Modality)
# What `corpus compare` says of a local directive against the levels above (in the order reports show).
Status = Literal["echoed", "strengthened", "weakened", "reassigned", "added", "omitted", "off_topic"]
STATUSES: tuple[Status, ...] = get_args(Status)


def _from_dict(cls: type, data: dict) -> Any:
    """Build a dataclass from a dict, ignoring keys it does not know (newer store files)."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class Clause:
    """A numbered unit of the body: `path` like `三/（一）/2`, offsets into the document text."""

    path: str
    text: str
    start: int
    end: int
    heading: str = ""  # the number as written (`一、`, `第五条`) or a news sub-title
    chapter: str | None = None  # `第二章 电信治理` for articles of a law

    def to_dict(self) -> dict:
        return {"path": self.path, "text": self.text, "start": self.start, "end": self.end,
                "heading": self.heading, "chapter": self.chapter}

    @classmethod
    def from_dict(cls, data: dict) -> Clause:
        return _from_dict(cls, data)


@dataclass(slots=True)
class LocatedClause(Clause):
    """A clause of a PDF, DOCX or web page: where in the file it starts (a text file's clauses
    are plain `Clause`s, stored without these keys)."""

    page: int | None = None
    paragraph: int | None = None

    def to_dict(self) -> dict:
        return {**Clause.to_dict(self), "page": self.page, "paragraph": self.paragraph}


@dataclass(slots=True)
class Mention:
    """A tagged span in the text: an actor, a target, a modal marker or a measure cue."""

    id: str  # taxonomy id (actor, modality or measure)
    text: str  # as written
    start: int  # offset into the document text (-1 when inherited)
    end: int
    rule: str  # the rule or lexicon entry that produced the tag
    # an actor's agency name as written, normalised (`国务院反洗钱行政主管部门`; `公安部门` for 公安 in
    # `公安、电信等部门`): the finer grain under the taxonomy id; "" for other tags
    name: str = ""

    def to_dict(self) -> dict:
        # (every field, as the store's encoder writes the record itself)
        return {"id": self.id, "text": self.text, "start": self.start, "end": self.end, "rule": self.rule,
                "name": self.name}

    @classmethod
    def from_dict(cls, data: dict) -> Mention:
        return _from_dict(cls, data)


@dataclass(slots=True)
class Duty:
    """A directive: who must (not) do what, how strongly, with which instruments."""

    clause: str  # path of the enclosing clause; "" for the preamble
    sentence: str
    start: int
    end: int
    modality: str
    marker: str  # the modal word as written; "" when governed by an earlier marker
    action: str
    actor_source: str = "explicit"  # explicit | inherited | addressee | none
    actors: list[Mention] = field(default_factory=list)
    targets: list[Mention] = field(default_factory=list)
    measures: list[Mention] = field(default_factory=list)
    marker_span: tuple[int, int] | None = None
    rules: list[str] = field(default_factory=list)  # why this unit is a directive
    topic: float | None = None  # topic relevance (`topic.py`); None in stores written before it

    @property
    def actor_ids(self) -> list[str]:
        return list(dict.fromkeys(m.id for m in self.actors))

    @property
    def measure_ids(self) -> list[str]:
        return list(dict.fromkeys(m.id for m in self.measures))

    def to_dict(self) -> dict:
        return {
            "clause": self.clause, "sentence": self.sentence, "start": self.start, "end": self.end,
            "modality": self.modality, "marker": self.marker, "action": self.action,
            "actor_source": self.actor_source,
            "actors": [m.to_dict() for m in self.actors],
            "targets": [m.to_dict() for m in self.targets],
            "measures": [m.to_dict() for m in self.measures],
            "marker_span": list(self.marker_span) if self.marker_span else None,
            "rules": list(self.rules),
            "topic": self.topic,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Duty:
        duty = _from_dict(cls, data)
        duty.actors = [Mention.from_dict(m) for m in data.get("actors") or []]
        duty.targets = [Mention.from_dict(m) for m in data.get("targets") or []]
        duty.measures = [Mention.from_dict(m) for m in data.get("measures") or []]
        span = data.get("marker_span")
        duty.marker_span = tuple(span) if span else None
        return duty


@dataclass(slots=True)
class LocatedDuty(Duty):
    """A directive of a PDF, DOCX or web page, with the page or paragraph its sentence starts on."""

    page: int | None = None
    paragraph: int | None = None

    def to_dict(self) -> dict:
        return {**Duty.to_dict(self), "page": self.page, "paragraph": self.paragraph}

    @classmethod
    def from_dict(cls, data: dict) -> LocatedDuty:
        duty = Duty.from_dict(data)
        return cls(**{f.name: getattr(duty, f.name) for f in fields(Duty)},
                   page=data.get("page"), paragraph=data.get("paragraph"))


def _located(data: dict) -> bool:
    return "page" in data or "paragraph" in data


@dataclass(slots=True)
class Metadata:
    """Document-level facts, each with the rule that found it (`sources`)."""

    title: str = ""
    issuer: str = ""
    date: str | None = None
    level: str | None = None
    region: str | None = None
    province: str | None = None
    kind: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field -> rule / evidence
    warnings: list[str] = field(default_factory=list)


RECORD_FIELDS = ("doc_id", "source", "sha256", "title", "issuer", "date", "level", "region", "province", "kind",
                  "text", "clauses", "removed", "warnings")


@dataclass(slots=True)
class Document:
    """One normalized document, as stored in `data/normalized/<doc_id>.json`."""

    doc_id: str
    source: str
    sha256: str
    encoding: str
    title: str
    issuer: str
    date: str | None
    level: str | None
    region: str | None
    province: str | None
    kind: str | None
    text: str
    clauses: list[Clause] = field(default_factory=list)
    removed: Sequence[Any] = field(default_factory=list)  # RemovedLog when built, {text, reason, start, end} when read
    replaced: list[dict] = field(default_factory=list)  # {start, end, replacement, reason}
    warnings: list[str] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    metadata_sources: dict[str, str] = field(default_factory=dict)
    source_map: Sequence[Sequence[int]] = field(default_factory=list)  # (out_start, out_end, raw_start, raw_end)
    pipeline_version: str = ""
    # A PDF, DOCX or web page: {format, unit: page | paragraph, starts: raw offset of each}, which
    # locates any raw offset (a removed piece's too). None for a text file (and not stored).
    layout: dict | None = None

    def to_dict(self) -> dict:
        stored = {
            "doc_id": self.doc_id,
            "source": self.source,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "title": self.title,
            "issuer": self.issuer,
            "date": self.date,
            "level": self.level,
            "region": self.region,
            "province": self.province,
            "kind": self.kind,
            "text": self.text,
            # Records themselves, not dicts: the store turns them into JSON one at a time.
            "clauses": self.clauses,
            "duties": self.duties,
            "removed": self.removed,
            "replaced": self.replaced,
            "warnings": self.warnings,
            "metadata_sources": self.metadata_sources,
            "source_map": self.source_map,
            "pipeline_version": self.pipeline_version,
        }
        if self.layout is not None:
            stored["layout"] = self.layout
        return stored

    @classmethod
    def from_dict(cls, data: dict) -> Document:
        doc = _from_dict(cls, data)
        doc.clauses = [(LocatedClause if _located(c) else Clause).from_dict(c) for c in data.get("clauses") or []]
        doc.duties = [(LocatedDuty if _located(d) else Duty).from_dict(d) for d in data.get("duties") or []]
        return doc

    def location(self, raw_offset: int) -> str:
        """`page 3` / `paragraph 12` for a raw offset of a PDF, DOCX or web page; "" for a text file."""
        if not self.layout or not self.layout.get("starts"):
            return ""
        import bisect

        return f"{self.layout['unit']} {max(1, bisect.bisect_right(self.layout['starts'], raw_offset))}"

    def removed_records(self) -> Iterator[dict]:
        """Removed pieces as `{text, reason, start, end}` dicts, whether built here or read from the store."""
        for piece in self.removed:
            yield piece if isinstance(piece, dict) else piece.to_dict()

    def record(self) -> dict:
        """The contract's document record (`export documents`): a subset of the stored fields."""
        stored = self.to_dict()
        record = {key: stored[key] for key in RECORD_FIELDS}
        record["clauses"] = [c.to_dict() for c in self.clauses]
        record["removed"] = [{"text": r["text"], "reason": r["reason"]} for r in self.removed_records()]
        return record

