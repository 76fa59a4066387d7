"""Pair scores of distinct directives: text (sentences and fragments), measures, actors.

The plain `Scorer.text` is the definition; `pairscore` scores a document's pairs in batch (`candidates.scored`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .features import Corpus, Sig, TagBits, pairable
from .settings import CompareSettings


class Scorer:
    """Pair scores of distinct directives: text (sentence and fragments), measures, actors."""

    def __init__(self, corpus: Corpus) -> None:
        self.c = corpus
        self.s = corpus.s

    def text(self, q: Sig, query: Query, r: Sig) -> float:
        """Text similarity: the better of the whole sentences and of their best pair of fragments.

        Fragment pairs are only looked at where an upper bound says they could beat the sentences:
        a fragment pair scores at most `fragment_factor` × shared weight / the smaller fragment weight.
        A gram belongs to one fragment on each side, so the shared weight of every fragment pair is
        summed in one pass over the grams shared with each long fragment of `r`.
        """
        shared = query.grams.intersection(r.grams)
        if not shared:
            return 0.0
        s, w2 = self.s, self.c.w2
        weight_of = w2.__getitem__
        dot = sum(map(weight_of, shared))
        share, factor = s.cosine_share, s.fragment_factor
        q_weight, r_weight = q.weight, r.weight
        best = share * dot / math.sqrt(q_weight * r_weight) + (1 - share) * dot / min(q_weight, r_weight)
        q_floor, r_floor = q.floor, r.floor
        if not q_floor or not r_floor or (len(r.bounds) == 1 and len(q.bounds) == 1) \
                or factor * dot / min(r_floor, q_floor) <= best:
            return min(best, 1.0)
        fragment_of, q_frag_weights, r_frag_weights = query.fragment_of, q.frag_weights, r.frag_weights
        grams, bounds = r.grams, r.bounds
        for rf in r.long:
            common_r = shared.intersection(grams[bounds[rf - 1] if rf else 0:bounds[rf]])
            if not common_r:
                continue
            rf_weight = r_frag_weights[rf]
            if factor * sum(map(weight_of, common_r)) / min(rf_weight, q_floor) <= best:
                continue
            parts: dict[int, float] = {}
            for gram in common_r:
                qf = fragment_of.get(gram)
                if qf is not None:
                    parts[qf] = parts.get(qf, 0.0) + w2[gram]
            for qf, part in parts.items():
                candidate = factor * blend(part, q_frag_weights[qf], rf_weight, share)
                if candidate > best:
                    best = candidate
        return min(best, 1.0)

    def score(self, q: Sig, query: Query, r: Sig) -> tuple[float, float]:
        """(combined score, text similarity) of local directive `q` against reference `r`."""
        if not pairable(q, r):
            return 0.0, 0.0
        text = self.text(q, query, r)
        return (self.combine(q, r, text), text) if text else (0.0, 0.0)

    def combine(self, q: Sig, r: Sig, text: float) -> float:
        """The combined score of a pair from its text similarity and its measures and actors."""
        s = self.s
        total, weight = s.w_text * text, s.w_text
        if q.measures and r.measures:
            # One shared measure is full agreement: carrying out one action of a compound directive is
            # carrying it out (the gold's convention), whatever else either side also does.
            shared = len(q.measures & r.measures)
            total += s.w_measures * (shared > 0)
            # Tags are coarse and a paraphrase is often tagged apart (`劝返` cross-border, `加强涉诈人员
            # 管理` organization): sharing one is evidence, sharing none only weak evidence against.
            weight += s.w_measures if shared else s.w_measures_apart
        if q.specific and r.specific:
            total += s.w_actors * len(q.specific & r.specific) / len(q.specific | r.specific)
            weight += s.w_actors
        return total / weight


def combine_many(settings: CompareSettings, tags: TagBits, queries: np.ndarray, refs: np.ndarray,
                 texts: np.ndarray) -> np.ndarray:
    """`Scorer.combine` of many pairs (directive ids `queries[k]`, `refs[k]`) at once: the same
    operations in the same order, so the same floats."""
    s = settings
    q_measures, r_measures = tags.measures[queries], tags.measures[refs]
    q_count, r_count = np.bitwise_count(q_measures), np.bitwise_count(r_measures)
    shared = np.bitwise_count(q_measures & r_measures)
    total = s.w_text * texts
    weight = np.full(len(texts), s.w_text)
    with np.errstate(divide="ignore", invalid="ignore"):
        both = (q_count > 0) & (r_count > 0)
        total = np.where(both, total + s.w_measures * (shared > 0), total)
        weight = np.where(both, weight + np.where(shared > 0, s.w_measures, s.w_measures_apart), weight)
        q_actors, r_actors = tags.specific[queries], tags.specific[refs]
        both = (q_actors != 0) & (r_actors != 0)
        common = np.bitwise_count(q_actors & r_actors).astype(np.float64)
        total = np.where(both, total + s.w_actors * common / np.bitwise_count(q_actors | r_actors), total)
        weight = np.where(both, weight + s.w_actors, weight)
    return total / weight


def blend(dot: float, a: float, b: float, share: float) -> float:
    if a <= 0 or b <= 0:
        return 0.0
    return share * dot / math.sqrt(a * b) + (1 - share) * dot / min(a, b)


@dataclass(frozen=True, slots=True)
class Query:
    """What scoring needs of a local directive: its gram set and the long fragment of each of its grams."""

    grams: frozenset[int]
    fragment_of: dict[int, int]  # gram -> its fragment, for the grams of `long` fragments


def query_of(sig: Sig) -> Query:
    return Query(frozenset(sig.grams), {gram: n for n in sig.long for gram in sig.part(n)})
