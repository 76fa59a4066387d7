"""The `corpus` command: parses arguments, calls one library function, renders the result.

Library errors (`CorpusError`) become one line on stderr and an exit code here
and nowhere else: 2 for bad usage, config or unreadable input folders, 1 when
a command ran and found problems.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import ConfigError, CorpusError, ExportError, FilterError, InputFolderError, OutputFolderError, StoreError
from .text.safetext import printable

_EXIT_USAGE = 2
_EXIT_PROBLEMS = 1


class _CorpusGroup(click.Group):
    """Translates library errors into one-line messages with the contract's exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        from .files import GuardedStream

        stdout = sys.stdout
        sys.stdout = GuardedStream(stdout)  # a full disk behind `> FILE` is one line too
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # (also before a command's sys.exit: what it printed must reach the file)
        except CorpusError as exc:
            usage = ConfigError | StoreError | InputFolderError | FilterError | OutputFolderError
            code = _EXIT_USAGE if isinstance(exc, usage) else _EXIT_PROBLEMS
            error = click.ClickException(printable(str(exc)))  # one line, whatever a file name holds
            error.exit_code = code
            raise error from None
        finally:
            sys.stdout = stdout


# `-o` naming a folder is bad usage (exit 2); a file that then cannot be written is a failed run (exit 1).
_OUTPUT_FILE = click.Path(dir_okay=False, path_type=Path)
_OUTPUT_FOLDER = click.Path(file_okay=False, path_type=Path)  # (--format parquet writes a folder of files)


def _output(fmt: str, output: Path | None) -> Path | None:
    """`-o` checked for the format: a folder for parquet, a file for the rest (click's own messages, exit 2)."""
    if output is None:
        return None
    ctx = click.get_current_context()
    param = next(p for p in ctx.command.params if p.name == "output")
    return (_OUTPUT_FOLDER if fmt == "parquet" else _OUTPUT_FILE).convert(str(output), param, ctx)


def _output_folder_exists(ctx: click.Context, param: click.Parameter, output: Path | None) -> Path | None:
    """`-o` (or `--summary`) into a missing folder is bad usage, found before a long run rather than after it."""
    if output is not None:
        from .files import require_folder

        require_folder(output)
    return output


def _stderr(quiet: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, quiet=quiet)


def _verbosity_options(func: Callable) -> Callable:
    """`-v` / `-q` as one `verbosity` argument: None when neither is given (warnings grouped by kind)."""
    func = click.option("-q", "--quiet", "verbosity", flag_value="quiet",
                        help="Print only errors and the one-line result.")(func)
    func = click.option("-v", "--verbose", "verbosity", flag_value="verbose",
                        help="List every warning [default: grouped by kind, with a count and two examples].")(func)
    return func


def _config_options(func: Callable) -> Callable:
    func = click.option("--set", "overrides", multiple=True, metavar="FILE.KEY=VALUE",
                        help="Override one config key, e.g. --set extract.engine=jieba (repeatable).")(func)
    func = click.option("--config", "config_dir", type=click.Path(path_type=Path), default=None,
                        help="Folder of config YAML files overriding the defaults [default: ./configs].")(func)
    return func


def _normalized_option(func: Callable) -> Callable:
    return click.option("--normalized", "normalized_dir", type=click.Path(path_type=Path),
                        default=Path("data/normalized"), show_default=True,
                        help="The normalized store (written by `corpus ingest`).")(func)


def _scheduler_option(func: Callable) -> Callable:
    return click.option("--scheduler", envvar="DASK_SCHEDULER_ADDRESS", default=None, metavar="ADDRESS",
                        help="Run on a Dask cluster: its scheduler (tcp://HOST:8786; env DASK_SCHEDULER_ADDRESS), "
                             "or `local` for a LocalCluster of --workers processes. Needs the [dask] extra.")(func)


def _load(config_dir: Path | None, overrides: tuple[str, ...]) -> Any:
    from .config import load_config

    return load_config(config_dir, overrides)


def _store(normalized_dir: Path, config_dir: Path | None, overrides: tuple[str, ...]) -> Any:
    from .api import open_store

    return open_store(normalized_dir, _load(config_dir, overrides), names="flag")  # (messages name --region)


