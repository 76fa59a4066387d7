"""How local documents carry out the directives of the levels above them.

Each directive (`Duty`) of a provincial, municipal or county document is aligned
with the directives of the documents above it on its own line of authority:
central ← provincial ← municipal ← county, within one province (a municipal
document is held against its own province's documents and against central ones,
never against another province's). A pair is scored by character n-gram
similarity of the sentences (whole sentences and their best-matching
comma-separated fragments, since a local text often echoes one clause of a long
central sentence), together with agreement of measures and actors; weights and
thresholds are in `configs/compare.yaml`.

Every aligned pair gets a status (`echoed`, `strengthened`, `weakened`,
`reassigned`); a local directive with no counterpart is `added`; a directive of
a document that a local document draws on, which the local document does not
carry out, is `omitted`. A reference issued after the local document is marked
`reference_later` and is never counted as its source.

Scale: candidates come from an inverted index of n-grams per pool (the central
documents, each province's documents, each city's documents), read rarest
n-gram first under a fixed budget, so the work per directive does not grow with
the corpus; identical directives (the same sentence, actors, modality and
measures) are scored once. Nothing here prints or renders: the result is a
`Comparison` of plain records, rendered by `report_compare`.

Stages, one module each: `settings` (compare.yaml), `features` (directives as
n-gram features), `lines` (lines of authority, pools and their index),
`candidates` and `similarity` (candidates and pair scores), `alignment`,
`status`, `omissions`, `views`, `rows` (diff rows, JSON and flat rows), and
`run`, which drives them over the documents.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ..config import Config
from ..filters import DutyFilter, check_ids
from ..models import Document
from ..store import DocumentDuties
from .features import Corpus, normalized_fragments
from .records import (
    CARRIED,
    LEVELS,
    STATUSES,
    Comparison,
    Diff,
    Directive,
    DocumentInfo,
    DocumentSummary,
    Echo,
    Status,
    TimelineEntry,
)
from .rows import (
    DIFF_COLUMNS,
    DiffList,
    comparison_to_json,
    diff_rows,
    diff_to_json,
    directive_to_json,
    summary_to_json,
    timeline_to_json,
)
from .run import AlignAll, comparison_of
from .settings import CompareSettings, compare_settings
from .state import Run

__all__ = [
    "CARRIED", "DIFF_COLUMNS", "LEVELS", "STATUSES", "CompareSettings", "Comparison", "Diff", "DiffList",
    "Directive", "DocumentInfo", "DocumentSummary", "Echo", "Status", "TimelineEntry",
    "collector_paused", "compare_corpus", "compare_settings", "comparison_to_json", "diff_rows", "diff_to_json",
    "directive_to_json", "normalized_fragments", "summary_to_json", "timeline_to_json",
]


def compare_corpus(docs: Iterable[Document | DocumentDuties], config: Config, *, filters: DutyFilter | None = None,
                   workers: int = 1, align_all: AlignAll | None = None, json_diffs: bool = False) -> Comparison:
    """Align every kept lower-level document with the documents above it and build the four views.

    Args:
        docs: normalized documents (`store.load_document_duties`, or whole `Document`s); consumed once,
            not kept.
        config: the loaded config (`compare`, `labels`, `taxonomy`, `regions`, optionally `modality`).
        filters: which documents to compare (level, region, doc id) and which directives to show
            (actor, measure). References outside the filters are still used and shown as references.
        workers: processes for the alignment (forked, so they share the index); 1 runs in this one.
        align_all: runs `compare_doc` over the local documents elsewhere (`distributed.DaskAlign`: a Dask
            cluster); None: this process and `workers` forked ones.
        json_diffs: render the diffs as JSON while aligning, in the processes that align (a temporary
            file as large as the diffs' JSON, removed with the comparison), so that writing the JSON
            (`report.compare_data`) only copies them; for a comparison that is written as JSON. The
            output is the same either way.

    Returns:
        The comparison: documents, coverage, actors, diffs, timeline, per-document summaries.

    Raises:
        ConfigError: `compare.yaml` is missing or invalid.
        FilterError: a filter names an unknown actor or measure.
    """
    keep = filters or DutyFilter()
    settings = compare_settings(config)
    check_ids(keep, config)
    with collector_paused():
        corpus = Corpus(settings)
        for doc in docs:
            corpus.add(doc)
        corpus.finish()
        return comparison_of(Run(corpus, config, keep, workers), align_all, json_diffs=json_diffs)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector while millions of small acyclic records are built or rendered.

    It would walk every live record again and again for nothing (reference counting frees them):
    at 20k documents that was a fifth of the time spent writing the JSON.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
