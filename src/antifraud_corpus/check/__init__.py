"""`corpus check`: the CI gate that keeps broken, duplicate or unusable documents out of the corpus.

New or changed raw files run through the same stages as ingest (decode,
clean, metadata, segment, extract) and are held against the normalized store
and against each other. Every problem becomes a `Finding` with a stable code,
a severity from `configs/check.yaml` and the 1-based line of the *raw* file
where it shows, so that GitHub annotations and JUnit reports point at the
line a person has to fix. A PDF is found by page and a DOCX or web page by
paragraph instead (`Finding.unit`, `Finding.place`, located as ingest locates
clauses): a line of their extracted text is nowhere to be seen in the file.

The package follows a run: `rules` (codes, records, check.yaml), `targets`
(which files), `file_checks` (one file at a time), `signatures` and `index`
(MinHash and the store's check index), `duplicates` (across files), `runner`
(`check_paths`), `formats` (json, github, junit; the text format is
`report_check.py`, with the other terminal renderers).

Speed: a store of 10k documents is not read document by document. The check
keeps a compact index next to the store (`check-index.jsonl`: per document its
source, raw SHA-256 and a 128-bin MinHash signature) that it brings up to date
from the manifest, reading only documents that changed since the index was
written. Near-duplicates are found with one-permutation MinHash and LSH bands.
"""

from __future__ import annotations

from .file_checks import file_name_problems
from .formats import findings_to_github, findings_to_json, findings_to_junit, format_findings
from .index import INDEX_NAME, IndexEntry, refresh_index
from .rules import CODES, SEVERITIES, CheckResult, CheckRules, Finding, active_codes, check_rules
from .runner import check_paths
from .signatures import document_signature, signature_similarity
from .targets import changed_files, select_targets

__all__ = [
    "CODES",
    "INDEX_NAME",
    "SEVERITIES",
    "CheckResult",
    "CheckRules",
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
