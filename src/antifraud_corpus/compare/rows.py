"""Diff rows: the compact rows of the alignment, made into `Diff` records as read, and as JSON or flat rows."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .diffjson import DiffJson, JsonSpool
from .features import Item
from .records import ROW_STATUS, Comparison, Diff, Directive, DocumentInfo, DocumentSummary, TimelineEntry

_REFERENCES_KEPT = 50_000  # reference directive records a DiffList keeps while it is read
_T = TypeVar("_T")


def pack_rows(rows: list) -> bytes:
    """Rows of plain tuples as bytes: a tenth of their size as objects, and one object to send or keep."""
    return pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_rows(packed: bytes) -> list:
    """The rows `pack_rows` packed (bytes this process or its workers made, never read from outside)."""
    return pickle.loads(packed)  # noqa: S301


def row_items(items: list[list[Item]], doc: int, row: tuple) -> tuple[Item | None, Item | None]:
    """(local, reference) directive of a diff row of `run.compare_doc`."""
    if row[0] in ("a", "t"):
        return items[doc][row[1]], None
    if row[0] == "o":
        return None, items[row[1]][row[2]]
    return items[doc][row[1]], items[row[2]][row[3]]


class DiffList:
    """The diffs of a comparison, made into `Diff` records one document at a time as they are read.

    A large corpus has over a million diffs: as records they would take more memory than the whole
    index, so the comparison keeps the compact rows the alignment produced and builds each record when
    it is read (the records of one reading are not kept). Iterate it, take `len`, test it for truth.
    """

    def __init__(self, rows: list[tuple[str, int, bytes, int, tuple[str, int, int] | None]],
                 items: list[list[Item]], infos: list[DocumentInfo], spool: JsonSpool | None = None) -> None:
        # (local doc id, local doc, its rows packed by `pack_rows`, their number, where `spool` holds
        # their JSON or None)
        self._rows = rows
        self._items = items
        self._infos = infos
        self._spool = spool  # the diffs' JSON as the workers rendered it (removed with this list)
        self._count = sum(row[3] for row in rows)
        self._lists: dict[tuple[str, ...], list[str]] = {}
        self._references: dict[int, Directive] = {}  # id(item) -> record; a reference recurs in many diffs

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[Diff]:
        directive, reference = self._directive, self._reference

        def make(doc_id: str, status: str, local: Item | None, ref: Item | None, similarity: float,
                 text: float, later: bool, reasons: tuple[str, ...], undated: bool) -> Diff:
            return Diff(doc_id, status, None if local is None else directive(local),
                        None if ref is None else reference(ref), similarity, text, later, reasons, undated)

        return self._walk(make)

    def json_documents(self) -> Iterator[bytes]:
        """Each local document's diffs as their encoded `diff_record`s joined by `diffjson.SEPARATOR`
        (documents without diffs left out): read back from the spool where the workers rendered them,
        else rendered here from the rows, one document at a time."""
        renderer = json_renderer(self._items, self._infos)
        for doc_id, doc, packed, count, where in self._rows:
            if not count:
                continue
            if where is not None and self._spool is not None:
                yield self._spool.get(where)
            else:
                yield renderer.document(doc_id, doc, unpack_rows(packed))

    def _walk(self, make: Callable[..., _T]) -> Iterator[_T]:
        """`make(doc_id, status, local item, reference item, similarity, text similarity, later, reasons,
        undated)` for each row, one document's rows unpacked at a time."""
        items = self._items
        for doc_id, doc, packed, _, _ in self._rows:
            for row in unpack_rows(packed):
                if row[0] in ("a", "t"):
                    yield make(doc_id, ROW_STATUS[row[0]], items[doc][row[1]], None, 0.0, 0.0, False, (), False)
                elif row[0] == "o":
                    yield make(doc_id, "omitted", None, items[row[1]][row[2]], row[3], 0.0, False, (), False)
                else:
                    _, pos, ref_doc, ref_pos, score, text, later, status, reasons, undated = row
                    yield make(doc_id, status, items[doc][pos], items[ref_doc][ref_pos], score, text, later,
                               reasons, undated)

    def _reference(self, item: Item) -> Directive:
        """The record of a reference directive, kept for its next diffs (up to a bound on memory)."""
        found = self._references.get(id(item))  # items live as long as this list: their ids are stable
        if found is None:
            if len(self._references) >= _REFERENCES_KEPT:
                self._references.clear()
            found = self._references[id(item)] = self._directive(item)
        return found

    def _directive(self, item: Item) -> Directive:
        return directive_of(item, self._infos[item.doc], self._lists)


def json_renderer(items: list[list[Item]], infos: list[DocumentInfo]) -> DiffJson:
    """A renderer of diff rows as their JSON records, sides as `directive_to_json` makes them."""
    lists: dict[tuple[str, ...], list[str]] = {}
    return DiffJson(items, lambda item, with_doc: directive_to_json(directive_of(item, infos[item.doc], lists),
                                                                    with_doc))


def directive_of(item: Item, info: DocumentInfo, lists: dict[tuple[str, ...], list[str]]) -> Directive:
    """The record of a directive of the document `info`; `lists` keeps one (read-only) list per actor
    or measure combination, since there are few."""
    actors = lists.get(item.actors)
    if actors is None:
        actors = lists[item.actors] = list(item.actors)
    measures = lists.get(item.measures)
    if measures is None:
        measures = lists[item.measures] = list(item.measures)
    return Directive(info.doc_id, item.sentence, item.clause, item.start, item.end, actors, item.modality,
                     item.marker, measures, info.date, info.level)


# --------------------------------------------------------------------------- JSON


