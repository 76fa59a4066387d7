"""One run: every local document aligned (in forked workers when that pays), then the views."""

from __future__ import annotations

import gc
import multiprocessing
from collections import Counter
from collections.abc import Callable
from typing import Any

from .alignment import UNDATED, align
from .diffjson import JsonSpool
from .lines import build_pools, finish_pools
from .omissions import omitted, sources_of
from .pairscore import local_grams
from .records import STATUSES, Comparison, DocumentResult, DocumentSummary
from .rows import ROW_STATUS, DiffList, json_renderer, pack_rows, timeline_to_json
from .state import Run
from .status import status_of
from .views import carried_links, doc_order, keeps_row, labels, matrices, timeline, timeline_entry


def compare_doc(run: Run, doc: int) -> tuple:
    """Everything found for one local document, as plain tuples (cheap to send between processes).

    Rows: ("m", local pos, ref doc, ref pos, score, text, later, status, reasons, undated) for each
    reference directive a local directive carries out, ("a", local pos) for an added one, ("o", ref doc,
    ref pos, score) for an omitted one.
    """
    local = local_grams(run.corpus.table, list(dict.fromkeys(item.sig for item in run.corpus.items[doc])))
    matches, line, seen = align(run, doc, local)
    references = sum(len(run.pools[k].docs) for k in line)
    rows: list[tuple] = []
    for item, found in zip(run.corpus.items[doc], matches, strict=True):
        if not item.on_topic:
            rows.append(("t", item.pos))
            continue
        if not found:
            rows.append(("a", item.pos))
            continue
        for match in found:
            status, reasons = status_of(run.corpus, item, match.ref)
            rows.append(("m", item.pos, match.ref.doc, match.ref.pos, round(match.score, 3),
                         round(match.text, 3), match.later, status, tuple(reasons), match.when == UNDATED))
    held = sources_of(run, doc, matches)
    for ref, score in omitted(run, doc, local, matches, held, seen):
        rows.append(("o", ref.doc, ref.pos, round(score, 3)))
    return doc, rows, references, held


def document_result(run: Run, doc: int) -> DocumentResult:
    """`compare_doc` for one document, condensed to what the views need (the per-document unit of work).

    The rows are filtered and packed into bytes here, and the summary and timeline links made here,
    so that a worker sends back a few small objects per document instead of a list of tuples per diff,
    and the main process keeps a few dozen bytes per diff instead of a few hundred.
    """
    return _result_and_rows(run, doc)[0]


def _result_and_rows(run: Run, doc: int) -> tuple[DocumentResult, list[tuple]]:
    """`document_result` and the diff rows it packed."""
    doc, rows, references, held = compare_doc(run, doc)
    summary = summary_of(run, doc, rows, references, held)
    links = carried_links(run, rows)
    if run.keep.actors or run.keep.measures or run.keep.topic != "all":
        rows = [row for row in rows if keeps_row(run, doc, row)]
    shown = {row[2 if row[0] == "m" else 1] for row in rows if row[0] in ("m", "o")}
    shown.update(held)
    return DocumentResult(doc, references, summary, links, tuple(shown), len(rows), pack_rows(rows)), rows


def aligned_result(run: Run, doc: int) -> DocumentResult:
    """`document_result`, with its diffs rendered as JSON into the run's spool when it has one (in the
    process that aligned the document: the main process then only copies the JSON)."""
    if run.spool is None or run.renderer is None:
        return document_result(run, doc)
    result, rows = _result_and_rows(run, doc)
    if rows:
        result.json = run.spool.put(run.renderer.document(run.corpus.infos[doc].doc_id, doc, rows))
    entry = timeline_entry(run.corpus.items, run.corpus.infos, doc, result.links)
    result.timeline_json = run.spool.put(run.renderer.record(timeline_to_json(entry)))
    return result


def summary_of(run: Run, doc: int, rows: list[tuple], references: int, held: list[int]) -> DocumentSummary:
    """Status counts (a local directive counts once, with its best counterpart's status), sources and
    the measures of the sources the document lacks."""
    c = run.corpus
    counts: Counter[str] = Counter()
    later = 0
    counted: set[int] = set()
    for row in rows:
        if row[0] == "m" and (row[1] in counted or counted.add(row[1])):
            continue
        if row[0] == "m" and row[6]:
            later += 1
        else:
            counts[ROW_STATUS.get(row[0]) or row[7]] += 1
    local_measures = {m for item in c.items[doc] for m in item.measures}
    source_measures = {m for s in held for item in c.items[s] for m in item.measures}
    return DocumentSummary(c.infos[doc].doc_id, {status: counts.get(status, 0) for status in STATUSES}, later,
                           references, [c.infos[s].doc_id for s in held], sorted(source_measures - local_measures))


