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
    assert result.exit_code == 2
    assert result.stderr == f"Error: nope: no such document in {store}; `corpus list` lists the ids\n"
    typo = runner.invoke(main, ["explain", "000_888081b4012a42cb", "--normalized", str(store)])
    assert (typo.exit_code, typo.stderr) == (2, f"Error: 000_888081b4012a42cb: no such document in {store}; "
                                                 "did you mean 000_888081b4012a42ca?\n")
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


@needs_dev_full
@pytest.mark.parametrize("command", [["compare"], ["explain", "000_888081b4012a42ca"]], ids=" ".join)
def test_standard_output_on_a_full_disk_is_one_line_exit_1(ingested_seeds, command):
    store, _ = ingested_seeds
    with DEV_FULL.open("w") as full:
        result = subprocess.run([sys.executable, "-m", "antifraud_corpus.cli", *command, "--normalized", str(store)],
                                stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert (result.returncode, result.stderr) == (
        1, "Error: standard output: no space left on device; free some space and run again\n")


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


# --------------------------------------------------------------------------- output safety

HOSTILE_ID = "[bold red]x<img src=x onerror=alert(1)>`|"
HOSTILE_TITLE = "标题\x1b]0;pwned\x07\x1b[31m红[blink]闪\u2028伪造\x9b2J"
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # all but tab and line feed


@pytest.fixture()
def hostile_store(tmp_path: Path) -> Path:
    """A central document and a provincial one whose id, title and sentence hold markup and escape sequences."""
    from antifraud_corpus.models import Mention
    from antifraud_corpus.store import write_document
    from test_store import make_document

    store = tmp_path / "store"
    write_document(store, make_document("central"))
    doc = make_document(HOSTILE_ID)
    doc.title, doc.level, doc.region, doc.province = HOSTILE_TITLE, "provincial", "湖南省", "湖南省"
    sentence = "公安机关要\x1b[2J加强打击。"
    doc.text = "一、" + sentence
    doc.duties[0].sentence, doc.duties[0].end = sentence, 2 + len(sentence)
    doc.duties[0].measures[0] = Mention("crackdown", "打击", 13, 15, "cue:打击")  # after the escape sequence
    write_document(store, doc)
    return store


@pytest.mark.parametrize("command", [["explain", HOSTILE_ID], ["compare"], ["compare", "--lang", "zh"]],
                         ids=lambda c: " ".join(c[:1] + c[2:]))
def test_terminal_output_shows_user_data_literally(runner, hostile_store, command):
    result = runner.invoke(main, [*command, "--normalized", str(hostile_store)])
    assert result.exit_code == 0, result.output
    assert not TERMINAL_CONTROLS.search(result.output)
    assert "\\x1b]0;pwned\\x07" in result.stdout  # shown, escaped, where it was
    assert "[bold red]x" in result.stdout  # rich markup in an id is text
    if command[0] == "explain":
        # (in a pipe the tags are bracketed: report_explain.MARKS)
        assert "[blink]" in result.stdout and "[公安机关]<要>\\x1b[2J加强{打击}。" in result.stdout


def test_markdown_renders_ids_and_titles_as_text(runner, hostile_store):
    from markdown_it import MarkdownIt

    result = runner.invoke(main, ["compare", "--format", "markdown", "--normalized", str(hostile_store)])
    assert result.exit_code == 0 and not TERMINAL_CONTROLS.search(result.stdout)
    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(result.stdout)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;`|" in page
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "湖南省" in line]
    assert rows and all(line.count(" | ") == 5 for line in rows)  # a `|` in the data splits no cell


def test_check_output_shows_file_names_literally(runner, tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a\x1b[31m[bold]b.txt").write_text("关于加强反诈宣传的通知\n各单位要加强反诈宣传。\n", encoding="utf-8")
    for fmt in ("text", "github", "json", "junit"):
        result = runner.invoke(main, ["check", "--raw", str(raw), "--normalized", str(tmp_path / "none"),
                                      "--format", fmt])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert not TERMINAL_CONTROLS.search(result.output), fmt
        assert "a\\x1b[31m[bold]b.txt" in result.stdout.replace("\\\\", "\\"), fmt


def test_an_error_stays_one_line_whatever_the_path_holds(runner, tmp_path: Path):
    forged = tmp_path / "x\nError: forged\x1b[2K"
    result = runner.invoke(main, ["export", "duties", "--normalized", str(forged)])
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {tmp_path}/x\\nError: forged\\x1b[2K: no normalized store here; "
                             "run `corpus ingest` first\n")


@pytest.mark.parametrize("doc_id", ["../secret", "../../x/secret", "sub/../../secret", ".manifest"])
def test_explain_reads_only_stored_documents(runner, ingested_seeds, tmp_path, doc_id):
    import shutil

    store = tmp_path / "a" / "b"
    shutil.copytree(ingested_seeds[0], store)
    (tmp_path / "x").mkdir()
    for outside in (tmp_path / "a" / "secret.json", tmp_path / "x" / "secret.json"):  # valid documents, not stored
        shutil.copy(next(store.glob("0*.json")), outside)
    result = runner.invoke(main, ["explain", doc_id, "--normalized", str(store)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"Error: {doc_id}: not a document id (a raw file's name without its extension, "
                             "no folders); `corpus list` lists the ids\n")
