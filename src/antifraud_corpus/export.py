"""Exports for analysts: documents and duties per agency as JSONL, CSV or SQLite.

Reads the normalized store only. CSV is UTF-8 with a byte-order mark (Excel
then opens Chinese text correctly) and no cell starts with a formula
character: such cells get a leading apostrophe, the escape Excel and
LibreOffice both honour. The full-width `＝＋－＠` count as formula characters too.
"""

from __future__ import annotations

import csv
import errno
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Literal

from .config import Config
from .errors import file_error
from .extract.topic import topic_rules
from .files import atomic_path
from .filters import KEEP_ALL, DutyFilter, actor_names, measure_names
from .models import RECORD_FIELDS, Document, Duty

Format = Literal["jsonl", "csv", "sqlite", "parquet"]  # (parquet: `parquet.py`)

DOCUMENT_COLUMNS = list(RECORD_FIELDS)
# What a spreadsheet may take for the start of a formula (OWASP's list: tab and CR too), and the
# full-width forms, which some spreadsheets (and IMEs, on the way in) normalise to ASCII.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def agency_names(duty: Duty) -> dict[str, str]:
    """The agencies of a duty as named in the text, per actor id (`生态环境部门、规划主管部门`).

    The finer grain under the taxonomy id: the extractor keeps each agency's normalised
    name; a store written before it did gives none (the caller falls back to the id's name).
    """
    out: dict[str, list[str]] = {}
    for m in duty.actors:
        if m.name and m.name not in out.setdefault(m.id, []):
            out[m.id].append(m.name)
    return {k: "、".join(v) for k, v in out.items() if v}


def contract_actor_source(source: str) -> str:
    """The contract's two values: an actor named in the sentence, or one carried over to it.

    The store keeps the finer reason (`addressee`: the document's whole audience,
    such as 各地区各部门); for the table it is carried over like an inherited one.
    """
    return "explicit" if source == "explicit" else "inherited"


def document_rows(docs: Iterable[Document]) -> Iterator[dict]:
    """The contract's document record, one per document."""
    for doc in docs:
        yield doc.record()


@dataclass(slots=True)
class DutyRow:
    """A row of the duties-per-agency table (the contract's duty row): a duty with one of its actors."""

    doc_id: str
    level: str | None
    region: str | None
    date: str | None
    kind: str | None
    clause: str
    sentence: str
    start: int
    end: int
    actor: str  # "" for a duty with no actor
    actor_name: str
    actor_source: str  # explicit | inherited; "" with no actor
    modality: str
    marker: str
    action: str
    measures: str  # measure ids joined by `;`

    def to_dict(self) -> dict:
        # (written out: a large export turns hundreds of thousands of rows into dicts)
        return {"doc_id": self.doc_id, "level": self.level, "region": self.region, "date": self.date,
                "kind": self.kind, "clause": self.clause, "sentence": self.sentence, "start": self.start,
                "end": self.end, "actor": self.actor, "actor_name": self.actor_name,
                "actor_source": self.actor_source, "modality": self.modality, "marker": self.marker,
                "action": self.action, "measures": self.measures}


@dataclass(slots=True)
class ClauseRow:
    """A clause with its document's id: a row of the clauses table (`export --format sqlite` has it too)."""

    doc_id: str
    path: str
    heading: str
    chapter: str | None
    text: str
    start: int
    end: int


DUTY_COLUMNS = [f.name for f in fields(DutyRow)]
CLAUSE_COLUMNS = [f.name for f in fields(ClauseRow)]


def clause_records(docs: Iterable[Document], keep: DutyFilter = KEEP_ALL) -> Iterator[ClauseRow]:
    """Every clause of the kept documents, in document and text order."""
    for doc in docs:
        if keep.keeps_document(doc):
            for clause in doc.clauses:
                yield ClauseRow(doc.doc_id, clause.path, clause.heading, clause.chapter, clause.text, clause.start,
                                clause.end)


def duty_records(docs: Iterable[Document], config: Config, keep: DutyFilter = KEEP_ALL) -> Iterator[DutyRow]:
    """One row per (duty, actor): the duties-per-agency table. A duty with no actor gives one row."""
    names = actor_names(config)
    rules = topic_rules(config)
    for doc in docs:
        if not keep.keeps_document(doc):
            continue
        for duty in doc.duties:
            actors = duty.actor_ids
            if not keep.keeps_duty(actors, duty.measure_ids, rules.on_topic(duty.topic)):
                continue
            measures = ";".join(duty.measure_ids)
            agencies = agency_names(duty)
            for actor in actors or [""]:
                if keep.actors and actor not in keep.actors:
                    continue
                yield DutyRow(
                    doc_id=doc.doc_id, level=doc.level, region=doc.region, date=doc.date, kind=doc.kind,
                    clause=duty.clause, sentence=duty.sentence, start=duty.start, end=duty.end, actor=actor,
                    actor_name=agencies.get(actor) or names.get(actor, actor),
                    actor_source=contract_actor_source(duty.actor_source) if actor else "",
                    modality=duty.modality, marker=duty.marker, action=duty.action, measures=measures,
                )


