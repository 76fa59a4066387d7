"""`corpus list`, and filter values checked in every command: a typo is exit 2 naming the closest match."""

import json
import re

import pytest
from rich.cells import cell_len

from antifraud_corpus.cli import main

SEED_IDS = ["000_888081b4012a42ca", "001_1fada07f3521683b", "002_b06b64127b7163c7", "003_88b48e3f98e8c1bb",
            "004_cb00f39c3fb5eb64"]


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_list_prints_every_document_with_whole_ids(runner, ingested_seeds):
    result = runner.invoke(main, ["list", "--normalized", str(ingested_seeds[0])])
    assert result.exit_code == 0, result.output
    header, *rows, caption = _lines(result.stdout)
    assert header.split() == ["id", "level", "region", "date", "kind", "title", "duties"]
    assert [row.split() for row in rows] == [
        [SEED_IDS[0], "provincial", "湖南省", "2022-09-26", "resolution", "湖南省人民代表大会常务", "…", "31"],
        [SEED_IDS[1], "central", "?", "opinion", "关于加强打击治理电信网", "…", "21"],
        [SEED_IDS[2], "municipal", "临汾市", "(山西省)", "2023-02-07", "deliberation_opinion", "临汾市人民代表大会常务",
         "…", "19"],
        [SEED_IDS[3], "central", "2020-01-14", "meeting_report", "全国打击治理电信网络新", "…", "23"],
        [SEED_IDS[4], "central", "?", "meeting_report", "全国打击治理电信网络新", "…", "41"],
    ]
    assert {cell_len(line) for line in (header, *rows)} == {117}  # (the title alone is cut to fit)
    assert caption == "5 documents, 135 directives"


def test_list_takes_the_filters_and_counts_the_directives_they_keep(runner, ingested_seeds):
    result = runner.invoke(main, ["list", "--normalized", str(ingested_seeds[0]), "--region", "山西", "--actor",
                                  "government", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"doc_id": SEED_IDS[2], "level": "municipal", "region": "临汾市", "province": "山西省", "date": "2023-02-07",
         "kind": "deliberation_opinion",
         "title": "临汾市人民代表大会常务委员会关于开展防范打击电信网络诈骗工作情况报告的审议意见", "duties": 3}]


def test_list_as_csv_opens_in_excel(runner, ingested_seeds):
    result = runner.invoke(main, ["list", "--normalized", str(ingested_seeds[0]), "--level", "central", "--format",
                                  "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8").split("\r\n")[:2] == [
        "\ufeffdoc_id,level,region,province,date,kind,title,duties",
        "001_1fada07f3521683b,central,,,,opinion,关于加强打击治理电信网络诈骗违法犯罪工作的意见,21"]


def test_a_real_place_without_documents_is_an_honest_zero_with_the_stores_regions(runner, ingested_seeds):
    result = runner.invoke(main, ["list", "--normalized", str(ingested_seeds[0]), "--region", "江苏省"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "0 documents\n",
        "note: no stored document is in 江苏省; the store has documents in 临汾市, 山西省, 湖南省\n")
    short = runner.invoke(main, ["list", "--normalized", str(ingested_seeds[0]), "--region", "北京", "--region",
                                 "江苏", "--format", "jsonl"])
    assert (short.exit_code, short.stdout, short.stderr) == (
        0, "", "note: no stored document is in 北京市 or 江苏省; the store has documents in 临汾市, 山西省, 湖南省\n")


def test_a_zero_left_by_other_filters_in_a_region_the_store_has_gets_no_note(runner, ingested_seeds):
    result = runner.invoke(main, ["list", "--normalized", str(ingested_seeds[0]), "--region", "山西", "--level",
                                  "central"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "0 documents\n", "")


def test_the_note_names_at_most_a_dozen_regions():
    from antifraud_corpus.report.listing import absent_regions_note

    stored = [f"{n:02d}市" for n in range(20)]
    assert absent_regions_note(["北京市"], stored) == (
        "no stored document is in 北京市; the store has documents in " + ", ".join(stored[:12])
        + ", … (20 in all; `corpus list` shows them)")
    assert absent_regions_note(["北京市"], []) == "no stored document is in 北京市; no stored document names a region"
    assert absent_regions_note(["北京市"], ["北京市", "山西省"]) is None
    assert absent_regions_note([], ["山西省"]) is None


TYPOS = [
    (["--actor", "public_securty"], "--actor public_securty: unknown actor id; did you mean public_security?"),
    (["--measure", "fund_contrl"], "--measure fund_contrl: unknown measure id; did you mean fund_control?"),
    (["--level", "provincal"], "--level provincal: unknown level; did you mean provincial?"),
    (["--region", "湖男省"], "--region 湖男省: unknown region; did you mean 湖北省 or 湖南省?"),
    (["--doc", "002_b06b64127b7163c8"], "--doc 002_b06b64127b7163c8: no such document in {store}; "
                                         "did you mean 002_b06b64127b7163c7?"),
    (["--doc", "00"], "--doc 00: 5 document ids start with it (" + ", ".join(SEED_IDS) + "); type more of the id"),
]
COMMANDS = [["list"], ["export", "duties"], ["compare"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("option", "message"), TYPOS, ids=lambda v: v[0] if isinstance(v, list) else "")
def test_a_typo_in_a_filter_is_exit_2_naming_the_closest_match(runner, ingested_seeds, command, option, message):
    store = ingested_seeds[0]
    result = runner.invoke(main, [*command, "--normalized", str(store), *option])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: {message.format(store=store)}\n"


def test_export_documents_checks_its_document_filters_too(runner, ingested_seeds):
    result = runner.invoke(main, ["export", "documents", "--normalized", str(ingested_seeds[0]), "--level", "town"])
    assert (result.exit_code, result.stderr) == (2, "Error: --level town: unknown level; use one of central, county, "
                                                    "municipal, provincial\n")


def test_a_unique_prefix_stands_for_the_id(runner, ingested_seeds):
    store = str(ingested_seeds[0])
    result = runner.invoke(main, ["export", "duties", "--normalized", store, "--doc", "002", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["doc_id"] for line in result.stdout.splitlines()} == {SEED_IDS[2]}
    explained = runner.invoke(main, ["explain", "000", "五", "--normalized", store])
    assert explained.exit_code == 0, explained.output
    title = "湖南省人民代表大会常务委员会关于加强打击治理电信网络诈骗违法犯罪工作的决议"
    assert explained.stdout.split()[:2] == [SEED_IDS[0], title]


def test_explain_checks_the_clause_path(runner, ingested_seeds):
    store = str(ingested_seeds[0])
    result = runner.invoke(main, ["explain", "000", "十一", "--normalized", store])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: clause 十一: unknown clause of {SEED_IDS[0]}; did you mean 一 or 十?\n"
    ambiguous = runner.invoke(main, ["explain", "00", "--normalized", store])
    assert (ambiguous.exit_code, ambiguous.stderr) == (
        2, f"Error: 00: 5 document ids start with it ({', '.join(SEED_IDS)}); type more of the id\n")


def test_compare_tables_show_ids_that_type_back(runner, ingested_seeds):
    store = str(ingested_seeds[0])
    result = runner.invoke(main, ["compare", "--normalized", store, "--doc", "002", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    labels = set(re.findall(r"^\| <code>(\w+)</code> \|", result.stdout, re.MULTILINE))
    assert labels == {"001", "002", "003", "004"}
    for label in sorted(labels):
        assert runner.invoke(main, ["list", "--normalized", store, "--doc", label, "--format", "jsonl"]).exit_code == 0
