"""messages.py and the end of an ingest run: warnings grouped by kind, `-v` lists each, `-q` only errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from antifraud_corpus.cli import main
from antifraud_corpus.errors import ConfigError
from antifraud_corpus.messages import group_messages, kinded_warnings, warning_kinds
from antifraud_corpus.pipeline import IngestReport
from antifraud_corpus.rawfiles import Problem
from antifraud_corpus.report import render_ingest_summary
from conftest import with_config_file

NO_DATE = "metadata: no date found (no adoption note, signature, meeting date or page stamp)"
NO_LEVEL = "metadata: no level found: the issuer names no region and no central organ"


def test_groups_put_the_most_frequent_kind_first_with_its_first_examples():
    groups = group_messages([("b", "1"), ("a", "2"), ("b", "3"), ("c", "4"), ("b", "5"), ("a", "6")])
    assert [(g.kind, g.count, g.examples) for g in groups] == [
        ("b", 3, ("1", "3")), ("a", 2, ("2", "6")), ("c", 1, ("4",))]


@given(st.lists(st.tuples(st.sampled_from("abc"), st.text(max_size=3))))
def test_grouping_loses_no_message_from_the_count(pairs):
    groups = group_messages(pairs)
    assert sum(g.count for g in groups) == len(pairs)
    assert all(len(g.examples) == min(2, g.count) for g in groups)


@pytest.mark.parametrize(("warning", "kind"), [
    (NO_DATE, "missing-date"),
    (NO_LEVEL, "missing-level"),
    ("metadata: date 5月9日 (meeting) states no year and the page has no dated stamp; date left empty",
     "date-without-year"),
    ("metadata: the text states no date; date 2021-03-04 taken from the file name (xwlb-20210304)",
     "date-from-file-name"),
    ("metadata: no title found", "missing-title"),
    ("metadata: municipal document but the text names no municipal region", "missing-region"),
    ("metadata: region 新区 exists in several provinces (甲省, 乙省); left empty", "ambiguous-region"),
    ("2 undecodable byte sequence(s) replaced by U+FFFD; recorded in removed", "encoding-damage"),
    ("encoding big5 is a low-confidence guess; check the text or re-save the file as UTF-8", "encoding-guessed"),
    ("cleaning: cut 40 characters after the article's end (junk:after-article-end); check", "cut-after-end"),
    ("3 personal data value(s) redacted", "personal-data"),
    ("something no stage says yet", "other"),
])
def test_each_shipped_kind_names_its_warnings(config, warning, kind):
    assert warning_kinds(config).kind_of(warning) == kind


def test_a_bad_kind_pattern_is_a_config_error_naming_it(config):
    bad = with_config_file(config, "labels", {**config["labels"], "warning_kinds": {"missing-date": "no (date"}})
    with pytest.raises(ConfigError, match=r"^labels.yaml: warning_kinds.missing-date: bad regular expression "
                                          r"\(missing \), unterminated subpattern at position 3\); fix the pattern$"):
        warning_kinds(bad)


def render(report: IngestReport, config, verbosity: str) -> str:
    out = io.StringIO()
    render_ingest_summary(Console(file=out, width=200, no_color=True), report, warning_kinds(config), verbosity)
    return out.getvalue()


@pytest.fixture()
def report() -> IngestReport:
    return IngestReport(ingested=["a", "b", "c"], failed=[Problem("bad.txt", "bad.txt: cannot decode; re-save it")],
                        warnings={"c": [NO_DATE, NO_LEVEL], "a": [NO_DATE], "b": [NO_DATE]}, orphans=["old"],
                        notes=["redaction is off"])


def test_the_default_groups_warnings_by_kind_after_the_errors(config, report):
    assert render(report, config, "summary") == (
        "note redaction is off\n"
        "error bad.txt: cannot decode; re-save it\n"
        "warnings by kind (-v lists every one; each document keeps its own in the store):\n"
        f"  3  missing-date   a: {NO_DATE}\n"
        f"                    b: {NO_DATE}\n"
        "  1  missing-level  c: " + NO_LEVEL + "\n"
        "  1  raw-file-gone  old: raw file is gone; the stored document is kept (run with --prune to delete it)\n"
        "3 ingested, 0 skipped (unchanged), 1 failed, 4 warnings\n")


def test_verbose_lists_every_warning(config, report):
    assert render(report, config, "verbose") == (
        "note redaction is off\n"
        "error bad.txt: cannot decode; re-save it\n"
        "warning old: raw file is gone; the stored document is kept (run with --prune to delete it)\n"
        f"warning a: {NO_DATE}\n"
        f"warning b: {NO_DATE}\n"
        f"warning c: {NO_DATE}\n"
        f"warning c: {NO_LEVEL}\n"
        "3 ingested, 0 skipped (unchanged), 1 failed, 4 warnings\n")


def test_quiet_prints_only_errors_and_the_result(config, report):
    assert render(report, config, "quiet") == (
        "error bad.txt: cannot decode; re-save it\n"
        "3 ingested, 0 skipped (unchanged), 1 failed, 4 warnings\n")


@pytest.fixture()
def notices(tmp_path: Path) -> Path:
    """Three handmade notices with neither a date nor an issuer's region: two warnings each."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for number in (1, 2, 3):
        (raw / f"notice{number}.txt").write_text(
            f"关于做好第{number}批反诈宣传工作的通知\n\n一、各街道要组织反诈宣传进社区。\n"
            "二、公安机关应当及时通报新型诈骗手法。\n", encoding="utf-8")
    return raw


