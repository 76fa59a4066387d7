"""Rendering for the CLI: progress, summaries, explanations and export writing.

The only module besides `cli.py` that knows about rich; library functions
return records and this module turns them into terminal output or files.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from ..config import Config
from ..errors import ExportError
from ..files import write_output
from ..messages import MessageGroup, Verbosity, WarningKinds, group_messages, kinded_warnings
from ..pipeline import IngestReport, Outcome
from ..store import load_documents
from ..text.safetext import printable


def plain(text: str | None, style: str = "") -> Text:
    """User data (an id, a title, a file name, document text) as rich text: literal, on one line.

    Rich markup in it (`[bold red]`) is not interpreted, and escape sequences and line breaks
    are shown escaped rather than sent to the terminal.
    """
    return Text(printable(text or ""), style=style)


def styled(text: str, spans: list[tuple[int, int, str]]) -> Text:
    """`text` made `plain`, with `spans` (offsets into `text`) styled where they fall after escaping.

    An escaped character takes more cells than it did, so the text is escaped a piece at a time
    between span edges and each offset is moved to where its piece now starts.
    """
    def inside(offset: int) -> int:
        return max(0, min(len(text), offset))

    edges = sorted({0, len(text), *(inside(edge) for start, end, _ in spans for edge in (start, end))})
    out = Text()
    moved = {0: 0}  # offset in `text` -> offset in `out`
    for start, end in zip(edges, edges[1:], strict=False):
        out.append(printable(text[start:end]))
        moved[end] = len(out)
    for start, end, style in spans:
        out.stylize(style, moved[inside(start)], moved[inside(end)])
    return out


class IngestProgress:
    """A progress bar on a terminal; silent when stderr is not one (CI logs stay clean)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> IngestProgress:
        if self._console.is_terminal:
            self._progress = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
                                      TimeRemainingColumn(), TextColumn("{task.description}"),
                                      console=self._console, transient=True)
            self._progress.__enter__()
        return self

    def advance(self, outcome: Outcome, total: int) -> None:
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task("", total=total)
        self._progress.update(self._task, advance=1, description=escape(printable(outcome.source)))

    def note(self, message: str) -> None:
        """A one-line notice on stderr (a wait for another run), terminal or not."""
        text = Text("note", style="yellow")
        text.append(f" {printable(message)}")
        self._console.print(text)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)


def render_ingest_summary(console: Console, report: IngestReport, kinds: WarningKinds,
                          verbosity: Verbosity = "summary") -> None:
    """Problems first, then the one-line summary.

    Errors are listed one line each whatever the verbosity; warnings (and stored documents
    whose raw file is gone) are grouped by kind with a count and two examples (`summary`),
    listed one line each (`verbose`) or left out (`quiet`, with notes).
    """
    # One Text for all lines: a run over thousands of pages can end with thousands of
    # warnings, and a print per line cost more than a second of the run's tail.
    out = Text()

    def line(label: str, style: str, message: str) -> None:
        out.append(label, style=style)
        out.append(f" {printable(message)}\n")

    if verbosity != "quiet":
        for note in report.notes:
            line("note", "yellow", note)
    for problem in report.failed:
        line("error", "red", problem.message)
    gone = {doc_id: [ORPHAN_WARNING] for doc_id in report.orphans}
    if verbosity == "verbose":
        for doc_id, warnings in [*sorted(gone.items()), *sorted(report.warnings.items())]:
            for warning in warnings:
                line("warning", "yellow", f"{doc_id}: {warning}")
    elif verbosity == "summary" and (gone or report.warnings):
        gone_kind = (("raw-file-gone", f"{doc_id}: {ORPHAN_WARNING}") for doc_id in sorted(gone))
        out.append_text(grouped_text(group_messages([*gone_kind, *kinded_warnings(report.warnings, kinds)]),
                                     "warnings by kind (-v lists every one; each document keeps its own in the store)"))
    parts = [f"{len(report.ingested)} ingested", f"{len(report.skipped)} skipped (unchanged)",
             f"{len(report.failed)} failed", f"{report.warning_count} warnings"]
    if report.pruned:
        parts.append(f"{len(report.pruned)} pruned")
    out.append(", ".join(parts))
    console.print(out)


