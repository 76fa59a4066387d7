"""`corpus check` says where a finding is in the file's own terms: a PDF's page, a DOCX's or web
page's paragraph, a text file's line (unchanged), in every output format."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from antifraud_corpus.check import Finding, check_paths, findings_to_github, findings_to_json, format_findings
from antifraud_corpus.cli import main
from antifraud_corpus.report.check import findings_to_markdown, render_check
from antifraud_corpus.text.safetext import markdown_literal
from format_fixtures import docx_paragraph, gov_page, make_docx, make_pdf, pdf_page_lines

TITLE = "某某市人民政府办公室关于做好防范诈骗宣传工作的通知"
FIRST_PAGE = ["各区县人民政府，市政府各部门：",
              "一、各级公安机关应当加强宣传，及时发布预警信息。",
              "二、各区县要落实属地责任，组织社区开展入户宣传。"]
# Page 2: a heading out of sequence (四 after 二) and a mobile number three lines below it.
SECOND_PAGE = ["四、教育部门应当在学校开设防骗课程，提高学生识骗能力。",
               "联络人：张建国，手机：13712345678",
               "某某市人民政府办公室",
               "2024年5月8日"]
PERSONAL = "personal data (mobile); ingest redacts it, but consider removing it from the raw file"


def _pdf() -> bytes:
    return make_pdf([pdf_page_lines([TITLE, *FIRST_PAGE], centered=(0,)), pdf_page_lines(SECOND_PAGE)],
                    header="某某市人民政府文件")


def _docx() -> bytes:
    return make_docx("".join(docx_paragraph(t) for t in [TITLE, *FIRST_PAGE, *SECOND_PAGE]),
                     header="某某市人民政府文件", footer="第 1 页")


def _check(tmp_path: Path, name: str, data: bytes | str, config):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    path = raw / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return check_paths([path], raw_dir=raw, normalized_dir=tmp_path / "no store", config=config)


def _only(result, code: str) -> Finding:
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, result.findings
    return found[0]


def _text_report(result, verbosity: str = "verbose") -> str:
    console = Console(record=True, width=200, color_system=None)
    render_check(console, result, verbosity=verbosity)
    return console.export_text()


# ---------------------------------------------------------------- a PDF: pages


def test_pdf_findings_name_their_page(tmp_path, config):
    result = _check(tmp_path, "notice.pdf", _pdf(), config)
    personal, gap = _only(result, "personal-data"), _only(result, "numbering-gap")
    assert (personal.unit, personal.place, personal.where) == ("page", 2, "p. 2")
    assert (gap.unit, gap.place, gap.where) == ("page", 2, "p. 2")
    # `line` stays the line of the extracted text, as the contract has it.
    assert personal.line == gap.line + 1
    level = _only(result, "missing-level")  # about the whole file: no page
    assert (level.unit, level.place, level.where, level.line) == ("page", None, "", 1)


def test_pdf_page_in_every_format(tmp_path, config):
    result = _check(tmp_path, "notice.pdf", _pdf(), config)
    personal = _only(result, "personal-data")
    shown = personal.file

    records = [r for r in json.loads(format_findings(result, "json", config)) if r["code"] == "personal-data"]
    assert records == [{"file": shown, "line": personal.line, "page": 2, "severity": "warning",
                        "code": "personal-data", "message": PERSONAL}]
    assert {r["page"] for r in json.loads(format_findings(result, "json", config))
            if r["code"] == "missing-level"} == {None}

    github = format_findings(result, "github", config).splitlines()
    assert f"::warning file={shown},title=corpus check%3A personal-data::p. 2: {PERSONAL}" in github
    assert not [line for line in github if ",line=" in line]  # a PDF has no line in the repository

    junit = ET.fromstring(format_findings(result, "junit", config).encode("utf-8"))
    out = junit.find("testsuite/testcase[@name='personal-data']/system-out").text
    assert out == f"warning: {shown} (p. 2): {PERSONAL}"

    text = _text_report(result)
    assert re.search(rf"^\s+p\. 2\s+warning\s+personal-data\s+{re.escape(PERSONAL)}\s*$", text, re.M)
    assert f"{shown} (p. 2): {PERSONAL}" in _text_report(result, "summary")

    table = findings_to_markdown(result)
    assert "| severity | file | where | code | message |" in table
    cell = f"<code>{markdown_literal(shown)}</code>"
    assert f"| warning | {cell} | p. 2 | <code>personal-data</code> | {PERSONAL} |" in table


def test_pdf_error_is_a_junit_failure_with_its_page(tmp_path, config):
    result = _check(tmp_path, "notice.pdf", _pdf(), config)
    personal = _only(result, "personal-data")
    erring = Finding(personal.file, personal.line, "error", "personal-data", PERSONAL, "page", 2)
    from antifraud_corpus.check import findings_to_junit

    root = ET.fromstring(findings_to_junit([erring], [personal.file]).encode("utf-8"))
    failure = root.find("testsuite/testcase[@name='personal-data']/failure")
    assert (failure.get("message"), failure.text) == (f"p. 2: {PERSONAL}", f"{personal.file} (p. 2): {PERSONAL}")


def test_cli_text_column_shows_the_page(tmp_path, runner):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notice.pdf").write_bytes(_pdf())
    result = runner.invoke(main, ["check", str(raw / "notice.pdf"), "--raw", str(raw), "--normalized",
                                  str(tmp_path / "no store"), "-v"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert re.search(r"^\s+p\. 2\s+warning\s+personal-data\s", result.stdout, re.M)
    assert re.search(r"^\s+p\. 2\s+warning\s+numbering-gap\s", result.stdout, re.M)


def test_a_pdf_sidecar_is_still_found_by_line(tmp_path, config):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notice.meta.yaml").write_text("title: 通知\ndat: 2024-05-08\n", encoding="utf-8")
    result = _check(tmp_path, "notice.pdf", _pdf(), config)
    sidecar = _only(result, "invalid-sidecar")
    assert (sidecar.unit, sidecar.line, sidecar.where) == ("line", 2, "2")
    assert ",line=2," in findings_to_github([sidecar])


def test_a_pdf_that_cannot_be_read_is_annotated_as_a_whole(tmp_path, config):
    result = _check(tmp_path, "scan.pdf", make_pdf([[]], image_only=True), config)
    scan = _only(result, "no-text-layer")
    assert (scan.severity, scan.unit, scan.place, scan.line, scan.where) == ("error", "page", None, 1, "")
    assert json.loads(findings_to_json([scan]))[0]["page"] is None
    assert findings_to_github([scan]).startswith(f"::error file={scan.file},title=corpus check%3A no-text-layer::")


def test_a_docx_that_cannot_be_read_is_annotated_as_a_whole(tmp_path, config):
    result = _check(tmp_path, "notice.docx", _docx()[:300], config)  # (a truncated download)
    broken = [f for f in result.findings if f.severity == "error"]
    assert [(f.unit, f.place, f.where) for f in broken] == [("paragraph", None, "")]
    assert ",line=" not in findings_to_github(broken)


# ---------------------------------------------------------------- DOCX and web pages: paragraphs


def test_docx_finding_names_its_paragraph(tmp_path, config):
    result = _check(tmp_path, "notice.docx", _docx(), config)
    personal = _only(result, "personal-data")
    # The title, the address line, 一、二、四、 and then the contact line: paragraph 6.
    assert (personal.unit, personal.place, personal.where) == ("paragraph", 6, "¶ 6")
    record = json.loads(findings_to_json([personal]))[0]
    assert list(record) == ["file", "line", "paragraph", "severity", "code", "message"]
    assert record["paragraph"] == 6
    assert findings_to_github([personal]) == (
        f"::warning file={personal.file},title=corpus check%3A personal-data::¶ 6: {PERSONAL}\n")
    assert re.search(r"^\s+¶ 6\s+warning\s+personal-data\s", _text_report(result), re.M)


def test_web_page_finding_names_the_paragraph_ingest_records(tmp_path, config):
    from antifraud_corpus.stages.decode import read_raw_file

    page = gov_page(TITLE, "".join(f"<p>{t}</p>" for t in [*FIRST_PAGE, *SECOND_PAGE]))
    result = _check(tmp_path, "notice.html", page, config)
    personal = _only(result, "personal-data")
    layout = read_raw_file(tmp_path / "raw" / "notice.html", config).layout
    contact = layout.text.index("联络人")
    assert (personal.unit, personal.place) == ("paragraph", layout.locate(contact))
    assert layout.text[layout.starts[personal.place - 1]:].startswith("联络人")


# ---------------------------------------------------------------- text files: unchanged


def test_text_file_findings_keep_their_line_in_every_format(tmp_path, config):
    body = "\n".join([TITLE, "", *FIRST_PAGE, *SECOND_PAGE]) + "\n"
    result = _check(tmp_path, "notice.txt", body, config)
    personal = _only(result, "personal-data")  # the title, a blank line, three lines, 四、, the contact
    assert (personal.unit, personal.place, personal.line, personal.where) == ("line", None, 7, "7")
    shown = personal.file
    assert json.loads(findings_to_json([personal])) == [
        {"file": shown, "line": 7, "severity": "warning", "code": "personal-data", "message": PERSONAL}]
    assert findings_to_github([personal]) == (
        f"::warning file={shown},line=7,title=corpus check%3A personal-data::{PERSONAL}\n")
    assert f"warning: {shown}:7: {PERSONAL}" in format_findings(result, "junit", config)
    assert re.search(r"^\s+7\s+warning\s+personal-data\s", _text_report(result), re.M)
    assert f"{shown}:7: {PERSONAL}" in _text_report(result, "summary")
    table = findings_to_markdown(result)
    assert "| severity | file | line | code | message |" in table
    cell = f"<code>{markdown_literal(shown)}</code>"
    assert f"| warning | {cell} | 7 | <code>personal-data</code> | {PERSONAL} |" in table


# ---------------------------------------------------------------- the record, whatever the place


@given(line=st.integers(1, 10**6), unit=st.sampled_from(["line", "page", "paragraph"]),
       place=st.none() | st.integers(1, 10**4))
def test_a_finding_names_a_line_only_where_the_file_has_lines(line, unit, place):
    finding = Finding("data/raw/a.pdf", line, "warning", "mojibake", "garbled", unit, None if unit == "line" else place)
    record = json.loads(findings_to_json([finding]))[0]
    annotation = findings_to_github([finding])
    if unit == "line":
        assert list(record) == ["file", "line", "severity", "code", "message"]
        assert (finding.where, finding.at()) == (str(line), f"data/raw/a.pdf:{line}")
        assert f",line={line}," in annotation
    else:
        assert record[unit] == place and record["line"] == line
        assert ",line=" not in annotation
        label = "" if place is None else ("p. " if unit == "page" else "¶ ") + str(place)
        assert finding.where == label
        assert annotation.endswith(f"::{label}: garbled\n" if label else "::garbled\n")


@pytest.mark.parametrize("unit", ["page", "paragraph"])
def test_summary_table_says_where_once_any_finding_is_not_by_line(unit):
    from antifraud_corpus.check import CheckResult

    by_line = Finding("data/raw/a.txt", 3, "warning", "mojibake", "garbled")
    other = Finding("data/raw/b.pdf", 1, "warning", "mojibake", "garbled", unit, 4)
    assert "| line |" in findings_to_markdown(CheckResult([by_line], ["data/raw/a.txt"]))
    assert "| where |" in findings_to_markdown(CheckResult([by_line, other], ["data/raw/a.txt", "data/raw/b.pdf"]))
