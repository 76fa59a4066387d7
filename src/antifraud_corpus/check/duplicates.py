"""Checks across files: exact and near duplicates among stored documents and the drop, ids taken twice.

Near-duplicates are found with LSH bands over the MinHash signatures (`signatures.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..doc_ids import id_clash
from .file_checks import Inspected
from .index import IndexEntry
from .rules import CheckRules
from .signatures import signature_from_bytes, signature_similarity
from .targets import display_path


@dataclass(frozen=True, slots=True)
class _Known:
    """A document to compare with: a stored one or another file of the drop."""

    where: str  # the drop file's display path, or the stored document's source
    sha256: str
    signature: bytes | None
    drop_index: int | None  # position in the drop, None for a stored document

    def name(self, raw_dir: Path) -> str:
        """How a message names it (made only when needed: 10k paths cost a second)."""
        return self.where if self.drop_index is not None else display_path(raw_dir / self.where)

    def current(self, raw_dir: Path) -> bool:
        """False for a stored document whose raw file is gone (renamed or deleted: ingest keeps
        such orphans until --prune), which must not make its renamed copy a duplicate."""
        return self.drop_index is not None or _stored_source_exists(raw_dir, self.where)


def _stored_source_exists(raw_dir: Path, source: str) -> bool:
    return not raw_dir.is_dir() or (raw_dir / source).exists()


def cross_checks(items: list[Inspected], store: list[IndexEntry], raw_dir: Path, rules: CheckRules) -> None:
    """Exact and near duplicates of each checked file among stored documents and earlier files
    of the drop (a pair inside the drop is reported once, on the later file), and document ids
    taken twice."""
    drop_sources = {i.target.source for i in items if i.target.source is not None}
    known: list[_Known] = []
    for entry in store:
        if entry.source in drop_sources:
            continue  # the stored copy of a file being checked: it is compared as part of the drop
        known.append(_Known(entry.source, entry.sha256, entry.signature, None))
    store_ids = {e.doc_id: e.source for e in store}
    seen_ids: dict[str, str] = {}
    for index, item in enumerate(items):
        target = item.target
        if target.doc_id and not target.problem:
            other = seen_ids.get(target.doc_id)
            stored_source = store_ids.get(target.doc_id)
            if other is not None:
                item.findings.add("doc-id", 1, id_clash(target.doc_id, target.path.name, other))
            elif stored_source is not None and stored_source != target.source \
                    and _stored_source_exists(raw_dir, stored_source):
                item.findings.add("doc-id", 1, id_clash(target.doc_id, target.path.name, "the stored document "
                                                        f"from {display_path(raw_dir / stored_source)}"))
            seen_ids.setdefault(target.doc_id, target.display)
        if item.sha256 is not None:
            known.append(_Known(target.display, item.sha256, item.signature, index))
    by_sha: dict[str, list[_Known]] = {}
    for k in known:
        by_sha.setdefault(k.sha256, []).append(k)
    for index, item in enumerate(items):
        if item.sha256 is None:
            continue
        for other in by_sha.get(item.sha256, []):
            if other.drop_index is not None and other.drop_index >= index or not other.current(raw_dir):
                continue
            where = "already in the corpus" if other.drop_index is None else "also in this drop"
            item.findings.add("duplicate", 1,
                              f"same bytes as {other.name(raw_dir)} ({where}); remove one of them")
            break
    if rules.severity.get("near-duplicate") == "off":
        return
    _near_duplicates(items, known, raw_dir, rules)


def _near_duplicates(items: list[Inspected], known: list[_Known], raw_dir: Path, rules: CheckRules) -> None:
    sim = rules.similarity
    width = sim.rows * 4
    # Band keys of the drop's signatures; then one pass over everything known.
    bands: list[dict[bytes, list[int]]] = [{} for _ in range(sim.bands)]
    for index, item in enumerate(items):
        if item.signature is not None and len(item.signature) == sim.bins * 4:
            for b in range(sim.bands):
                bands[b].setdefault(item.signature[b * width:(b + 1) * width], []).append(index)
    if not any(bands):
        return
    best: dict[int, tuple[float, _Known]] = {}
    for other in known:
        sig = other.signature
        if sig is None or len(sig) != sim.bins * 4:
            continue
        hits: set[int] = set()
        for b in range(sim.bands):
            found = bands[b].get(sig[b * width:(b + 1) * width])
            if found:
                hits.update(found)
        for index in hits:
            if other.drop_index is not None and other.drop_index >= index:
                continue  # a pair inside the drop is reported on its later file
            if items[index].sha256 == other.sha256:
                continue  # an exact duplicate, reported as such
            if not other.current(raw_dir):
                continue
            score = signature_similarity(signature_from_bytes(items[index].signature or b""), signature_from_bytes(sig))
            if score >= rules.near_duplicate and (index not in best or score > best[index][0]):
                best[index] = (score, other)
    for index, (score, other) in sorted(best.items(), key=lambda kv: kv[0]):
        name = other.name(raw_dir) + ("" if other.drop_index is None else " (in this drop)")
        how = "the same text after cleaning, though not the same bytes" if score >= 1.0 else \
            f"similarity {score:.2f} ≥ {rules.near_duplicate:.2f}"
        items[index].findings.add("near-duplicate", 1, f"near-duplicate of {name} ({how}); "
                                                       "keep one version, or give the other a distinct role")
