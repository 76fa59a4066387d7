"""The normalized store: one JSON file per document (a key per line, a record per line) plus a manifest.

Every write goes to a temporary file in the same folder and is renamed into
place, so a run killed at any moment leaves each file either old or new,
never half-written; leftovers of a killed run are swept on the next start.
Nothing here stamps times or absolute paths: two runs on the same input give
byte-identical files, which also keeps `git diff` of a store readable.

Documents are `<doc_id>.json`; the store's own files (manifest, journal, lock,
check index, temporary files) all start with a dot. A doc_id never does (raw
discovery passes hidden files over), so no raw file name can collide with them.
An ingest appends each stored document to a journal as it goes, so a run killed
midway keeps its finished work, and holds a lock, so two runs never interleave.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import msgspec

from .doc_ids import resolve_prefix
from .errors import FilterError, StoreError, file_error
from .files import TMP_PREFIX, write_atomic

if TYPE_CHECKING:  # (records and logs are imported where a document is written or read, not for the manifest)
    from .models import Document

MANIFEST_NAME = ".manifest.json"
JOURNAL_NAME = ".manifest.journal"
LOCK_NAME = ".lock"
LEGACY_MANIFEST_NAME = "manifest.json"  # where stores written before 0.2 kept the manifest


def to_json(data: object) -> str:
    """Stable, readable JSON: UTF-8 characters as they are, a key (dicts) or an item per line, trailing newline."""
    if isinstance(data, dict):
        return b"".join(_json_pieces(data)).decode("utf-8")
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def sweep_temporary_files(normalized_dir: Path) -> int:
    """Delete temporary files a killed run left behind; return how many."""
    count = 0
    if normalized_dir.is_dir():
        for tmp in normalized_dir.glob(f"{TMP_PREFIX}*"):
            tmp.unlink(missing_ok=True)
            count += 1
    return count


def document_path(normalized_dir: Path, doc_id: str) -> Path:
    return normalized_dir / f"{doc_id}.json"


_NOT_IN_AN_ID = tuple(sep for sep in ("/", os.sep, os.altsep, "\0") if sep)  # folder separators, NUL


def find_document(normalized_dir: Path, doc_id: str) -> Path:
    """The file of the stored document a user typed (`corpus explain ID`): its id or any unique prefix of it.

    An id is a raw file's name without its extension, never a path: one with a folder
    separator or a leading dot (`../../x/secret`, `.manifest`) is refused before any file is
    opened, so only the store's documents can be read this way.

    Raises:
        FilterError: not a document id; no such document (close ids are suggested); a prefix of several.
        StoreError: no store.
    """
    return document_path(normalized_dir, resolve_doc_id(normalized_dir, doc_id))


def resolve_doc_id(normalized_dir: Path, typed: str, *, option: str = "") -> str:
    """The id of the stored document that `typed` names in full or by a unique prefix (`000`).

    Args:
        option: the option the id came from (`--doc`), named in messages.

    Raises:
        FilterError: not a document id; no such document (close ids are suggested); a prefix of several.
        StoreError: no store.
    """
    label = f"{option} {typed}" if option else typed
    if not typed or typed.startswith(".") or any(sep in typed for sep in _NOT_IN_AN_ID):
        raise FilterError(f"{label}: not a document id (a raw file's name without its extension, no folders); "
                          "`corpus list` lists the ids")
    path = document_path(normalized_dir, typed)
    if path.is_file() and not _is_legacy_manifest(path):
        return typed
    return resolve_prefix(typed, stored_ids(normalized_dir), option=option, where=str(normalized_dir))


def stored_ids(normalized_dir: Path) -> list[str]:
    """The ids of the stored documents, sorted.

    Raises:
        StoreError: the folder does not exist or holds no documents.
    """
    return sorted(path.stem for path in _stored_paths(normalized_dir))


_CHUNK = 1 << 16
_ROWS = 1024  # list items formatted per write
_encoder = msgspec.json.Encoder()
_encode = _encoder.encode  # records (dataclasses, dicts, lists) to compact JSON, in C
_encode_lines = _encoder.encode_lines  # a batch of them, one per line


def _dump_json(data: dict, fh: IO[bytes]) -> None:
    """One top-level key per line and one list item (clause, duty, removed piece) per line.

    Diffs of a stored document then show which clause or duty changed; each line is compact JSON
    (as `json.dumps(..., ensure_ascii=False, separators=(",", ":"))` writes it).
    """
    for piece in _json_pieces(data):
        fh.write(piece)


def _json_pieces(data: dict) -> Iterator[bytes]:
    """`_dump_json`'s output in pieces of a batch of records (or a chunk of text) each.

    msgspec encodes the records that fill a document (clauses and duties are dataclasses it
    reads directly; removed pieces and source-map rows come from the compact logs), a batch at a
    time: a dict per record and a write per line cost more than the rest of the store, and a big
    document is never held as one string.
    """
    pending: list[bytes] = [b"{\n"]
    last = len(data) - 1
    for i, (key, value) in enumerate(data.items()):
        pending.append(b"  " + _encode(key) + b": ")
        if isinstance(value, Sequence) and not isinstance(value, str) and not len(value):
            pending.append(b"[]")
        elif isinstance(value, Sequence) and not isinstance(value, str):
            # Lists and compact logs alike: records are made a batch at a time, never all at once.
            pending.append(b"[\n    ")
            first = True
            for rows in _json_rows(value):
                if not first:
                    pending.append(b",\n    ")
                first = False
                pending.append(b",\n    ".join(rows))
                yield b"".join(pending)
                pending.clear()
            pending.append(b"\n  ]")
        elif isinstance(value, str) and len(value) > _CHUNK:
            # The text of a big document: encoded piece by piece (same bytes), not as one more copy.
            pending.append(b'"')
            for start in range(0, len(value), _CHUNK):
                pending.append(_encode(value[start:start + _CHUNK])[1:-1])
                yield b"".join(pending)
                pending.clear()
            pending.append(b'"')
        else:
            pending.append(_encode(value))
        pending.append(b",\n" if i < last else b"\n")
    pending.append(b"}\n")
    yield b"".join(pending)


def _json_rows(value: Sequence[Any]) -> Iterator[list[bytes]]:
    """The items of a list as one-line JSON, in batches of `_ROWS`."""
    from .text.textmap import Removed, RemovedLog, SegmentMap

    for lo in range(0, len(value), _ROWS):
        if isinstance(value, RemovedLog):
            # The most numerous record; its reasons are a handful of strings, and most of its
            # texts a few too (the line break of each blank line, a space): each encoded once.
            reasons, texts = _Encoded(), _Encoded()
            yield [b'{"text":%s,"reason":%s,"start":%d,"end":%d}' % (texts[text], reasons[reason], start, end)
                   for start, end, text, reason in value.rows(lo, lo + _ROWS)]
        elif isinstance(value, SegmentMap):
            yield _encode_lines(value.rows(lo, lo + _ROWS)).split(b"\n")[:-1]  # (tuples: `[a,b,c,d]` each)
        else:
            batch = value[lo : lo + _ROWS]
            if any(isinstance(item, Removed) for item in batch):
                batch = [item.to_dict() if isinstance(item, Removed) else item for item in batch]
            # One call for the batch (a call per record cost as much as the encoding itself); an
            # encoded record never holds a raw line break (JSON escapes it), so the lines are the records.
            yield _encode_lines(batch).split(b"\n")[:-1]


class _Encoded(dict):
    """A string's JSON form, worked out the first time it is asked for."""

    def __missing__(self, key: str) -> bytes:
        value = self[key] = _encode(key)
        return value


