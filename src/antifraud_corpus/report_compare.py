"""Renderers for `corpus compare`: terminal tables, Markdown, a self-contained HTML report; `render` and
`write_comparison` pick these or the data formats (JSON, CSV) of `report_compare_data`.

The comparison itself is computed by `compare.compare_corpus`; this module only
turns its records into text for people. The terminal tables fit 100 columns (rich measures
Chinese characters as two cells, so columns stay aligned); the HTML report
carries its CSS and script inline, so it opens without a network.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .compare import (
    STATUSES,
    Comparison,
    Diff,
    Directive,
    DocumentInfo,
    collector_paused,
)
from .files import write_output
from .report import plain
from .report_compare_data import iter_json, render_csv, render_json, write_json_stream
from .safetext import printable

#: Most document columns a terminal matrix shows; beyond that the HTML report or filters serve better.
MAX_TERMINAL_COLUMNS = 48
_STATUS_STYLE = {"echoed": "green", "strengthened": "bold cyan", "weakened": "yellow", "reassigned": "magenta",
                 "added": "blue", "omitted": "red", "off_topic": "dim"}
_EN = {
    "title": "Compare: how local documents carry out higher-level directives",
    "documents": "Documents", "coverage": "1. Measures × documents (directives per measure)",
    "actors": "2. Actors × documents (directives per actor)", "diffs": "3. Diffs against higher levels",
    "timeline": "4. Timeline: which earlier directives each document echoes", "no_actor": "(no actor)",
    "doc": "doc", "level": "level", "region": "region", "date": "date", "title_col": "title",
    "duties": "directives", "status": "status", "sim": "sim", "local": "local directive",
    "reference": "reference directive", "echoes": "echoes", "later": "reference issued later",
    "sources": "held against", "missing": "measures of its sources it lacks", "none": "none",
    "undated": "reference undated: not counted as a source",
    "warnings": "Warnings", "role_reference": "reference only",
    "no_diffs": "No lower-level documents to compare.", "more": "more documents not shown; use filters or "
    "--format html", "reasons": "why", "count": "count", "measure": "measure", "actor": "actor",
}
_ZH = {
    "title": "对比：地方文件如何落实上级部署", "documents": "文件",
    "coverage": "一、政策工具 × 文件（各工具的义务条数）",
    "actors": "二、主体 × 文件（各主体的义务条数）", "diffs": "三、与上级文件的逐条对比",
    "timeline": "四、时间线：各文件呼应了哪些更早的部署", "no_actor": "（无主体）", "doc": "文件", "level": "层级",
    "region": "地区", "date": "日期", "title_col": "标题", "duties": "义务数", "status": "状态", "sim": "相似度",
    "local": "本级条文", "reference": "上级条文", "echoes": "呼应", "later": "上级文件晚于本文件",
    "sources": "对照文件", "missing": "对照文件有而本文件没有的政策工具", "none": "无",
    "undated": "上级文件日期不详，不计为来源",
    "warnings": "警告", "role_reference": "仅作对照", "no_diffs": "没有可对比的下级文件。",
    "more": "份文件未显示；请用筛选条件或 --format html", "reasons": "依据", "count": "条数", "measure": "政策工具",
    "actor": "主体",
}


class _Labels:
    """Words and names for one language, and short document labels for matrix columns."""

    def __init__(self, comparison: Comparison, lang: str) -> None:
        self.zh = lang == "zh"
        self.words = _ZH if self.zh else _EN
        self.names = comparison.labels
        self.short = _short_labels(comparison.documents)

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    def status(self, status: str) -> str:
        return self.names.get("statuses", {}).get(status, status) if self.zh else status

    def level(self, level: str | None) -> str:
        if level is None:
            return "—"
        return self.names.get("levels", {}).get(level, level) if self.zh else level

    def measure(self, measure: str) -> str:
        return self.names.get("measures", {}).get(measure, measure) if self.zh else measure

    def actor(self, actor: str) -> str:
        if not actor:
            return self.words["no_actor"]
        return self.names.get("actors", {}).get(actor, actor) if self.zh else actor

    def modality(self, modality: str) -> str:
        return self.names.get("modalities", {}).get(modality, modality) if self.zh else modality


def _short_labels(documents: list[DocumentInfo]) -> dict[str, str]:
    """`000_888081b4012a42ca` → `000` when the part before the first `_` is unique, else the id cut to 12."""
    prefixes = [d.doc_id.split("_", 1)[0] for d in documents]
    unique = len(set(prefixes)) == len(prefixes) and all(prefixes)
    return {d.doc_id: (p if unique else d.doc_id[:12]) for d, p in zip(documents, prefixes, strict=True)}


def _directive_cell(directive: Directive | None, labels: _Labels, *, is_reference: bool) -> Text:
    """A table cell: where the directive stands (dim), then its sentence; a dash when there is none."""
    cell = Text()
    if directive is None:
        cell.append("—", style="dim")
        return cell
    cell.append(printable(_provenance(directive, labels.short, is_reference)) + "\n", style="dim")
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


def _provenance(d: Directive, short: dict[str, str], with_doc: bool) -> str:
    where = f"{d.clause} {d.start}-{d.end}" if d.clause else f"{d.start}-{d.end}"
    if with_doc:
        where = f"{short.get(d.doc_id, d.doc_id)} {d.date or '?'} · " + where
    return where


def _diff_groups(comparison: Comparison) -> Iterator[tuple[DocumentInfo, list[Diff]]]:
    by_doc: dict[str, list[Diff]] = {}
    for diff in comparison.diffs:
        by_doc.setdefault(diff.doc_id, []).append(diff)
    for doc in comparison.documents:
        if doc.doc_id in by_doc:
            yield doc, by_doc[doc.doc_id]


def _status_label(diff: Diff, labels: _Labels) -> str:
    text = labels.status(diff.status)
    return text + (" *" if diff.reference_later else "") + (" †" if diff.reference_undated else "")


# --------------------------------------------------------------------------- terminal


def render_table(console: Console, comparison: Comparison, lang: str = "en") -> None:
    """Print the four views as rich tables (readable at 100 columns)."""
    labels = _Labels(comparison, lang)
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
                  docs: list[DocumentInfo], labels: _Labels, name: object) -> None:
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


def _print_diffs(console: Console, comparison: Comparison, labels: _Labels) -> None:
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


def _print_timeline(console: Console, comparison: Comparison, labels: _Labels) -> None:
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


# Characters Markdown would read as syntax: emphasis, code spans, links, table cells, strikethrough, escapes.
_MD_SYNTAX = re.compile(r"([\\`*_\[\]|~])")


def _md(text: str) -> str:
    """`text` as literal Markdown on one line: no HTML, link, code span or table cell can start in it.

    Ids, titles and sentences come from outside; an id `<img src=x onerror=…>` or one holding a
    backtick or `|` must render as the characters it is. `<`, `>` and `&` become entities and
    Markdown's syntax characters are backslash-escaped, which CommonMark undoes inside `<code>`
    as well, so one escape serves text and code alike.
    """
    text = html.escape(printable(" ".join(text.splitlines())), quote=False)
    return _MD_SYNTAX.sub(r"\\\1", text)


def _code(text: str) -> str:
    """`text` as code: `<code>` rather than backticks, since a backtick in it would end a code span."""
    return f"<code>{_md(text)}</code>"


def render_markdown(comparison: Comparison, lang: str = "en") -> str:
    """The four views as a Markdown document (GitHub tables; diffs grouped per local document).

    Every value is escaped (`_md`): the document renders as the data says, whatever the data holds.
    """
    labels = _Labels(comparison, lang)
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
            local = (f"{_code(_provenance(diff.local, short, False))} {_md(diff.local.sentence)}"
                     if diff.local else "—")
            ref = (f"{_code(_provenance(diff.reference, short, True))} {_md(diff.reference.sentence)}"
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


# --------------------------------------------------------------------------- HTML


def _html(text: str) -> str:
    """`text` as HTML text or attribute value, its control characters shown escaped (the page may go to a terminal)."""
    return html.escape(printable(text))


def _template() -> str:
    return (resources.files("antifraud_corpus") / "templates" / "compare.html").read_text(encoding="utf-8")


def _heatmap(title: str, row_name: str, matrix: dict[str, dict[str, int]], docs: list[DocumentInfo],
             labels: _Labels, name: object, kind: str) -> str:
    e = _html
    peak = max((n for row in matrix.values() for n in row.values()), default=0) or 1
    head = "".join(f'<th title="{e(d.doc_id)} · {e(labels.level(d.level))} · {e(d.region or "")} · '
                   f'{e(d.date or "?")} · {e(d.title)}"><span>{e(labels.short[d.doc_id])}</span></th>' for d in docs)
    rows = []
    for key, row in matrix.items():
        cells = []
        for doc in docs:
            count = row.get(doc.doc_id, 0)
            alpha = 0.12 + 0.88 * count / peak if count else 0.0
            ink = "#fff" if alpha > 0.55 else "#222"
            style = f' style="background: rgba(192, 57, 43, {alpha:.2f}); color: {ink}"' if count else ""
            cells.append(f'<td class="n"{style} data-count="{count}" title="{e(name(key))} × {e(doc.doc_id)}: '  # type: ignore[operator]
                         f'{count}">{count or ""}</td>')
        rows.append(f'<tr><th class="row">{e(name(key))}</th>{"".join(cells)}</tr>')  # type: ignore[operator]
    return (f'<section class="view" id="{kind}"><h2>{e(title)}</h2><div class="scroll">'
            f'<table class="heatmap" data-kind="{kind}"><thead><tr><th>{e(row_name)}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def _html_side(d: Directive | None, labels: _Labels, with_doc: bool) -> str:
    e = _html
    if d is None:
        return '<td class="side empty">—</td>'
    meta = " · ".join(filter(None, [
        ", ".join(labels.actor(a) for a in d.actors) or labels.actor(""),
        labels.modality(d.modality) + (f" ({d.marker})" if d.marker else ""),
        ", ".join(labels.measure(m) for m in d.measures)]))
    return (f'<td class="side"><div class="prov">{e(_provenance(d, labels.short, with_doc))}</div>'
            f'<div class="sent">{e(d.sentence)}</div><div class="meta">{e(meta)}</div></td>')


def render_html(comparison: Comparison, lang: str = "en") -> str:
    """A self-contained HTML report: heatmaps of views 1 and 2, collapsible diffs, the timeline."""
    e = _html
    labels = _Labels(comparison, lang)
    docs = comparison.documents
    parts = [f'<h1>{e(labels["title"])}</h1>', '<section class="view" id="documents">',
             f'<h2>{e(labels["documents"])}</h2><div class="scroll"><table class="docs"><thead><tr>'
             + "".join(f"<th>{e(labels[k])}</th>" for k in ("doc", "level", "region", "date", "duties", "title_col"))
             + "</tr></thead><tbody>"]
    for doc in docs:
        role = f' <span class="tag">{e(labels["role_reference"])}</span>' if doc.role == "reference" else ""
        parts.append(f'<tr><td title="{e(doc.doc_id)}"><code>{e(labels.short[doc.doc_id])}</code></td>'
                     f'<td>{e(labels.level(doc.level))}</td><td>{e(doc.region or "—")}</td>'
                     f'<td>{e(doc.date or "?")}</td><td class="n">{doc.n_duties}</td>'
                     f'<td>{e(doc.title)}{role}</td></tr>')
    parts.append("</tbody></table></div></section>")
    parts.append(_heatmap(labels["coverage"], labels["measure"], comparison.coverage, docs, labels, labels.measure,
                          "coverage"))
    parts.append(_heatmap(labels["actors"], labels["actor"], comparison.actors, docs, labels, labels.actor,
                          "actors"))
    parts.append(f'<section class="view" id="diffs"><h2>{e(labels["diffs"])}</h2><div class="filters">'
                 + "".join(f'<label class="st-{s}"><input type="checkbox" data-status="{s}" checked> '
                           f'{e(labels.status(s))}</label>' for s in STATUSES)
                 + '<button type="button" id="expand">+</button><button type="button" id="collapse">−</button>'
                 + "</div>")
    summaries = {s.doc_id: s for s in comparison.summaries}
    groups = list(_diff_groups(comparison))
    if not groups:
        parts.append(f'<p class="dim">{e(labels["no_diffs"])}</p>')
    for doc, diffs in groups:
        summary = summaries.get(doc.doc_id)
        counts = "".join(f'<span class="badge st-{s}">{e(labels.status(s))} {summary.counts.get(s, 0)}</span>'
                         for s in STATUSES) if summary else ""
        parts.append(f'<details class="doc" open><summary><code>{e(labels.short[doc.doc_id])}</code> '
                     f'{e(labels.level(doc.level))} {e(doc.region or "")} {e(doc.date or "?")} '
                     f'<b>{e(doc.title)}</b> {counts}</summary>')
        if summary is not None:
            sources = ", ".join(labels.short.get(s, s) for s in summary.sources) or labels["none"]
            missing = ", ".join(labels.measure(m) for m in summary.missing_measures) or labels["none"]
            parts.append(f'<p class="dim">{e(labels["sources"])}: {e(sources)}; {e(labels["missing"])}: '
                         f'{e(missing)}</p>')
        for status in STATUSES:
            group = [d for d in diffs if d.status == status]
            if not group:
                continue
            parts.append(f'<details class="group" data-status="{status}"{" open" if status != "omitted" else ""}>'
                         f'<summary><span class="badge st-{status}">{e(labels.status(status))}</span> {len(group)}'
                         f'</summary><table class="diff"><thead><tr><th>{e(labels["sim"])}</th>'
                         f'<th>{e(labels["local"])}</th><th>{e(labels["reference"])}</th></tr></thead><tbody>')
            for diff in group:
                extra = ""
                if diff.reasons:
                    extra += f'<div class="why">{e("; ".join(diff.reasons))}</div>'
                if diff.reference_later:
                    extra += f'<div class="why later">* {e(labels["later"])}</div>'
                if diff.reference_undated:
                    extra += f'<div class="why later">† {e(labels["undated"])}</div>'
                ref_cell = _html_side(diff.reference, labels, True)
                if extra:
                    ref_cell = ref_cell[:-5] + extra + "</td>"
                sim = f"{diff.similarity:.2f}" if status != "added" else ""
                parts.append(f'<tr><td class="n">{sim}</td>{_html_side(diff.local, labels, False)}{ref_cell}</tr>')
            parts.append("</tbody></table></details>")
        parts.append("</details>")
    parts.append("</section>")
    parts.append(f'<section class="view" id="timeline"><h2>{e(labels["timeline"])}</h2><ol class="timeline">')
    for entry in comparison.timeline:
        parts.append(f'<li><span class="date">{e(entry.date or "?")}</span> <code>'
                     f'{e(labels.short.get(entry.doc_id, entry.doc_id))}</code> {e(labels.level(entry.level))} '
                     f'{e(entry.region or "")} {e(entry.title)}')
        if entry.echoes:
            parts.append("<ul>")
            for echo in entry.echoes:
                counts = ", ".join(f"{labels.status(k)} {v}" for k, v in echo.counts.items())
                items = "".join(
                    f'<li><span class="badge st-{st}">{e(labels.status(st))}</span> '
                    + (f"<code>{e(cl)}</code> " if cl else "") + f"{e(se)}</li>"
                    for cl, se, st in echo.directives)
                parts.append(f'<li><details><summary>← <code>{e(labels.short.get(echo.doc_id, echo.doc_id))}</code> '
                             f'({e(echo.date or "?")}): {e(counts)}</summary><ul>{items}</ul></details></li>')
            parts.append("</ul>")
        parts.append("</li>")
    parts.append("</ol></section>")
    if comparison.warnings:
        parts.append(f'<section class="view"><h2>{e(labels["warnings"])}</h2><ul>'
                     + "".join(f"<li>{e(w)}</li>" for w in comparison.warnings) + "</ul></section>")
    page = _template()
    return (page.replace("{{lang}}", "zh-Hans" if labels.zh else "en")
            .replace("{{title}}", e(labels["title"]))
            .replace("{{body}}", "\n".join(parts)))


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
