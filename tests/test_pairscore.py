"""pairscore: batch text similarity equals the plain definition; candidate counting equals a Counter."""

from __future__ import annotations

from collections import Counter
from itertools import chain

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.compare import compare_settings
from antifraud_corpus.compare.features import Corpus
from antifraud_corpus.compare.pairscore import (
    PostingIndex,
    local_grams,
    most_read,
    most_shared,
    rarest_reads,
    text_similarity,
)
from antifraud_corpus.compare.similarity import Scorer, combine_many, query_of


@pytest.fixture(scope="module")
def seed_corpus(ingested_seeds, config):
    normalized, _ = ingested_seeds
    from antifraud_corpus.store import load_document_duties

    corpus = Corpus(compare_settings(config))
    for doc in load_document_duties(normalized):
        corpus.add(doc)
    corpus.finish()
    return corpus


def _plain(corpus, q: int, r: int) -> float:
    scorer = Scorer(corpus)
    return scorer.text(corpus.sigs[q], query_of(corpus.sigs[q]), corpus.sigs[r])


def test_batch_text_similarity_equals_the_plain_definition_on_the_seeds(seed_corpus):
    """Every directive of each seed against every directive of the corpus: the same score, to rounding."""
    corpus, s = seed_corpus, seed_corpus.s
    everything = np.arange(len(corpus.sigs), dtype=np.int64)
    compared = 0
    for items in corpus.items:
        sigs = list(dict.fromkeys(item.sig for item in items))
        local = local_grams(corpus.table, sigs)
        queries = np.repeat(np.arange(len(sigs), dtype=np.int64), len(everything))
        refs = np.tile(everything, len(sigs))
        batch = text_similarity(corpus.table, local, queries, refs, share=s.cosine_share, factor=s.fragment_factor)
        plain = [_plain(corpus, sigs[q], r) for q, r in zip(queries.tolist(), refs.tolist(), strict=True)]
        assert np.allclose(batch, plain, rtol=0, atol=1e-12)
        compared += len(plain)
    assert compared > 10_000
    assert 0 < np.mean(np.asarray(plain) > 0) < 1  # some pairs share grams, some do not


def test_combined_scores_in_batch_equal_the_plain_combination_on_the_seeds(seed_corpus):
    """Every pair of seed directives, with a spread of text scores: the same floats, bit for bit."""
    corpus = seed_corpus
    count = len(corpus.sigs)
    queries = np.repeat(np.arange(count, dtype=np.int64), count)
    refs = np.tile(np.arange(count, dtype=np.int64), count)
    texts = np.round(np.linspace(0.0, 1.0, len(refs)), 9)
    batch = combine_many(corpus.s, corpus.tags, queries, refs, texts).tolist()
    scorer = Scorer(corpus)
    plain = [scorer.combine(corpus.sigs[q], corpus.sigs[r], text)
             for q, r, text in zip(queries.tolist(), refs.tolist(), texts.tolist(), strict=True)]
    assert batch == plain
    assert len({round(b - t * corpus.s.w_text, 6) for b, t in zip(batch, texts.tolist(), strict=True)}) > 3


def test_identical_directives_score_one_and_disjoint_zero(seed_corpus):
    corpus, s = seed_corpus, seed_corpus.s
    local = local_grams(corpus.table, [0])
    disjoint = next(r for r in range(len(corpus.sigs))
                    if not set(corpus.sigs[0].grams) & set(corpus.sigs[r].grams))
    scores = text_similarity(corpus.table, local, np.array([0, 0]), np.array([0, disjoint]),
                             share=s.cosine_share, factor=s.fragment_factor)
    assert scores.tolist() == [pytest.approx(1.0), 0.0]