ORPHAN_WARNING = "raw file is gone; the stored document is kept (run with --prune to delete it)"


def ingest_report_json(report: IngestReport) -> str:
    """The whole outcome of an ingest run as JSON (`corpus ingest --format json`): every warning, for scripts."""
    import json

    data = {"ingested": sorted(report.ingested), "skipped": sorted(report.skipped),  # (workers finish in any order)
            "failed": [{"source": p.source, "message": p.message} for p in report.failed],
            "warnings": dict(sorted(report.warnings.items())), "orphans": report.orphans,
            "pruned": report.pruned, "notes": report.notes}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def grouped_text(groups: list[MessageGroup], heading: str) -> Text:
    """`heading`, then per group its count, its kind and its examples one under the other."""
    out = Text(f"{heading}:\n", style="yellow")
    count_width = max(len(str(g.count)) for g in groups)
    kind_width = max(len(g.kind) for g in groups)
    indent = " " * (2 + count_width + 2 + kind_width + 2)
    for group in groups:
        out.append(f"  {group.count:>{count_width}}  ")
        out.append(f"{printable(group.kind):<{kind_width}}", style="bold")
        for number, example in enumerate(group.examples):
            out.append(("  " if number == 0 else indent) + printable(example) + "\n")
    return out


def write_export(kind: str, normalized_dir: Path, config: Config, keep: Any, fmt: str,
                 output: Path | None, lang: str, with_diffs: bool = True) -> int:
    """Write an export of `kind` ('documents' or 'duties') to `output` (atomically) or stdout.

    A SQLite export gets the `corpus compare` diffs of the kept documents as a `diffs` table unless
    `with_diffs` is false (the comparison is the slow part of a large export).

    Raises:
        ExportError: sqlite or parquet without an output (`-o`).
        MissingExtraError: parquet without pyarrow installed.
        WriteError: the output cannot be written (`DiskFullError` when the device is full).
    """
    from ..export import (
        DOCUMENT_COLUMNS,
        DUTY_COLUMNS,
        document_rows,
        duty_rows,
        localize,
        write_csv,
        write_jsonl,
        write_sqlite,
    )

    docs = (d for d in load_documents(normalized_dir) if keep.keeps_document(d))
    if fmt == "parquet":
        from ..parquet import export_parquet

        if output is None:
            raise ExportError("--format parquet needs -o DIR (a folder of Parquet files cannot go to stdout)")
        return export_parquet(kind, docs, config, keep, output)  # (column names stay English: a schema)
    if fmt == "sqlite":
        if output is None:
            raise ExportError("--format sqlite needs -o FILE (a database cannot go to stdout)")
        diffs = None
        if with_diffs:
            from ..compare import compare_corpus, diff_rows
            from ..store import load_document_duties

            diffs = diff_rows(compare_corpus(load_document_duties(normalized_dir), config, filters=keep))
        return write_sqlite(docs, output, config, keep, diffs)
    rows = document_rows(docs) if kind == "documents" else duty_rows(docs, config, keep)
    columns = list(DOCUMENT_COLUMNS if kind == "documents" else DUTY_COLUMNS)
    if lang == "zh":
        rows = localize(rows, config)
        labels = config["labels"].get("columns") or {}
        columns = [labels.get(c, c) for c in columns]
    buffer = io.StringIO(newline="")
    count = write_csv(rows, buffer, columns) if fmt == "csv" else write_jsonl(rows, buffer)
    text = ("\ufeff" if fmt == "csv" else "") + buffer.getvalue()  # (a BOM: Excel then reads UTF-8)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_output(output, text)
    return count


