"""compare as data: the streamed JSON, the diffs encoded from packed rows, CSV; handmade cases."""

from __future__ import annotations

import json

import msgspec
from tests.test_compare import CASES, make_doc

from antifraud_corpus.compare import compare_corpus, diff_to_json
from antifraud_corpus.compare.rows import pack_rows, unpack_rows
from antifraud_corpus.filters import DutyFilter
from antifraud_corpus.report.compare_data import iter_json, render_json, write_json_stream


def _corpus() -> list:
    """Every case's documents in one corpus (ids made unique per case)."""
    return [make_doc({**d, "doc_id": f"{n}_{d['doc_id']}"}) for n, case in enumerate(CASES) for d in case["documents"]]


def test_encoded_diffs_are_the_encoded_records(config):
    comparison = compare_corpus(_corpus(), config)
    encode = msgspec.json.Encoder().encode
    expected = [encode(diff_to_json(d)) for d in comparison.diffs]
    assert len(expected) == len(comparison.diffs) > 0
    assert list(comparison.diffs.encoded(encode)) == expected


def test_filtered_encoded_diffs_are_the_encoded_records(config):
    comparison = compare_corpus(_corpus(), config, filters=DutyFilter(topic="on"))
    encode = msgspec.json.Encoder().encode
    assert list(comparison.diffs.encoded(encode)) == [encode(diff_to_json(d)) for d in comparison.diffs]


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