@pytest.mark.parametrize(("flags", "expected"), [
    ([], "warnings by kind (-v lists every one; each document keeps its own in the store):\n"
         f"  3  missing-date   notice1: {NO_DATE}\n"
         f"                    notice2: {NO_DATE}\n"
         f"  3  missing-level  notice1: {NO_LEVEL}\n"
         f"                    notice2: {NO_LEVEL}\n"),
    (["-v"], "".join(f"warning notice{n}: {NO_DATE}\nwarning notice{n}: {NO_LEVEL}\n" for n in (1, 2, 3))),
    (["--quiet"], ""),
], ids=["default", "-v", "--quiet"])
def test_ingest_ends_with_the_warnings_as_asked(runner, notices, tmp_path, flags, expected):
    result = runner.invoke(main, ["ingest", "--raw", str(notices), "--normalized", str(tmp_path / "store"), *flags])
    assert (result.exit_code, result.stderr) == (
        0, expected + "3 ingested, 0 skipped (unchanged), 0 failed, 6 warnings\n")


def test_warnings_are_kinded_in_document_order(config):
    assert list(kinded_warnings({"z": [NO_DATE], "a": [NO_LEVEL, NO_DATE]}, warning_kinds(config))) == [
        ("missing-level", f"a: {NO_LEVEL}"), ("missing-date", f"a: {NO_DATE}"), ("missing-date", f"z: {NO_DATE}")]


def test_check_quiet_prints_the_result_line_only(runner, tmp_path):
    from conftest import RAW_DIR

    base = ["check", "--raw", str(RAW_DIR), "--normalized", str(tmp_path / "no store")]
    quiet = runner.invoke(main, [*base, "-q"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "5 files checked: 0 errors, 4 warnings\n", "")
    summary = runner.invoke(main, base)
    assert summary.stderr.startswith("note: no normalized store at ")
    assert summary.stdout.splitlines()[0] == "warnings and notes by code (-v lists every one, by file):"


def test_ingest_json_holds_every_warning_and_stderr_only_the_result(runner, notices, tmp_path):
    import json

    result = runner.invoke(main, ["ingest", "--raw", str(notices), "--normalized", str(tmp_path / "store"),
                                  "--format", "json"])
    assert (result.exit_code, result.stderr) == (0, "3 ingested, 0 skipped (unchanged), 0 failed, 6 warnings\n")
    assert json.loads(result.stdout) == {
        "ingested": ["notice1", "notice2", "notice3"], "skipped": [], "failed": [],
        "warnings": {f"notice{n}": [NO_DATE, NO_LEVEL] for n in (1, 2, 3)}, "orphans": [], "pruned": [], "notes": []}