def _document_options(func: Callable) -> Callable:
    """--doc, --region, --level: which documents (checked by the library: a typo is exit 2, not an empty table)."""
    func = click.option("--doc", "doc_ids", multiple=True,
                        help="Only this document: its id or any unique prefix of it (repeatable).")(func)
    func = click.option("--region", "regions", multiple=True,
                        help="Only documents of this region or province, e.g. 临汾市 or 山西 (repeatable).")(func)
    return click.option("--level", "levels", multiple=True, metavar="LEVEL",
                        help="Only documents of this level: central, provincial, municipal or county "
                             "(repeatable).")(func)


def _duty_options(func: Callable) -> Callable:
    """--actor, --measure, --topic: which directives."""
    func = click.option("--topic", type=click.Choice(["all", "on", "off"]), default="all", show_default=True,
                        help="Only directives on the anti-fraud topic (on) or off it (configs/topic.yaml).")(func)
    func = click.option("--measure", "measures", multiple=True,
                        help="Only directives with this measure id (repeatable).")(func)
    return click.option("--actor", "actors", multiple=True,
                        help="Only directives of this actor id (repeatable).")(func)


@click.group(cls=_CorpusGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corpus")
def main() -> None:
    """Analyze Chinese policy documents on combating telecom and online fraud.

    Raw documents in data/raw/ become clean, simplified, segmented documents
    with tagged duties (who must do what) in data/normalized/; everything else
    reads that store.

    \b
    Example:
        corpus ingest                      # data/raw -> data/normalized
        corpus list --level provincial
        corpus explain 000 二
        corpus export duties --format csv -o duties.csv
        corpus compare --format html -o compare.html
        corpus check data/raw/new.txt
    """


@main.command()
@click.option("--raw", "raw_dir", type=click.Path(path_type=Path), default=Path("data/raw"), show_default=True,
              help="Folder of raw documents (and NAME.meta.yaml sidecars).")
@_normalized_option
@_config_options
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes.")
@click.option("--force", is_flag=True, help="Redo every document, even unchanged ones.")
@click.option("--prune", is_flag=True, help="Delete stored documents whose raw file is gone.")
@_verbosity_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the whole outcome (every warning) on stdout; the one-line result stays on stderr.")
@_scheduler_option
def ingest(raw_dir: Path, normalized_dir: Path, config_dir: Path | None, overrides: tuple[str, ...],
           workers: int, force: bool, prune: bool, verbosity: str | None, fmt: str, scheduler: str | None) -> None:
    """Turn raw files into clean, simplified, segmented, tagged documents.

    Decodes (UTF-8/16, GB18030, Big5), repairs mojibake, strips pinyin glosses,
    converts to simplified, removes web-page junk (each removed piece is
    recorded), redacts personal data, finds metadata, clauses and duties.
    Unchanged files are skipped. Exit 1 when a file failed (the others are
    still ingested), 2 when the raw folder or config cannot be read. Warnings
    end the run grouped by kind (-v lists each one; every document keeps its
    own in the store).

    \b
    Example:
        corpus ingest
        corpus ingest --raw my/raw --normalized my/normalized --workers 2
        corpus ingest --scheduler tcp://head-node:8786   # a Dask cluster (shared file system)
    """
    from .distributed import DaskIngest, cluster_client
    from .messages import warning_kinds
    from .pipeline import ingest_corpus
    from .report import IngestProgress, ingest_report_json, render_ingest_summary

    config = _load(config_dir, overrides)
    kinds = warning_kinds(config)  # (a bad pattern is a config error before the run, not after it)
    with cluster_client(scheduler, workers, config) as client, \
            IngestProgress(_stderr(quiet=verbosity == "quiet")) as progress:
        report = ingest_corpus(raw_dir, normalized_dir, config, config_dir=config_dir, overrides=overrides,
                               workers=workers, force=force, prune=prune, on_outcome=progress.advance,
                               on_busy=progress.note, executor=DaskIngest(client) if client else None)
    if fmt == "json":
        click.echo(ingest_report_json(report), nl=False)
    render_ingest_summary(_stderr(), report, kinds, "quiet" if fmt == "json" else verbosity or "summary")
    if report.failed:
        sys.exit(_EXIT_PROBLEMS)


@main.group()
def export() -> None:
    """Export documents or duties per agency (CSV, JSONL, SQLite).

    \b
    Example:
        corpus export documents --format jsonl -o documents.jsonl
        corpus export duties --format csv --lang zh -o duties.csv
    """


def _export_options(formats: tuple[str, ...]) -> Callable:
    def decorate(func: Callable) -> Callable:
        func = click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
                            help="zh: Chinese column headers and labels.")(func)
        func = click.option("--diffs/--no-diffs", "with_diffs", default=True, show_default=True,
                            help="sqlite: add the `corpus compare` diffs as a `diffs` table.")(func)
        func = click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
                            callback=_output_folder_exists,
                            help="Output file [default: stdout; required for sqlite]; a folder for parquet "
                                 "(partitioned by level and province).")(func)
        func = click.option("--format", "fmt", type=click.Choice(formats), default=formats[0],
                            show_default=True)(func)
        return _config_options(_normalized_option(_document_options(func)))

    return decorate


