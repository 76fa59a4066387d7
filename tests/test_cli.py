"""The CLI as a whole: help texts, start-up cost, exit codes of the read-only commands."""

import re
import stat
import subprocess
import sys
import time
from pathlib import Path

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


DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not (DEV_FULL.exists() and stat.S_ISCHR(DEV_FULL.stat().st_mode)),
                                    reason="no /dev/full here")
NO_SPACE = "Error: /dev/full: no space left on device; free some space and run again\n"


@needs_dev_full
@pytest.mark.parametrize("command", [["export", "duties", "--format", "csv"], ["export", "documents"],
                                     ["compare", "--format", "json"], ["compare", "--format", "markdown"]],
                         ids=" ".join)
def test_output_on_a_full_disk_is_one_line_exit_1(runner, ingested_seeds, command):
    store, _ = ingested_seeds
    result = runner.invoke(main, [*command, "--normalized", str(store), "-o", str(DEV_FULL)])
    assert (result.exit_code, result.stderr) == (1, NO_SPACE)
    assert stat.S_ISCHR(DEV_FULL.stat().st_mode)  # written in place, not replaced by a file


@pytest.mark.parametrize("command", [["export", "duties"], ["export", "duties", "--format", "sqlite"], ["compare"]],
                         ids=" ".join)
def test_output_naming_a_folder_is_bad_usage(runner, ingested_seeds, tmp_path, command):
    store, _ = ingested_seeds
    result = runner.invoke(main, [*command, "--normalized", str(store), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (f"Error: Invalid value for '-o' / '--output': File '{tmp_path}' "
                                              "is a directory.")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="no /proc here")
@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
def test_output_to_a_special_file_that_cannot_be_written_is_one_line_exit_1(runner, ingested_seeds, fmt):
    store, _ = ingested_seeds
    result = runner.invoke(main, ["export", "duties", "--format", fmt, "--normalized", str(store),
                                  "-o", "/proc/version"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    # (the cause is the kernel's: no such file as root, permission denied otherwise)
    assert re.fullmatch(r"Error: /proc/version: cannot make a file in /proc \((No such file or directory|"
                        r"Permission denied)\); [^\n]+\n", result.stderr)
