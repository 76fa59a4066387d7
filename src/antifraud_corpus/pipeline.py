"""Ingest: raw files → cleaned, simplified, segmented, tagged documents in the store.

`process_file` runs the stages on one file and returns a `Document`;
`ingest_corpus` walks the raw folder, skips what is unchanged, runs the rest
(optionally in worker processes), writes each document atomically and keeps
the manifest. One bad file is reported and the others go on.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
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
from .doc_ids import id_clash
from .errors import CorpusError, DiskFullError, IngestError, InputFolderError, StoreError, file_error
from .models import Document
from .stages.sidecar import is_sidecar, sidecar_path
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
from .text.safetext import has_control, printable
from .text.textmap import Edit, RemovedLog, Replaced, TrackedText

if TYPE_CHECKING:  # (decoding is imported where a file is read: an unchanged corpus never needs it)
    from .stages.decode import RawFile

PIPELINE_VERSION = __version__
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class RawEntry:
    """A raw document found in the raw folder."""

    path: Path
    source: str  # relative to the raw folder, with forward slashes
    doc_id: str
    sidecar: Path | None


@dataclass(slots=True)
class Problem:
    """A file that could not be ingested, with a one-line explanation."""

    source: str
    message: str


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


def file_sha256(path: Path) -> str:
    # Unbuffered: a page is read in one call, not copied through a buffer first (a run over an
    # unchanged corpus is mostly this).
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def discover_raw_files(raw_dir: Path) -> tuple[list[RawEntry], list[Problem]]:
    """List the documents of a raw folder (recursively), with their sidecars.

    Hidden files and sidecars are not documents. A link that leads outside the
    folder, or two files with the same name stem, are problems, not documents.

    Raises:
        IngestError: the folder does not exist or cannot be listed.
    """
    if not raw_dir.is_dir():
        raise InputFolderError(f"{raw_dir}: raw folder does not exist; pass --raw DIR with your documents")
    root = raw_dir.resolve()
    entries: list[RawEntry] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    paths = [(rel, raw_dir / rel) for rel in _listing(raw_dir)]
    # (a sidecar is looked up here before its file is asked: no stat for documents without one)
    sidecars = {path for _, path in paths if is_sidecar(path)}
    for rel, path in paths:
        if path in sidecars:
            continue
        shown = printable(rel)
        naming = name_problem(path.name)
        if naming:
            problems.append(Problem(rel, f"{shown}: {naming}"))
            continue
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            mode = 0
        # A plain file is known from one lstat; links and the rest are asked in full.
        if not stat.S_ISREG(mode):
            if path.is_dir():  # (one made since the folder was listed)
                continue
            problem = file_problem(path, root)
            if problem:
                problems.append(Problem(rel, f"{shown}: {problem}"))
                continue
        doc_id = path.stem
        if doc_id in seen:
            problems.append(Problem(rel, f"{shown}: {id_clash(doc_id, path.name, seen[doc_id])}"))
            continue
        seen[doc_id] = shown
        sidecar = sidecar_path(path) if sidecars else None
        entries.append(RawEntry(path, rel, doc_id, sidecar if sidecar in sidecars and sidecar.is_file() else None))
    return entries, problems


# A stored document is `<doc_id>.json` in one folder entry of at most 255 bytes on common file systems.
_MAX_NAME_BYTES = 250


def name_problem(name: str) -> str:
    """What makes a raw file's name unusable as a document id, or "" when nothing does."""
    try:
        size = len(Path(name).stem.encode("utf-8"))
    except UnicodeEncodeError:  # bytes that are not UTF-8, kept by the OS as lone surrogates
        return "file name is not valid UTF-8; rename the file"
    if has_control(name):
        return "file name holds a control character (a line break, a tab, an escape); rename the file"
    if size > _MAX_NAME_BYTES:
        return (f"file name is {size} bytes long without its extension, more than the store allows "
                f"({_MAX_NAME_BYTES}); shorten it")
    return ""


