"""Rendering of `corpus check` results for people: the terminal (`text`) and a CI job summary (`--summary`).

The machine formats (json, github, junit) are pure functions in `check/formats.py`.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..check import CheckResult, Finding
from ..errors import file_error
from ..messages import Verbosity, group_messages
from ..text.safetext import markdown_literal
from . import grouped_text, plain

_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_check(console: Console, result: CheckResult, notes: Console | None = None,
                 verbosity: Verbosity = "summary") -> None:
    """Findings grouped by file (`line  severity  code  message`), then a one-line summary.

    The first column is the line of a text file, the page of a PDF (`p. 2`) or the paragraph of
    a DOCX or web page (`¶ 14`), empty for a finding about the whole of such a file.

    `verbose` lists every finding by file; `summary` lists the errors by file and groups the
    warnings and notes by code (a count and two examples each: a drop of hundreds of files
    stays readable); `quiet` lists the errors only, without notes.

    Args:
        console: where findings and the summary go (stdout).
        result: what `check_paths` returned.
        notes: where notes go (stderr); defaults to `console`.
        verbosity: see above.
    """
    if verbosity != "quiet":
        for note in result.notes:
            (notes or console).print(plain("note: " + note, style="dim"))
    listed = result.findings if verbosity == "verbose" else [f for f in result.findings if f.severity == "error"]
    _by_file(console, listed)
    if verbosity == "summary":
        others = [(f.code, f"{f.at()}: {f.message}") for f in result.findings if f.severity != "error"]
        if others:
            # (one line per example, as long as it is: the terminal wraps it, a pipe keeps it whole)
            console.print(grouped_text(group_messages(others), "warnings and notes by code (-v lists every one, "
                                       "by file)"), end="", soft_wrap=True)
    errors, warnings, infos = (result.count(s) for s in ("error", "warning", "info"))
    summary = Text(f"{_plural(len(result.files_checked), 'file')} checked: ")
    summary.append(_plural(errors, "error"), style="bold red" if errors else "green")
    summary.append(", ")
    summary.append(_plural(warnings, "warning"), style="yellow" if warnings else "")
    if infos:
        summary.append(f", {_plural(infos, 'note')}")
    console.print(summary)


def _by_file(console: Console, findings: list[Finding]) -> None:
    """`findings` under the name of their file, in columns of the same width for every file."""
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    # The same column widths for every file, so the report reads as one list.
    where_width = max((len(f.where) for f in findings), default=1)
    code_width = max((len(f.code) for f in findings), default=1)
    for file, mine in by_file.items():
        console.print(plain(file, style="bold underline"))
        table = Table(box=None, show_header=False, pad_edge=True, padding=(0, 1))
        table.add_column(justify="right", no_wrap=True, min_width=where_width + 1)
        table.add_column(no_wrap=True, min_width=7)
        table.add_column(no_wrap=True, style="bold", min_width=code_width)
        table.add_column(overflow="fold")
        for f in mine:
            table.add_row(plain(f.where), Text(f.severity, style=_STYLES.get(f.severity, "")), plain(f.code),
                          plain(f.message))
        console.print(table)


#: GitHub keeps 1 MiB of job summary per step; the table stops short of it and says how many rows it left out.
SUMMARY_BYTES = 1_000_000
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def findings_to_markdown(result: CheckResult, limit: int = SUMMARY_BYTES) -> str:
    """The findings as a Markdown table (errors first), headed by the counts: a CI job summary.

    GitHub shows at most 10 annotations of each kind per step, so a drop with more findings loses
    the rest from the pull request view; the job summary holds them all, up to `limit` bytes.
    """
    errors, warnings, infos = (result.count(s) for s in ("error", "warning", "info"))
    head = (f"### corpus check: {_plural(len(result.files_checked), 'file')} checked, "
            f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
            + (f", {_plural(infos, 'note')}" if infos else "") + "\n\n")
    if not result.findings:
        return head + "No findings.\n"
    # (`where` once a PDF, DOCX or web page is among them: `p. 2`, `¶ 14` are not lines)
    column = "line" if all(f.by_line for f in result.findings) else "where"
    lines = [head + f"| severity | file | {column} | code | message |\n|---|---|---:|---|---|\n"]
    size = len(lines[0].encode("utf-8"))
    ordered = sorted(result.findings, key=lambda f: _SEVERITY_ORDER.get(f.severity, len(_SEVERITY_ORDER)))
    for shown, f in enumerate(ordered):
        row = (f"| {f.severity} | <code>{markdown_literal(f.file)}</code> | {markdown_literal(f.where)} | "
               f"<code>{markdown_literal(f.code)}</code> | {markdown_literal(f.message)} |\n")
        size += len(row.encode("utf-8"))
        if size > limit - 200:  # (room for the line saying what was left out)
            lines.append(f"\n{len(ordered) - shown} more findings not shown (a job summary holds 1 MiB): "
                         "`corpus check --format json` lists them all.\n")
            break
        lines.append(row)
    return "".join(lines)


def append_summary(path: Path, text: str) -> None:
    """Add `text` to the end of `path` (a job summary such as `$GITHUB_STEP_SUMMARY`), in one write.

    Appended, not replaced: other steps or tools may have written to the same summary.

    Raises:
        WriteError: the file cannot be written (a `DiskFullError` for a full device).
    """
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise file_error(exc, path) from None
