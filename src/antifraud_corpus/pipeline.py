"""Ingest: raw files → cleaned, simplified, segmented, tagged documents in the store.

`process_file` runs the stages on one file and returns a `Document`;
`ingest_corpus` walks the raw folder, skips what is unchanged, runs the rest
(optionally in worker processes), writes each document atomically and keeps
the manifest. One bad file is reported and the others go on.
"""

from __future__ import annotations

import gc
import os
import signal
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import Config, load_config
from .errors import CorpusError, DiskFullError, IngestError, StoreError, file_error
from .rawfiles import Problem, RawEntry, discover_raw_files, file_sha256
from .store import (
    Manifest,
    ManifestEntry,
    ManifestJournal,
    StoreLock,
    document_path,
    read_manifest,
    sweep_temporary_files,
    write_document,
    write_manifest,
)

if TYPE_CHECKING:  # (the stages and records are imported where a file is read: an unchanged corpus never needs them)
    from .models import Document
    from .stages.decode import RawFile
    from .text.textmap import Edit, RemovedLog, Replaced, TrackedText

PIPELINE_VERSION = __version__


@dataclass(slots=True)
class Outcome:
    """What happened to one raw file during an ingest run."""

    doc_id: str
    source: str
    status: str  # ingested | skipped | failed
    entry: ManifestEntry | None = None
    warnings: list[str] = field(default_factory=list)
    message: str = ""


# (documents to do, raw folder, store, config, record): runs `ingest_one` on each, records outcomes in order
Executor = Callable[[list[RawEntry], Path, Path, Config, Callable[[Outcome], None]], None]


@dataclass(slots=True)
class IngestReport:
    """The result of `ingest_corpus`, for the one-line summary and the exit code."""

    ingested: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    orphans: list[str] = field(default_factory=list)  # stored documents whose raw file is gone
    pruned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the run as a whole (redaction turned off)

    @property
    def warning_count(self) -> int:
        return sum(len(w) for w in self.warnings.values())


@dataclass(slots=True)
class Cleaned:
    """What `clean_text` makes of a decoded text."""

    tracked: TrackedText  # the cleaned, redacted body, mapped to raw offsets
    converted: str  # the whole text after repair, de-glossing and conversion (metadata reads stamps there)
    removed: RemovedLog  # raw offsets, not yet redacted
    replaced: list[Replaced]
    personal_data: list[Edit]  # values found in `converted`, as raw spans: what removed pieces are redacted against


def clean_text(raw_text: str, config: Config, drops: Sequence[Edit] = ()) -> Cleaned:
    """Run repair → de-gloss → convert → clean → redact on decoded text.

    `drops` (a PDF's page numbers, a page's scripts: see `formats`) go first, into `removed`.
    """
    from .stages.clean import find_junk
    from .stages.convert import convert_text
    from .stages.gloss import find_pinyin_glosses
    from .stages.pii import body_personal_data, raw_personal_data
    from .stages.repair import find_mojibake
    from .stages.whitespace import find_whitespace
    from .text.blocks import BLOCK_CHARS, line_blocks
    from .text.textmap import RemovedLog, TrackedText

    removed = RemovedLog(raw_text)
    replaced: list[Replaced] = []

    def step(part: TrackedText, edits: list) -> TrackedText:
        if not edits:
            return part
        part, rem, rep = part.apply(edits)
        removed.extend(rem)
        replaced.extend(rep)
        return part

    def local_stages(part: TrackedText) -> TrackedText:
        part = step(part, find_mojibake(part.text, config))
        part = step(part, find_pinyin_glosses(part.text, config))
        return convert_text(part, config)

    # Repair, de-glossing and conversion work line by line, so a big file goes through
    # them in blocks of lines: their edits (over a million on a glossed 50 MB page) never
    # all exist at once.
    whole = step(TrackedText.from_raw(raw_text), list(drops))
    blocks = line_blocks(whole.text, BLOCK_CHARS)
    if len(blocks) == 1:
        tracked = local_stages(whole)
    else:
        tracked = TrackedText.concat([local_stages(whole.block(start, end)) for start, end in blocks])
    converted = tracked
    tracked = step(tracked, find_junk(tracked.text, config))
    tracked = step(tracked, find_whitespace(tracked.text, config))
    personal_data = raw_personal_data(converted, config)
    tracked = step(tracked, body_personal_data(tracked, personal_data, config))
    return Cleaned(tracked, converted.text, removed, replaced, personal_data)


