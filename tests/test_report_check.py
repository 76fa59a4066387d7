"""The Markdown job summary of `corpus check` (`--summary FILE`): a table of every finding, escaped, bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from antifraud_corpus.check import CheckResult, Finding
from antifraud_corpus.cli import main
from antifraud_corpus.errors import WriteError
from antifraud_corpus.report.check import append_summary, findings_to_markdown
from antifraud_corpus.text.safetext import markdown_literal


def _result(*findings: Finding, files: int = 2) -> CheckResult:
    return CheckResult(list(findings), [f"data/raw/{n}.txt" for n in range(files)])


def test_the_table_lists_errors_first_with_the_counts_above():
    text = findings_to_markdown(_result(
        Finding("data/raw/a.txt", 3, "warning", "missing-date", "no date found"),
        Finding("data/raw/b.txt", 1, "error", "encoding", "binary file"),
        Finding("data/raw/a.txt", 1, "info", "encoding-found", "GB18030")))
    assert text == (
        "### corpus check: 2 files checked, 1 error, 1 warning, 1 note\n\n"
        "| severity | file | line | code | message |\n|---|---|---:|---|---|\n"
        "| error | <code>data/raw/b.txt</code> | 1 | <code>encoding</code> | binary file |\n"
        "| warning | <code>data/raw/a.txt</code> | 3 | <code>missing-date</code> | no date found |\n"
        "| info | <code>data/raw/a.txt</code> | 1 | <code>encoding-found</code> | GB18030 |\n")


def test_no_findings_says_so():
    assert findings_to_markdown(_result(files=1)) == (
        "### corpus check: 1 file checked, 0 errors, 0 warnings\n\nNo findings.\n")


def test_file_names_and_messages_cannot_break_the_table_or_inject_markup():
    text = findings_to_markdown(_result(
        Finding("data/raw/a|<img src=x>`b`.txt", 1, "warning", "file-name", "name contains '|'\nsecond line")))
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert rendered.count("<tr>") == 2 and rendered.count("<td") == 5  # one header row, one finding of five cells
    assert "<img" not in rendered and "&lt;img src=x&gt;" in rendered and "second line" in rendered


def test_a_summary_past_the_limit_says_how_many_findings_it_left_out():
    findings = [Finding(f"data/raw/{n:04d}.txt", 1, "error", "encoding", "binary file") for n in range(500)]
    text = findings_to_markdown(_result(*findings), limit=10_000)
    rows = [line for line in text.splitlines() if line.startswith("| error |")]
    assert len(text.encode("utf-8")) <= 10_000
    assert text.endswith(f"\n{500 - len(rows)} more findings not shown (a job summary holds 1 MiB): "
                         "`corpus check --format json` lists them all.\n")
    assert 50 < len(rows) < 500


def test_append_summary_adds_to_what_is_there_and_fails_in_one_line(tmp_path: Path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    append_summary(summary, "### corpus check\n")
    assert summary.read_text(encoding="utf-8") == "earlier step\n### corpus check\n"
    with pytest.raises(WriteError, match=r"missing/summary\.md: cannot write \(No such file or directory\); check"):
        append_summary(tmp_path / "missing" / "summary.md", "x")


def test_check_summary_option_appends_the_table(runner, tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "bad.txt").write_bytes(b"\x00\x01\x02" * 50)
    summary = tmp_path / "summary.md"
    result = runner.invoke(main, ["check", "--raw", str(raw), "--normalized", str(tmp_path / "none"),
                                  "--format", "github", "--summary", str(summary)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"::error file={raw / 'bad.txt'},line=1,")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### corpus check: 1 file checked, 1 error, 0 warnings\n")
    assert f"| error | <code>{markdown_literal(str(raw / 'bad.txt'))}</code> | 1 | <code>encoding</code> |" in text
