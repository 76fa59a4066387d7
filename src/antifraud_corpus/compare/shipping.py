"""A comparison cut into what the workers of a cluster need: a base for all, a part per province.

A local document is aligned only with the pools on its line of authority (central ← its province ←
its city, `lines.build_pools`), and reads only the directives of those pools' documents and its
own. So a worker needs the central pool, its documents' directives with their rows of the n-gram
table, and the small arrays indexed by directive (weights, tags, roles), which every document's
alignment reads (the base), and, for the documents of one province, that province's pools with
their documents' directives and those directives' rows of the table (a part). A worker then
unpickles the base and the parts of the provinces it aligns, not the whole run, and takes a part
out again when its province is done (`drop_part`).

Nothing is renumbered: documents and directives keep their ids, and what a worker does not hold
is an empty slot (`[]` for a document's directives, None for a directive's features, no grams in
the table) that no alignment of its documents reads. Results are the same as on the whole run,
byte for byte.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from .features import Item, Sig
from .lines import CENTRAL
from .pairscore import GramTable, ranges
from .state import Run

if TYPE_CHECKING:
    from .lines import Pool


@dataclass(slots=True)
class RunPart:
    """What the documents of one province add to the base: their lines, pools and directives."""

    lines: dict[int, list[tuple]] = field(default_factory=dict)
    pools: dict[tuple, Pool] = field(default_factory=dict)
    items: dict[int, list[Item]] = field(default_factory=dict)  # document -> its directives
    sigs: dict[int, Sig] = field(default_factory=dict)  # directive id -> its features
    table: TableRows | None = None  # the rows of `sigs` in the n-gram table


def line_group(run: Run, doc: int) -> str | None:
    """The province whose pools a local document's line holds; None when it holds only the central pool."""
    line = run.lines[doc]
    return line[1][1] if len(line) > 1 else None


def split_run(run: Run, docs: list[int]) -> tuple[Run, list[tuple[str | None, list[int], RunPart]]]:
    """The base every worker needs, and for each province the local documents of `docs` on its lines
    (in the order of `docs`) with the part their alignment needs beyond the base.

    The base shares the run's objects (nothing is copied but the lists that hold the slots): pickle it
    and the parts at once, not after the run has changed.
    """
    corpus = run.corpus
    central = run.pools.get(CENTRAL)
    base_items: list[list[Item]] = [[] for _ in corpus.items]
    base_sigs: list[Sig | None] = [None] * len(corpus.sigs)
    for doc in sorted(central.docs) if central is not None else ():
        base_items[doc] = corpus.items[doc]
        for item in corpus.items[doc]:
            base_sigs[item.sig] = corpus.sigs[item.sig]
    slim = copy.copy(corpus)
    slim.items, slim.sigs = base_items, base_sigs
    # (the table was the base's largest share: 48.7 of its 58 MB pickled at 10k documents)
    slim.table = table_rows(corpus.table, [sig is not None for sig in base_sigs])
    slim.gram_ids = {}  # (read only while the features are built)
    base = Run(slim, run.config, run.keep, run.workers)
    if central is not None:
        base.pools[CENTRAL] = central

    groups: dict[str | None, list[int]] = {}
    for doc in docs:
        groups.setdefault(line_group(run, doc), []).append(doc)
    parts = []
    for group, members in groups.items():
        part = RunPart()
        for doc in members:
            part.lines[doc] = run.lines[doc]
            for key in run.lines[doc]:
                if key != CENTRAL and key in run.pools and key not in part.pools:
                    part.pools[key] = run.pools[key]
        for doc in [*members, *sorted({d for pool in part.pools.values() for d in pool.docs})]:
            if doc not in part.items:
                part.items[doc] = corpus.items[doc]
                for item in corpus.items[doc]:
                    if base_sigs[item.sig] is None:
                        part.sigs.setdefault(item.sig, corpus.sigs[item.sig])
        part.table = rows_of(corpus.table, np.array(sorted(part.sigs), dtype=np.int64))
        parts.append((group, members, part))
    return base, parts


def merge_part(run: Run, part: RunPart, users: Counter[tuple] | None = None) -> RunPart:
    """Fill the base `run`'s empty slots from `part` (slots already filled, by an earlier part, are kept:
    an alignment under way may be reading them); `users` counts the merged parts that hold each
    document, directive and pool, for `drop_part`. Returns `part`, without its table rows (merged)."""
    items, sigs = run.corpus.items, run.corpus.sigs
    for doc, its in part.items.items():
        if not items[doc]:
            items[doc] = its
    for sig, features in part.sigs.items():
        if sigs[sig] is None:
            sigs[sig] = features
    for key, pool in part.pools.items():
        run.pools.setdefault(key, pool)
    for doc, line in part.lines.items():
        run.lines.setdefault(doc, line)
    if part.table is not None:
        run.corpus.table = with_rows(run.corpus.table, part.table)
        part.table = None  # (its rows are copied into the run's: not held twice while the part stays merged)
    if users is not None:
        users.update(_held(part))
    return part


