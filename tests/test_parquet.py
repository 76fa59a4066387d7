"""Parquet exports: DuckDB reads them back, partition columns included, with the rows of the CSV and JSONL exports."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antifraud_corpus.cli import main
from antifraud_corpus.parquet import DIFF_PARQUET_COLUMNS, write_parquet


def read(folder: Path, order: str = "") -> list[dict]:
    """Every row of an exported folder as DuckDB reads it (hive partitions as columns)."""
    query = f"SELECT * FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = true) {order}"
    relation = duckdb.sql(query)
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def export(runner, store: Path, *args: str):
    return runner.invoke(main, ["export", *args, "--normalized", str(store)])


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("kind", ["documents", "duties"])
def test_duckdb_counts_equal_the_csv_export(runner, ingested_seeds, tmp_path: Path, kind: str):
    store, _ = ingested_seeds
    result = export(runner, store, kind, "--format", "parquet", "-o", str(tmp_path / kind))
    assert result.exit_code == 0, result.stderr
    in_csv = csv_rows(export(runner, store, kind, "--format", "csv").stdout)
    by_partition = duckdb.sql(f"SELECT level, province, count(*) FROM read_parquet('{tmp_path / kind}/**/*.parquet', "
                              "hive_partitioning = true) GROUP BY ALL ORDER BY ALL").fetchall()
    provinces = {d["doc_id"]: d["province"] or None for d in csv_rows(export(runner, store, "documents",
                                                                              "--format", "csv").stdout)}
    expected: dict[tuple, int] = {}
    for row in in_csv:
        key = (row["level"], provinces[row["doc_id"]])
        expected[key] = expected.get(key, 0) + 1
    assert by_partition == sorted((level, province, n) for (level, province), n in expected.items())
    assert sum(n for *_, n in by_partition) == len(in_csv) == (5 if kind == "documents" else 156)


def test_duty_rows_are_those_of_the_jsonl_export_with_their_province(runner, ingested_seeds, tmp_path: Path):
    store, _ = ingested_seeds
    assert export(runner, store, "duties", "--format", "parquet", "-o", str(tmp_path / "d")).exit_code == 0
    documents = [json.loads(line) for line in export(runner, store, "documents", "--format", "jsonl").stdout.split("\n")
                 if line]
    provinces = {d["doc_id"]: d["province"] for d in documents}
    jsonl = [json.loads(line) for line in export(runner, store, "duties", "--format", "jsonl").stdout.split("\n")
             if line]
    expected = sorted(({**row, "province": provinces[row["doc_id"]]} for row in jsonl),
                      key=lambda r: (r["doc_id"], r["start"], r["actor"]))
    assert read(tmp_path / "d", 'ORDER BY doc_id, start, actor') == expected


def test_document_records_keep_their_clauses_and_removed_pieces(runner, ingested_seeds, tmp_path: Path):
    store, _ = ingested_seeds
    assert export(runner, store, "documents", "--format", "parquet", "-o", str(tmp_path / "d")).exit_code == 0
    jsonl = [json.loads(line) for line in export(runner, store, "documents", "--format", "jsonl").stdout.split("\n")
             if line]
    for record in jsonl:  # (a text file's clauses have no page or paragraph: NULL in the shared struct)
        record["clauses"] = [{"page": None, "paragraph": None, **clause} for clause in record["clauses"]]
    assert read(tmp_path / "d", "ORDER BY doc_id") == sorted(jsonl, key=lambda r: r["doc_id"])


def test_compare_diffs_as_parquet_match_the_csv(runner, ingested_seeds, tmp_path: Path):
    store, _ = ingested_seeds
    result = runner.invoke(main, ["compare", "--normalized", str(store), "--format", "parquet", "-o",
                                  str(tmp_path / "diffs")])
    assert result.exit_code == 0, result.stderr
    as_csv = csv_rows(runner.invoke(main, ["compare", "--normalized", str(store), "--format", "csv"]).stdout)
    rows = read(tmp_path / "diffs")
    assert as_csv and len(rows) == len(as_csv)  # (the same diffs: their number is compare's, not this test's)
    assert sorted(rows[0]) == sorted(DIFF_PARQUET_COLUMNS)
    assert sorted((r["doc_id"], r["status"]) for r in rows) == sorted((r["doc_id"], r["status"]) for r in as_csv)
    assert {(r["level"], r["province"]) for r in rows} == {("municipal", "山西省"), ("provincial", "湖南省")}


def test_an_export_replaces_an_earlier_one_and_nothing_else(runner, ingested_seeds, tmp_path: Path):
    store, _ = ingested_seeds
    out = tmp_path / "out"
    assert export(runner, store, "duties", "--format", "parquet", "-o", str(out), "--level", "central").exit_code == 0
    assert export(runner, store, "duties", "--format", "parquet", "-o", str(out)).exit_code == 0
    assert len(read(out)) == 156  # the whole export, not the central one under it
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left beside it
    own = tmp_path / "mine"
    own.mkdir()
    (own / "notes.txt").write_text("keep me", encoding="utf-8")
    result = export(runner, store, "duties", "--format", "parquet", "-o", str(own))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {own}: folder holds files that are not a Parquet export; "
                             "give a new or empty folder\n")
    assert [p.name for p in own.iterdir()] == ["notes.txt"]


def test_parquet_output_must_be_a_folder(runner, ingested_seeds, tmp_path: Path):
    store, _ = ingested_seeds
    afile = tmp_path / "file"
    afile.write_text("", encoding="utf-8")
    result = export(runner, store, "duties", "--format", "parquet", "-o", str(afile))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (f"Error: Invalid value for '-o' / '--output': Directory '{afile}' "
                                              "is a file.")
    missing = export(runner, store, "documents", "--format", "parquet")
    assert (missing.exit_code, missing.stderr) == (
        1, "Error: --format parquet needs -o DIR (a folder of Parquet files cannot go to stdout)\n")


def test_without_pyarrow_parquet_is_one_line_naming_the_extra(runner, ingested_seeds, monkeypatch, tmp_path: Path):
    store, _ = ingested_seeds
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.dataset", None)
    result = export(runner, store, "duties", "--format", "parquet", "-o", str(tmp_path / "out"))
    assert (result.exit_code, result.stderr) == (
        2, "Error: --format parquet needs pyarrow, which is not installed; "
           "run pip install 'antifraud-corpus[parquet]'\n")
    assert not (tmp_path / "out").exists()


_NAMES = st.text(alphabet=st.sampled_from("湖南省山西临汾市 /=%#?._-aZ"), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["central", "provincial", "municipal", None]), st.none() | _NAMES),
                min_size=1, max_size=6))
def test_any_level_and_province_come_back_as_they_went_in(tmp_path_factory, places):
    rows = [{"doc_id": f"d{i}", "level": level, "province": province, "status": "added", "start": i}
            for i, (level, province) in enumerate(places)]
    out = tmp_path_factory.mktemp("hypothesis") / "diffs"
    assert write_parquet(rows, "diffs", out) == len(rows)
    back = read(out, "ORDER BY start")
    assert [(r["doc_id"], r["level"], r["province"]) for r in back] == [(r["doc_id"], r["level"], r["province"])
                                                                        for r in rows]
