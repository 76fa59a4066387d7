"""Candidate reference directives from a pool's index, and their scores in batch."""

from __future__ import annotations

import numpy as np

from .features import pairable_many
from .pairscore import LocalGrams, most_read, rarest_reads, text_similarity
from .similarity import combine_many
from .state import Run

DIGITS = 9  # of scores, so that equal scores tie whatever the order of summing


def candidate_refs(run: Run, sig_ids: list[int], pool_key: tuple) -> list[list[int]]:
    """Per directive, the reference directives of `pool_key` sharing most of its rare n-grams.

    Each directive reads the postings of its rarest grams within a budget (`rarest_reads`). Shared
    grams count by their weight (rarity), as in the score. Candidates sharing less than half the best
    one's weight rarely score higher, and at most `candidates` are kept, most shared first.
    """
    pool = run.pools[pool_key]
    reads = rarest_reads(run.corpus.table, pool.index, sig_ids, run.settings.postings, run.settings.min_grams)
    found = most_read(pool.index.entries, pool.index.size, reads, run.settings.candidates)
    sigs = pool.sigs
    return [[sigs[local] for local in refs] for refs in found]


def scored(run: Run, local: LocalGrams, pairs: list[tuple[int, int]]) -> list[tuple[float, float]]:
    """(combined score, text similarity) of each (local sig, reference sig) pair, scored together.

    A pair below `min_text` counts as sharing nothing (no use of the comparison looks at it).
    """
    if not pairs:
        return []
    column = {int(sig): n for n, sig in enumerate(local.sigs)}
    queries = np.fromiter((column[q] for q, _ in pairs), np.int64, len(pairs))
    refs = np.fromiter((r for _, r in pairs), np.int64, len(pairs))
    texts = text_similarity(run.corpus.table, local, queries, refs, share=run.settings.cosine_share,
                            factor=run.settings.fragment_factor)
    # Sums in another order differ in the last bits: scores that are equal must tie (and let the
    # next criterion decide), so they are kept to 9 decimals, far below the 3 that are shown.
    texts = np.round(texts, DIGITS)
    if run.corpus.roles is not None:
        texts = np.where(pairable_many(run.corpus, local.sigs[queries], refs), texts, 0.0)
    low = run.settings.min_text
    if run.corpus.tags is None:
        sigs, combine = run.corpus.sigs, run.scorer.combine
        return [(round(combine(sigs[q], sigs[r], text), DIGITS), text) if text >= low else (0.0, 0.0)
                for (q, r), text in zip(pairs, texts.tolist(), strict=True)]
    combined = combine_many(run.settings, run.corpus.tags, local.sigs[queries], refs, texts)
    return [(round(score, DIGITS), text) if text >= low else (0.0, 0.0)
            for score, text in zip(combined.tolist(), texts.tolist(), strict=True)]