def _counted(postings: list[int], spans: list[tuple[int, int]], limit: int) -> list[int]:
    """The plain version: count with a Counter, keep those at least half as frequent as the best."""
    hits = Counter(chain.from_iterable(postings[start:start + length] for start, length in spans))
    if not hits:
        return []
    floor = max(1, (max(hits.values()) + 1) // 2)
    ranked = sorted((local for local, count in hits.items() if count >= floor), key=lambda local: (-hits[local], local))
    return ranked[:limit]


@settings(max_examples=200, deadline=None)
@given(pool_size=st.integers(1, 12), data=st.data())
def test_most_shared_agrees_with_a_counter(pool_size, data):
    postings = data.draw(st.lists(st.integers(0, pool_size - 1), min_size=1, max_size=60))
    span = st.tuples(st.integers(0, len(postings) - 1), st.integers(1, 8)).map(
        lambda sl: (sl[0], min(sl[1], len(postings) - sl[0])))
    queries = data.draw(st.lists(st.lists(span, max_size=5), min_size=1, max_size=4))
    limit = data.draw(st.integers(1, 6))
    found = most_shared(np.asarray(postings, dtype=np.int32), pool_size, queries, limit)
    assert found == [_counted(postings, spans, limit) for spans in queries]


def test_most_shared_counts_gram_weight_when_given():
    # directive 0 holds three common grams, directive 1 one rare gram: by count 0 wins, by weight 1 does
    postings = np.asarray([0, 0, 0, 1], dtype=np.int32)
    spans = [[(0, 1), (1, 1), (2, 1), (3, 1)]]
    assert most_shared(postings, 2, spans, 2) == [[0]]
    assert most_shared(postings, 2, spans, 2, [[1.0, 1.0, 1.0, 9.0]]) == [[1]]
    assert most_shared(postings, 2, spans, 2, [[2.0, 2.0, 2.0, 9.0]]) == [[1, 0]]


def test_shared_counts_are_the_sizes_of_gram_intersections(seed_corpus):
    from antifraud_corpus.compare.pairscore import shared_counts

    corpus = seed_corpus
    sigs = list(dict.fromkeys(item.sig for item in corpus.items[0]))
    refs = list(range(len(corpus.sigs)))
    counts = shared_counts(corpus.table, local_grams(corpus.table, sigs), refs)
    expected = [[len(set(corpus.sigs[r].grams) & set(corpus.sigs[q].grams)) for q in sigs] for r in refs]
    assert counts.tolist() == expected
    assert counts.max() > 0


def _plain_reads(index: PostingIndex, grams: list[int], budget: int, min_grams: int) -> list[tuple[int, int]]:
    """The plain version: the spans of the directive's grams, rarest first, within the budget."""
    found = sorted((int(index.count[k]), int(index.start[k])) for k in range(len(index.grams))
                   if int(index.grams[k]) in grams)
    spans, read = [], 0
    for number, (length, start) in enumerate(found):
        if read >= budget and number >= min_grams:
            break
        take = length if read + length <= budget or number < min_grams else max(1, budget - read)
        spans.append((start, take))
        read += take
    return spans


@pytest.mark.parametrize("budget,min_grams", [(1, 1), (3, 2), (6, 1), (100, 4)])
def test_rarest_reads_take_the_rarest_grams_within_the_budget(budget, min_grams):
    """Three directives over five grams: each reads its rarest grams' spans until the budget is spent."""
    from antifraud_corpus.compare.pairscore import GramTable, posting_index

    grams_of = [[0, 1, 2], [1, 2, 3, 4], [2, 4]]
    flat = np.array([g for grams in grams_of for g in grams], dtype=np.int32)
    offsets = np.array([0, 3, 7, 9], dtype=np.int64)
    table = GramTable(grams=flat, offsets=offsets, fragments=np.zeros(len(flat), np.int32),
                      frag_offsets=np.arange(4, dtype=np.int64), frag_weights=np.ones(3),
                      frag_long=np.ones(3, bool), weights=np.ones(3), gram_weights=np.arange(1.0, 6.0))
    index = posting_index(table, [0, 1, 2])
    reads = rarest_reads(table, index, [2, 0], budget, min_grams)
    got = [[(s, n) for s, n, q in zip(reads.start.tolist(), reads.length.tolist(), reads.query.tolist(), strict=True)
            if q == query] for query in range(2)]
    assert got == [_plain_reads(index, grams_of[2], budget, min_grams),
                   _plain_reads(index, grams_of[0], budget, min_grams)]
    # directives 1 and 2 both hold grams 2 and 4 (weights 3 and 5) and tie (index order); 0 holds only gram 2
    assert most_read(index.entries, index.size, rarest_reads(table, index, [2], 100, 4), 3) == [[1, 2]]