def duty_rows(docs: Iterable[Document], config: Config, keep: DutyFilter = KEEP_ALL) -> Iterator[dict]:
    """`duty_records` as dicts keyed by `DUTY_COLUMNS` (what CSV and JSONL write)."""
    for row in duty_records(docs, config, keep):
        yield row.to_dict()


def localize(rows: Iterable[dict], config: Config) -> Iterator[dict]:
    """Chinese column headers and Chinese names for levels, kinds, modalities, measures, actor sources."""
    labels = config["labels"]
    columns = labels.get("columns") or {}
    levels = labels.get("levels") or {}
    modalities = labels.get("modalities") or {}
    sources = labels.get("actor_sources") or {}
    measures = measure_names(config)
    kinds = {k: str(v).split("、")[0] for k, v in (config["taxonomy"].get("kinds") or {}).items()}
    for row in rows:
        out = dict(row)
        if out.get("kind") in kinds:
            out["kind"] = kinds[out["kind"]]
        if out.get("level") in levels:
            out["level"] = levels[out["level"]]
        if out.get("modality") in modalities:
            out["modality"] = modalities[out["modality"]]
        if out.get("actor_source") in sources:
            out["actor_source"] = sources[out["actor_source"]]
        if isinstance(out.get("measures"), str):
            out["measures"] = ";".join(measures.get(m, m) for m in out["measures"].split(";") if m)
        yield {columns.get(k, k): v for k, v in out.items()}


def excel_safe(value: object) -> str:
    """A cell value as text that spreadsheets will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(rows: Iterable[dict], fh: IO[str], columns: list[str]) -> int:
    """Write rows as Excel-safe CSV (the caller opens `fh` with encoding 'utf-8-sig'); return the count."""
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([excel_safe(row.get(c)) for c in columns])
        count += 1
    return count


def write_jsonl(rows: Iterable[dict], fh: IO[str]) -> int:
    count = 0
    for row in rows:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


_SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, source TEXT, sha256 TEXT, title TEXT, issuer TEXT, date TEXT,
    level TEXT, region TEXT, province TEXT, kind TEXT, text TEXT, warnings TEXT
);
CREATE TABLE clauses (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    path TEXT, heading TEXT, chapter TEXT, text TEXT, start INTEGER, "end" INTEGER
);
CREATE TABLE duties (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    clause_id INTEGER REFERENCES clauses(id), clause TEXT, sentence TEXT, start INTEGER, "end" INTEGER,
    modality TEXT, marker TEXT, action TEXT, actor_source TEXT
);
CREATE TABLE duty_actors (
    duty_id INTEGER NOT NULL REFERENCES duties(id), actor TEXT NOT NULL, actor_name TEXT,
    alias TEXT, rule TEXT
);
CREATE TABLE duty_measures (
    duty_id INTEGER NOT NULL REFERENCES duties(id), measure TEXT NOT NULL, measure_name TEXT,
    cue TEXT, rule TEXT
);
CREATE TABLE diffs (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id), status TEXT NOT NULL,
    duty_id INTEGER REFERENCES duties(id), clause TEXT, sentence TEXT,
    reference_doc_id TEXT, reference_duty_id INTEGER REFERENCES duties(id), reference_clause TEXT,
    reference_sentence TEXT, similarity REAL, text_similarity REAL, reference_later INTEGER,
    reference_undated INTEGER, reasons TEXT
);
CREATE INDEX diffs_doc ON diffs(doc_id, status);
CREATE INDEX diffs_reference_duty ON diffs(reference_duty_id);
CREATE INDEX documents_level ON documents(level);
CREATE INDEX clauses_doc ON clauses(doc_id);
CREATE INDEX duties_doc ON duties(doc_id);
CREATE INDEX duty_actors_actor ON duty_actors(actor);
CREATE INDEX duty_measures_measure ON duty_measures(measure);
CREATE VIEW duty_rows AS
    SELECT d.doc_id, doc.level, doc.region, doc.date, doc.kind, d.clause, d.sentence, d.start, d."end",
           a.actor, a.actor_name, d.actor_source, d.modality, d.marker, d.action,
           (SELECT group_concat(m.measure, ';') FROM duty_measures m WHERE m.duty_id = d.id) AS measures
    FROM duties d JOIN documents doc ON doc.doc_id = d.doc_id
    LEFT JOIN duty_actors a ON a.duty_id = d.id;
"""


