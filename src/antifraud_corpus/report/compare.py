"""Renderers for `corpus compare` for people: terminal tables and Markdown; `render` and `write_comparison`
pick these, the HTML report (`report.compare_html`) or the data formats (JSON, CSV: `report.compare_data`).

The comparison itself is computed by `compare.compare_corpus`; this module only
turns its records into text. The terminal tables fit 100 columns (rich measures
Chinese characters as two cells, so columns stay aligned).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..compare import (
    STATUSES,
    Comparison,
    Diff,
    Directive,
    DocumentInfo,
    collector_paused,
)
from ..files import write_output
from ..text.safetext import markdown_literal, printable
from . import plain
from .compare_data import iter_json, render_csv, render_json, write_json_stream
from .compare_html import render_html
from .compare_labels import ReportLabels, provenance

#: Most document columns a terminal matrix shows; beyond that the HTML report or filters serve better.
MAX_TERMINAL_COLUMNS = 48
_STATUS_STYLE = {"echoed": "green", "strengthened": "bold cyan", "weakened": "yellow", "reassigned": "magenta",
                 "added": "blue", "omitted": "red", "off_topic": "dim"}


def _directive_cell(directive: Directive | None, labels: ReportLabels, *, is_reference: bool) -> Text:
    """A table cell: where the directive stands (dim), then its sentence; a dash when there is none."""
    cell = Text()
    if directive is None:
        cell.append("—", style="dim")
        return cell
    cell.append(printable(provenance(directive, labels.short, is_reference)) + "\n", style="dim")
    cell.append(_clip(printable(directive.sentence), 76))
    return cell


def _clip(text: str, cells: int) -> str:
    """Cut `text` to at most `cells` terminal cells (a Chinese character is two), with an ellipsis."""
    from rich.cells import cell_len

    if cell_len(text) <= cells:
        return text
    out, used = [], 0
    for char in text:
        width = cell_len(char)
        if used + width > cells - 1:
            break
        out.append(char)
        used += width
    return "".join(out) + "…"


def _diff_groups(comparison: Comparison) -> Iterator[tuple[DocumentInfo, list[Diff]]]:
    by_doc: dict[str, list[Diff]] = {}
    for diff in comparison.diffs:
        by_doc.setdefault(diff.doc_id, []).append(diff)
    for doc in comparison.documents:
        if doc.doc_id in by_doc:
            yield doc, by_doc[doc.doc_id]


def _status_label(diff: Diff, labels: ReportLabels) -> str:
    text = labels.status(diff.status)
    return text + (" *" if diff.reference_later else "") + (" †" if diff.reference_undated else "")


# --------------------------------------------------------------------------- terminal


def render_table(console: Console, comparison: Comparison, lang: str = "en") -> None:
    """Print the four views as rich tables (readable at 100 columns)."""
    labels = ReportLabels(comparison, lang)
    docs = comparison.documents
    console.rule(Text(labels["title"], style="bold"))
    table = Table(title=labels["documents"], title_justify="left", expand=False)
    for name, justify in ((labels["doc"], "left"), (labels["level"], "left"), (labels["region"], "left"),
                          (labels["date"], "left"), (labels["duties"], "right"), (labels["title_col"], "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for doc in docs:
        title = _clip(printable(doc.title), 40) + (f" ({labels['role_reference']})" if doc.role == "reference" else "")
        table.add_row(plain(labels.short[doc.doc_id]), plain(labels.level(doc.level)), plain(doc.region or "—"),
                      plain(doc.date or "?"), str(doc.n_duties), plain(title))
    console.print(table)
    _print_matrix(console, labels["coverage"], labels["measure"], comparison.coverage, docs, labels,
                  labels.measure)
    _print_matrix(console, labels["actors"], labels["actor"], comparison.actors, docs, labels, labels.actor)
    _print_diffs(console, comparison, labels)
    _print_timeline(console, comparison, labels)
    if comparison.warnings:
        console.print(Text(labels["warnings"], style="bold yellow"))
        for warning in comparison.warnings:
            console.print(plain("  " + warning))


def _print_matrix(console: Console, title: str, row_name: str, matrix: dict[str, dict[str, int]],
                  docs: list[DocumentInfo], labels: ReportLabels, name: object) -> None:
    shown = docs[:MAX_TERMINAL_COLUMNS]
    width = max([len(labels.short[d.doc_id]) for d in shown] + [2])
    per_table = max(1, (96 - 24) // (width + 3))
    peak = max((n for row in matrix.values() for n in row.values()), default=0) or 1
    for start in range(0, max(len(shown), 1), per_table):
        chunk = shown[start:start + per_table]
        table = Table(title=title if start == 0 else None, title_justify="left", pad_edge=False)
        table.add_column(row_name, max_width=22, overflow="ellipsis", no_wrap=True)
        for doc in chunk:
            table.add_column(plain(labels.short[doc.doc_id]), justify="right")
        for key, row in matrix.items():
            cells = []
            for doc in chunk:
                count = row.get(doc.doc_id, 0)
                style = "dim" if not count else ("bold red" if count * 2 > peak else "red")
                cells.append(Text(str(count) if count else "·", style=style))
            table.add_row(plain(name(key)), *cells)  # type: ignore[operator]
        console.print(table)
    if len(docs) > len(shown):
        console.print(Text(f"  … {len(docs) - len(shown)} {labels['more']}", style="dim"))


def _print_diffs(console: Console, comparison: Comparison, labels: ReportLabels) -> None:
    console.print(Text(labels["diffs"], style="bold"))
    summaries = {s.doc_id: s for s in comparison.summaries}
    any_group = False
    for doc, diffs in _diff_groups(comparison):
        any_group = True
        summary = summaries.get(doc.doc_id)
        head = plain(f"{labels.short[doc.doc_id]} ", style="bold")
        head.append_text(plain(f"{labels.level(doc.level)} {doc.region or ''} {doc.date or '?'} "
                               f"{_clip(printable(doc.title), 50)}"))
        console.print(head)
        if summary is not None:
            counts = Text("  ")
            for status in STATUSES:
                counts.append(f"{labels.status(status)} {summary.counts.get(status, 0)}  ",
                              style=_STATUS_STYLE[status])
            if summary.later:
                counts.append(f"* {labels['later']} {summary.later}", style="dim")
            console.print(counts)
            sources = ", ".join(labels.short.get(s, s) for s in summary.sources) or labels["none"]
            missing = ", ".join(labels.measure(m) for m in summary.missing_measures) or labels["none"]
            console.print(plain(f"  {labels['sources']}: {sources}; {labels['missing']}: {missing}", style="dim"))
        table = Table(show_lines=True, pad_edge=False, expand=False)
        table.add_column(labels["status"], no_wrap=True)
        table.add_column(labels["sim"], justify="right", no_wrap=True)
        table.add_column(labels["local"], ratio=1, min_width=20)
        table.add_column(labels["reference"], ratio=1, min_width=20)
        for diff in diffs:
            local = _directive_cell(diff.local, labels, is_reference=False)
            ref = _directive_cell(diff.reference, labels, is_reference=True)
            if diff.reasons:
                ref.append("\n" + printable("; ".join(diff.reasons)), style="italic dim")
            table.add_row(Text(_status_label(diff, labels), style=_STATUS_STYLE.get(diff.status, "")),
                          f"{diff.similarity:.2f}" if diff.status != "added" else "", local, ref)
        console.print(table)
    if not any_group:
        console.print(Text("  " + labels["no_diffs"], style="dim"))


def _print_timeline(console: Console, comparison: Comparison, labels: ReportLabels) -> None:
    table = Table(title=labels["timeline"], title_justify="left", pad_edge=False)
    table.add_column(labels["date"], no_wrap=True)
    table.add_column(labels["level"], no_wrap=True)
    table.add_column(labels["doc"], no_wrap=True)
    table.add_column(labels["region"], max_width=12)
    table.add_column(labels["echoes"], ratio=1)
    for entry in comparison.timeline:
        echoes = Text()
        for number, echo in enumerate(entry.echoes):
            if number:
                echoes.append("\n")
            counts = ", ".join(f"{labels.status(k)} {v}" for k, v in echo.counts.items())
            echoes.append(printable(f"← {labels.short.get(echo.doc_id, echo.doc_id)} ({echo.date or '?'}): "),
                          style="bold")
            echoes.append(counts)
        table.add_row(plain(entry.date or "?"), plain(labels.level(entry.level)),
                      plain(labels.short.get(entry.doc_id, entry.doc_id)), plain(entry.region or "—"),
                      echoes if entry.echoes else Text("—", style="dim"))
    console.print(table)


def table_text(comparison: Comparison, lang: str = "en", width: int = 100) -> str:
    """The terminal tables as plain text (for `-o FILE` with `--format table`)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False, force_terminal=False)
    render_table(console, comparison, lang)
    return buffer.getvalue()


