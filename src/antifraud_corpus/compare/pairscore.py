"""Text similarity of many directive pairs at once, with numpy.

`compare` scores every local directive against a few dozen candidate reference
directives; in plain Python each pair costs a set intersection, a sum and a
loop over fragment pairs, and that was half of the whole comparison. Here the
gram ids of every distinct directive sit in flat arrays, and one local
document's pairs are scored together: its own grams form a small sorted table
(which fragment of which of its directives holds each gram), the reference
grams of all pairs are looked up in it at once, and the shared weights of
sentences and of fragment pairs are summed with `bincount`.

The score is the one `compare.similarity.Scorer.text` defines (that plain version stays
as the reference, and the tests hold the two equal):

- sentences: `share · dot / √(|q|·|r|) + (1 − share) · dot / min(|q|, |r|)`, where
  `dot` is the summed weight of the shared grams and `|x|` a directive's weight;
- fragments: for every pair of long fragments (at least `fragment_min_grams`
  grams) that share grams, `factor` × the same blend over the two fragments;
- text similarity: the best of these, at most 1; 0 when nothing is shared.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Protocol

import numpy as np


class Features(Protocol):
    """What the table needs of a distinct directive (`compare.features.Sig`)."""

    grams: tuple[int, ...]  # distinct gram ids, fragment after fragment
    bounds: tuple[int, ...]  # end of each fragment in `grams`
    frag_weights: tuple[float, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class GramTable:
    """Every distinct directive's grams and fragments as flat arrays (directive after directive)."""

    grams: np.ndarray  # int32 gram ids
    offsets: np.ndarray  # int64, directive i's grams are grams[offsets[i]:offsets[i + 1]]
    fragments: np.ndarray  # int32, the fragment number (within its directive) of each gram
    frag_offsets: np.ndarray  # int64, directive i's fragments start at frag_offsets[i]
    frag_weights: np.ndarray  # float64 per fragment
    frag_long: np.ndarray  # bool per fragment: aligned on its own
    weights: np.ndarray  # float64 per directive
    gram_weights: np.ndarray  # float64 per gram id (squared idf)


def flat_grams(features: Sequence[Features]) -> np.ndarray:
    """The gram ids of all directives, directive after directive (`GramTable.grams`)."""
    return np.fromiter(chain.from_iterable(f.grams for f in features), np.int32)


def gram_table(features: Sequence[Features], gram_weights: Sequence[float], min_grams: int,
               grams: np.ndarray | None = None) -> GramTable:
    """Pack the directive features into flat arrays (built once per comparison).

    `grams` may be `flat_grams(features)` if the caller has it already.
    """
    count = len(features)
    offsets = _cumulative(np.fromiter((len(f.grams) for f in features), np.int64, count))
    if grams is None:
        grams = flat_grams(features)
    n_frags = np.fromiter((len(f.bounds) for f in features), np.int64, count)
    frag_offsets = _cumulative(n_frags)
    ends = np.fromiter(chain.from_iterable(f.bounds for f in features), np.int64, int(frag_offsets[-1]))
    starts = np.empty_like(ends)
    starts[1:] = ends[:-1]
    starts[frag_offsets[:-1][n_frags > 0]] = 0  # a directive's first fragment starts at its first gram
    lengths = ends - starts
    numbers = np.arange(len(ends), dtype=np.int64) - np.repeat(frag_offsets[:-1], n_frags)
    return GramTable(
        grams=grams, offsets=offsets, fragments=np.repeat(numbers, lengths).astype(np.int32),
        frag_offsets=frag_offsets,
        frag_weights=np.fromiter(chain.from_iterable(f.frag_weights for f in features), np.float64, len(ends)),
        frag_long=lengths >= min_grams,
        weights=np.fromiter((f.weight for f in features), np.float64, count),
        gram_weights=np.asarray(gram_weights, dtype=np.float64))


def _cumulative(lengths: np.ndarray) -> np.ndarray:
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