@export.command("documents")
@_export_options(("jsonl", "csv", "sqlite", "parquet"))
def export_documents(normalized_dir: Path, config_dir: Path | None, overrides: tuple[str, ...], levels: tuple,
                     regions: tuple, doc_ids: tuple, fmt: str, output: Path | None, lang: str,
                     with_diffs: bool) -> None:
    """One record per document: metadata, cleaned text, clauses, removed pieces.

    \b
    Example:
        corpus export documents --format csv -o documents.csv
        corpus export documents --level provincial --format jsonl
    """
    from .report import write_export

    store = _store(normalized_dir, config_dir, overrides)
    keep = store.filter(doc=doc_ids, level=levels, region=regions)
    write_export("documents", normalized_dir, store.config, keep, fmt, _output(fmt, output), lang, with_diffs)


@export.command("duties")
@_export_options(("csv", "jsonl", "sqlite", "parquet"))
@_duty_options
def export_duties(normalized_dir: Path, config_dir: Path | None, overrides: tuple[str, ...], levels: tuple,
                  regions: tuple, doc_ids: tuple, fmt: str, output: Path | None, lang: str, with_diffs: bool,
                  actors: tuple, measures: tuple, topic: str) -> None:
    """One row per (duty, actor): who must do what, how strongly, with which measures.

    CSV is UTF-8 with a byte-order mark and formula-safe cells, so it opens
    cleanly in Excel. SQLite holds documents, clauses and duties as related
    tables (with a duty_rows view), and the compare diffs keyed to them.

    \b
    Example:
        corpus export duties --format csv -o duties.csv
        corpus export duties --actor public_security --level provincial --format jsonl
        corpus export duties --format sqlite -o corpus.db
        corpus export duties --format parquet -o duties/   # level=…/province=…/part-0.parquet
    """
    from .report import write_export

    store = _store(normalized_dir, config_dir, overrides)
    keep = store.filter(doc=doc_ids, level=levels, region=regions, actor=actors, measure=measures, topic=topic)
    write_export("duties", normalized_dir, store.config, keep, fmt, _output(fmt, output), lang, with_diffs)


@main.command("list")
@_normalized_option
@_config_options
@_document_options
@_duty_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table", show_default=True,
              help="csv: Excel-safe, UTF-8 with a BOM; jsonl: a record per line.")
def list_documents(normalized_dir: Path, config_dir: Path | None, overrides: tuple[str, ...], levels: tuple,
                   regions: tuple, doc_ids: tuple, actors: tuple, measures: tuple, topic: str, fmt: str) -> None:
    """List the stored documents: id, level, region, date, kind, title, directives.

    Takes the filters of `export` and `compare`; with --actor, --measure or --topic
    only the directives they keep are counted, and documents with none are left
    out. The ids are whole: type them back, or any unique prefix, where an id is
    taken.

    \b
    Example:
        corpus list
        corpus list --level municipal --region 山西
        corpus list --actor court --format csv > court.csv
    """
    from rich.console import Console

    from .report.listing import absent_regions_note, render_listing

    store = _store(normalized_dir, config_dir, overrides)
    listing = store.listing(doc=doc_ids, level=levels, region=regions, actor=actors, measure=measures, topic=topic)
    if not render_listing(Console(highlight=False), listing, fmt) and regions:
        note = absent_regions_note(store.filter(region=regions).regions, store.regions())
        if note:  # (still exit 0: an honest zero, but one a missing place must not pass for)
            _stderr().print(f"note: {printable(note)}", markup=False)