_WHOLE = 1 << 22  # a document whose JSON is shorter is written in one piece


def write_document(normalized_dir: Path, doc: Document) -> Path:
    path = document_path(normalized_dir, doc.doc_id)
    pieces = _json_pieces(doc.to_dict())
    # Most documents are a few dozen kilobytes: one string, one write. A big one is streamed
    # from where it outgrew that.
    head: list[bytes] = []
    size = 0
    for piece in pieces:
        head.append(piece)
        size += len(piece)
        if size > _WHOLE:
            break
    else:
        write_atomic(path, b"".join(head), durable=False)
        return path

    def stream(fh: IO[bytes]) -> None:
        fh.writelines(head)
        head.clear()
        fh.writelines(pieces)

    write_atomic(path, stream, durable=False)
    return path


def read_document(path: Path) -> Document:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(exc, path, action="read", error=StoreError) from None
    try:
        from .models import Document

        return Document.from_dict(json.loads(data))
    except (ValueError, TypeError, KeyError) as exc:
        raise StoreError(f"{path}: unreadable normalized document ({exc}); run `corpus ingest --force`") from None


def iter_document_paths(normalized_dir: Path) -> list[Path]:
    """The stored documents' files, in doc_id order (the store's own files and a legacy manifest left out)."""
    return sorted(p for p in normalized_dir.glob("*.json")
                  if not p.name.startswith(".") and not _is_legacy_manifest(p))