def drop_part(run: Run, part: RunPart, users: Counter[tuple]) -> None:
    """Empty again the slots `merge_part` filled from `part` that no other merged part holds (`users`),
    once no alignment reads them: a province's provincial documents are in its part and in the part of
    the documents compared with the central pool only, a directive in every part whose documents
    carry it. The base's slots are in no part."""
    users.subtract(_held(part))
    items, sigs = run.corpus.items, run.corpus.sigs
    emptied = False  # a directive's slot: its rows leave the table too
    for what, key in _held(part):
        if users[what, key] > 0:
            continue
        del users[what, key]
        if what == _DOC:
            items[key] = []
        elif what == _SIG:
            sigs[key] = None
            emptied = True
        else:
            run.pools.pop(key, None)
    for doc in part.lines:  # (a local document is compared in one part only)
        run.lines.pop(doc, None)
    if emptied and run.corpus.table is not None:
        run.corpus.table = table_rows(run.corpus.table, [sig is not None for sig in sigs])


@dataclass(frozen=True, slots=True)
class TableRows:
    """Some directives' rows of a gram table (`pairscore.GramTable`): their grams and fragments, without
    the arrays of one value per directive or per gram id, which the base holds whole."""

    ids: np.ndarray  # the directives, ascending
    gram_counts: np.ndarray
    fragment_counts: np.ndarray
    grams: np.ndarray
    fragments: np.ndarray
    frag_weights: np.ndarray
    frag_long: np.ndarray


def rows_of(table: GramTable, ids: np.ndarray) -> TableRows:
    grams, gram_counts = ranges(table.offsets, ids)
    fragments, fragment_counts = ranges(table.frag_offsets, ids)
    return TableRows(ids, gram_counts, fragment_counts, table.grams[grams], table.fragments[grams],
                     table.frag_weights[fragments], table.frag_long[fragments])


def table_rows(table: GramTable, held: list[bool]) -> GramTable:
    """`table` with the grams and fragments of the directives `held` marks only (the others have none;
    the arrays of one value per directive or per gram id are kept whole)."""
    return _with_only(table, rows_of(table, np.flatnonzero(np.asarray(held, dtype=bool))))


def with_rows(table: GramTable, rows: TableRows) -> GramTable:
    """`table` with `rows` added (a directive that has rows in `table` keeps them: they are the same)."""
    has = np.diff(table.offsets) > 0
    added = ~has[rows.ids] & (rows.gram_counts > 0)
    if not added.any():
        return table
    # Directive i takes its rows from `table` (row i of `both`) or from `rows` (row count + i).
    both = _with_only(table, rows)
    count = len(has)
    both = replace(both, **{name: np.concatenate((getattr(table, name), getattr(both, name)))
                            for name in ("grams", "fragments", "frag_weights", "frag_long")},
                   offsets=np.concatenate((table.offsets[:-1], both.offsets + len(table.grams))),
                   frag_offsets=np.concatenate((table.frag_offsets[:-1], both.frag_offsets + len(table.frag_weights))))
    source = np.arange(count)
    source[rows.ids[added]] += count
    gathered = rows_of(both, source)
    return _with_only(table, replace(gathered, ids=np.arange(count)))


def _with_only(table: GramTable, rows: TableRows) -> GramTable:
    """`table`'s arrays of one value per directive or gram id, with the grams and fragments of `rows` only."""
    count = len(table.offsets) - 1
    return replace(table, grams=rows.grams, offsets=_offsets(count, rows.ids, rows.gram_counts),
                   fragments=rows.fragments, frag_offsets=_offsets(count, rows.ids, rows.fragment_counts),
                   frag_weights=rows.frag_weights, frag_long=rows.frag_long)


def _offsets(count: int, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Offsets of `count` directives of which `ids` have `lengths` elements, the others none."""
    sizes = np.zeros(count, dtype=np.int64)
    sizes[ids] = lengths
    out = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    return out


_DOC, _SIG, _POOL = 0, 1, 2  # the kinds of slot `merge_part` fills, as counted in `users`


def _held(part: RunPart) -> list[tuple]:
    return [*((_DOC, doc) for doc in part.items), *((_SIG, sig) for sig in part.sigs),
            *((_POOL, key) for key in part.pools)]


__all__ = ["RunPart", "drop_part", "line_group", "merge_part", "rows_of", "split_run", "table_rows", "with_rows"]
