"""budget.py: a rule a user adds that backtracks cannot stall a run; the document fails, the batch goes on."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from antifraud_corpus.cli import main
from antifraud_corpus.config import default_config_dir, load_config
from antifraud_corpus.errors import BudgetError, ConfigError
from antifraud_corpus.stages.budget import document_budget, document_seconds
from conftest import SEED_PATHS

# A rule that backtracks without bound: every split of the run of x is tried before `!`.
_CATASTROPHIC = "(x+x+)+[yz]"
_HOSTILE_PAGE = "关于加强反诈宣传工作的通知\n各单位要加强反诈宣传。\n正文" + "x" * 40 + "!z\n"


@pytest.fixture()
def user_config(tmp_path: Path) -> Path:
    """A --config folder whose clean.yaml adds one catastrophic inline rule to the shipped ones."""
    folder = tmp_path / "configs"
    folder.mkdir()
    rules = yaml.safe_load((default_config_dir() / "clean.yaml").read_text(encoding="utf-8"))
    rules["inline_rules"].append({"id": "my-rule", "pattern": _CATASTROPHIC})
    (folder / "clean.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_backtracking_user_rule_fails_its_document_within_the_budget(runner, tmp_path, user_config, workers):
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in SEED_PATHS[:2]:
        shutil.copy(path, raw / path.name)
    (raw / "hostile.txt").write_text(_HOSTILE_PAGE, encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(main, ["ingest", "--raw", str(raw), "--normalized", str(tmp_path / "normalized"),
                                  "--config", str(user_config), "--set", "ingest.document_seconds=1",
                                  "--workers", workers])
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"{elapsed:.0f} s: the budget did not stop the rule"
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if "hostile.txt" in line]
    assert lines == [
        "error hostile.txt: stopped after 1 s, past the 1 s a document may take (ingest.yaml document_seconds); "
        "a rule in clean.yaml may backtrack: check the patterns you added there, or raise the budget"]
    stored = sorted(p.stem for p in (tmp_path / "normalized").glob("*.json") if not p.name.startswith("."))
    assert stored == [p.stem for p in SEED_PATHS[:2]]


def test_the_budget_interrupts_a_match_and_names_the_stage_that_ran(config):
    limited = load_config(default_config_dir(), ["ingest.document_seconds=0.3"])
    started = time.monotonic()
    with pytest.raises(BudgetError, match=r"^page.txt: stopped after 0 s, past the 0.3 s .* check your config"):
        with document_budget(limited, "page.txt"):
            re.search(_CATASTROPHIC, "x" * 40 + "!z")
    assert time.monotonic() - started < 3
    with document_budget(limited, "page.txt"):
        pass  # (and the alarm is off again afterwards)
    time.sleep(0.4)


@pytest.mark.parametrize("value, message", [
    ("-1", "ingest.yaml: document_seconds: expected a number of seconds"),
    ("'soon'", "'document_seconds': expected a number, got text ('soon')"),
    ("true", "'document_seconds': expected a number, got true or false (True)"),
    ("1e12", "'document_seconds': expected a number, got text ('1e12')"),  # (YAML 1.1: no dot, no number)
])
def test_a_budget_that_is_not_a_number_of_seconds_is_a_config_error(value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        document_seconds(load_config(default_config_dir(), [f"ingest.document_seconds={value}"]))


def test_the_shipped_budget_is_generous(config):
    assert document_seconds(config) == 120


def test_check_reports_a_document_past_its_budget_as_a_finding_and_goes_on(runner, tmp_path, user_config):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED_PATHS[1], raw / SEED_PATHS[1].name)  # (a page without a year: a finding)
    (raw / "hostile.txt").write_text(_HOSTILE_PAGE, encoding="utf-8")
    result = runner.invoke(main, ["check", str(raw), "--normalized", str(tmp_path / "none"), "--format", "json",
                                  "--config", str(user_config), "--set", "ingest.document_seconds=1"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    import json

    findings = json.loads(result.stdout)
    slow = [f for f in findings if f["code"] == "too-slow"]
    assert len(slow) == 1 and slow[0]["file"].endswith("hostile.txt") and slow[0]["severity"] == "error"
    assert "document_seconds" in slow[0]["message"]
    assert any(f["file"].endswith(SEED_PATHS[1].name) for f in findings)  # the other file was checked too
