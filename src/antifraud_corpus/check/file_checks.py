"""Checks of one file: its name, decoding, personal data, sidecar, and what ingest would store of it.

Each file runs through the same stages as ingest (decode, clean, metadata, segment,
extract), not stored; every problem is a finding at the 1-based line of the *raw* file
where it shows, so that annotations point at the line a person has to fix (and, in a PDF,
DOCX or web page, at its page or paragraph: `Collector.add_at`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Config
from ..errors import BudgetError, ConfigError, IngestError
from ..models import Clause, Document
from ..stages.decode import RawFile
from ..stages.formats import Extracted, FormatError, sniff_format
from ..stages.sidecar import sidecar_path
from ..text.safetext import printable
from ..text.textmap import TrackedText, raw_line_number
from .rules import CheckRules, FileNameRules, Finding
from .signatures import signature_array, signature_bytes
from .targets import Target, display_path

_LINE_IN_MESSAGE = re.compile(r"line (\d+)")


class Collector:
    """Findings of one file: severity from check.yaml (off: dropped), at most `max_per_code` each."""

    def __init__(self, display: str, rules: CheckRules) -> None:
        self.display = display
        self.rules = rules
        self.findings: list[Finding] = []
        self._counts: dict[str, int] = {}
        self._text = ""
        self._layout: Extracted | None = None
        self._unit = "line"  # what the file's findings are located by (see `Finding.unit`)

    def read(self, text: str, layout: Extracted | None) -> None:
        """The file's text as read (decoded, or extracted from a PDF, DOCX or web page) and its
        layout, which `add_at` locates offsets with."""
        self._text = text
        self._layout = layout
        self._unit = layout.unit if layout is not None else "line"

    def unreadable(self, unit: str) -> None:
        """A PDF, DOCX or web page that could not be read: its findings are about the whole file."""
        self._unit = unit

    def active(self, code: str) -> bool:
        return self.rules.severity.get(code, "warning") != "off"

    def add(self, code: str, line: int, message: str, *, file: str | None = None) -> None:
        """A finding at `line` of the file (1 for the whole file), or of `file` (a sidecar)."""
        unit = self._unit if file is None else "line"
        self._append(Finding(file or self.display, max(1, line), "", code, message, unit))

    def add_at(self, code: str, offset: int, message: str) -> None:
        """A finding at `offset` of the file's text: its line, and its page or paragraph in a
        PDF, DOCX or web page (located as ingest locates clauses)."""
        line = raw_line_number(self._text, offset)
        if self._layout is None:
            self._append(Finding(self.display, line, "", code, message))
        else:
            self._append(Finding(self.display, line, "", code, message, self._layout.unit,
                                 self._layout.locate(offset)))

    def _append(self, finding: Finding) -> None:
        code = finding.code
        if not self.active(code):
            return
        self._counts[code] = self._counts.get(code, 0) + 1
        if self._counts[code] <= self.rules.max_per_code:
            # One line with nothing a terminal or a CI log would obey, in every format: messages quote the text.
            self.findings.append(replace(finding, severity=self.rules.severity[code],
                                         message=printable(finding.message)))

    def close(self) -> list[Finding]:
        """The findings, the last of a capped code saying how many more there were."""
        for code, count in self._counts.items():
            extra = count - self.rules.max_per_code
            if extra > 0:
                last = max(i for i, f in enumerate(self.findings) if f.code == code)
                f = self.findings[last]
                self.findings[last] = replace(f, message=f"{f.message} (and {extra} more like it)")
        return self.findings


@dataclass(slots=True)
class Inspected:
    """One checked file: its findings and what the cross-file checks need."""

    target: Target
    findings: Collector
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


def _grouped_by_line(tracked: TrackedText, spans: Iterable[tuple[int, int]]) -> list[tuple[int, list[str]]]:
    """Cleaned-text spans grouped by the raw line where they start, in line order: the raw
    offset of each line's first span, and the spans' text."""
    out: dict[int, tuple[int, list[str]]] = {}
    for start, end in spans:
        at = tracked.raw_offset(start)
        out.setdefault(raw_line_number(tracked.raw, at), (at, []))[1].append(tracked.text[start:end])
    return [out[line] for line in sorted(out)]


def _short(pieces: list[str], limit: int = 3, width: int = 20) -> str:
    shown = [p if len(p) <= width else p[:width] + "…" for p in dict.fromkeys(pieces)]
    text = "、".join(repr(p) for p in shown[:limit])
    return text + (" …" if len(shown) > limit else "")


def _traditional_spans(text: str, config: Config, rules: CheckRules) -> list[tuple[int, int]]:
    """Characters that the ingest conversion (OpenCC `ingest.convert.opencc` plus its phrase
    `overrides`) would still change: `瞭解` in a simplified text, not `瞭望` nor `乾县`."""
    from ..stages.convert import convert_phrases

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


def _check_residue(out: Collector, tracked: TrackedText, config: Config, rules: CheckRules) -> None:
    text = tracked.text
    if out.active("residual-traditional"):
        for at, chars in _grouped_by_line(tracked, _traditional_spans(text, config, rules)):
            out.add_at("residual-traditional", at,
                       f"traditional characters left after conversion: {_short(chars, 8)}")
    if out.active("residual-pinyin"):
        from ..stages.gloss import find_pinyin_glosses

        spans = [(e.start, e.end) for e in find_pinyin_glosses(text, config)]
        if rules.pinyin is not None:
            spans += [m.span() for m in rules.pinyin.finditer(text)]
        for at, pieces in _grouped_by_line(tracked, sorted(set(spans))):
            out.add_at("residual-pinyin", at, f"pinyin left in the body: {_short(pieces)}; "
                                                "extend the pinyin rules in ingest.yaml or fix the file")
    if out.active("mojibake"):
        from ..stages.repair import find_mojibake

        spans = [(e.start, e.end) for e in find_mojibake(text, config)]
        for pattern in rules.mojibake:
            spans += [m.span() for m in pattern.finditer(text)]
        for at, pieces in _grouped_by_line(tracked, sorted(set(spans))):
            out.add_at("mojibake", at, f"garbled text left in the body: {_short(pieces)}; "
                                         "replace the file with a correctly saved copy")
    if out.active("junk-left"):
        from ..stages.clean import find_junk

        for edit in find_junk(text, config):
            if edit.reason.removeprefix("junk:") in rules.junk_ignore:
                continue
            piece = text[edit.start:edit.end].strip() or text[edit.start:edit.end]
            out.add_at("junk-left", tracked.raw_offset(edit.start),
                       f"web-page junk still in the body ({edit.reason}): {_short([piece], 1, 30)}")


_MISSING = {
    "title": ("no document title found in the text (a headline or the file name stands in)", "title: …"),
    "date": ("no date found in the text (a page without the year?)", "date: 2023-03-15"),
    "level": ("the administrative level is not clear from the text", "level: provincial"),
    "region": ("no region found for a non-central document", "region: 湖南省"),
    "kind": ("the kind of document is not clear from the text (a default was assumed)", "kind: notice"),
}


def _check_metadata(out: Collector, doc: Document, target: Target) -> None:
    sidecar = display_path(sidecar_path(target.path))
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


def _check_clauses(out: Collector, tracked: TrackedText, clauses: list[Clause], kind: str | None,
                   rules: CheckRules) -> None:
    from ..stages.segment import PARAGRAPH_MARK, numbering_problems

    text = tracked.text
    for clause, message in numbering_problems(clauses):
        start = max(0, clause.start - len(clause.heading))
        out.add_at("numbering-gap", tracked.raw_offset(start), f"{message}; check the clause numbers")
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
        where = tracked.raw_offset(max(0, first.start - len(first.heading)))
        detail = "the numbered clauses start only here"
    else:
        where = _first_body_offset(tracked)
        detail = "no numbered clause found"
    out.add_at("low-clause-coverage", where,
               f"only {share:.0%} of the body is inside numbered clauses (expected at least "
               f"{rules.clause_coverage:.0%} for kind '{kind}'); {detail}")


def _first_body_offset(tracked: TrackedText) -> int:
    text = tracked.text
    return tracked.raw_offset(len(text) - len(text.lstrip()))


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


def _check_sidecar(out: Collector, target: Target, config: Config) -> Path | None:
    """The target's sidecar if it is valid; an invalid one is a finding (and not used)."""
    if target.sidecar is None:
        return None
    from ..stages.sidecar import load_sidecar

    try:
        load_sidecar(target.sidecar, config)
    except ConfigError as exc:
        line, message = _sidecar_problem(exc, target.sidecar)
        out.add("invalid-sidecar", line, f"{message} (the document is checked without it)",
                file=display_path(target.sidecar))
        return None
    return target.sidecar


