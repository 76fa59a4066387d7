"""`corpus check`: the CI gate that keeps broken, duplicate or unusable documents out of the corpus.

New or changed raw files run through the same stages as ingest (decode,
clean, metadata, segment, extract) and are held against the normalized store
and against each other. Every problem becomes a `Finding` with a stable code,
a severity from `configs/check.yaml` and the 1-based line of the *raw* file
where it shows, so that GitHub annotations and JUnit reports point at the
line a person has to fix.

Speed: a store of 10k documents is not read document by document. The check
keeps a compact index next to the store (`check-index.jsonl`: per document its
source, raw SHA-256 and a 128-bin MinHash signature) that it brings up to date
from the manifest, reading only documents that changed since the index was
written. Near-duplicates are found with one-permutation MinHash and LSH bands
(hand-rolled over `hashlib.blake2b`: a few dozen lines against datasketch's
numpy/scipy dependency, with signatures that are stable across processes and
platforms, so the index can be cached or committed).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, compile_rule, per_config
from .decode import RawFile
from .errors import BudgetError, ConfigError, DiskFullError, IngestError, InputFolderError, WriteError
from .models import Clause, Document
from .safetext import printable
from .sidecar import SUFFIX as SIDECAR_SUFFIX
from .sidecar import document_stem, is_sidecar, sidecar_path
from .textmap import TrackedText, raw_line_number

SEVERITIES = ("error", "warning", "info", "off")  # off: the check does not run
INDEX_NAME = ".check-index.jsonl"  # the store's own files start with a dot (see store.py)
INDEX_FORMAT = 1

# Every finding code, in the order checks run (also the JUnit test cases per file).
CODES: tuple[str, ...] = (
    "not-a-file",
    "file-name",
    "doc-id",
    "encoding",
    "encoding-found",
    "encoding-damage",
    "wrong-extension",
    "encrypted",
    "needs-conversion",
    "no-text-layer",
    "garbled-text",
    "personal-data",
    "invalid-sidecar",
    "empty-body",
    "too-slow",
    "residual-traditional",
    "residual-pinyin",
    "mojibake",
    "junk-left",
    "missing-title",
    "missing-date",
    "missing-level",
    "missing-region",
    "missing-kind",
    "numbering-gap",
    "low-clause-coverage",
    "no-directives",
    "duplicate",
    "near-duplicate",
)

_MAX32 = 0xFFFFFFFF
_GOLDEN = 0x9E3779B9  # spreads densified bins (any odd constant would do)
_NOT_WORD = re.compile(r"[\W_]+")
_LINE_IN_MESSAGE = re.compile(r"line (\d+)")


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one file: where (raw line, 1-based), how bad, which check, what to do."""

    file: str
    line: int
    severity: str  # error | warning | info
    code: str
    message: str

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "severity": self.severity, "code": self.code,
                "message": self.message}


@dataclass(slots=True)
class CheckResult:
    """Findings of a check run, the files it looked at (display paths) and notes for stderr."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def exit_code(self) -> int:
        """0 when no finding has severity error, 1 when one does (the contract's exit codes)."""
        return 1 if any(f.severity == "error" for f in self.findings) else 0


@dataclass(frozen=True, slots=True)
class FileNameRules:
    max_length: int
    allow_spaces: bool
    allow_non_ascii: bool
    forbidden: re.Pattern[str] | None
    forbidden_start: re.Pattern[str] | None
    forbidden_end: re.Pattern[str] | None
    reserved: frozenset[str]
    extensions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SimilarityRules:
    shingle: int
    bins: int
    bands: int

    @property
    def rows(self) -> int:
        return self.bins // self.bands


@dataclass(frozen=True, slots=True)
class CheckRules:
    """`check.yaml` (team values over the packaged defaults), validated and compiled."""

    severity: Mapping[str, str]
    file_names: FileNameRules
    near_duplicate: float
    clause_coverage: float
    min_body_chars: int
    max_per_code: int
    similarity: SimilarityRules
    expect_numbered: frozenset[str]
    expect_directives: frozenset[str]
    pinyin: re.Pattern[str] | None
    mojibake: tuple[re.Pattern[str], ...]
    traditional_ignore: frozenset[str]
    junk_ignore: frozenset[str]


# ---------------------------------------------------------------- config


def _compile(pattern: Any, where: str) -> re.Pattern[str] | None:
    if pattern in (None, ""):
        return None
    return compile_rule(str(pattern), f"check.yaml: {where}")


def _number(section: Mapping[str, Any], key: str, where: str, low: float, high: float) -> float:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"check.yaml: {where}.{key} must be a number from {low} to {high} (got {value!r})")
    return value


