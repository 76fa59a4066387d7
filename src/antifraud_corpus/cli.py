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
from .errors import ConfigError, CorpusError, ExportError, InputFolderError, StoreError
from .safetext import printable

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
            code = _EXIT_USAGE if isinstance(exc, ConfigError | StoreError | InputFolderError) else _EXIT_PROBLEMS
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


def _stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


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
        corpus explain 000_888081b4012a42ca 二
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
@_scheduler_option
def ingest(raw_dir: Path, normalized_dir: Path, config_dir: Path | None, overrides: tuple[str, ...],
           workers: int, force: bool, prune: bool, scheduler: str | None) -> None:
    """Turn raw files into clean, simplified, segmented, tagged documents.

    Decodes (UTF-8/16, GB18030, Big5), repairs mojibake, strips pinyin glosses,
    converts to simplified, removes web-page junk (each removed piece is
    recorded), redacts personal data, finds metadata, clauses and duties.
    Unchanged files are skipped. Exit 1 when a file failed (the others are
    still ingested), 2 when the raw folder or config cannot be read.

    \b
    Example:
        corpus ingest
        corpus ingest --raw my/raw --normalized my/normalized --workers 2
        corpus ingest --scheduler tcp://head-node:8786   # a Dask cluster (shared file system)
    """
    from .distributed import DaskIngest, cluster_client
    from .pipeline import ingest_corpus
    from .report import IngestProgress, render_ingest_summary

    config = _load(config_dir, overrides)
    with cluster_client(scheduler, workers) as client, IngestProgress(_stderr()) as progress:
        report = ingest_corpus(raw_dir, normalized_dir, config, config_dir=config_dir, overrides=overrides,
                               workers=workers, force=force, prune=prune, on_outcome=progress.advance,
                               on_busy=progress.note, executor=DaskIngest(client) if client else None)
    render_ingest_summary(_stderr(), report)
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
                            help="Output file [default: stdout; required for sqlite]; a folder for parquet "
                                 "(partitioned by level and province).")(func)
        func = click.option("--format", "fmt", type=click.Choice(formats), default=formats[0],
                            show_default=True)(func)
        func = click.option("--doc", "doc_ids", multiple=True, help="Only these documents (repeatable).")(func)
        func = click.option("--region", "regions", multiple=True, help="Only this region or province.")(func)
        func = click.option("--level", "levels", multiple=True,
                            type=click.Choice(["central", "provincial", "municipal", "county"]))(func)
        return _config_options(_normalized_option(func))

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
    from .export import DutyFilter
    from .report import write_export

    keep = DutyFilter(levels=levels, regions=regions, doc_ids=doc_ids)
    write_export("documents", normalized_dir, _load(config_dir, overrides), keep, fmt, _output(fmt, output), lang,
                 with_diffs)


@export.command("duties")
@_export_options(("csv", "jsonl", "sqlite", "parquet"))
@click.option("--actor", "actors", multiple=True, help="Only duties of this actor id (repeatable).")
@click.option("--measure", "measures", multiple=True, help="Only duties with this measure id (repeatable).")
@click.option("--topic", type=click.Choice(["all", "on", "off"]), default="all", show_default=True,
              help="Only directives on the anti-fraud topic (on) or off it (configs/topic.yaml).")
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
    from .export import DutyFilter
    from .report import write_export

    keep = DutyFilter(levels=levels, regions=regions, actors=actors, measures=measures, doc_ids=doc_ids, topic=topic)
    write_export("duties", normalized_dir, _load(config_dir, overrides), keep, fmt, _output(fmt, output), lang,
                 with_diffs)