def render_compare_evaluation(console: Console, result: dict, fmt: str) -> None:
    """The compare figures overall and per local document (`evaluate_compare`), as tables or JSON."""
    import json

    from rich.table import Table

    from ..evaluate.compare import FIGURES

    if fmt == "json":
        console.print_json(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title="Compare against the hand alignment")
    table.add_column("document", no_wrap=True)
    for name in FIGURES:
        table.add_column(name.replace("_", " "), justify="right", no_wrap=True)
    for doc_id, figures in result["documents"].items():
        table.add_row(plain(doc_id), *(f"{figures[n]:.3f}" for n in FIGURES))
    table.add_row("overall", *(f"{result['overall'][n]:.3f}" for n in FIGURES), style="bold")
    _wide_enough(console, result["documents"], 11 * len(FIGURES)).print(table)


def _wide_enough(console: Console, doc_ids: Iterable[str], figures_width: int) -> Console:
    """`console`, or one of the same file as wide as a table of whole document ids needs.

    (A console prints no wider than it is: ids and figures cut to `…` read as other documents.)
    """
    needed = max((len(doc_id) for doc_id in doc_ids), default=8) + figures_width + 4
    if needed <= console.width:
        return console
    return Console(file=console.file, width=needed, highlight=False, no_color=console.no_color,
                   force_terminal=console.is_terminal)


_DIRECTIVE_FIGURES = frozenset({"duty_f1", "actor_f1", "measure_f1", "modality_acc"})


def render_evaluation(console: Console, errors: Console, evaluation: Any, failed: list, fmt: str) -> None:
    """Overall figures, per-document figures and kappa per measure, as tables or JSON."""
    import json

    from rich.table import Table

    for problem in failed:
        errors.print(f"[red]error[/red] {escape(printable(problem.message))}")
    data = evaluation.to_dict()
    if fmt == "json":
        console.print_json(json.dumps(data, ensure_ascii=False))
        return
    overall = Table(title="Overall", show_header=True)
    overall.add_column("figure")
    overall.add_column("value", justify="right")
    for name, value in data["overall"].items():
        overall.add_row(name, f"{value:.3f}" if isinstance(value, float) else str(value))
    console.print(overall)
    # (figure, short header): eleven figures beside a document id do not fit 80 columns otherwise
    columns = [("duty_f1", "duty"), ("actor_f1", "actor"), ("measure_f1", "measure"), ("modality_acc", "modal"),
               ("clause_p", "cl p"), ("clause_r", "cl r"), ("junk_removed", "junk"), ("keep_kept", "keep"),
               ("body_bounds", "body"), ("title_acc", "title"), ("date_acc", "date")]
    per_doc = Table(title="Per document", caption="duty, actor, measure: F1; modal: modality accuracy; "
                    "cl: clause precision/recall; — : the gold codes no directives")
    per_doc.add_column("doc", no_wrap=True)
    for _, header in columns:
        per_doc.add_column(header, justify="right", no_wrap=True)
    for doc_id, figures in data["documents"].items():
        # a document whose gold codes no directives (a news bulletin's metadata only) has no
        # directive figures: a dash, not a misleading 0.00
        uncoded = figures["gold_duties"] == 0 and figures["pred_duties"] == 0
        per_doc.add_row(plain(doc_id), *("—" if uncoded and c in _DIRECTIVE_FIGURES else f"{figures[c]:.2f}"
                                         for c, _ in columns))
    _wide_enough(console, data["documents"], 8 * len(columns)).print(per_doc)
    kappa = Table(title="Cohen's kappa per measure (matched duties)")
    kappa.add_column("measure")
    kappa.add_column("kappa", justify="right")
    for measure, value in data["kappa"].items():
        kappa.add_row(measure, "—" if value is None else f"{value:.2f}")
    console.print(kappa)
