"""The store's check index: per stored document its source, raw SHA-256 and signature.

A store of 10k documents is not read document by document: the index lives next to the
store and is brought up to date from the manifest, reading only documents that changed
since it was written.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import DiskFullError, WriteError
from .rules import SimilarityRules, check_rules
from .signatures import signature_array, signature_bytes

INDEX_NAME = ".check-index.jsonl"  # the store's own files start with a dot (see store.py)
INDEX_FORMAT = 1


@dataclass(slots=True)
class IndexEntry:
    """What check needs of a stored document: its id, raw source, raw SHA-256 and signature."""

    doc_id: str
    source: str
    sha256: str
    key: str  # what the entry was built from: the manifest's sha256, or the JSON file's size/mtime
    signature: bytes  # little-endian uint32 x bins


def _index_header(rules: SimilarityRules, pipeline_version: str, fingerprint: str) -> dict:
    return {"format": INDEX_FORMAT, "shingle": rules.shingle, "bins": rules.bins,
            "pipeline_version": pipeline_version, "config_fingerprint": fingerprint}


def _read_index(path: Path, header: dict) -> dict[str, IndexEntry]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    try:
        if not lines or json.loads(lines[0]) != header:
            return {}  # other parameters or another pipeline/config: rebuild
        # One parse of all rows (as a JSON list) is several times faster than a parse per line.
        rows = json.loads("[" + ",".join(lines[1:]) + "]")
        decode = base64.b64decode
        return {row[0]: IndexEntry(row[0], row[1], row[2], row[3], decode(row[4])) for row in rows}
    except (ValueError, TypeError):
        return {}


def _write_index(path: Path, header: dict, entries: Iterable[IndexEntry]) -> None:
    from ..files import write_atomic

    lines = [json.dumps(header, sort_keys=True)]
    for e in sorted(entries, key=lambda e: e.doc_id):
        signature = base64.b64encode(e.signature).decode("ascii")
        lines.append(json.dumps([e.doc_id, e.source, e.sha256, e.key, signature], ensure_ascii=False))
    write_atomic(path, "\n".join(lines) + "\n")


def refresh_index(normalized_dir: Path, config: Config, *, write: bool = True,
                  notes: list[str] | None = None) -> list[IndexEntry]:
    """Bring the store's check index up to date and return its entries (sorted by doc_id).

    Only documents whose manifest entry (raw SHA-256) changed since the index was
    written are read; documents missing from the manifest are tracked by their JSON
    file's size and modification time. Ingest may call this after writing the
    manifest so that the index is always fresh; check calls it anyway.

    Args:
        normalized_dir: the store.
        config: the loaded config (`check.similarity`).
        write: save the refreshed index (skipped silently where the folder is read-only).
        notes: where to say that the index could not be saved for want of space.

    Raises:
        StoreError: a stored document that changed cannot be read.
    """
    from ..store import document_path, iter_document_paths, read_document, read_manifest

    if not normalized_dir.is_dir():
        return []
    rules = check_rules(config).similarity
    manifest = read_manifest(normalized_dir)
    header = _index_header(rules, manifest.pipeline_version, manifest.config_fingerprint)
    path = normalized_dir / INDEX_NAME
    old = _read_index(path, header)
    wanted: dict[str, str] = {}  # doc_id -> key
    if manifest.documents:
        wanted = {doc_id: entry.sha256 for doc_id, entry in manifest.documents.items()}
    else:
        for doc_path in iter_document_paths(normalized_dir):
            stat = doc_path.stat()
            wanted[doc_path.stem] = f"stat:{stat.st_size}:{stat.st_mtime_ns}"
    fresh: dict[str, IndexEntry] = {}
    changed = old.keys() != wanted.keys()
    for doc_id, key in wanted.items():
        known = old.get(doc_id)
        if known is not None and known.key == key:
            fresh[doc_id] = known
            continue
        doc_path = document_path(normalized_dir, doc_id)
        if not doc_path.is_file():
            continue
        doc = read_document(doc_path)
        fresh[doc_id] = IndexEntry(doc_id, doc.source, doc.sha256, key,
                                   signature_bytes(signature_array(doc.text, rules)))
        changed = True
    if changed and write:
        try:
            _write_index(path, header, fresh.values())
        except WriteError as exc:
            # The store still gets checked, only not faster next time. A read-only store (a CI
            # cache) is normal and passed over; a full disk is worth knowing of.
            if isinstance(exc, DiskFullError) and notes is not None:
                notes.append(f"the check index was not saved: {exc}")
    return [fresh[k] for k in sorted(fresh)]
