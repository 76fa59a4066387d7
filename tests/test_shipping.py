"""A run cut into a base and a part per province (`compare.shipping`): each part aligns its documents
exactly as the whole run does, and holds nothing of another province; a part taken out again leaves
the others' documents aligning as before, and the last one the base as it was."""

from __future__ import annotations

import itertools
import pickle
from collections import Counter
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antifraud_corpus.compare import compare_corpus
from antifraud_corpus.compare.pairscore import GramTable, gram_table
from antifraud_corpus.compare.run import document_result
from antifraud_corpus.compare.shipping import drop_part, merge_part, rows_of, split_run, table_rows, with_rows
from antifraud_corpus.distributed import _run_bytes  # (the config's frozen maps: as the cluster pickles a run)
from test_compare import corpora, make_doc

SENTENCE = "要加强反诈宣传进校园，开展防骗知识讲座。"


def _doc(doc_id: str, level: str, region: str | None, province: str | None, sentence: str = SENTENCE):
    return make_doc({"doc_id": doc_id, "level": level, "region": region, "province": province,
                     "date": "2021-01-01" if level != "central" else "2020-01-01",
                     "duties": [{"sentence": sentence, "marker": "要"}]})


def _split(docs, config) -> dict:
    """What `split_run` gives for the comparison of `docs`, as plain values; and each document aligned
    on a copy of its province's base and part (as a worker unpickles them) against the whole run."""
    seen: dict = {}

    def split(run, local_docs):
        base, parts = split_run(run, local_docs)
        ids = [info.doc_id for info in run.corpus.infos]
        seen["base items"] = sorted(ids[d] for d, its in enumerate(base.corpus.items) if its)
        seen["base pools"] = sorted(base.pools)
        seen["parts"] = {group: ([ids[d] for d in members], sorted(part.pools),
                                 sorted(ids[d] for d in part.items)) for group, members, part in parts}
        seen["same"] = True
        payload = _run_bytes(base)
        for _, members, part in parts:
            copy = pickle.loads(payload)
            merge_part(copy, pickle.loads(_run_bytes(part)))
            seen["same"] &= [document_result(copy, d) for d in members] == [document_result(run, d) for d in members]
        seen["documents"] = sorted(ids[d] for _, members, _ in parts for d in members)
        # A worker with every part merged drops them one by one (largest province first, as they end).
        worker, users = pickle.loads(payload), Counter()
        merged = [(members, merge_part(worker, pickle.loads(_run_bytes(part)), users)) for _, members, part in parts]
        seen["same after a drop"] = True
        while merged:
            drop_part(worker, merged.pop(0)[1], users)
            seen["same after a drop"] &= all([document_result(worker, d) for d in members] ==
                                             [document_result(run, d) for d in members] for members, _ in merged)
        seen["dropped to the base"] = (worker.corpus.items, worker.corpus.sigs, sorted(worker.pools), worker.lines,
                                       dict(users)) == (base.corpus.items, base.corpus.sigs, sorted(base.pools), {}, {})
        seen["the base's table rows"] = all(np.array_equal(getattr(worker.corpus.table, name),
                                                           getattr(base.corpus.table, name))
                                            for name in GramTable.__dataclass_fields__)
        return [document_result(run, d) for d in local_docs]

    compare_corpus(docs, config, align_all=split)
    return seen


def test_a_province_part_holds_its_own_pools_and_documents_only(config):
    docs = [_doc("c", "central", None, None), _doc("sx", "provincial", "山西省", "山西省"),
            _doc("hn", "provincial", "湖南省", "湖南省"), _doc("lf", "municipal", "临汾市", "山西省"),
            _doc("yd", "county", "尧都区", "山西省"), _doc("cs", "municipal", "长沙市", "湖南省")]
    assert _split(docs, config) == {
        "base items": ["c"],
        "base pools": [("central",)],
        "parts": {
            None: (["hn", "sx"], [], ["hn", "sx"]),  # provincial documents: the central pool only
            "山西省": (["lf", "yd"], [("municipal", "山西省", "临汾市"), ("provincial", "山西省")], ["lf", "sx", "yd"]),
            "湖南省": (["cs"], [("provincial", "湖南省")], ["cs", "hn"]),
        },
        "same": True,
        "documents": ["cs", "hn", "lf", "sx", "yd"],
        "same after a drop": True,
        "dropped to the base": True,
        "the base's table rows": True,
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corpora())
def test_every_document_aligns_on_its_part_as_on_the_whole_run(config, docs):
    seen = _split(docs, config)
    assert seen["same"] is True
    assert seen["same after a drop"] is True
    assert seen["dropped to the base"] is True
    assert seen["the base's table rows"] is True
    assert seen["documents"] == sorted(d.doc_id for d in docs if d.level != "central")


@dataclass
class _Features:
    grams: tuple[int, ...]
    bounds: tuple[int, ...]
    frag_weights: tuple[float, ...]
    weight: float


@st.composite
def _tables(draw):
    """A gram table of a few directives (some with no grams) and two sets of them."""
    features = []
    for _ in range(draw(st.integers(1, 8))):
        sizes = draw(st.lists(st.integers(1, 4), max_size=3))
        grams = tuple(draw(st.lists(st.integers(0, 9), min_size=sum(sizes), max_size=sum(sizes))))
        bounds = tuple(itertools.accumulate(sizes))
        features.append(_Features(grams, bounds, tuple(float(n) for n in sizes), float(sum(sizes))))
    table = gram_table(features, [1.0 + g for g in range(10)], 2)
    masks = st.lists(st.booleans(), min_size=len(features), max_size=len(features))
    return table, draw(masks), draw(masks)


def _same_table(a, b) -> bool:
    return all(np.array_equal(getattr(a, name), getattr(b, name)) for name in GramTable.__dataclass_fields__)


@given(_tables())
def test_a_table_cut_in_rows_and_merged_again_is_the_table_of_both(drawn):
    table, some, others = drawn
    both = [a or b for a, b in zip(some, others, strict=True)]
    rows = rows_of(table, np.flatnonzero(others))
    assert _same_table(with_rows(table_rows(table, some), rows), table_rows(table, both))
    assert _same_table(table_rows(table, [True] * len(some)), table)
