"""What `corpus check` finds and how: finding codes, the records of a run, and `check.yaml` compiled.

Severities and thresholds come from the team's `configs/check.yaml` over the packaged one,
key by key, so a team file that sets a few severities keeps every other default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import Config, compile_rule, per_config
from ..errors import ConfigError

SEVERITIES = ("error", "warning", "info", "off")  # off: the check does not run

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


# How a person finds a place in a file of each unit (`Extracted.unit`): a PDF's page, a Word
# file's or web page's paragraph.
_PLACE_LABELS = {"page": "p. {}", "paragraph": "¶ {}"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one file: where (raw line, 1-based), how bad, which check, what to do.

    A PDF, DOCX or web page is found by page or paragraph, not by lines: its `line` counts lines
    of the extracted text (kept for the contract), `unit` says what `place` counts, and `place`
    is None for a finding about the whole file.
    """

    file: str
    line: int
    severity: str  # error | warning | info
    code: str
    message: str
    unit: str = "line"  # line (a text file) | page (PDF) | paragraph (DOCX, web page)
    place: int | None = None

    @property
    def by_line(self) -> bool:
        """True when `line` is a line of the file itself (a text file, a sidecar)."""
        return self.unit == "line"

    @property
    def where(self) -> str:
        """The place as a person looks for it: `12` (line), `p. 2`, `¶ 14`; "" for the whole file."""
        if self.by_line:
            return str(self.line)
        return "" if self.place is None else _PLACE_LABELS[self.unit].format(self.place)

    def at(self) -> str:
        """The file and the place: `data/raw/a.txt:12`, `data/raw/b.pdf (p. 2)`, `data/raw/b.pdf`."""
        if self.by_line:
            return f"{self.file}:{self.line}"
        return f"{self.file} ({self.where})" if self.where else self.file

    def to_dict(self) -> dict:
        """The contract's record; a PDF's finding adds `page`, a DOCX's or web page's `paragraph`
        (null for the whole file) beside `line`."""
        record: dict = {"file": self.file, "line": self.line}
        if not self.by_line:
            record[self.unit] = self.place
        record.update(severity=self.severity, code=self.code, message=self.message)
        return record


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


def active_codes(config: Config) -> tuple[str, ...]:
    """The finding codes whose severity is not `off` (the checks that run)."""
    severity = check_rules(config).severity
    return tuple(c for c in CODES if severity.get(c) != "off")
