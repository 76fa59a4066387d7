"""`check_paths`: choose the files, check each, hold them against the store and each other."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config import Config
from .duplicates import cross_checks
from .file_checks import inspect_target
from .index import IndexEntry, refresh_index
from .rules import CODES, CheckResult, check_rules
from .targets import display_path, select_targets


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
        from ..pipeline import prepare_stages

        prepare_stages(config)  # a bad rule is one error for the run, not one per file
    result = CheckResult(files_checked=[t.display for t in targets])
    if since is not None and not targets:
        result.notes.append(f"no raw files changed since {since}")
    items = [inspect_target(target, raw_dir, config, rules) for target in targets]
    store: list[IndexEntry] = []
    if normalized_dir.is_dir():
        store = refresh_index(normalized_dir, config, notes=result.notes)
    else:
        result.notes.append(f"no normalized store at {display_path(normalized_dir)}: duplicates are only "
                            "looked for among the files checked (run `corpus ingest` first)")
    cross_checks(items, store, raw_dir, rules)
    order = {code: i for i, code in enumerate(CODES)}
    findings = [f for item in items for f in item.findings.close()]
    result.findings = sorted(findings, key=lambda f: (f.file, f.line, order.get(f.code, 99), f.message))
    return result
