"""compare as data: the streamed JSON, the diffs encoded from packed rows, CSV; handmade cases."""

from __future__ import annotations

import json

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.test_compare import CASES, make_doc

from antifraud_corpus.compare import DiffList, DocumentInfo, compare_corpus, diff_to_json
from antifraud_corpus.compare.diffjson import SEPARATOR
from antifraud_corpus.compare.features import Item
from antifraud_corpus.compare.rows import pack_rows, unpack_rows
from antifraud_corpus.filters import DutyFilter
from antifraud_corpus.report.compare_data import iter_json, render_json, write_json_stream


def _corpus() -> list:
    """Every case's documents in one corpus (ids made unique per case)."""
    return [make_doc({**d, "doc_id": f"{n}_{d['doc_id']}"}) for n, case in enumerate(CASES) for d in case["documents"]]


def _encoded_by_document(comparison) -> list[bytes]:
    """The diffs encoded through `diff_to_json` (the definition), joined per local document."""
    encode = msgspec.json.Encoder().encode
    by_doc: dict[str, list[bytes]] = {}
    for diff in comparison.diffs:
        by_doc.setdefault(diff.doc_id, []).append(encode(diff_to_json(diff)))
    return [SEPARATOR.join(records) for records in by_doc.values()]


@pytest.mark.parametrize("json_diffs", [False, True], ids=["rendered-when-read", "spooled"])
@pytest.mark.parametrize("topic", ["all", "on"])
def test_json_of_each_document_is_its_encoded_records(config, json_diffs, topic):
    comparison = compare_corpus(_corpus(), config, filters=DutyFilter(topic=topic), json_diffs=json_diffs)
    expected = _encoded_by_document(comparison)
    assert len(expected) == len({d.doc_id for d in comparison.diffs}) > 1
    assert list(comparison.diffs.json_documents()) == expected


def test_rows_render_as_the_records_they_define():
    """Every kind of row, values msgspec writes in more than one way (floats, escapes, empty lists)."""
    item = Item(0, "一、", '要"加强"\\管理\n', 3, 9, ("公安机关",), "obligation", "要", ("m1", "m2"), 0, pos=0)
    ref = Item(1, "", "应当加强管理。", 0, 7, (), "obligation", "应当", (), 1, pos=0)
    infos = [DocumentInfo("L<1>", "county", "某县", "某省", None, "t"), DocumentInfo("R", "central", None, None,
                                                                                  "2020-01-02", "t")]
    rows = [("m", 0, 1, 0, 0.1, 1.0, True, "strengthened", ("named actor 公安机关", "deadline 年底前"), False),
            ("m", 0, 1, 0, 1e-3, 0.333, False, "echoed", (), True), ("a", 0), ("t", 0), ("o", 1, 0, 0.0),
            ("o", 1, 0, 0.5)]
    diffs = DiffList([("L<1>", 0, pack_rows(rows), len(rows), None)], [[item], [ref]], infos)
    encode = msgspec.json.Encoder().encode
    assert list(diffs.json_documents()) == [SEPARATOR.join(encode(diff_to_json(d)) for d in diffs)]


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(0, 1), st.booleans(), st.booleans(),
       st.lists(st.text(max_size=8), max_size=3), st.text(max_size=12))
def test_any_row_values_render_as_their_record(score, text, later, undated, reasons, sentence):
    item = Item(0, "", sentence, 0, len(sentence), (), "obligation", "", (), 0, pos=0)
    infos = [DocumentInfo("d", "county", None, None, None, "")]
    rows = [("m", 0, 0, 0, score, text, later, "weakened", tuple(reasons), undated), ("o", 0, 0, score)]
    diffs = DiffList([("d", 0, pack_rows(rows), 2, None)], [[item]], infos)
    encode = msgspec.json.Encoder().encode
    assert list(diffs.json_documents()) == [SEPARATOR.join(encode(diff_to_json(d)) for d in diffs)]


def test_workers_spool_the_same_json(config, tmp_path):
    """Forked workers render their documents' JSON (more than 64 local documents: they fork)."""
    docs = [make_doc({**d, "doc_id": f"{copy}_{n}_{d['doc_id']}"}) for copy in range(8)
            for n, case in enumerate(CASES) for d in case["documents"]]
    plain = render_json(compare_corpus(docs, config))
    spooled = compare_corpus(docs, config, workers=2, json_diffs=True)
    assert sum(1 for d in spooled.documents if d.level != "central") >= 64
    out = tmp_path / "compare.json"
    write_json_stream(spooled, out)
    assert out.read_text(encoding="utf-8") == plain
    assert json.loads(plain)["diffs"]


def test_streamed_file_is_the_rendered_json(config, tmp_path):
    comparison = compare_corpus(_corpus(), config)
    out = tmp_path / "compare.json"
    write_json_stream(comparison, out)
    text = out.read_text(encoding="utf-8")
    assert text == render_json(comparison) == b"".join(iter_json(comparison)).decode("utf-8")
    assert [d["status"] for d in json.loads(text)["diffs"]] == [diff_to_json(d)["status"] for d in comparison.diffs]


def test_packed_rows_come_back_as_they_went():
    rows = [("m", 0, 3, 1, 0.512, 0.4, False, "echoed", ("named actor x",), True), ("a", 2), ("o", 3, 4, 0.1)]
    assert unpack_rows(pack_rows(rows)) == rows