@main.command()
@click.argument("doc_id")
@click.argument("clause", required=False)
@_normalized_option
@_config_options
def explain(doc_id: str, clause: str | None, normalized_dir: Path, config_dir: Path | None,
            overrides: tuple[str, ...]) -> None:
    """Show each directive of a document (or one clause) and why each tag was given.

    The sentence is printed with actor, modal marker and measure cues
    highlighted, followed by the rule or lexicon entry behind every tag.

    \b
    Example:
        corpus explain 000_888081b4012a42ca
        corpus explain 000_888081b4012a42ca 五
    """
    from rich.console import Console

    from .report import render_explain
    from .store import find_document, read_document

    path = find_document(normalized_dir, doc_id)
    render_explain(Console(highlight=False), read_document(path), clause, _load(config_dir, overrides))


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
        from .evaluate_compare import evaluate_compare
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
def check(paths: tuple[Path, ...], raw_dir: Path, normalized_dir: Path, config_dir: Path | None,
          overrides: tuple[str, ...], fmt: str, since: str | None) -> None:
    """Check new or changed raw files before they enter the corpus (the CI gate).

    Decoding, cleaning residue, metadata, clause numbering, directives, personal
    data, file names, and duplicates of stored documents. Severities come from
    configs/check.yaml. Exit 1 when a finding is an error, 2 for bad usage.

    \b
    Example:
        corpus check data/raw/new.txt
        corpus check --since origin/main --format github
    """
    from rich.console import Console

    from .check import check_paths, format_findings
    from .report_check import render_check

    config = _load(config_dir, overrides)
    result = check_paths(list(paths) or None, raw_dir=raw_dir, normalized_dir=normalized_dir, config=config,
                         since=since)
    if fmt == "text":
        render_check(Console(highlight=False), result, _stderr())
    else:
        click.echo(format_findings(result, fmt, config), nl=False)
        for note in result.notes:
            _stderr().print(f"note: {printable(note)}", markup=False)
    sys.exit(result.exit_code)


@main.command()
@_normalized_option
@_config_options
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "html", "json", "csv", "parquet"]),
              default="table", show_default=True,
              help="csv: one row per diff, Excel-safe (BOM, no formula cells); parquet: the diffs as a folder "
                   "partitioned by level and province (needs -o DIR).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file, written atomically [default: stdout]; a folder for parquet.")
@click.option("--level", "levels", multiple=True, type=click.Choice(["central", "provincial", "municipal", "county"]),
              help="Only compare documents of this level (repeatable).")
@click.option("--region", "regions", multiple=True, help="Only documents of this region or province (repeatable).")
@click.option("--actor", "actors", multiple=True, help="Only directives of this actor id (repeatable).")
@click.option("--measure", "measures", multiple=True, help="Only directives with this measure id (repeatable).")
@click.option("--doc", "doc_ids", multiple=True, help="Only these documents (repeatable).")
@click.option("--topic", type=click.Choice(["all", "on", "off"]), default="all", show_default=True,
              help="Only directives on the anti-fraud topic (on) or off it (configs/topic.yaml).")
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
        corpus compare --doc 002_b06b64127b7163c7 --lang zh
        corpus compare --format html -o compare.html
        corpus compare --level provincial --measure fund_control --format json
        corpus compare --level municipal --measure credit_punishment --format csv -o diffs.csv
        corpus compare --scheduler local --workers 4 --format json -o compare.json
        corpus compare --format parquet -o diffs/
    """
    from rich.console import Console

    from .compare import compare_corpus
    from .distributed import DaskAlign, cluster_client
    from .export import DutyFilter
    from .report_compare import write_comparison
    from .store import load_document_duties

    keep = DutyFilter(levels=levels, regions=regions, actors=actors, measures=measures, doc_ids=doc_ids, topic=topic)
    output = _output(fmt, output)
    if fmt == "parquet" and output is None:
        raise ExportError("--format parquet needs -o DIR (a folder of Parquet files cannot go to stdout)")
    config = _load(config_dir, overrides)
    with cluster_client(scheduler, workers) as client:
        comparison = compare_corpus(load_document_duties(normalized_dir), config, filters=keep, workers=workers,
                                    align_all=DaskAlign(client) if client else None)
    if fmt == "parquet":
        from .parquet import export_diffs_parquet

        export_diffs_parquet(comparison, output)
        return
    write_comparison(comparison, fmt, lang, output, Console(highlight=False))


if __name__ == "__main__":  # pragma: no cover
    main()