def process_file(path: Path, raw_dir: Path, config: Config, *, sidecar: Path | None = None) -> Document:
    """Ingest one raw file: every stage, in order, into a `Document` (not yet stored).

    Raises:
        IngestError: unreadable, empty, binary or undecodable file.
        ConfigError: an invalid sidecar.
    """
    from .stages.decode import read_raw_file
    from .stages.sidecar import load_sidecar

    source = path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else path.name
    sidecar_data = load_sidecar(sidecar, config) if sidecar else None
    return process_raw(read_raw_file(path, config, name=source), source, config, sidecar_data=sidecar_data)


def process_raw(raw: RawFile, source: str, config: Config, *, sidecar_data: dict | None = None) -> Document:
    """The stages after reading: a raw file already read and decoded into a `Document`.

    `corpus check` reads a file once for its own checks and hands it on here.

    Raises:
        IngestError: nothing left after cleaning.
        BudgetError: the stages took longer than `ingest.yaml` `document_seconds`.
    """
    from .stages.budget import document_budget

    with document_budget(config, source):
        return _process_raw(raw, source, config, sidecar_data)


def _process_raw(raw: RawFile, source: str, config: Config, sidecar_data: dict | None) -> Document:
    from .extract import extract_duties
    from .extract.topic import assign_topic
    from .models import Document
    from .stages.clean import cleaning_warnings
    from .stages.metadata import extract_metadata
    from .stages.pii import redact, redact_removed, replaced_records
    from .stages.segment import segment_clauses

    if raw.layout:
        cleaned = clean_text(raw.decoded.text, config, raw.layout.drops)
    else:
        cleaned = clean_text(raw.decoded.text, config)
    tracked, replaced = cleaned.tracked, cleaned.replaced
    if not tracked.text.strip():
        raise IngestError(f"{source}: nothing left after cleaning (all junk); check the file is the document's page")
    # (a title and a header note alone are kept, with a warning: a law may be listed by its name only)
    clean_warnings = cleaning_warnings(tracked.text, cleaned.removed, config)
    if raw.layout and raw.layout.metadata:
        from .stages.formats.meta import metadata_with_page_values

        meta = metadata_with_page_values(raw.layout.metadata, cleaned.converted, tracked.text, config,
                                         sidecar_data, source)
    else:
        meta = extract_metadata(cleaned.converted, tracked.text, config, sidecar=sidecar_data, name=source)
    # Metadata reads the unredacted page (stamps, datelines); what it returns is scrubbed instead.
    # (Title and issuer may come from a sidecar or the file name, not converted; sources quote the page.)
    meta.title, meta.issuer = redact(meta.title, config), redact(meta.issuer, config)
    # (level, region and province name one source, the issuer and the date often one header note:
    # each text is redacted once)
    redacted: dict[str, str] = {}
    for value in meta.sources.values():
        if value not in redacted:
            redacted[value] = redact(value, config, converted=True)
    meta.sources = {key: redacted[value] for key, value in meta.sources.items()}
    removed_log = redact_removed(cleaned.removed, cleaned.personal_data)
    del cleaned  # a big page is held several times over at this point; let the converted copy go
    clauses = segment_clauses(tracked.text, config)
    duties = extract_duties(tracked.text, clauses, config)
    assign_topic(duties, clauses, meta.title, config)
    warnings = list(raw.decoded.warnings) + clean_warnings + list(meta.warnings)
    redactions = sum(1 for r in replaced if r.reason.startswith("pii"))
    if redactions:
        warnings.append(f"{redactions} personal data value(s) redacted")
    if raw.layout:
        from .stages.formats.meta import locate_records

        clauses, duties = locate_records(raw.layout, tracked, clauses, duties)
    doc = Document(
        doc_id=raw.path.stem,
        source=source,
        sha256=raw.sha256,
        encoding=raw.decoded.encoding,
        title=meta.title,
        issuer=meta.issuer,
        date=meta.date,
        level=meta.level,
        region=meta.region,
        province=meta.province,
        kind=meta.kind,
        text=tracked.text,
        clauses=clauses,
        removed=removed_log,
        replaced=replaced_records(replaced),
        warnings=warnings,
        duties=duties,
        metadata_sources=dict(meta.sources),
        source_map=tracked.segment_map(),
        pipeline_version=PIPELINE_VERSION,
    )
    if raw.layout:
        doc.layout = raw.layout.layout()
    return doc