@main.command()
@click.argument("doc_id")
@click.argument("clause", required=False)
@_normalized_option
@_config_options
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="zh: the reasons and labels in Chinese (labels.yaml `explain`).")
def explain(doc_id: str, clause: str | None, normalized_dir: Path, config_dir: Path | None,
            overrides: tuple[str, ...], lang: str) -> None:
    """Show each directive of a document (or one clause) and why each tag was given.

    The sentence is printed with actor, modal marker and measure cues
    highlighted (bracketed where there is no colour: NO_COLOR, a pipe, a
    file), followed by the rule or lexicon entry behind every tag.
    DOC_ID may be any unique prefix of the id; CLAUSE a clause path (三, 三/（一）).

    \b
    Example:
        corpus explain 000_888081b4012a42ca
        corpus explain 000 五
        corpus explain 000_888081b4012a42ca 五 --lang zh
    """
    from rich.console import Console

    from .filters import checked_clause
    from .report.explain import render_explain

    store = _store(normalized_dir, config_dir, overrides)
    doc = store.document(doc_id)
    render_explain(Console(highlight=False), doc, checked_clause(doc, clause), store.config, lang)


@main.command()
@click.option("--gold", "gold_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of hand-coded gold YAML files (directives, actors, measures).")
@click.option("--compare-gold", "compare_gold", type=click.Path(path_type=Path), default=None,
              help="A hand alignment of compare (the compare gold format): scores `corpus compare` on the store.")
@click.option("--raw", "raw_dir", type=click.Path(path_type=Path), default=Path("data/raw"), show_default=True,
              help="Raw documents the gold files describe (ingested into a scratch store).")
@_normalized_option
@_config_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
def evaluate(gold_dir: Path | None, compare_gold: Path | None, raw_dir: Path, normalized_dir: Path,
             config_dir: Path | None, overrides: tuple[str, ...], fmt: str, workers: int) -> None:
    """Score the pipeline, or compare, against hand-coded gold.

    With --gold: precision, recall and F1 for directives, actors and measures,
    modality accuracy, clause precision/recall and the cleaning checks, per
    document and overall, plus Cohen's kappa per measure. With --compare-gold:
    align precision/recall/F1, status accuracy, added and omitted precision
    and recall of `corpus compare` on the store, overall and per local
    document (the figures of the project's compare scorer).

    \b
    Example:
        corpus evaluate --gold tests/fixtures/gold
        corpus evaluate --gold gold/ --raw raw/ --format json
        corpus evaluate --compare-gold sample-alignment.yaml --normalized data/normalized
    """
    from rich.console import Console

    if (gold_dir is None) == (compare_gold is None):
        raise click.UsageError("give one of --gold DIR or --compare-gold FILE")
    config = _load(config_dir, overrides)
    if compare_gold is not None:
        from .evaluate.compare import evaluate_compare
        from .report import render_compare_evaluation

        render_compare_evaluation(Console(highlight=False), evaluate_compare(compare_gold, normalized_dir, config),
                                  fmt)
        return
    from .evaluate import evaluate_corpus
    from .report import render_evaluation

    evaluation, failed = evaluate_corpus(gold_dir, raw_dir, config, workers=workers)
    render_evaluation(Console(highlight=False), _stderr(), evaluation, failed, fmt)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--raw", "raw_dir", type=click.Path(path_type=Path), default=Path("data/raw"), show_default=True,
              help="The raw folder (sources and document ids are relative to it).")
@_normalized_option
@_config_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "junit"]), default="text",
              show_default=True, help="text for people; json, github annotations or junit XML for CI.")
@click.option("--since", metavar="REV", help="Only raw files added or changed since this git revision.")
@click.option("--summary", type=_OUTPUT_FILE, default=None, metavar="FILE", callback=_output_folder_exists,
              help="Also append the findings as a Markdown table to FILE (CI: \"$GITHUB_STEP_SUMMARY\").")