# --------------------------------------------------------------------------- Markdown


_md = markdown_literal  # (short: every value of the Markdown report goes through it)


def _code(text: str) -> str:
    """`text` as code: `<code>` rather than backticks, since a backtick in it would end a code span."""
    return f"<code>{_md(text)}</code>"


def render_markdown(comparison: Comparison, lang: str = "en") -> str:
    """The four views as a Markdown document (GitHub tables; diffs grouped per local document).

    Every value is escaped (`_md`): the document renders as the data says, whatever the data holds.
    """
    labels = ReportLabels(comparison, lang)
    docs = comparison.documents
    short = labels.short
    out = [f"# {_md(labels['title'])}", "", f"## {_md(labels['documents'])}", "",
           "| " + " | ".join(_md(labels[k]) for k in ("doc", "level", "region", "date", "duties", "title_col"))
           + " |", "|---|---|---|---|---:|---|"]
    for doc in docs:
        role = f" ({labels['role_reference']})" if doc.role == "reference" else ""
        out.append(f"| {_code(short[doc.doc_id])} | {_md(labels.level(doc.level))} | {_md(doc.region or '—')} | "
                   f"{_md(doc.date or '?')} | {doc.n_duties} | {_md(doc.title + role)} |")
    for title, row_name, matrix, name in (
            (labels["coverage"], labels["measure"], comparison.coverage, labels.measure),
            (labels["actors"], labels["actor"], comparison.actors, labels.actor)):
        out += ["", f"## {_md(title)}", "", "| " + _md(row_name) + " | "
                + " | ".join(_md(short[d.doc_id]) for d in docs) + " |", "|---|" + "---:|" * len(docs)]
        for key, row in matrix.items():
            out.append(f"| {_md(name(key))} | " + " | ".join(str(row.get(d.doc_id, 0) or "·") for d in docs) + " |")
    out += ["", f"## {_md(labels['diffs'])}"]
    summaries = {s.doc_id: s for s in comparison.summaries}
    groups = list(_diff_groups(comparison))
    if not groups:
        out += ["", _md(labels["no_diffs"])]
    for doc, diffs in groups:
        out += ["", f"### {_code(short[doc.doc_id])} {_md(labels.level(doc.level))} {_md(doc.region or '')} "
                    f"{_md(doc.date or '?')} {_md(doc.title)}", ""]
        summary = summaries.get(doc.doc_id)
        if summary is not None:
            out.append(", ".join(f"{_md(labels.status(s))} **{summary.counts.get(s, 0)}**" for s in STATUSES)
                       + (f"; {_md(labels['later'])}: {summary.later}" if summary.later else ""))
            out.append("")
            out.append(f"{_md(labels['sources'])}: "
                       + (", ".join(_code(short.get(s, s)) for s in summary.sources) or _md(labels["none"]))
                       + f"; {_md(labels['missing'])}: "
                       + _md(", ".join(labels.measure(m) for m in summary.missing_measures) or labels["none"]))
            out.append("")
        out += ["| " + " | ".join(_md(labels[k]) for k in ("status", "sim", "local", "reference")) + " |",
                "|---|---:|---|---|"]
        for diff in diffs:
            local = (f"{_code(provenance(diff.local, short, False))} {_md(diff.local.sentence)}"
                     if diff.local else "—")
            ref = (f"{_code(provenance(diff.reference, short, True))} {_md(diff.reference.sentence)}"
                   if diff.reference else "—")
            if diff.reasons:
                ref += " <br>_" + _md("; ".join(diff.reasons)) + "_"
            sim = f"{diff.similarity:.2f}" if diff.status != "added" else ""
            out.append(f"| {_md(_status_label(diff, labels))} | {sim} | {local} | {ref} |")
    if any(d.reference_later for d in comparison.diffs):
        out += ["", f"\\* {_md(labels['later'])}"]
    if any(d.reference_undated for d in comparison.diffs):
        out += ["", f"† {_md(labels['undated'])}"]
    out += ["", f"## {_md(labels['timeline'])}", ""]
    for entry in comparison.timeline:
        out.append(f"- **{_md(entry.date or '?')}** {_code(short.get(entry.doc_id, entry.doc_id))} "
                   f"{_md(labels.level(entry.level))} {_md(entry.region or '')} {_md(entry.title)}")
        for echo in entry.echoes:
            counts = ", ".join(f"{labels.status(k)} {v}" for k, v in echo.counts.items())
            out.append(f"  - ← {_code(short.get(echo.doc_id, echo.doc_id))} ({_md(echo.date or '?')}): "
                       f"{_md(counts)}")
            for clause, sentence, status in echo.directives:
                out.append(f"    - {_md(labels.status(status))}: " + (f"{_code(clause)} " if clause else "")
                           + _md(sentence))
    if comparison.warnings:
        out += ["", f"## {_md(labels['warnings'])}", ""] + [f"- {_md(w)}" for w in comparison.warnings]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- output


def render(comparison: Comparison, fmt: str, lang: str = "en") -> str:
    """Render `comparison` as `table` (plain text), `markdown`, `html`, `json` or `csv`."""
    if fmt == "csv":
        return render_csv(comparison)
    if fmt == "json":
        return render_json(comparison)
    if fmt == "markdown":
        return render_markdown(comparison, lang)
    if fmt == "html":
        return render_html(comparison, lang)
    return table_text(comparison, lang)


def write_comparison(comparison: Comparison, fmt: str, lang: str, output: Path | None, console: Console) -> None:
    """Write the comparison to `output` atomically, or to the console (rich tables for `table`).

    Raises:
        WriteError: the output cannot be written (`DiskFullError` when the device is full).
    """
    with collector_paused():
        if output is not None:
            if fmt == "json":
                write_json_stream(comparison, output)
            else:
                write_output(output, render(comparison, fmt, lang))
        elif fmt == "table":
            render_table(console, comparison, lang)
        elif fmt == "json":
            for piece in iter_json(comparison):
                console.file.write(piece.decode("utf-8"))
            console.file.flush()
        else:
            console.file.write(render(comparison, fmt, lang))
            console.file.flush()