# A small page that goes through every stage: see `prepare_stages`.
_TRIAL_PAGE = "湖南省人民政府关于加强反诈宣传工作的通知\n（2022年9月26日发布）\n一、各市州人民政府要加强反诈宣传。\n"


def prepare_stages(config: Config) -> None:
    """Build every stage's rules and lexicons from `config` before the first document.

    A bad rule in a user's config is then one error for the run, not one per document, and
    forked workers inherit what is built here instead of each building it again.

    Raises:
        ConfigError: a rule or lexicon of the config cannot be built.
    """
    from .stages.decode import RawFile, decode_bytes
    from .stages.formats import settings as format_settings

    format_settings(config)  # (cheap: a bad formats.yaml is one error for the run, not one per PDF)
    data = _TRIAL_PAGE.encode("utf-8")
    decoded = decode_bytes(data, config, name="<trial page>")
    process_raw(RawFile(Path("trial.txt"), len(data), "", decoded), "trial.txt", config)


# Worker processes load the config once and keep it (and the caches built from it).
_worker_config: Config | None = None


def _init_worker(parent: int, config_dir: Path | None, overrides: tuple[str, ...]) -> None:
    global _worker_config
    _die_with_parent(parent)
    _worker_config = load_config(config_dir, overrides)


def _die_with_parent(parent: int) -> None:
    """End this worker when the run that started it ends, even when that run is killed (SIGKILL).

    A pool's workers otherwise wait on their queue for ever once their parent is gone.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def ingest_one(entry: RawEntry, raw_dir: Path, normalized_dir: Path, config: Config | None = None) -> Outcome:
    """Ingest one raw file into the store (written atomically): the unit every executor runs."""
    config = config or _worker_config
    assert config is not None
    try:
        sidecar_sha = file_sha256(entry.sidecar) if entry.sidecar else None
        doc = process_file(entry.path, raw_dir, config, sidecar=entry.sidecar)
        doc.doc_id = entry.doc_id
        write_document(normalized_dir, doc)
    except DiskFullError:
        raise  # every later document would fail the same way: the run stops (see `_ingest_locked`)
    except CorpusError as exc:
        return Outcome(entry.doc_id, entry.source, "failed", message=str(exc))
    except OSError as exc:  # (writes to the store are typed errors already: this is a raw file or sidecar)
        message = str(file_error(exc, exc.filename or entry.source, action="read"))
        return Outcome(entry.doc_id, entry.source, "failed", message=message)
    return Outcome(entry.doc_id, entry.source, "ingested", ManifestEntry(entry.source, doc.sha256, sidecar_sha),
                   warnings=doc.warnings)


def _ingest_in_workers(todo: list[RawEntry], raw_dir: Path, normalized_dir: Path, config: Config,
                       config_dir: Path | None, overrides: tuple[str, ...], workers: int,
                       record: Callable[[Outcome], None]) -> None:
    """Ingest `todo` in worker processes, results in order.

    The first file is done here: it builds the compiled rules, the segmenter and
    the dictionaries, which forked workers then inherit instead of each loading
    them again. Files go out in chunks, because one seed-sized document takes
    about as long to process as a round trip to a worker.
    """
    import functools
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # (here: a run without workers never loads it)

    global _worker_config
    record(ingest_one(todo[0], raw_dir, normalized_dir, config))
    rest = todo[1:]
    initializer: Callable[..., None]
    if os.name == "posix":
        context = multiprocessing.get_context("fork")
        _worker_config = config
        initializer, initargs = _die_with_parent, (os.getpid(),)
    else:  # pragma: no cover - spawn: each worker loads the config itself
        context = multiprocessing.get_context("spawn")
        initializer, initargs = _init_worker, (os.getpid(), config_dir, tuple(overrides))
    task = functools.partial(ingest_one, raw_dir=raw_dir, normalized_dir=normalized_dir)
    # Small chunks all the same: the last ones decide when the run ends, and a worker left
    # without work while the other finishes a chunk of 64 pages idles for a few percent of it.
    chunksize = max(1, min(16, len(rest) // (workers * 32)))
    # What exists now (config, rules, dictionaries) lives as long as the workers: frozen, the
    # workers' garbage collections never walk it, and so never copy its pages (fork shares them).
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(rest)), mp_context=context,
                                 initializer=initializer, initargs=initargs) as pool:
            try:
                for outcome in pool.map(task, rest, chunksize=chunksize):
                    record(outcome)
            except BaseException:
                pool.shutdown(cancel_futures=True)  # a full disk (or ^C): start no more files
                raise
    finally:
        gc.unfreeze()


def _unchanged(entry: RawEntry, manifest: Manifest, normalized_dir: Path) -> ManifestEntry | None:
    known = manifest.documents.get(entry.doc_id)
    if known is None or known.source != entry.source:
        return None
    try:
        stored = document_path(normalized_dir, entry.doc_id).stat()
        if not stat.S_ISREG(stored.st_mode) or stored.st_size == 0:
            return None
        if file_sha256(entry.path) != known.sha256:
            return None
        sidecar_sha = file_sha256(entry.sidecar) if entry.sidecar else None
    except OSError:
        return None
    return known if sidecar_sha == known.sidecar_sha256 else None


def ingest_corpus(
    raw_dir: Path,
    normalized_dir: Path,
    config: Config,
    *,
    config_dir: Path | None = None,
    overrides: tuple[str, ...] = (),
    workers: int = 1,
    force: bool = False,
    prune: bool = False,
    on_outcome: Callable[[Outcome, int], None] | None = None,
    on_busy: Callable[[str], None] | None = None,
    executor: Executor | None = None,
) -> IngestReport:
    """Bring the normalized store up to date with the raw folder.

    The store is locked for the run (a second ingest waits), and every stored document is
    journalled as it is written: a run killed midway is resumed by the next, not redone.

    Args:
        raw_dir: the raw documents (and `NAME.meta.yaml` sidecars).
        normalized_dir: the store; created when missing.
        config: the loaded config (used in this process).
        config_dir, overrides: how to load the same config in worker processes.
        workers: processes to use; 1 runs everything here.
        force: redo every document even when unchanged.
        prune: delete stored documents whose raw file is gone (otherwise only reported).
        on_outcome: called after each file with its outcome and the number of files to do.
        on_busy: told (once) when another process holds the store and this run waits for it.
        executor: runs `ingest_one` over the documents to do elsewhere (`distributed.DaskIngest`: a
            Dask cluster) and hands each outcome to `record` in their order; None: this process or
            `workers` local ones.

    Raises:
        IngestError: the raw folder cannot be read at all.
        StoreError: the store's folder cannot be made or is not a folder.
    """
    entries, problems = discover_raw_files(raw_dir)
    _make_store(normalized_dir)
    with StoreLock(normalized_dir).acquire(on_busy):
        return _ingest_locked(entries, problems, raw_dir, normalized_dir, config, config_dir=config_dir,
                              overrides=overrides, workers=workers, force=force, prune=prune, on_outcome=on_outcome,
                              executor=executor)


def _make_store(normalized_dir: Path) -> None:
    try:
        normalized_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"{normalized_dir}: not a folder; pass --normalized DIR for the store") from None
    except OSError as exc:
        raise file_error(exc, normalized_dir, action="make the store's folder", error=StoreError) from None


def _ingest_locked(entries: list[RawEntry], problems: list[Problem], raw_dir: Path, normalized_dir: Path,
                   config: Config, *, config_dir: Path | None, overrides: tuple[str, ...], workers: int,
                   force: bool, prune: bool, on_outcome: Callable[[Outcome, int], None] | None,
                   executor: Executor | None = None) -> IngestReport:
    from .stages.pii import redaction_off

    report = IngestReport(failed=list(problems))
    report.notes.extend(note for note in [redaction_off(config)] if note)
    sweep_temporary_files(normalized_dir)
    manifest = read_manifest(normalized_dir)
    if manifest.pipeline_version != PIPELINE_VERSION or manifest.config_fingerprint != config.fingerprint:
        manifest = Manifest(PIPELINE_VERSION, config.fingerprint, {})
    journal = ManifestJournal(normalized_dir, PIPELINE_VERSION, config.fingerprint)
    manifest.documents.update(journal.read())  # what a killed run finished
    fresh = Manifest(PIPELINE_VERSION, config.fingerprint, {})
    todo: list[RawEntry] = []
    for entry in entries:
        known = None if force else _unchanged(entry, manifest, normalized_dir)
        if known is not None:
            fresh.documents[entry.doc_id] = known
            report.skipped.append(entry.doc_id)
        else:
            todo.append(entry)

    def record(outcome: Outcome) -> None:
        if outcome.status == "ingested" and outcome.entry is not None:
            fresh.documents[outcome.doc_id] = outcome.entry
            journal.add(outcome.doc_id, outcome.entry)
            report.ingested.append(outcome.doc_id)
            if outcome.warnings:
                report.warnings[outcome.doc_id] = outcome.warnings
        else:
            report.failed.append(Problem(outcome.source, outcome.message))
        if on_outcome:
            on_outcome(outcome, len(todo))

    if todo:  # (an unchanged corpus needs no rules at all)
        prepare_stages(config)
    try:
        try:
            if executor is not None and todo:
                executor(todo, raw_dir, normalized_dir, config, record)
            elif workers > 1 and len(todo) > 1:
                _ingest_in_workers(todo, raw_dir, normalized_dir, config, config_dir, overrides, workers, record)
            else:
                # What exists now (config, rules, dictionaries) lives as long as the run: frozen, the
                # collector's full passes never walk it (workers get the same from `_ingest_in_workers`).
                gc.freeze()
                try:
                    for entry in todo:
                        record(ingest_one(entry, raw_dir, normalized_dir, config))
                finally:
                    gc.unfreeze()
        finally:
            journal.close()

        current = {e.doc_id for e in entries}
        for doc_id in sorted(set(manifest.documents) - current):
            if prune:
                document_path(normalized_dir, doc_id).unlink(missing_ok=True)
                report.pruned.append(doc_id)
            elif document_path(normalized_dir, doc_id).is_file():
                report.orphans.append(doc_id)
                fresh.documents[doc_id] = manifest.documents[doc_id]
        write_manifest(normalized_dir, fresh)
    except DiskFullError as exc:
        # The run stops at once: every later write would fail alike. Each document stored is in the
        # journal (the manifest is left as it was), so the next run keeps them and goes on from there.
        raise DiskFullError(f"{exc} (the {len(report.ingested)} document(s) stored are kept)") from None
    return report


__all__ = [
    "Executor",
    "IngestReport",
    "Outcome",
    "PIPELINE_VERSION",
    "Problem",
    "RawEntry",
    "clean_text",
    "discover_raw_files",
    "ingest_corpus",
    "ingest_one",
    "process_file",
]
