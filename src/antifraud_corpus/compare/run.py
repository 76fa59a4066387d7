"""One run: every local document aligned (in forked workers when that pays), then the views."""

from __future__ import annotations

import gc
import multiprocessing
from collections import Counter
from collections.abc import Callable

from ..pairscore import local_grams
from .alignment import UNDATED, align
from .lines import build_pools, finish_pools
from .omissions import omitted, sources_of
from .records import STATUSES, Comparison, DocumentSummary
from .rows import ROW_STATUS, DiffList
from .state import Run
from .status import status_of
from .views import doc_order, keeps_row, labels, matrices, timeline


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


def compare_all(run: Run, docs: list[int]) -> list[tuple]:
    """`compare_doc` for every document, split over `workers` processes when that pays."""
    if run.workers <= 1 or len(docs) < 64 or "fork" not in multiprocessing.get_all_start_methods():
        return [compare_doc(run, doc) for doc in docs]
    global _FORKED  # the forked workers read the corpus and index from here, copy-on-write
    chunks = [docs[i::run.workers] for i in range(run.workers)]
    _FORKED = run
    gc.freeze()  # keep the collector from touching (and so copying) every object in the workers
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(run.workers - 1) as pool:
            # The workers' documents go in small batches, so that their results come back as they
            # are made instead of piling up in the workers (and in one pickle each) until the end.
            batches = [chunk[i:i + _BATCH] for chunk in chunks[1:] for i in range(0, len(chunk), _BATCH)]
            pending = pool.map_async(_compare_chunk, batches, chunksize=1)
            results = [compare_doc(run, doc) for doc in chunks[0]]
            for batch in pending.get():
                results.extend(batch)
    finally:
        _FORKED = None
        gc.unfreeze()
    order = {doc: n for n, doc in enumerate(docs)}
    return sorted(results, key=lambda r: order[r[0]])


# (run, local documents) -> `compare_doc` of each, in their order: this process and forked workers, or a cluster
AlignAll = Callable[[Run, list[int]], list[tuple]]


def comparison_of(run: Run, align_all: AlignAll | None = None) -> Comparison:
    """Pools and index, every kept document aligned (by `align_all`, default `compare_all`), then the views."""
    c = run.corpus
    build_pools(run)
    finish_pools(run)
    # What only reading the documents needed goes before the alignment (and before workers fork).
    c.sig_ids.clear()
    c.fragments.clear()
    c.interned.clear()
    kept = [i for i, info in enumerate(c.infos) if run.keep.keeps_document(info)]
    summaries: list[DocumentSummary] = []
    shown_refs: set[int] = set()
    order = sorted(kept, key=lambda d: doc_order(run.corpus.infos, d))
    for doc in order:
        if c.infos[doc].level is None:
            run.warnings.append(f"{c.infos[doc].doc_id}: level unknown; shown in the views, not compared")
    results = (align_all or compare_all)(run, [d for d in order if d in run.lines])
    # The index and the directive features are not needed for the views: free them before the
    # diffs are built, which is when memory peaks on a large corpus.
    run.pools.clear()
    run.cache.clear()
    run.corpus.sigs.clear()
    run.corpus.table = None
    run.corpus.tags = None
    kept_rows: list[tuple[str, int, list[tuple]]] = []
    # with no actor, measure or topic filter every row is kept: a few million rows need no test
    filtered = bool(run.keep.actors or run.keep.measures or run.keep.topic != "all")
    for doc, rows, references, held in results:
        info = c.infos[doc]
        if not references:
            run.warnings.append(f"{info.doc_id}: no documents above it on its line of authority; "
                                 "every directive is `added`")
        counts: Counter[str] = Counter()
        later = 0
        counted: set[int] = set()  # a local directive counts once, with its best counterpart's status
        for row in rows:
            if row[0] == "m" and (row[1] in counted or counted.add(row[1])):
                continue
            if row[0] == "m" and row[6]:
                later += 1
            else:
                counts[ROW_STATUS.get(row[0]) or row[7]] += 1
        local_measures = {m for item in c.items[doc] for m in item.measures}
        source_measures = {m for s in held for item in c.items[s] for m in item.measures}
        summaries.append(DocumentSummary(
            info.doc_id, {status: counts.get(status, 0) for status in STATUSES}, later, references,
            [c.infos[s].doc_id for s in held], sorted(source_measures - local_measures)))
        if filtered:
            rows = [row for row in rows if keeps_row(run, doc, row)]
        shown_refs.update(row[2 if row[0] == "m" else 1] for row in rows if row[0] in ("m", "o"))
        shown_refs.update(held)
        kept_rows.append((info.doc_id, doc, rows))
    shown = sorted(set(kept) | shown_refs, key=lambda d: doc_order(run.corpus.infos, d))
    kept_set = set(kept)
    documents = []
    for doc in shown:
        info = c.infos[doc]
        info.role = "compared" if doc in kept_set else "reference"
        documents.append(info)
    coverage, actors = matrices(run, shown)
    entries = timeline(run, order, results)
    return Comparison(documents, coverage, actors, DiffList(kept_rows, c.items, c.infos), entries, summaries,
                      labels(run.config), list(dict.fromkeys(run.warnings)))


_BATCH = 32  # local documents a worker compares per task

_FORKED: Run | None = None  # set only while forked workers run (`compare_all`)


def _compare_chunk(docs: list[int]) -> list[tuple]:
    """Worker side of `compare_all`: compare some documents with the inherited run."""
    assert _FORKED is not None
    return [compare_doc(_FORKED, doc) for doc in docs]