def _check_personal_data(out: Collector, raw: str, config: Config) -> None:
    from ..stages.pii import contains_personal_data

    by_line: dict[int, tuple[int, list[str]]] = {}
    for kind, start, _end in contains_personal_data(raw, config):
        by_line.setdefault(raw_line_number(raw, start), (start, []))[1].append(kind)
    for line in sorted(by_line):
        at, kinds = by_line[line]
        counted = ", ".join(k if (n := kinds.count(k)) == 1 else f"{k} ×{n}" for k in dict.fromkeys(kinds))
        # Never the value itself: CI logs are public more often than the corpus.
        out.add_at("personal-data", at, f"personal data ({counted}); ingest redacts it, but consider "
                                        "removing it from the raw file")


def _unit_of_unread(path: Path) -> str:
    """What a PDF, DOCX or web page that could not be read would have been located by."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)  # (enough to tell a PDF: every other format counts paragraphs)
    except OSError:
        return "paragraph"
    return "page" if sniff_format(path.name, head) in ("pdf", "ofd") else "paragraph"


def _check_file_name(out: Collector, target: Target, rules: CheckRules) -> None:
    for problem in file_name_problems(target.path.name, rules.file_names):
        out.add("file-name", 1, f"{problem}; rename the file")


def inspect_target(target: Target, raw_dir: Path, config: Config, rules: CheckRules) -> Inspected:
    """Run every single-file check on one target."""
    from ..rawfiles import file_sha256
    from ..stages.decode import read_raw_file

    out = Collector(target.display, rules)
    result = Inspected(target, out)
    if target.problem:
        code = "invalid-sidecar" if target.problem.startswith("sidecar") else "not-a-file"
        out.add(code, 1, f"{target.display}: {target.problem}")
        return result
    try:
        raw = read_raw_file(target.path, config, name=target.display)
    except IngestError as exc:  # (a PDF or Word file says which format problem: `FormatError.code`)
        if isinstance(exc, FormatError):  # (raised by the reader of a format that is not text)
            out.unreadable(_unit_of_unread(target.path))
        _check_file_name(out, target, rules)
        out.add(getattr(exc, "code", "encoding"), 1, str(exc).removeprefix(f"{target.display}: "))
        try:
            result.sha256 = file_sha256(target.path)
        except OSError:
            pass
        return result
    result.sha256 = raw.sha256
    text = raw.decoded.text
    out.read(text, raw.layout)  # (before any finding: a PDF's findings about the whole file name no line)
    _check_file_name(out, target, rules)
    if raw.decoded.encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig", "ascii", "pdf", "docx", "ofd"):
        out.add("encoding-found", 1, f"decoded as {raw.decoded.encoding}; consider saving the file as UTF-8")
    # (every warning of reading the file with its code: a web page, PDF or Word file's from its layout)
    findings = raw.findings
    bad = text.find("\ufffd") if findings else -1
    for code, warning in findings:
        message = warning.removeprefix(f"{target.display}: ")
        if bad >= 0:
            out.add_at(code, bad, message)
        else:
            out.add(code, 1, message)
    if out.active("personal-data"):
        _check_personal_data(out, text, config)
    sidecar = _check_sidecar(out, target, config)
    _check_content(result, raw, sidecar, config, rules)
    return result


def _check_content(result: Inspected, raw: RawFile, sidecar: Path | None, config: Config,
                   rules: CheckRules) -> None:
    """Ingest the file as `corpus ingest` would (not stored) and check what it would store."""
    from ..pipeline import process_raw
    from ..stages.sidecar import load_sidecar

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
    result.signature = signature_bytes(signature_array(tracked.text, rules.similarity))
    _check_residue(out, tracked, config, rules)
    _check_metadata(out, doc, target)
    _check_clauses(out, tracked, doc.clauses, doc.kind, rules)
    if doc.kind in rules.expect_directives and out.active("no-directives") and not doc.duties:
        out.add_at("no-directives", _first_body_offset(tracked),
                   f"no directives found, though a document of kind '{doc.kind}' usually has them; "
                   "check the kind, or the modality and actor lexicons")