@per_config
def check_rules(config: Config) -> CheckRules:
    """`check.yaml` (over the packaged defaults) compiled once per config.

    Raises:
        ConfigError: an unknown finding code, a bad severity, threshold or regex.
    """
    data = config.plain("check")  # (a team file is merged over the packaged one by load_config)
    severity = {code: "warning" for code in CODES}
    for code, value in (data.get("severity") or {}).items():
        if code not in CODES:
            raise ConfigError(f"check.yaml: severity: unknown finding code '{code}' "
                              f"(known: {', '.join(CODES)})")
        if value is False:  # YAML reads a bare `off` as false
            value = "off"
        if value not in SEVERITIES:
            raise ConfigError(f"check.yaml: severity.{code} must be one of {', '.join(SEVERITIES)} "
                              f"(got {value!r})")
        severity[code] = value
    names = data.get("file_names") or {}
    file_names = FileNameRules(
        max_length=int(_number(names, "max_length", "file_names", 1, 4096)),
        allow_spaces=bool(names["allow_spaces"]),
        allow_non_ascii=bool(names["allow_non_ascii"]),
        forbidden=_compile(names.get("forbidden"), "file_names.forbidden"),
        forbidden_start=_compile(names.get("forbidden_start"), "file_names.forbidden_start"),
        forbidden_end=_compile(names.get("forbidden_end"), "file_names.forbidden_end"),
        reserved=frozenset(str(n).upper() for n in names.get("reserved") or ()),
        extensions=tuple(str(e).lower() for e in names.get("extensions") or ()),
    )
    thresholds = data.get("thresholds") or {}
    sim = data.get("similarity") or {}
    similarity = SimilarityRules(
        shingle=int(_number(sim, "shingle", "similarity", 1, 64)),
        bins=int(_number(sim, "bins", "similarity", 8, 4096)),
        bands=int(_number(sim, "bands", "similarity", 1, 4096)),
    )
    if similarity.bands > similarity.bins:
        raise ConfigError("check.yaml: similarity.bands must not exceed similarity.bins")
    expect = data.get("expect") or {}
    residual = data.get("residual") or {}
    return CheckRules(
        severity=severity,
        file_names=file_names,
        near_duplicate=_number(thresholds, "near_duplicate", "thresholds", 0, 1),
        clause_coverage=_number(thresholds, "clause_coverage", "thresholds", 0, 1),
        min_body_chars=int(_number(thresholds, "min_body_chars", "thresholds", 0, 10**9)),
        max_per_code=int(_number(thresholds, "max_per_code", "thresholds", 1, 10**6)),
        similarity=similarity,
        expect_numbered=frozenset(expect.get("numbered") or ()),
        expect_directives=frozenset(expect.get("directives") or ()),
        pinyin=_compile(residual.get("pinyin"), "residual.pinyin"),
        mojibake=tuple(p for i, m in enumerate(residual.get("mojibake") or ())
                       if (p := _compile(m, f"residual.mojibake[{i}]")) is not None),
        traditional_ignore=frozenset(str(residual.get("traditional_ignore") or "")),
        junk_ignore=frozenset(str(r) for r in residual.get("junk_ignore") or ()),
    )


# ---------------------------------------------------------------- signatures


def _shingles(text: str, size: int) -> set[str]:
    body = _NOT_WORD.sub("", text)
    if len(body) <= size:
        return {body} if body else set()
    return {body[i:i + size] for i in range(len(body) - size + 1)}


def _signature_array(text: str, rules: SimilarityRules) -> array:
    """One-permutation MinHash: each shingle's 64-bit hash picks a bin (low bits) and a value
    (high 32 bits); a bin keeps its least value. Empty bins borrow the next filled bin's value,
    shifted by the distance (rotation densification), so short texts still compare fairly."""
    bins = rules.bins
    mins = [_MAX32 + 1] * bins
    blake = hashlib.blake2b
    for shingle in _shingles(text, rules.shingle):
        h = int.from_bytes(blake(shingle.encode("utf-8"), digest_size=8).digest(), "little")
        b = h % bins
        v = h >> 32
        if v < mins[b]:
            mins[b] = v
    filled = [i for i, v in enumerate(mins) if v <= _MAX32]
    if not filled:
        return array("I", [_MAX32] * bins)
    out = array("I", [0] * bins)
    nxt = filled[0] + bins  # the first filled bin, seen from the end (wrap-around)
    for i in range(bins - 1, -1, -1):
        if mins[i] <= _MAX32:
            out[i] = mins[i]
            nxt = i
        else:
            distance = nxt - i
            out[i] = (mins[nxt % bins] + distance * _GOLDEN) & _MAX32
    return out


def document_signature(text: str, config: Config) -> list[int]:
    """The MinHash signature of a cleaned text (`similarity` in check.yaml): `bins` 32-bit ints.

    Two signatures agree in about the share of bins given by the Jaccard similarity of the
    texts' character shingles (letters and digits only).
    """
    return list(_signature_array(text, check_rules(config).similarity))


