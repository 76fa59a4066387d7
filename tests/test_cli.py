"""The CLI as a whole: help texts, start-up cost, exit codes of the read-only commands."""

import subprocess
import sys
import time

import click
import pytest

from antifraud_corpus.cli import main


def all_commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix}{name} ")


@pytest.mark.parametrize(("name", "command"), list(all_commands(main)), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_with_an_example(runner, name, command):
    result = runner.invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "corpus " in result.output


def test_import_and_help_load_no_dictionary():
    code = ("import sys, time; t = time.perf_counter(); import antifraud_corpus.cli; "
            "from click.testing import CliRunner; CliRunner().invoke(antifraud_corpus.cli.main, ['--help']); "
            "heavy = [m for m in ('jieba', 'rjieba', 'opencc', 'pypinyin') if m in sys.modules]; "
            "print(heavy, time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "[]"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "antifraud_corpus.cli", "--help"], capture_output=True, check=True)
    assert time.perf_counter() - start < 2.0  # generous for a shared machine; typically ~0.2 s


def test_bad_usage_is_exit_2(runner):
    assert runner.invoke(main, ["export", "duties", "--format", "xml"]).exit_code == 2
    assert runner.invoke(main, ["nonsense"]).exit_code == 2


def test_export_needs_a_store(runner, tmp_path):
    result = runner.invoke(main, ["export", "duties", "--normalized", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "run `corpus ingest` first" in result.stderr


def test_explain_unknown_document(runner, ingested_seeds):
    store, _ = ingested_seeds
    result = runner.invoke(main, ["explain", "nope", "--normalized", str(store)])
    assert result.exit_code == 2 and "no such document" in result.stderr
    result = runner.invoke(main, ["explain", "000_888081b4012a42ca", "五", "--normalized", str(store)])
    assert result.exit_code == 0
    assert "financial_regulator" in result.stdout and "target: financial_institution" in result.stdout


def test_export_sqlite_needs_output(runner, ingested_seeds):
    store, _ = ingested_seeds
    result = runner.invoke(main, ["export", "duties", "--format", "sqlite", "--normalized", str(store)])
    assert result.exit_code == 1 and "needs -o FILE" in result.stderr


def test_export_csv_to_stdout_has_bom(runner, ingested_seeds):
    store, _ = ingested_seeds
    result = runner.invoke(main, ["export", "duties", "--format", "csv", "--normalized", str(store)])
    assert result.exit_code == 0 and result.stdout.startswith("\ufeffdoc_id,")
