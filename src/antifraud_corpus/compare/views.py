"""The views besides the diffs: document order, row filters, matrices, timeline, labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from ..config import Config
from ..filters import actor_names, measure_names
from .diffjson import JsonSpool
from .features import Item
from .records import LEVELS, NO_ACTOR, RANK, DocumentInfo, DocumentResult, Echo, TimelineEntry
from .rows import pack_rows, row_items, timeline_to_json, unpack_rows
from .state import Run


def doc_order(infos: list[DocumentInfo], doc: int) -> tuple:
    """Documents by level, then date, then id."""
    info = infos[doc]
    return (RANK.get(info.level or "", len(LEVELS)), info.date or "9999", info.doc_id)


def keeps_row(run: Run, doc: int, row: tuple) -> bool:
    """Whether a diff row passes the actor and measure filters (on either side)."""
    actors, measures = run.keep.actors, run.keep.measures
    sides = row_items(run.corpus.items, doc, row)
    if not run.keep.keeps_topic(next(d for d in sides if d is not None).on_topic):
        return False
    if not actors and not measures:
        return True
    return (not actors or any(set(actors) & set(d.actors) for d in sides if d is not None)) and \
        (not measures or any(set(measures) & set(d.measures) for d in sides if d is not None))


def matrices(run: Run, shown: list[int]) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    taxonomy_measures = list(run.config["taxonomy"].get("measures") or {})
    coverage: dict[str, dict[str, int]] = {m: {} for m in (run.keep.measures or taxonomy_measures)}
    actors: dict[str, dict[str, int]] = {a: {} for a in run.keep.actors}
    for doc in shown:
        doc_id = run.corpus.infos[doc].doc_id
        for item in run.corpus.items[doc]:
            if run.keep.actors and not set(run.keep.actors) & set(item.actors):
                continue
            if run.keep.measures and not set(run.keep.measures) & set(item.measures):
                continue
            for measure in item.measures:
                if not run.keep.measures or measure in run.keep.measures:
                    row = coverage.setdefault(measure, {})
                    row[doc_id] = row.get(doc_id, 0) + 1
            for actor in item.actors or (NO_ACTOR,):
                if not run.keep.actors or actor in run.keep.actors:
                    row = actors.setdefault(actor, {})
                    row[doc_id] = row.get(doc_id, 0) + 1
    actor_order = sorted(actors, key=lambda a: (a == NO_ACTOR, -sum(actors[a].values()), a))
    return coverage, {a: actors[a] for a in actor_order}


def carried_links(run: Run, rows: list[tuple]) -> bytes:
    """The earlier reference directives a document's rows carry out, per reference document (in order of
    first appearance), each directive once (by offsets, first status) in text order; packed."""
    items = run.corpus.items
    grouped: dict[int, dict[tuple[int, int], tuple[int, str]]] = {}
    for row in rows:
        if row[0] == "m" and not row[6]:
            item = items[row[2]][row[3]]
            grouped.setdefault(row[2], {}).setdefault((item.start, item.end), (row[3], row[7]))
    return pack_rows([(ref_doc, tuple(seen[k] for k in sorted(seen))) for ref_doc, seen in grouped.items()])


def timeline(run: Run, order: list[int], results: list[DocumentResult], spool: JsonSpool | None = None) -> Timeline:
    """Documents by date, each with the earlier documents whose directives it carries out (built as read)."""
    infos = run.corpus.infos
    docs = sorted(order, key=lambda d: (infos[d].date or "9999", doc_order(infos, d)))
    links = {result.doc: result.links for result in results}
    spooled = {result.doc: result.timeline_json for result in results if result.timeline_json is not None}
    return Timeline(run.corpus.items, infos, docs, links, spooled, spool)


def timeline_entry(items: list[list[Item]], infos: list[DocumentInfo], doc: int, links: bytes | None) -> TimelineEntry:
    """The timeline entry of `doc` from its packed `carried_links` (None: it was not compared)."""
    info = infos[doc]
    echoes = []
    for ref_doc, carried in unpack_rows(links) if links is not None else ():
        ref = infos[ref_doc]
        directives = [(items[ref_doc][pos].clause, items[ref_doc][pos].sentence, status) for pos, status in carried]
        counts = Counter(status for _, _, status in directives)
        echoes.append(Echo(ref.doc_id, ref.date, ref.level, dict(counts), directives))
    echoes.sort(key=lambda e: (e.date or "", e.doc_id))
    return TimelineEntry(info.doc_id, info.date, info.level, info.region, info.title, echoes)


class Timeline:
    """The timeline's entries, made as they are read (iterate it, take `len`), like the diffs: at 20k
    documents they hold millions of directives that the JSON writer never needs as records, since the
    workers rendered them (`json_entries`)."""

    def __init__(self, items: list[list[Item]], infos: list[DocumentInfo], docs: list[int],
                 links: dict[int, bytes], spooled: dict[int, tuple[str, int, int]], spool: JsonSpool | None) -> None:
        self._items = items
        self._infos = infos
        self._docs = docs  # in timeline order
        self._links = links
        self._spooled = spooled  # doc -> where `spool` holds its entry's JSON
        self._spool = spool

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[TimelineEntry]:
        for doc in self._docs:
            yield timeline_entry(self._items, self._infos, doc, self._links.get(doc))

    def json_entries(self, encode: Callable[[object], bytes]) -> Iterator[bytes]:
        """Each entry as `encode(timeline_to_json(entry))`: read back from the spool where a worker rendered it."""
        for doc in self._docs:
            where = self._spooled.get(doc)
            if where is not None and self._spool is not None:
                yield self._spool.get(where)
            else:
                yield encode(timeline_to_json(timeline_entry(self._items, self._infos, doc, self._links.get(doc))))


def labels(config: Config) -> dict[str, dict[str, str]]:
    """Chinese labels of levels, statuses, modalities, columns, measures and actors; the report's wording."""
    names = config["labels"] if "labels" in config.files else {}
    report, report_html = names.get("report") or {}, names.get("report_html") or {}
    return {
        "report_en": dict(report.get("en") or {}),
        "report_zh": dict(report.get("zh") or {}),
        "report_html_en": dict(report_html.get("en") or {}),
        "report_html_zh": dict(report_html.get("zh") or {}),
        "levels": dict(names.get("levels") or {}),
        "statuses": dict(names.get("statuses") or {}),
        "modalities": dict(names.get("modalities") or {}),
        "columns": dict(names.get("columns") or {}),
        "measures": measure_names(config),
        "actors": actor_names(config),
    }