def ranges(offsets: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the elements of directives `ids` (one after the other), and each one's count."""
    starts = offsets[ids]
    lengths = offsets[ids + 1] - starts
    return _positions(starts, lengths), lengths


def _positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Every position of the spans (start, length), span after span."""
    before = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - before, lengths)


def _in_local(table: GramTable, local: LocalGrams, refs: np.ndarray) -> tuple[np.ndarray, ...]:
    """The grams of directives `refs` that the local directives hold too, with where they are:
    (index into `refs`, position in `table.grams`, gram id, row in `local.grams`)."""
    positions, lengths = ranges(table.offsets, refs)
    owner = np.repeat(np.arange(len(refs), dtype=np.int64), lengths)
    grams = table.grams[positions]
    if not len(local.grams):
        return owner[:0], positions[:0], grams[:0], positions[:0]
    # The row of each gram by a look-up in a table as long as the gram ids (a binary search of the
    # local grams for each of the tens of thousands of reference grams was a tenth of the alignment).
    rows = _gram_rows(len(table.gram_weights))
    rows[local.grams] = np.arange(len(local.grams), dtype=np.int32)
    try:
        row = rows[grams]
    finally:
        rows[local.grams] = -1
    hit = row >= 0
    return owner[hit], positions[hit], grams[hit], row[hit].astype(np.int64)


_scratch = threading.local()  # per thread (a Dask worker may run tasks on several): `_gram_rows`


def _gram_rows(size: int) -> np.ndarray:
    """A table of -1 for every gram id (int32), reused by `_in_local` (which leaves it as it found it)."""
    rows = getattr(_scratch, "rows", None)
    if rows is None or len(rows) < size:
        rows = _scratch.rows = np.full(size, -1, dtype=np.int32)
    return rows


@dataclass(frozen=True, slots=True)
class LocalGrams:
    """The grams of one document's directives: which fragment of which directive holds each gram."""

    sigs: np.ndarray  # int64 directive ids, in the order the pairs refer to them
    grams: np.ndarray  # sorted distinct gram ids of these directives
    fragment: np.ndarray  # int32 [gram, directive] -> fragment number, -1 where the directive lacks it


def local_grams(table: GramTable, sigs: Sequence[int]) -> LocalGrams:
    ids = np.asarray(sigs, dtype=np.int64)
    positions, lengths = ranges(table.offsets, ids)
    grams, where = np.unique(table.grams[positions], return_inverse=True)
    fragment = np.full((len(grams), len(ids)), -1, dtype=np.int32)
    fragment[where, np.repeat(np.arange(len(ids)), lengths)] = table.fragments[positions]
    return LocalGrams(ids, grams, fragment)


def text_similarity(table: GramTable, local: LocalGrams, queries: np.ndarray, refs: np.ndarray, *,
                    share: float, factor: float) -> np.ndarray:
    """Text similarity of each pair (local directive `local.sigs[queries[k]]`, reference `refs[k]`)."""
    pairs = len(refs)
    if not pairs:
        return np.zeros(0)
    pair, positions, grams, row = _in_local(table, local, refs)
    q_fragment = local.fragment[row, queries[pair]]
    shared = q_fragment >= 0
    pair, positions, q_fragment = pair[shared], positions[shared], q_fragment[shared]
    weight = table.gram_weights[grams[shared]]
    dot = np.bincount(pair, weights=weight, minlength=pairs)
    q_weight = table.weights[local.sigs[queries]]
    r_weight = table.weights[refs]
    with np.errstate(divide="ignore", invalid="ignore"):
        best = share * dot / np.sqrt(q_weight * r_weight) + (1 - share) * dot / np.minimum(q_weight, r_weight)
    r_fragment = table.fragments[positions].astype(np.int64)
    q_frag = table.frag_offsets[local.sigs[queries[pair]]] + q_fragment  # global fragment indexes
    r_frag = table.frag_offsets[refs[pair]] + r_fragment
    long = table.frag_long[q_frag] & table.frag_long[r_frag]
    if long.any():
        pair, weight = pair[long], weight[long]
        # one key per (pair, local fragment, reference fragment); fragment numbers stay far below 2^21
        key = pair << 42 | q_fragment[long].astype(np.int64) << 21 | r_fragment[long]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        part = np.bincount(inverse.ravel(), weights=weight)
        a, b = table.frag_weights[q_frag[long][first]], table.frag_weights[r_frag[long][first]]
        candidate = factor * (share * part / np.sqrt(a * b) + (1 - share) * part / np.minimum(a, b))
        np.maximum.at(best, pair[first], candidate)
    best[dot == 0] = 0.0
    return np.minimum(best, 1.0)


def postings(table: GramTable, sigs: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """An inverted index of some directives: (grams, start, count, postings).

    `postings[start[k]:start[k] + count[k]]` are the indexes (into `sigs`, ascending) of the directives
    that hold `grams[k]`.
    """
    ids = np.asarray(sigs, dtype=np.int64)
    positions, lengths = ranges(table.offsets, ids)
    grams = table.grams[positions]
    order = np.argsort(grams, kind="stable")  # stable: each gram's directives stay in index order
    owners = np.repeat(np.arange(len(ids), dtype=np.int32), lengths)[order]
    found, start, count = np.unique(grams[order], return_index=True, return_counts=True)
    return found, start, count, owners


@dataclass(frozen=True, slots=True)
class PostingIndex:
    """An inverted index of some directives (`postings`): `entries[start[k]:start[k] + count[k]]` are the
    indexes (into the indexed directives, ascending) of those that hold gram `grams[k]` (sorted)."""

    grams: np.ndarray
    start: np.ndarray
    count: np.ndarray
    entries: np.ndarray
    size: int  # the number of indexed directives


def posting_index(table: GramTable, sigs: Sequence[int]) -> PostingIndex:
    grams, start, count, entries = postings(table, sigs)
    return PostingIndex(grams, start.astype(np.int64), count.astype(np.int64), entries, len(sigs))


@dataclass(frozen=True, slots=True)
class Reads:
    """The posting spans a batch of queries reads: span k is `entries[start[k]:start[k] + length[k]]`,
    read for query `query[k]` (ascending), its gram weighing `weight[k]`."""

    start: np.ndarray
    length: np.ndarray
    query: np.ndarray
    weight: np.ndarray | None  # None: every span counts one
    queries: int


def rarest_reads(table: GramTable, index: PostingIndex, sigs: Sequence[int], budget: int,
                 min_grams: int) -> Reads:
    """The postings each directive of `sigs` reads in `index`: its grams' spans, rarest first, until
    `budget` postings are read, and always those of its `min_grams` rarest grams; the span that crosses
    the budget is cut to what is left of it (at least one posting).

    Grams are ranked by posting count, then by where their span starts (rarest, then oldest id first).
    """
    ids = np.asarray(sigs, dtype=np.int64)
    positions, lengths = ranges(table.offsets, ids)
    grams = table.grams[positions]
    owner = np.repeat(np.arange(len(ids), dtype=np.int64), lengths)
    where = np.minimum(np.searchsorted(index.grams, grams), max(len(index.grams) - 1, 0))
    found = index.grams[where] == grams if len(index.grams) else np.zeros(len(grams), bool)
    owner, where, grams = owner[found], where[found], grams[found]
    count, start = index.count[where], index.start[where]
    order = np.lexsort((start, count, owner))
    owner, count, start, grams = owner[order], count[order], start[order], grams[order]
    # rank and postings read before each span, within its query
    first = np.searchsorted(owner, owner)
    number = np.arange(len(owner)) - first
    total = np.cumsum(count) - count
    before = total - total[first] if len(total) else total
    kept = (number < min_grams) | (before < budget)
    whole = (number < min_grams) | (before + count <= budget)
    take = np.where(whole, count, np.maximum(1, budget - before))
    return Reads(start[kept], take[kept], owner[kept], table.gram_weights[grams[kept]], len(ids))


def most_shared(postings: np.ndarray, pool_size: int, spans: Sequence[Sequence[tuple[int, int]]],
                limit: int, weights: Sequence[Sequence[float]] | None = None) -> list[list[int]]:
    """For each query, the directives its posting spans name most often: at least half as often as the
    most named one, at most `limit`, most named first (ties: in index order).

    Args:
        postings: a pool's postings, directive indexes (0 .. pool_size - 1) grouped by gram.
        pool_size: the number of directives of the pool.
        spans: per query, the (start, length) spans of `postings` it reads (those of its rarest grams).
        limit: at most this many per query.
        weights: per query, the weight of each of its spans (its gram's): a directive then counts the
            summed weight of the spans naming it, so sharing two rare grams beats sharing five common ones.
    """
    queries = len(spans)
    flat = [span for query in spans for span in query]
    reads = Reads(np.fromiter((start for start, _ in flat), np.int64, len(flat)),
                  np.fromiter((length for _, length in flat), np.int64, len(flat)),
                  np.repeat(np.arange(queries, dtype=np.int64),
                            np.fromiter((len(query) for query in spans), np.int64, queries)),
                  np.fromiter((w for query in weights for w in query), np.float64, len(flat))
                  if weights is not None else None, queries)
    return most_read(postings, pool_size, reads, limit)


def most_read(postings: np.ndarray, pool_size: int, reads: Reads, limit: int) -> list[list[int]]:
    """`most_shared` over spans given as arrays (`rarest_reads`); without weights each span counts one."""
    queries = reads.queries
    if not len(reads.start):
        return [[] for _ in range(queries)]
    lengths = reads.length
    positions = _positions(reads.start, lengths)
    owner = np.repeat(reads.query, lengths)
    # Sparse: a query reads a bounded number of postings, but the pool grows with the corpus, so a
    # dense [query, directive] table would make the work per document grow with the corpus too.
    keys, inverse = np.unique(owner * pool_size + postings[positions], return_inverse=True)
    if reads.weight is None:
        counts = np.bincount(inverse.ravel(), minlength=len(keys))
    else:
        # bincount sums each directive's weights in reading order, as a dense table would
        counts = np.bincount(inverse.ravel(), np.repeat(reads.weight, lengths), minlength=len(keys))
    rows, cols = keys // pool_size, keys % pool_size
    starts_of_rows = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    most = np.repeat(np.maximum.reduceat(counts, starts_of_rows),
                     np.diff(np.r_[starts_of_rows, len(rows)]))
    floor = np.maximum(1, (most + 1) // 2) if reads.weight is None else np.maximum(1e-12, most / 2)
    chosen = counts >= floor
    rows, cols, counts = rows[chosen], cols[chosen], counts[chosen]
    order = np.lexsort((cols, -counts, rows))
    rows, cols = rows[order], cols[order]
    first = np.searchsorted(rows, np.arange(queries + 1))
    keep = np.arange(len(rows)) - first[rows] < limit
    rows, cols = rows[keep], cols[keep]
    bounds = np.searchsorted(rows, np.arange(queries + 1)).tolist()
    found = cols.tolist()
    return [found[bounds[n]:bounds[n + 1]] for n in range(queries)]


def shared_counts(table: GramTable, local: LocalGrams, refs: Sequence[int]) -> np.ndarray:
    """[reference, local directive] -> the number of grams they share."""
    ids = np.asarray(refs, dtype=np.int64)
    columns = len(local.sigs)
    owner, _, _, row = _in_local(table, local, ids)
    # a reference's grams are distinct, so each (reference, gram) hit counts once per local directive
    hit, column = np.nonzero(local.fragment[row] >= 0)
    counts = np.bincount(owner[hit] * columns + column, minlength=len(ids) * columns)
    return counts.reshape(len(ids), columns)
