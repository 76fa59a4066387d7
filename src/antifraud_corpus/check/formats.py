"""Machine formats of a check run (pure functions): the contract's JSON, GitHub annotations, JUnit XML.

The `text` format for people is drawn by `report_check.py`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from ..config import Config
from ..errors import ConfigError
from ..stages.sidecar import SUFFIX as SIDECAR_SUFFIX
from ..stages.sidecar import is_sidecar
from .rules import CODES, CheckResult, Finding, active_codes


def findings_to_json(findings: Sequence[Finding]) -> str:
    """The contract's JSON: a list of `{file, line, severity, code, message}`, with `page` (PDF)
    or `paragraph` (DOCX, web page) beside `line` for a file people find their way in by those."""
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2) + "\n"


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


_GH_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def findings_to_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,title=…::message`, one per line.

    GitHub places an annotation on a line of the file in the repository: a PDF, DOCX or web page
    has no line of its extracted text there, so its annotation is on the file, with the page or
    paragraph at the head of the message (`p. 2: …`).
    """
    lines = []
    for f in findings:
        line = f",line={f.line}" if f.by_line else ""
        message = f.message if f.by_line or not f.where else f"{f.where}: {f.message}"
        props = f"file={_gh_property(f.file)}{line},title={_gh_property('corpus check: ' + f.code)}"
        lines.append(f"::{_GH_COMMAND.get(f.severity, 'warning')} {props}::{_gh_data(message)}")
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
                    failure = ET.SubElement(case, "failure", message=_junit_message(f), type=code)
                    failure.text = f"{f.at()}: {f.message}"
            if any(f.severity == "error" for f in found):
                failures += 1
            others = [f for f in found if f.severity != "error"]
            if others:
                ET.SubElement(case, "system-out").text = "\n".join(
                    f"{f.severity}: {f.at()}: {f.message}" for f in others)
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


def _junit_message(finding: Finding) -> str:
    """`line 12: …`, `p. 2: …`, or the message alone for the whole of a PDF, DOCX or web page."""
    if finding.by_line:
        return f"line {finding.line}: {finding.message}"
    return f"{finding.where}: {finding.message}" if finding.where else finding.message


def format_findings(result: CheckResult, fmt: str, config: Config) -> str:
    """Render `result` as `json`, `github` or `junit` text (the `text` format is report_check's)."""
    if fmt == "json":
        return findings_to_json(result.findings)
    if fmt == "github":
        return findings_to_github(result.findings)
    if fmt == "junit":
        return findings_to_junit(result.findings, result.files_checked, active_codes(config))
    raise ConfigError(f"unknown check format '{fmt}' (json, github, junit)")