def compare_all(run: Run, docs: list[int]) -> list[DocumentResult]:
    """`document_result` for every document, split over `workers` processes when that pays.

    The documents go in small batches, claimed one at a time: the workers take them from the first,
    this process from the last (between its share it also collects the workers' results), until they
    meet, so that every process is busy until the end whatever each batch costs.
    """
    if run.workers <= 1 or len(docs) < 64 or "fork" not in multiprocessing.get_all_start_methods():
        return [aligned_result(run, doc) for doc in docs]
    global _FORKED  # the forked workers read the corpus and index from here, copy-on-write
    context = multiprocessing.get_context("fork")
    batches = [docs[i:i + _BATCH] for i in range(0, len(docs), _BATCH)]
    claimed = context.Array("b", len(batches))  # (shared with the workers, with a lock)
    _FORKED = (run, batches, claimed)
    gc.freeze()  # keep the collector from touching (and so copying) every object in the workers
    try:
        with context.Pool(run.workers - 1) as pool:
            # Small batches also bring the workers' results back as they are made, instead of piling
            # up in the workers (and in one pickle each) until the end.
            pending = pool.map_async(_compare_batch, range(len(batches)), chunksize=1)
            results: list[DocumentResult] = []
            for number in reversed(range(len(batches))):
                if not _claim(claimed, number):
                    break  # the workers have come this far: the rest is theirs
                results.extend(aligned_result(run, doc) for doc in batches[number])
            for batch in pending.get():
                results.extend(batch)
    finally:
        _FORKED = None
        gc.unfreeze()
    return results


def _claim(claimed: Any, number: int) -> bool:
    """Take batch `number` unless another process has (`claimed`: a shared array of flags)."""
    with claimed.get_lock():
        if claimed[number]:
            return False
        claimed[number] = 1
        return True


# (run, local documents) -> `document_result` of each, in any order: this process and forked workers, or a cluster
AlignAll = Callable[[Run, list[int]], list[DocumentResult]]


def comparison_of(run: Run, align_all: AlignAll | None = None, *, json_diffs: bool = False) -> Comparison:
    """Pools and index, every kept document aligned (by `align_all`, default `compare_all`), then the views.

    With `json_diffs`, each document's diffs are rendered as JSON by the process that aligned it, into
    a spool the comparison's `DiffList` reads back (an `align_all` that renders none leaves them to it).
    """
    c = run.corpus
    build_pools(run)
    finish_pools(run)
    # What only reading the documents needed goes before the alignment (and before workers fork).
    c.sig_ids.clear()
    c.fragments.clear()
    c.interned.clear()
    c.drop_gram_tuples()
    kept = [i for i, info in enumerate(c.infos) if run.keep.keeps_document(info)]
    order = sorted(kept, key=lambda d: doc_order(run.corpus.infos, d))
    for doc in order:
        if c.infos[doc].level is None:
            run.warnings.append(f"{c.infos[doc].doc_id}: level unknown; shown in the views, not compared")
    if json_diffs:
        run.spool, run.renderer = JsonSpool(), json_renderer(c.items, c.infos)
    compared = [d for d in order if d in run.lines]
    try:
        results = (align_all or compare_all)(run, compared)
    except BaseException:
        if run.spool is not None:
            run.spool.close()
        raise
    position = {doc: n for n, doc in enumerate(compared)}
    results.sort(key=lambda r: position[r.doc])  # (workers and tasks end in any order)
    spool = run.spool
    if spool is not None:
        spool.finish_writing()
    run.spool = run.renderer = None
    run.free_index()  # (before the views are built)
    shown_refs: set[int] = set()
    for result in results:
        if not result.references:
            run.warnings.append(f"{c.infos[result.doc].doc_id}: no documents above it on its line of authority; "
                                "every directive is `added`")
        shown_refs.update(result.shown)
    shown = sorted(set(kept) | shown_refs, key=lambda d: doc_order(run.corpus.infos, d))
    kept_set = set(kept)
    documents = []
    for doc in shown:
        info = c.infos[doc]
        info.role = "compared" if doc in kept_set else "reference"
        documents.append(info)
    coverage, actors = matrices(run, shown)
    entries = timeline(run, order, results, spool)
    diffs = DiffList([(c.infos[r.doc].doc_id, r.doc, r.rows, r.n_rows, r.json) for r in results], c.items, c.infos,
                     spool)
    return Comparison(documents, coverage, actors, diffs, entries, [r.summary for r in results],
                      labels(run.config), list(dict.fromkeys(run.warnings)),
                      sorted(info.doc_id for info in c.infos))


_BATCH = 32  # local documents per batch

# set only while forked workers run (`compare_all`): the run, the batches and which are claimed
_FORKED: tuple[Run, list[list[int]], Any] | None = None


def _compare_batch(number: int) -> list[DocumentResult]:
    """Worker side of `compare_all`: compare a batch of documents with the inherited run, unless the
    main process has taken it."""
    assert _FORKED is not None
    run, batches, claimed = _FORKED
    if not _claim(claimed, number):
        return []
    return [aligned_result(run, doc) for doc in batches[number]]