def write_sqlite(docs: Iterable[Document], path: Path, config: Config, keep: DutyFilter = KEEP_ALL,
                 diffs: Iterable[dict] | None = None) -> int:
    """Write documents, clauses and duties as related tables to a new SQLite file; return duty count.

    `diffs` (rows of `compare.diff_rows`) fill the `diffs` table, keyed to the documents and to the
    duties on either side (a side whose duty is not exported, or a reference document outside the
    filters, keeps its sentence with a NULL duty id).

    The database is built in a temporary file of its own beside `path` and renamed onto it:
    readers never see half a database, two exports to one path never share a temporary file,
    and a failed export leaves none.

    Raises:
        WriteError: the database cannot be written (`DiskFullError` when the device is full).
    """
    with atomic_path(path) as tmp:
        try:
            db = sqlite3.connect(tmp)
            try:
                count = _fill_database(db, docs, config, keep)
                if diffs is not None:
                    _fill_diffs(db, diffs)
                return count
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise file_error(_as_os_error(exc), path) from None


def _as_os_error(exc: sqlite3.Error) -> OSError:
    """SQLite's error as the OS error it stands for: a full database file is a full disk."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # (the primary result code)
    return OSError(errno.ENOSPC if code == sqlite3.SQLITE_FULL else 0, str(exc))


def _fill_database(db: sqlite3.Connection, docs: Iterable[Document], config: Config, keep: DutyFilter) -> int:
    names = actor_names(config)
    measures = measure_names(config)
    rules = topic_rules(config)
    # A private file renamed into place when whole: a rollback journal beside it would only be one
    # more file to leave behind.
    db.execute("PRAGMA journal_mode = OFF")
    duty_count = 0
    with db:
        db.executescript(_SCHEMA)
        for doc in docs:
            if not keep.keeps_document(doc):
                continue
            db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc.doc_id, doc.source, doc.sha256, doc.title, doc.issuer, doc.date, doc.level, doc.region,
                 doc.province, doc.kind, doc.text, json.dumps(doc.warnings, ensure_ascii=False)),
            )
            clause_ids: dict[str, int] = {}
            for clause in doc.clauses:
                cur = db.execute(
                    'INSERT INTO clauses (doc_id, path, heading, chapter, text, start, "end") VALUES (?,?,?,?,?,?,?)',
                    (doc.doc_id, clause.path, clause.heading, clause.chapter, clause.text, clause.start, clause.end),
                )
                clause_ids[clause.path] = int(cur.lastrowid or 0)
            for duty in doc.duties:
                if not keep.keeps_duty(duty.actor_ids, duty.measure_ids, rules.on_topic(duty.topic)):
                    continue
                cur = db.execute(
                    'INSERT INTO duties (doc_id, clause_id, clause, sentence, start, "end", modality, marker, '
                    "action, actor_source) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (doc.doc_id, clause_ids.get(duty.clause), duty.clause, duty.sentence, duty.start, duty.end,
                     duty.modality, duty.marker, duty.action, duty.actor_source),
                )
                duty_id = cur.lastrowid
                duty_count += 1
                seen: set[str] = set()
                agencies = agency_names(duty)
                for mention in duty.actors:
                    if mention.id not in seen:
                        seen.add(mention.id)
                        db.execute("INSERT INTO duty_actors VALUES (?,?,?,?,?)",
                                   (duty_id, mention.id, agencies.get(mention.id) or names.get(mention.id, mention.id),
                                    mention.text, mention.rule))
                seen = set()
                for mention in duty.measures:
                    if mention.id not in seen:
                        seen.add(mention.id)
                        db.execute("INSERT INTO duty_measures VALUES (?,?,?,?,?)",
                                   (duty_id, mention.id, measures.get(mention.id, mention.id), mention.text,
                                    mention.rule))
    return duty_count


def _fill_diffs(db: sqlite3.Connection, diffs: Iterable[dict]) -> None:
    duty_ids = {(doc_id, start, end): duty_id
                for duty_id, doc_id, start, end in db.execute('SELECT id, doc_id, start, "end" FROM duties')}
    with db:
        db.executemany(
            "INSERT INTO diffs (doc_id, status, duty_id, clause, sentence, reference_doc_id, reference_duty_id, "
            "reference_clause, reference_sentence, similarity, text_similarity, reference_later, "
            "reference_undated, reasons) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            ((row["doc_id"], row["status"], duty_ids.get((row["doc_id"], row["start"], row["end"])),
              row["clause"], row["sentence"], row["reference_doc_id"],
              duty_ids.get((row["reference_doc_id"], row["reference_start"], row["reference_end"])),
              row["reference_clause"], row["reference_sentence"], row["similarity"], row["text_similarity"],
              int(row["reference_later"]), int(row["reference_undated"]), row["reasons"]) for row in diffs))