def signature_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity: the share of bins on which two signatures agree."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def _to_bytes(sig: array) -> bytes:
    if sys.byteorder == "big":
        sig = array("I", sig)
        sig.byteswap()
    return sig.tobytes()


def _from_bytes(data: bytes) -> array:
    sig = array("I")
    sig.frombytes(data)
    if sys.byteorder == "big":
        sig.byteswap()
    return sig


# ---------------------------------------------------------------- the store's check index


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
    from .files import write_atomic

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
    from .store import document_path, iter_document_paths, read_document, read_manifest

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
                                   _to_bytes(_signature_array(doc.text, rules)))
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


# ---------------------------------------------------------------- choosing the files


@dataclass(frozen=True, slots=True)
class _Target:
    path: Path
    display: str  # as findings name it: relative to the working folder where possible
    source: str | None  # relative to the raw folder; None for a file outside it
    doc_id: str
    sidecar: Path | None
    problem: str = ""  # set for a path that is not a regular file


def _display(path: Path) -> str:
    """How findings name a file: relative to the working folder where possible, printable on one line."""
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # (RuntimeError: a link loop)
        shown = path.as_posix()
    return printable(shown)


def _is_hidden(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = (path.name,)
    return any(part.startswith(".") for part in parts)


def _document_of_sidecar(sidecar: Path) -> Path | None:
    stem = document_stem(sidecar)
    for candidate in sorted(sidecar.parent.glob("*")):
        if candidate.stem == stem and not is_sidecar(candidate) and candidate.is_file():
            return candidate
    return None


def _target(path: Path, raw_dir: Path) -> _Target:
    raw_root = raw_dir.resolve() if raw_dir.exists() else raw_dir.absolute()
    absolute = path.absolute()
    source: str | None = None
    from .pipeline import file_problem

    try:
        source = absolute.relative_to(raw_dir.absolute()).as_posix()
    except ValueError:
        try:
            source = path.resolve().relative_to(raw_root).as_posix()
        except (ValueError, OSError, RuntimeError):
            source = None
    sidecar = sidecar_path(path)
    problem = file_problem(path, raw_root if raw_dir.exists() else None)
    try:
        has_sidecar = sidecar.is_file()
    except OSError:  # e.g. a name that is too long once `.meta.yaml` is added
        has_sidecar = False
    return _Target(path, _display(path), source, path.stem, sidecar if has_sidecar else None, problem)


def _walk(folder: Path) -> list[Path]:
    """The files ingest would take from `folder`, and those it would refuse (links out of it,
    special files, a document id taken twice) or pass over (a linked folder, which ingest does
    not follow): the checks report on those."""
    from .pipeline import discover_raw_files

    entries, problems = discover_raw_files(folder)
    linked = [p for p in folder.rglob("*") if p.is_symlink() and p.is_dir() and not _is_hidden(p, folder)]
    return sorted([e.path for e in entries] + [folder / p.source for p in problems] + linked)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ConfigError("--since needs git, which is not installed; install it or pass files") from None


def changed_files(raw_dir: Path, since: str) -> list[Path]:
    """Files under `raw_dir` added or changed since git revision `since` (also uncommitted and
    untracked ones), compared with the merge base so that a branch sees only its own changes.

    Raises:
        ConfigError: not a git work tree, or an unknown revision (a usage error: exit 2).
    """
    if not raw_dir.is_dir():
        raise InputFolderError(f"{raw_dir}: raw folder does not exist; pass --raw DIR with your documents")
    top = _git(["rev-parse", "--show-toplevel"], raw_dir)
    if top.returncode != 0:
        raise ConfigError(f"--since {since}: {raw_dir} is not inside a git work tree; pass the files instead")
    root = Path(top.stdout.strip())
    if _git(["rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"], root).returncode != 0:
        raise ConfigError(f"--since {since}: unknown git revision; pass a commit, branch or tag "
                          "(in CI fetch enough history, e.g. fetch-depth: 0)")
    base = _git(["merge-base", since, "HEAD"], root)
    rev = base.stdout.strip() if base.returncode == 0 and base.stdout.strip() else since
    scope = raw_dir.resolve().relative_to(root.resolve()).as_posix() or "."
    diff = _git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRT", rev, "--", scope], root)
    extra = _git(["ls-files", "-z", "--others", "--exclude-standard", "--", scope], root)
    if diff.returncode != 0:
        raise ConfigError(f"--since {since}: git diff failed ({diff.stderr.strip()})")
    names = {n for n in (diff.stdout + extra.stdout).split("\0") if n}
    return sorted(root / n for n in names)


def select_targets(paths: Sequence[Path] | None, raw_dir: Path, since: str | None = None) -> list[_Target]:
    """The files to check: the paths given (folders walked), those changed since a revision
    (within the paths given, if any), or every raw file. Sidecars stand for their document.

    Raises:
        InputFolderError: the raw folder (or a given path) does not exist.
        ConfigError: a bad `since`.
    """
    candidates: list[Path] = []
    if since is not None:
        changed = changed_files(raw_dir, since)
        if paths:
            scopes = [p.resolve() for p in paths]
            changed = [c for c in changed if any(c.resolve().is_relative_to(s) for s in scopes)]
        candidates = [c for c in changed if not _is_hidden(c, raw_dir.resolve())]
    elif paths:
        for path in paths:
            if not path.exists() and not path.is_symlink():
                raise InputFolderError(f"{path}: no such file or folder; check the path")
            candidates.extend(_walk(path) if path.is_dir() else [path])
    else:
        if not raw_dir.is_dir():
            raise InputFolderError(f"{raw_dir}: raw folder does not exist; pass --raw DIR with your documents")
        candidates = _walk(raw_dir)
    out: dict[Path, _Target] = {}
    for path in candidates:
        if is_sidecar(path):
            document = _document_of_sidecar(path)
            if document is None:
                if path.exists():
                    out.setdefault(path.absolute(), _Target(path, _display(path), None, "", path,
                                                            "sidecar without a document"))
                continue
            path = document
        elif not path.exists() and not path.is_symlink():
            continue  # deleted since the revision
        out.setdefault(path.absolute(), _target(path, raw_dir))
    return sorted(out.values(), key=lambda t: t.display)


# ---------------------------------------------------------------- checks of one file


class _Collector:
    """Findings of one file: severity from check.yaml (off: dropped), at most `max_per_code` each."""

    def __init__(self, display: str, rules: CheckRules) -> None:
        self.display = display
        self.rules = rules
        self.findings: list[Finding] = []
        self._counts: dict[str, int] = {}

    def active(self, code: str) -> bool:
        return self.rules.severity.get(code, "warning") != "off"

    def add(self, code: str, line: int, message: str, *, file: str | None = None) -> None:
        if not self.active(code):
            return
        self._counts[code] = self._counts.get(code, 0) + 1
        if self._counts[code] <= self.rules.max_per_code:
            severity = self.rules.severity[code]
            # One line with nothing a terminal or a CI log would obey, in every format: messages quote the text.
            self.findings.append(Finding(file or self.display, max(1, line), severity, code, printable(message)))

    def close(self) -> list[Finding]:
        """The findings, the last of a capped code saying how many more there were."""
        for code, count in self._counts.items():
            extra = count - self.rules.max_per_code
            if extra > 0:
                last = max(i for i, f in enumerate(self.findings) if f.code == code)
                f = self.findings[last]
                self.findings[last] = Finding(f.file, f.line, f.severity, f.code,
                                              f"{f.message} (and {extra} more like it)")
        return self.findings


@dataclass(slots=True)
class _Inspected:
    """One checked file: its findings and what the cross-file checks need."""

    target: _Target
    findings: _Collector
    sha256: str | None = None
    signature: bytes | None = None


def file_name_problems(name: str, rules: FileNameRules) -> list[str]:
    """What is wrong with a file name under the `file_names` rules (empty: nothing)."""
    problems: list[str] = []
    if len(name) > rules.max_length:
        problems.append(f"name is {len(name)} characters long (at most {rules.max_length})")
    if rules.forbidden is not None:
        bad = sorted({m.group() for m in rules.forbidden.finditer(name)})
        if bad:
            problems.append("name contains " + ", ".join(repr(c) for c in bad))
    if not rules.allow_spaces and any(c.isspace() for c in name):
        problems.append("name contains white space")
    if not rules.allow_non_ascii and not name.isascii():
        problems.append("name contains non-ASCII characters")
    if rules.forbidden_start is not None and rules.forbidden_start.search(name):
        problems.append(f"name starts with {name[:1]!r}")
    if rules.forbidden_end is not None and rules.forbidden_end.search(name):
        problems.append(f"name ends with {name[-1:]!r}")
    stem = name.split(".", 1)[0].upper()
    if stem in rules.reserved:
        problems.append(f"{stem} is a reserved device name on Windows")
    if rules.extensions and Path(name).suffix.lower() not in rules.extensions:
        problems.append(f"extension is not one of {', '.join(rules.extensions)}")
    return problems


def _raw_line(tracked: TrackedText, pos: int) -> int:
    return raw_line_number(tracked.raw, tracked.raw_offset(pos))


def _grouped_by_line(tracked: TrackedText, spans: Iterable[tuple[int, int]]) -> dict[int, list[str]]:
    """Cleaned-text spans grouped by the raw line where they start, in order."""
    out: dict[int, list[str]] = {}
    for start, end in spans:
        out.setdefault(_raw_line(tracked, start), []).append(tracked.text[start:end])
    return dict(sorted(out.items()))


def _short(pieces: list[str], limit: int = 3, width: int = 20) -> str:
    shown = [p if len(p) <= width else p[:width] + "…" for p in dict.fromkeys(pieces)]
    text = "、".join(repr(p) for p in shown[:limit])
    return text + (" …" if len(shown) > limit else "")


def _traditional_spans(text: str, config: Config, rules: CheckRules) -> list[tuple[int, int]]:
    """Characters that the ingest conversion (OpenCC `ingest.convert.opencc` plus its phrase
    `overrides`) would still change: `瞭解` in a simplified text, not `瞭望` nor `乾县`."""
    from .convert import convert_phrases

    def convert(piece: str) -> str:
        return convert_phrases(piece, config)

    pieces = [(0, text)]
    converted = [convert(text)]
    if len(converted[0]) != len(text):  # a phrase changed length somewhere: compare line by line
        pieces = []
        start = 0
        for line in text.split("\n"):
            pieces.append((start, line))
            start += len(line) + 1
        converted = [convert(line) for _, line in pieces]
    spans = []
    for (base, piece), out in zip(pieces, converted, strict=True):
        if len(out) == len(piece):  # a line whose length changed has no one-character residue to show
            spans += [(base + i, base + i + 1) for i, (a, b) in enumerate(zip(piece, out, strict=True))
                      if a != b and a not in rules.traditional_ignore]
    return spans


def _check_residue(out: _Collector, tracked: TrackedText, config: Config, rules: CheckRules) -> None:
    text = tracked.text
    if out.active("residual-traditional"):
        for line, chars in _grouped_by_line(tracked, _traditional_spans(text, config, rules)).items():
            out.add("residual-traditional", line,
                    f"traditional characters left after conversion: {_short(chars, 8)}")
    if out.active("residual-pinyin"):
        from .gloss import find_pinyin_glosses

        spans = [(e.start, e.end) for e in find_pinyin_glosses(text, config)]
        if rules.pinyin is not None:
            spans += [m.span() for m in rules.pinyin.finditer(text)]
        for line, pieces in _grouped_by_line(tracked, sorted(set(spans))).items():
            out.add("residual-pinyin", line, f"pinyin left in the body: {_short(pieces)}; "
                                             "extend the pinyin rules in ingest.yaml or fix the file")
    if out.active("mojibake"):
        from .repair import find_mojibake

        spans = [(e.start, e.end) for e in find_mojibake(text, config)]
        for pattern in rules.mojibake:
            spans += [m.span() for m in pattern.finditer(text)]
        for line, pieces in _grouped_by_line(tracked, sorted(set(spans))).items():
            out.add("mojibake", line, f"garbled text left in the body: {_short(pieces)}; "
                                      "replace the file with a correctly saved copy")
    if out.active("junk-left"):
        from .clean import find_junk

        for edit in find_junk(text, config):
            if edit.reason.removeprefix("junk:") in rules.junk_ignore:
                continue
            piece = text[edit.start:edit.end].strip() or text[edit.start:edit.end]
            out.add("junk-left", _raw_line(tracked, edit.start),
                    f"web-page junk still in the body ({edit.reason}): {_short([piece], 1, 30)}")


_MISSING = {
    "title": ("no document title found in the text (a headline or the file name stands in)", "title: …"),
    "date": ("no date found in the text (a page without the year?)", "date: 2023-03-15"),
    "level": ("the administrative level is not clear from the text", "level: provincial"),
    "region": ("no region found for a non-central document", "region: 湖南省"),
    "kind": ("the kind of document is not clear from the text (a default was assumed)", "kind: notice"),
}


def _check_metadata(out: _Collector, doc: Document, target: _Target) -> None:
    sidecar = _display(sidecar_path(target.path))
    sources = doc.metadata_sources or {}
    values = {
        # A headline or the file name standing in for a title is metadata's own fallback.
        "title": "" if str(sources.get("title", "")).startswith(("file-name", "headline")) else doc.title,
        # So is a date read from the file name: the text states none.
        "date": None if str(sources.get("date", "")).startswith("file-name") else doc.date,
        "level": doc.level,
        "region": doc.region,
        "kind": doc.kind if sources.get("kind") != "default" else None,  # a guess, not a finding
    }
    for name, value in values.items():
        if name == "region" and doc.level in (None, "central"):
            continue  # central documents have no region; an unknown level is reported already
        if not value:
            problem, example = _MISSING[name]
            out.add(f"missing-{name}", 1, f"{problem}; set it in the sidecar {sidecar} (e.g. {example})")


def _check_clauses(out: _Collector, tracked: TrackedText, clauses: list[Clause], kind: str | None,
                   rules: CheckRules) -> None:
    from .segment import PARAGRAPH_MARK, numbering_problems

    text = tracked.text
    for clause, message in numbering_problems(clauses):
        start = max(0, clause.start - len(clause.heading))
        out.add("numbering-gap", _raw_line(tracked, start), f"{message}; check the clause numbers")
    if kind not in rules.expect_numbered or not out.active("low-clause-coverage"):
        return
    body = len(text) - sum(1 for ch in text if ch.isspace())
    if body < rules.min_body_chars:
        return
    covered = bytearray(len(text))
    for clause in clauses:
        if clause.path and not clause.path.startswith(PARAGRAPH_MARK):
            lo = max(0, clause.start - len(clause.heading))
            covered[lo:clause.end] = b"\1" * (clause.end - lo)
    inside = sum(1 for i, ch in enumerate(text) if covered[i] and not ch.isspace())
    share = inside / body if body else 1.0
    if share >= rules.clause_coverage:
        return
    numbered = [c for c in clauses if c.path and not c.path.startswith(PARAGRAPH_MARK)]
    if numbered:
        first = numbered[0]
        where = _raw_line(tracked, max(0, first.start - len(first.heading)))
        detail = "the numbered clauses start only here"
    else:
        where = _first_body_line(tracked)
        detail = "no numbered clause found"
    out.add("low-clause-coverage", where,
            f"only {share:.0%} of the body is inside numbered clauses (expected at least "
            f"{rules.clause_coverage:.0%} for kind '{kind}'); {detail}")


def _first_body_line(tracked: TrackedText) -> int:
    text = tracked.text
    return _raw_line(tracked, len(text) - len(text.lstrip()))


def _sidecar_problem(exc: ConfigError, sidecar: Path) -> tuple[int, str]:
    """The line of a sidecar error (stated, or where the quoted key or value stands) and the
    message without the sidecar's path, which the finding names already."""
    message = str(exc)
    for prefix in (str(sidecar), sidecar.as_posix()):
        message = message.removeprefix(prefix + ":").strip()
    stated = _LINE_IN_MESSAGE.search(message)
    if stated:
        return int(stated.group(1)), message
    quoted = re.search(r"'([^']+)'", message)
    if quoted:
        try:
            lines = sidecar.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        for number, line in enumerate(lines, 1):
            if quoted.group(1) in line:
                return number, message
    return 1, message


def _check_sidecar(out: _Collector, target: _Target, config: Config) -> Path | None:
    """The target's sidecar if it is valid; an invalid one is a finding (and not used)."""
    if target.sidecar is None:
        return None
    from .sidecar import load_sidecar

    try:
        load_sidecar(target.sidecar, config)
    except ConfigError as exc:
        line, message = _sidecar_problem(exc, target.sidecar)
        out.add("invalid-sidecar", line, f"{message} (the document is checked without it)",
                file=_display(target.sidecar))
        return None
    return target.sidecar


def _check_personal_data(out: _Collector, raw: str, config: Config) -> None:
    from .pii import contains_personal_data

    by_line: dict[int, list[str]] = {}
    for kind, start, _end in contains_personal_data(raw, config):
        by_line.setdefault(raw_line_number(raw, start), []).append(kind)
    for line, kinds in sorted(by_line.items()):
        counted = ", ".join(k if (n := kinds.count(k)) == 1 else f"{k} ×{n}" for k in dict.fromkeys(kinds))
        # Never the value itself: CI logs are public more often than the corpus.
        out.add("personal-data", line, f"personal data ({counted}); ingest redacts it, but consider "
                                       "removing it from the raw file")


def _inspect(target: _Target, raw_dir: Path, config: Config, rules: CheckRules) -> _Inspected:
    """Run every single-file check on one target."""
    from .decode import read_raw_file
    from .pipeline import file_sha256

    out = _Collector(target.display, rules)
    result = _Inspected(target, out)
    if target.problem:
        code = "invalid-sidecar" if target.problem.startswith("sidecar") else "not-a-file"
        out.add(code, 1, f"{target.display}: {target.problem}")
        return result
    for problem in file_name_problems(target.path.name, rules.file_names):
        out.add("file-name", 1, f"{problem}; rename the file")
    try:
        raw = read_raw_file(target.path, config, name=target.display)
    except IngestError as exc:  # (a PDF or Word file says which format problem: `FormatError.code`)
        out.add(getattr(exc, "code", "encoding"), 1, str(exc).removeprefix(f"{target.display}: "))
        try:
            result.sha256 = file_sha256(target.path)
        except OSError:
            pass
        return result
    result.sha256 = raw.sha256
    text = raw.decoded.text
    if raw.decoded.encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig", "ascii", "pdf", "docx"):
        out.add("encoding-found", 1, f"decoded as {raw.decoded.encoding}; consider saving the file as UTF-8")
    # (a web page, PDF or Word file's warnings are its layout's findings, each with its code)
    findings = raw.layout.findings if raw.layout else [("encoding-damage", w) for w in raw.decoded.warnings]
    if findings:
        bad = text.find("\ufffd")
        line = raw_line_number(text, bad) if bad >= 0 else 1
    for code, warning in findings:
        out.add(code, line, warning.removeprefix(f"{target.display}: "))
    if out.active("personal-data"):
        _check_personal_data(out, text, config)
    sidecar = _check_sidecar(out, target, config)
    _check_content(result, raw, sidecar, config, rules)
    return result


def _check_content(result: _Inspected, raw: RawFile, sidecar: Path | None, config: Config,
                   rules: CheckRules) -> None:
    """Ingest the file as `corpus ingest` would (not stored) and check what it would store."""
    from .pipeline import process_raw
    from .sidecar import load_sidecar

    out, target = result.findings, result.target
    raw_text = raw.decoded.text
    try:
        doc = process_raw(raw, target.source or target.path.name, config,
                          sidecar_data=load_sidecar(sidecar, config) if sidecar else None)
    except BudgetError as exc:  # a rule that backtracks on this file: the other files go on
        out.add("too-slow", 1, exc.problem)
        return
    except IngestError:  # the file was read above, so what is left is an empty body
        out.add("empty-body", 1, "nothing left after cleaning (all of it is web-page junk or blank); "
                                 "check that the file holds the document's page")
        return
    tracked = TrackedText(doc.text, raw_text, map(tuple, doc.source_map))
    result.signature = _to_bytes(_signature_array(tracked.text, rules.similarity))
    _check_residue(out, tracked, config, rules)
    _check_metadata(out, doc, target)
    _check_clauses(out, tracked, doc.clauses, doc.kind, rules)
    if doc.kind in rules.expect_directives and out.active("no-directives") and not doc.duties:
        out.add("no-directives", _first_body_line(tracked),
                f"no directives found, though a document of kind '{doc.kind}' usually has them; "
                "check the kind, or the modality and actor lexicons")


# ---------------------------------------------------------------- checks across files


@dataclass(frozen=True, slots=True)
class _Known:
    """A document to compare with: a stored one or another file of the drop."""

    where: str  # the drop file's display path, or the stored document's source
    sha256: str
    signature: bytes | None
    drop_index: int | None  # position in the drop, None for a stored document

    def name(self, raw_dir: Path) -> str:
        """How a message names it (made only when needed: 10k paths cost a second)."""
        return self.where if self.drop_index is not None else _display(raw_dir / self.where)

    def current(self, raw_dir: Path) -> bool:
        """False for a stored document whose raw file is gone (renamed or deleted: ingest keeps
        such orphans until --prune), which must not make its renamed copy a duplicate."""
        return self.drop_index is not None or _stored_source_exists(raw_dir, self.where)


def _stored_source_exists(raw_dir: Path, source: str) -> bool:
    return not raw_dir.is_dir() or (raw_dir / source).exists()


def _cross_checks(items: list[_Inspected], store: list[IndexEntry], raw_dir: Path, rules: CheckRules) -> None:
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
                item.findings.add("doc-id", 1,
                                  f"same document id '{target.doc_id}' as {other}; rename one of them")
            elif stored_source is not None and stored_source != target.source \
                    and _stored_source_exists(raw_dir, stored_source):
                item.findings.add("doc-id", 1,
                                  f"same document id '{target.doc_id}' as the stored document from "
                                  f"{_display(raw_dir / stored_source)}; rename one of them")
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


def _near_duplicates(items: list[_Inspected], known: list[_Known], raw_dir: Path, rules: CheckRules) -> None:
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
            score = signature_similarity(_from_bytes(items[index].signature or b""), _from_bytes(sig))
            if score >= rules.near_duplicate and (index not in best or score > best[index][0]):
                best[index] = (score, other)
    for index, (score, other) in sorted(best.items(), key=lambda kv: kv[0]):
        name = other.name(raw_dir) + ("" if other.drop_index is None else " (in this drop)")
        how = "the same text after cleaning, though not the same bytes" if score >= 1.0 else \
            f"similarity {score:.2f} ≥ {rules.near_duplicate:.2f}"
        items[index].findings.add("near-duplicate", 1, f"near-duplicate of {name} ({how}); "
                                                       "keep one version, or give the other a distinct role")


# ---------------------------------------------------------------- entry point


def check_paths(
    paths: Sequence[Path] | None,
    *,
    raw_dir: Path,
    normalized_dir: Path,
    config: Config,
    since: str | None = None,
) -> CheckResult:
    """Check raw files for CI: decodes, cleans, metadata, structure, personal data, duplicates.

    Args:
        paths: files or folders to check; None or empty: every raw file (or, with `since`,
            those changed since the revision).
        raw_dir: the raw folder (sources and document ids are relative to it).
        normalized_dir: the store the files are compared with (may be missing: then only
            the files checked are compared with each other).
        config: the loaded config (`check.yaml` and every ingest stage's file).
        since: a git revision; only files under `raw_dir` changed since it are checked.

    Returns:
        Findings sorted by file, line and check order; `exit_code` is 1 when one is an error.

    Raises:
        ConfigError: bad check.yaml, bad `since` (usage errors: exit 2).
        InputFolderError: the raw folder or a given path does not exist (exit 2).
        StoreError: a stored document that the index needs cannot be read.
    """
    rules = check_rules(config)
    targets = select_targets(list(paths) if paths else None, raw_dir, since)
    if targets:
        from .pipeline import prepare_stages

        prepare_stages(config)  # a bad rule is one error for the run, not one per file
    result = CheckResult(files_checked=[t.display for t in targets])
    if since is not None and not targets:
        result.notes.append(f"no raw files changed since {since}")
    items = [_inspect(target, raw_dir, config, rules) for target in targets]
    store: list[IndexEntry] = []
    if normalized_dir.is_dir():
        store = refresh_index(normalized_dir, config, notes=result.notes)
    else:
        result.notes.append(f"no normalized store at {_display(normalized_dir)}: duplicates are only "
                            "looked for among the files checked (run `corpus ingest` first)")
    _cross_checks(items, store, raw_dir, rules)
    order = {code: i for i, code in enumerate(CODES)}
    findings = [f for item in items for f in item.findings.close()]
    result.findings = sorted(findings, key=lambda f: (f.file, f.line, order.get(f.code, 99), f.message))
    return result


# ---------------------------------------------------------------- output formats (pure)


def findings_to_json(findings: Sequence[Finding]) -> str:
    """The contract's JSON: a list of `{file, line, severity, code, message}`."""
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2) + "\n"


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