def _is_legacy_manifest(path: Path) -> bool:
    """An old store's `manifest.json` (a document may be called so too: its file starts otherwise)."""
    if path.name != LEGACY_MANIFEST_NAME:
        return False
    try:
        with path.open("rb") as fh:
            return fh.read(64).startswith(b'{\n  "pipeline_version"')
    except OSError:
        return False


def load_documents(normalized_dir: Path, doc_ids: set[str] | None = None) -> Iterator[Document]:
    """Yield stored documents in doc_id order (optionally only some ids).

    Raises:
        StoreError: the folder does not exist or holds no documents.
    """
    for path in _stored_paths(normalized_dir):
        if doc_ids is None or path.stem in doc_ids:
            yield read_document(path)


def _stored_paths(normalized_dir: Path) -> list[Path]:
    if not normalized_dir.is_dir():
        raise StoreError(f"{normalized_dir}: no normalized store here; run `corpus ingest` first")
    paths = iter_document_paths(normalized_dir)
    if not paths:
        raise StoreError(f"{normalized_dir}: the store holds no documents; run `corpus ingest` first")
    return paths


class StoredTag(msgspec.Struct, frozen=True):
    """An actor or measure tag of a stored directive, as far as `compare` needs it: its id."""

    id: str


class StoredDuty(msgspec.Struct, kw_only=True):
    """A stored directive without its spans, targets and rules (what `compare` reads)."""

    clause: str = ""
    sentence: str
    start: int
    end: int
    modality: str
    marker: str = ""
    actor_source: str = "explicit"
    actors: list[StoredTag] = []
    measures: list[StoredTag] = []
    topic: float | None = None

    @property
    def actor_ids(self) -> list[str]:
        return list(dict.fromkeys(tag.id for tag in self.actors))

    @property
    def measure_ids(self) -> list[str]:
        return list(dict.fromkeys(tag.id for tag in self.measures))


class DocumentDuties(msgspec.Struct, kw_only=True):
    """A stored document's metadata and directives, read without its text, clauses or removed pieces.

    The same field names as `Document`, so code that reads only these works on either.
    """

    doc_id: str
    title: str = ""
    date: str | None = None
    level: str | None = None
    region: str | None = None
    province: str | None = None
    kind: str | None = None
    duties: list[StoredDuty] = []


# Text, clauses, removed pieces and the source map are most of a stored file; a typed decoder skips
# them without building Python objects for them (about 10x faster than json.loads + from_dict).
_duties_decoder = msgspec.json.Decoder(DocumentDuties)


def read_document_duties(path: Path) -> DocumentDuties:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(exc, path, action="read", error=StoreError) from None
    try:
        return _duties_decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise StoreError(f"{path}: unreadable normalized document ({exc}); run `corpus ingest --force`") from None


def load_document_duties(normalized_dir: Path, doc_ids: set[str] | None = None) -> Iterator[DocumentDuties]:
    """Like `load_documents`, for commands that need only metadata and directives (`compare`).

    Raises:
        StoreError: the folder does not exist, holds no documents, or a file cannot be read.
    """
    for path in _stored_paths(normalized_dir):
        if doc_ids is None or path.stem in doc_ids:
            yield read_document_duties(path)


@dataclass(slots=True)
class ManifestEntry:
    """What a stored document was built from: enough to know when it is stale."""

    source: str
    sha256: str
    sidecar_sha256: str | None = None

    def to_dict(self) -> dict:
        return {"source": self.source, "sha256": self.sha256, "sidecar_sha256": self.sidecar_sha256}


@dataclass(slots=True)
class Manifest:
    """The store's index: pipeline version and config fingerprint, and one entry per document."""

    pipeline_version: str = ""
    config_fingerprint: str = ""
    documents: dict[str, ManifestEntry] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "pipeline_version": self.pipeline_version,
            "config_fingerprint": self.config_fingerprint,
            "documents": {k: self.documents[k].to_dict() for k in sorted(self.documents)},
        }