@_verbosity_options
def check(paths: tuple[Path, ...], raw_dir: Path, normalized_dir: Path, config_dir: Path | None,
          overrides: tuple[str, ...], fmt: str, since: str | None, summary: Path | None,
          verbosity: str | None) -> None:
    """Check new or changed raw files before they enter the corpus (the CI gate).

    Decoding, cleaning residue, metadata, clause numbering, directives, personal
    data, file names, and duplicates of stored documents. Severities come from
    configs/check.yaml. Exit 1 when a finding is an error, 2 for bad usage.
    The text format lists errors by file and groups warnings by code (-v
    lists every finding by file, -q only the errors).

    \b
    Example:
        corpus check data/raw/new.txt
        corpus check --since origin/main --format github --summary "$GITHUB_STEP_SUMMARY"
    """
    from rich.console import Console

    from .check import check_paths, format_findings
    from .report.check import append_summary, findings_to_markdown, render_check

    config = _load(config_dir, overrides)
    result = check_paths(list(paths) or None, raw_dir=raw_dir, normalized_dir=normalized_dir, config=config,
                         since=since)
    if fmt == "text":
        render_check(Console(highlight=False), result, _stderr(), verbosity or "summary")
    else:
        click.echo(format_findings(result, fmt, config), nl=False)
        if verbosity != "quiet":
            for note in result.notes:
                _stderr().print(f"note: {printable(note)}", markup=False)
    if summary is not None:
        append_summary(summary, findings_to_markdown(result))
    sys.exit(result.exit_code)


@main.command()
@_normalized_option
@_config_options
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "html", "json", "csv", "parquet"]),
              default="table", show_default=True,
              help="csv: one row per diff, Excel-safe (BOM, no formula cells); parquet: the diffs as a folder "
                   "partitioned by level and province (needs -o DIR).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, callback=_output_folder_exists,
              help="Output file, written atomically [default: stdout]; a folder for parquet.")
@_document_options
@_duty_options
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="zh: Chinese labels for statuses, levels, measures and actors.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes for the alignment.")
@_scheduler_option
def compare(normalized_dir: Path, config_dir: Path | None, overrides: tuple[str, ...], fmt: str,
            output: Path | None, levels: tuple, regions: tuple, actors: tuple, measures: tuple, doc_ids: tuple,
            topic: str, lang: str, workers: int, scheduler: str | None) -> None:
    """Diff directives across central, provincial, municipal and county documents.

    Each directive of a lower-level document is aligned with the directives
    above it on its own line of authority (central <- provincial <- municipal
    <- county, within one province) and marked echoed, strengthened, weakened,
    reassigned or added; directives of the documents it draws on that it does
    not carry out are omitted. Shows measures x documents, actors x documents,
    the diffs and a timeline. Reads the normalized store only.

    \b
    Example:
        corpus compare
        corpus compare --doc 002 --lang zh
        corpus compare --format html -o compare.html
        corpus compare --level provincial --measure fund_control --format json
        corpus compare --level municipal --measure credit_punishment --format csv -o diffs.csv
        corpus compare --scheduler local --workers 4 --format json -o compare.json
        corpus compare --format parquet -o diffs/
    """
    from rich.console import Console

    from .distributed import DaskAlign, cluster_client
    from .report.compare import write_comparison

    output = _output(fmt, output)
    if fmt == "parquet" and output is None:
        raise ExportError("--format parquet needs -o DIR (a folder of Parquet files cannot go to stdout)")
    store = _store(normalized_dir, config_dir, overrides)
    with cluster_client(scheduler, workers) as client:
        comparison = store.compare(doc=doc_ids, level=levels, region=regions, actor=actors, measure=measures,
                                   topic=topic, workers=workers, align_all=DaskAlign(client) if client else None,
                                   json_diffs=fmt == "json")
    if fmt == "parquet":
        from .parquet import export_diffs_parquet

        export_diffs_parquet(comparison, output)
        return
    write_comparison(comparison, fmt, lang, output, Console(highlight=False))


if __name__ == "__main__":  # pragma: no cover
    main()