_GH_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def findings_to_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,title=…::message`, one per line."""
    lines = []
    for f in findings:
        props = f"file={_gh_property(f.file)},line={f.line},title={_gh_property('corpus check: ' + f.code)}"
        lines.append(f"::{_GH_COMMAND.get(f.severity, 'warning')} {props}::{_gh_data(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def findings_to_junit(findings: Sequence[Finding], files_checked: Sequence[str],
                      codes: Sequence[str] = CODES) -> str:
    """JUnit XML: a test suite per file, a test case per check; errors are failures.

    Warnings and notes are listed in the test case's `system-out` (JUnit has no
    warnings). Sidecar findings belong to the suite of their document.

    Args:
        findings: as returned in `CheckResult.findings`.
        files_checked: every file checked, so that clean files show passing tests.
        codes: the checks to list as test cases (the active ones).
    """
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        owner = f.file
        if is_sidecar(Path(owner)) and owner not in files_checked:
            stem = owner.removesuffix(SIDECAR_SUFFIX)
            owner = next((c for c in files_checked if c.rsplit(".", 1)[0] == stem), owner)
        by_file.setdefault(owner, []).append(f)
    files = list(dict.fromkeys([*files_checked, *by_file]))
    root = ET.Element("testsuites", name="corpus check")
    total_tests = total_failures = 0
    for file in files:
        suite = ET.SubElement(root, "testsuite", name=file)
        mine = by_file.get(file, [])
        failures = 0
        for code in codes:
            case = ET.SubElement(suite, "testcase", name=code, classname=file, time="0")
            found = [f for f in mine if f.code == code]
            for f in found:
                if f.severity == "error":
                    failure = ET.SubElement(case, "failure", message=f"line {f.line}: {f.message}", type=code)
                    failure.text = f"{f.file}:{f.line}: {f.message}"
            if any(f.severity == "error" for f in found):
                failures += 1
            others = [f for f in found if f.severity != "error"]
            if others:
                ET.SubElement(case, "system-out").text = "\n".join(
                    f"{f.severity}: {f.file}:{f.line}: {f.message}" for f in others)
        suite.set("tests", str(len(codes)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "0")
        total_tests += len(codes)
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def active_codes(config: Config) -> tuple[str, ...]:
    """The finding codes whose severity is not `off` (the checks that run)."""
    severity = check_rules(config).severity
    return tuple(c for c in CODES if severity.get(c) != "off")


def format_findings(result: CheckResult, fmt: str, config: Config) -> str:
    """Render `result` as `json`, `github` or `junit` text (the `text` format is report_check's)."""
    if fmt == "json":
        return findings_to_json(result.findings)
    if fmt == "github":
        return findings_to_github(result.findings)
    if fmt == "junit":
        return findings_to_junit(result.findings, result.files_checked, active_codes(config))
    raise ConfigError(f"unknown check format '{fmt}' (json, github, junit)")


__all__ = [
    "CODES",
    "CheckResult",
    "Finding",
    "IndexEntry",
    "active_codes",
    "changed_files",
    "check_paths",
    "check_rules",
    "document_signature",
    "file_name_problems",
    "findings_to_github",
    "findings_to_json",
    "findings_to_junit",
    "format_findings",
    "refresh_index",
    "select_targets",
    "signature_similarity",
]