def read_manifest(normalized_dir: Path) -> Manifest:
    """The manifest, or an empty one when there is none or it cannot be read (then all is redone)."""
    path = normalized_dir / MANIFEST_NAME
    legacy = normalized_dir / LEGACY_MANIFEST_NAME
    if not path.is_file() and _is_legacy_manifest(legacy):
        path = legacy
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            pipeline_version=data.get("pipeline_version", ""),
            config_fingerprint=data.get("config_fingerprint", ""),
            documents={
                doc_id: _entry(e) for doc_id, e in data.get("documents", {}).items()
            },
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Manifest()


def _entry(data: dict) -> ManifestEntry:
    return ManifestEntry(str(data["source"]), str(data["sha256"]), data.get("sidecar_sha256"))


def write_manifest(normalized_dir: Path, manifest: Manifest) -> None:
    """Write the manifest; the journal it now holds and a legacy manifest are removed."""
    write_atomic(normalized_dir / MANIFEST_NAME, to_json(manifest.to_dict()))
    (normalized_dir / JOURNAL_NAME).unlink(missing_ok=True)
    legacy = normalized_dir / LEGACY_MANIFEST_NAME
    if _is_legacy_manifest(legacy):
        legacy.unlink(missing_ok=True)


class ManifestJournal:
    """Documents stored since the manifest was written, a line each, so that a killed run keeps its work.

    The first line names the pipeline version and config fingerprint the entries were made with; a
    later run with another version or config ignores them. A line cut short by a kill is passed over.
    """

    def __init__(self, normalized_dir: Path, pipeline_version: str, config_fingerprint: str) -> None:
        self.path = normalized_dir / JOURNAL_NAME
        self.header = {"pipeline_version": pipeline_version, "config_fingerprint": config_fingerprint}
        self._fh: IO[str] | None = None

    def read(self) -> dict[str, ManifestEntry]:
        """The entries a killed run with the same version and config left behind."""
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return {}
        if not lines or _json_or_none(lines[0]) != self.header:
            return {}
        entries = {}
        for line in lines[1:]:
            record = _json_or_none(line)
            if isinstance(record, dict) and isinstance(record.get("doc_id"), str):
                try:
                    entries[record["doc_id"]] = _entry(record)
                except KeyError:
                    continue
        return entries

    def add(self, doc_id: str, entry: ManifestEntry) -> None:
        """Record one stored document (the line is flushed: a killed process keeps it).

        Raises:
            WriteError: the journal cannot be written (`DiskFullError`: the device is full).
        """
        try:
            if self._fh is None:
                self._fh = self._begin()
            self._fh.write(_journal_line(doc_id, entry))
            self._fh.flush()
        except OSError as exc:
            raise file_error(exc, self.path) from None

    def _begin(self) -> IO[str]:
        """Start the journal anew: the header, then what the run it resumes left.

        Written by a rename, so a write that fails here (a full disk) leaves the old journal whole.
        """
        lines = [json.dumps(self.header) + "\n"]
        lines += [_journal_line(known_id, known) for known_id, known in self.read().items()]
        write_atomic(self.path, "".join(lines), durable=False)
        return self.path.open("a", encoding="utf-8")

    def close(self) -> None:
        if self._fh is not None:
            fh, self._fh = self._fh, None
            try:
                fh.close()
            except OSError:
                pass  # every line was flushed as it was added: what is unflushed is a line that failed already


def _journal_line(doc_id: str, entry: ManifestEntry) -> str:
    return json.dumps({"doc_id": doc_id, **entry.to_dict()}, ensure_ascii=False) + "\n"


def _json_or_none(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


class StoreLock:
    """An exclusive lock on a store for the length of an ingest: a second run waits for the first.

    The holder's process id is written into the lock file, so the waiting run can say whom it waits
    for. Where `fcntl` is missing (Windows), runs are not locked.
    """

    def __init__(self, normalized_dir: Path) -> None:
        self.path = normalized_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, on_busy: Callable[[str], None] | None = None) -> StoreLock:
        """Take the lock, waiting while another process holds it (`on_busy` is told who, once)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise file_error(exc, self.path) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                if on_busy:
                    on_busy(f"another ingest (process {holder}) is writing {self.path.parent}; waiting for it")
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except BaseException as exc:
            os.close(fd)
            if isinstance(exc, OSError):
                raise file_error(exc, self.path, action="lock") from None
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)  # no holder now (and two runs leave the same bytes behind)
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None

    def __enter__(self) -> StoreLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