def directive_to_json(d: Directive, with_doc: bool) -> dict:
    """One side of a diff as a JSON record; `with_doc` adds the directive's document, date and level."""
    out: dict[str, Any] = {}
    if with_doc:
        out["doc_id"] = d.doc_id
    out.update({"sentence": d.sentence, "clause": d.clause, "start": d.start, "end": d.end,
                "actors": d.actors, "modality": d.modality, "measures": d.measures, "marker": d.marker})
    if with_doc:
        out.update({"date": d.date, "level": d.level})
    return out


def diff_to_json(diff: Diff, reference_side: Callable[[Directive], Any] | None = None) -> dict:
    """One diff as the contract's record (plus `reference_later`, `text_similarity`, `reasons`).

    `reference_side` may stand in for the reference's record (a writer that encodes each reference
    directive once, since one recurs in many diffs).
    """
    local = None if diff.local is None else directive_to_json(diff.local, False)
    reference = None if diff.reference is None else \
        reference_side(diff.reference) if reference_side else directive_to_json(diff.reference, True)
    return diff_record(diff.doc_id, diff.status, local, reference, diff.similarity, diff.text_similarity,
                       diff.reference_later, diff.reference_undated, diff.reasons)


def diff_record(doc_id: str, status: str, local: Any, reference: Any, similarity: float, text_similarity: float,
                reference_later: bool, reference_undated: bool, reasons: tuple[str, ...] | list[str]) -> dict:
    """The JSON record of a diff from its values and its two sides' records (a side left out when None)."""
    out: dict[str, Any] = {"doc_id": doc_id, "status": status}
    if local is not None:
        out["local"] = local
    if reference is not None:
        out["reference"] = reference
    out["similarity"] = similarity
    out["text_similarity"] = text_similarity
    out["reference_later"] = reference_later
    out["reference_undated"] = reference_undated
    out["reasons"] = list(reasons)
    return out


#: Columns of `diff_rows`: one row per diff, for CSV and the `diffs` table of a SQLite export.
DIFF_COLUMNS = ("doc_id", "level", "region", "date", "status", "clause", "sentence", "actors", "modality",
                "measures", "reference_doc_id", "reference_level", "reference_date", "reference_clause",
                "reference_sentence", "reference_actors", "reference_modality", "reference_measures",
                "similarity", "text_similarity", "reference_later", "reference_undated", "reasons")


def diff_rows(comparison: Comparison) -> Iterator[dict]:
    """Each diff as a flat row (`DIFF_COLUMNS`; lists joined with `;`), with its document's metadata.

    `start`/`end` of both sides are added (`start`, `end`, `reference_start`, `reference_end`), so a row
    can be keyed to the stored directive it shows.
    """
    infos = {d.doc_id: d for d in comparison.documents}
    for diff in comparison.diffs:
        info = infos.get(diff.doc_id)
        local, ref = diff.local, diff.reference
        yield {
            "doc_id": diff.doc_id, "level": info.level if info else None, "region": info.region if info else None,
            "date": info.date if info else None, "status": diff.status,
            "clause": local.clause if local else None, "sentence": local.sentence if local else None,
            "actors": ";".join(local.actors) if local else None, "modality": local.modality if local else None,
            "measures": ";".join(local.measures) if local else None,
            "start": local.start if local else None, "end": local.end if local else None,
            "reference_doc_id": ref.doc_id if ref else None, "reference_level": ref.level if ref else None,
            "reference_date": ref.date if ref else None, "reference_clause": ref.clause if ref else None,
            "reference_sentence": ref.sentence if ref else None,
            "reference_actors": ";".join(ref.actors) if ref else None,
            "reference_modality": ref.modality if ref else None,
            "reference_measures": ";".join(ref.measures) if ref else None,
            "reference_start": ref.start if ref else None, "reference_end": ref.end if ref else None,
            "similarity": diff.similarity, "text_similarity": diff.text_similarity,
            "reference_later": diff.reference_later, "reference_undated": diff.reference_undated,
            "reasons": "; ".join(diff.reasons),
        }


def comparison_to_json(comparison: Comparison, *, diffs: bool = True) -> dict:
    """The contract's `compare --format json` object, with `timeline`, `summary` and `warnings` added.

    Args:
        comparison: the result of `compare_corpus`.
        diffs: include the diffs, timeline and summary (the streaming writer adds them one by one instead).
    """
    return {
        "documents": [{"doc_id": d.doc_id, "level": d.level, "region": d.region, "date": d.date,
                       "title": d.title, "province": d.province, "kind": d.kind, "n_duties": d.n_duties,
                       "role": d.role} for d in comparison.documents],
        "coverage": comparison.coverage,
        "actors": comparison.actors,
        "diffs": [diff_to_json(d) for d in comparison.diffs] if diffs else [],
        "timeline": [timeline_to_json(t) for t in comparison.timeline] if diffs else [],
        "summary": [summary_to_json(s) for s in comparison.summaries] if diffs else [],
        "warnings": comparison.warnings,
    }


def timeline_to_json(entry: TimelineEntry) -> dict:
    """One timeline entry as a JSON record."""
    return {"doc_id": entry.doc_id, "date": entry.date, "level": entry.level, "region": entry.region,
            "echoes": [{"doc_id": e.doc_id, "date": e.date, "level": e.level, "counts": e.counts,
                        "directives": [{"clause": cl, "sentence": se, "status": st} for cl, se, st in e.directives]}
                       for e in entry.echoes]}


def summary_to_json(summary: DocumentSummary) -> dict:
    """One per-document summary as a JSON record."""
    return {"doc_id": summary.doc_id, "counts": summary.counts, "later": summary.later,
            "references": summary.references, "sources": summary.sources,
            "missing_measures": summary.missing_measures}