def file_problem(path: Path, root: Path | None) -> str:
    """What keeps `path` from being a raw document of the folder `root` (None: any folder), or ""."""
    naming = name_problem(path.name)
    if naming:
        return naming
    if path.is_symlink():
        target = link_target(path)
        if target is None:
            return "link cannot be followed (a loop, or its target is gone); fix or remove it"
        if root is not None and not target.is_relative_to(root):
            return (f"link points outside the raw folder ({printable(str(target))}); "
                    "copy the file into the folder instead")
    if not path.is_file():
        return "not a regular file; remove it from the raw folder"
    return ""


def link_target(path: Path) -> Path | None:
    """Where a link leads, or None when it cannot be followed (a loop, a dangling target)."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: pathlib's word for a loop
        return None


def _listing(raw_dir: Path) -> list[str]:
    """Every entry under `raw_dir` but folders and hidden ones, as relative POSIX paths, in `sorted(rglob("*"))` order.

    Walked with `os.walk` on strings: Path objects for every entry of a folder of thousands of
    pages cost more than the rest of a run over an unchanged corpus. Links to folders count
    as folders and are not followed (as `rglob` does not); sub-folders that cannot be read are
    passed over.

    Raises:
        InputFolderError: the folder itself cannot be listed.
    """
    top = os.fspath(raw_dir)
    found: list[tuple[list[str], str]] = []

    def unreadable(exc: OSError) -> None:
        if exc.filename == top:
            raise file_error(exc, raw_dir, action="list the raw folder", error=InputFolderError) from None

    for folder, subfolders, files in os.walk(top, onerror=unreadable):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        prefix = os.path.relpath(folder, top).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        for name in files:
            if not name.startswith("."):
                rel = prefix + name
                found.append((rel.split("/"), rel))
    found.sort()  # by parts, as paths sort (`a/b` before `a-b`)
    return [rel for _, rel in found]


def _redact_removed(removed: RemovedLog, hits: list[Edit]) -> RemovedLog:
    """The removed pieces in raw order, with personal data in them replaced by placeholders.

    `hits` are the personal data values `clean_text` found (raw offsets, sorted,
    non-overlapping); only pieces that overlap a value are rewritten.
    """
    log = removed.sorted()
    if not hits:
        return log
    # The pieces a value overlaps, found from the values (a handful) rather than from the
    # pieces (thousands): pieces are sorted by start, and none is longer than `longest`.
    starts, ends = log.spans()
    longest = max((end - start for start, end in zip(starts, ends, strict=True)), default=0)
    touched = sorted({index for hit in hits
                      for index in range(bisect.bisect_left(starts, hit.start - longest),
                                         bisect.bisect_left(starts, hit.end))
                      if hit.start < ends[index]})
    hit_starts = [hit.start for hit in hits]
    for index in touched:
        piece = log[index]
        first = max(0, bisect.bisect_right(hit_starts, piece.start) - 1)
        overlapping = [h for h in hits[first:bisect.bisect_left(hit_starts, piece.end)]
                       if h.start < piece.end and piece.start < h.end]
        if not overlapping:
            continue
        text = piece.text
        for hit in reversed(overlapping):
            lo, hi = max(hit.start, piece.start) - piece.start, min(hit.end, piece.end) - piece.start
            text = text[:lo] + hit.replacement + text[hi:]
        log.set_text(index, text)
    return log


def _raw_personal_data(tracked: TrackedText, config: Config) -> list[Edit]:
    """Personal data in the converted text before cleaning, as raw spans (sorted, non-overlapping).

    The converted text is the raw text repaired, without glosses and simplified: where a person
    record is whole and reads as the patterns expect. Looked for block by block (values never
    cross a line), so a big page is never viewed whole.
    """
    from .stages.pii import find_personal_data

    text = tracked.text
    spans: list[Edit] = []
    for offset, block_end in _line_blocks(text, _BLOCK_CHARS):
        for edit in find_personal_data(text[offset:block_end], config, converted=True):
            start, end = tracked.raw_span(edit.start + offset, edit.end + offset)
            if spans and start < spans[-1].end:
                # two values inside one repaired run map to the same raw span: one placeholder
                spans[-1] = spans[-1]._replace(end=max(end, spans[-1].end))
                continue
            spans.append(Edit(start, end, edit.replacement, edit.reason))
    return spans


def _replaced_records(pieces: list[Replaced]) -> list[dict]:
    # Redactions are listed without the value they replaced; nothing else is kept of it.
    return [
        {"start": r.start, "end": r.end, "replacement": r.replacement, "reason": r.reason}
        for r in sorted(pieces, key=lambda r: (r.start, r.end))
    ]


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
    from .stages.repair import find_mojibake
    from .stages.whitespace import find_whitespace

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
    blocks = _line_blocks(whole.text, _BLOCK_CHARS)
    if len(blocks) == 1:
        tracked = local_stages(whole)
    else:
        tracked = TrackedText.concat([local_stages(whole.block(start, end)) for start, end in blocks])
    converted = tracked
    tracked = step(tracked, find_junk(tracked.text, config))
    tracked = step(tracked, find_whitespace(tracked.text, config))
    personal_data = _raw_personal_data(converted, config)
    tracked = step(tracked, _body_personal_data(tracked, personal_data, config))
    return Cleaned(tracked, converted.text, removed, replaced, personal_data)


def _body_personal_data(tracked: TrackedText, raw_values: list[Edit], config: Config) -> list[Edit]:
    """Edits that redact the cleaned text: every value found before cleaning, and its own.

    A value found in the converted text (`raw_values`, raw spans) is redacted wherever the
    cleaned text still holds it, as it is in the removed pieces. The cleaned text can show
    values of its own (white space and markup gone: `户籍地：&nbsp;河北省…`), but cleaning also
    drops markup between two paragraphs without a trace (`交付</p><p>…` reads `交付…`): one of
    its own counts only where its raw text is one stretch, with no markup, line or sentence end.
    Where two overlap, one placeholder covers both.
    """
    from .stages.pii import find_personal_data, spans_boundary

    raw = tracked.raw
    own = [edit for edit in find_personal_data(tracked.text, config, converted=True)
           if not spans_boundary(raw[slice(*tracked.raw_span(edit.start, edit.end))], config)]
    merged: list[Edit] = []
    for edit in sorted(_text_edits(tracked, raw_values) + own):
        if merged and edit.start < merged[-1].end:
            merged[-1] = merged[-1]._replace(end=max(edit.end, merged[-1].end))
        else:
            merged.append(edit)
    return merged


def _text_edits(tracked: TrackedText, raw_values: list[Edit]) -> list[Edit]:
    """`raw_values` (raw spans, sorted) as edits on `tracked.text`: what of each value the text holds."""
    segments = tracked.segment_map()
    edits = []
    for value in raw_values:
        # the segments the value overlaps: [first, last)
        first = bisect.bisect_right(segments, value.start, key=lambda segment: segment[3])
        last = bisect.bisect_left(segments, value.end, key=lambda segment: segment[2])
        if first >= last:
            continue  # all of it was removed
        out_start, out_end, raw_start, raw_end = segments[first]
        one_to_one = out_end - out_start == raw_end - raw_start
        start = out_start + max(0, value.start - raw_start) if one_to_one else out_start
        out_start, out_end, raw_start, raw_end = segments[last - 1]
        one_to_one = out_end - out_start == raw_end - raw_start
        end = out_start + min(raw_end, value.end) - raw_start if one_to_one else out_end
        if start < end:
            edits.append(Edit(start, end, value.replacement, value.reason))
    return edits


_BLOCK_CHARS = 1 << 20


def _line_blocks(text: str, size: int) -> list[tuple[int, int]]:
    """`(start, end)` spans of about `size` characters that end at line breaks, covering `text`."""
    spans = []
    start = 0
    while start < len(text):
        end = text.find("\n", min(start + size, len(text)) - 1)
        end = len(text) if end < 0 else end + 1
        spans.append((start, end))
        start = end
    return spans or [(0, 0)]


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
    from .stages.clean import cleaning_warnings
    from .stages.metadata import extract_metadata
    from .stages.pii import redact
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
    removed_log = _redact_removed(cleaned.removed, cleaned.personal_data)
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
        replaced=_replaced_records(replaced),
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
                for entry in todo:
                    record(ingest_one(entry, raw_dir, normalized_dir, config))
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
