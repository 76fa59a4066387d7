"""files.py: atomic writes that leave no temporary file, and one typed line when a write fails."""

import errno
import io
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from antifraud_corpus.cli import main
from antifraud_corpus.errors import DiskFullError, OutputFolderError, WriteError
from antifraud_corpus.files import TMP_PREFIX, GuardedStream, atomic_path, write_atomic, write_output

DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not (DEV_FULL.exists() and stat.S_ISCHR(DEV_FULL.stat().st_mode)),
                                    reason="no /dev/full here")


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path, full_disk):
    target = tmp_path / "x.json"
    target.write_text("old\n")
    full_disk()
    with pytest.raises(DiskFullError) as caught:
        write_atomic(target, "new\n")
    assert str(caught.value) == f"{target}: no space left on device; free some space and run again"
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path) == []


def test_a_folder_in_the_way_is_named_with_its_cause(tmp_path: Path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(WriteError) as caught:
        write_output(tmp_path / "out.csv", "a\n")
    assert str(caught.value) == f"{tmp_path / 'out.csv'}: cannot write (Is a directory); give a file, not a folder"
    assert leftovers(tmp_path) == []


def test_a_name_too_long_is_named_with_its_cause(tmp_path: Path):
    target = tmp_path / ("a" * 300 + ".csv")
    with pytest.raises(WriteError) as caught:
        write_output(target, "a\n")
    assert str(caught.value) == f"{target}: cannot write (File name too long); shorten the name"
    assert leftovers(tmp_path) == []


def test_two_writers_of_one_path_never_share_a_temporary_file(tmp_path: Path):
    target = tmp_path / "corpus.db"
    with atomic_path(target) as first, atomic_path(target) as second:
        assert first != second and first.parent == second.parent == tmp_path
        first.write_text("first")
        second.write_text("second")
    assert target.read_text() == "first"  # the last to finish wins, whole
    assert leftovers(tmp_path) == []


def test_a_failed_block_removes_its_temporary_file(tmp_path: Path):
    with pytest.raises(KeyError), atomic_path(tmp_path / "x") as tmp:
        tmp.write_text("half")
        raise KeyError("boom")
    assert list(tmp_path.iterdir()) == []


@needs_dev_full
def test_a_device_is_written_in_place_and_never_replaced():
    with pytest.raises(DiskFullError) as caught:
        write_output(DEV_FULL, "x" * 10)
    assert str(caught.value) == "/dev/full: no space left on device; free some space and run again"
    with pytest.raises(WriteError, match=r"^/dev/full: cannot write \(a device or a pipe, not a file\)"):
        write_atomic(DEV_FULL, "x")
    assert stat.S_ISCHR(DEV_FULL.stat().st_mode)


def test_a_pipe_is_written_in_place(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_output(fifo, "一行\n")
    reader.join(timeout=10)
    assert received == ["一行\n".encode()] and stat.S_ISFIFO(fifo.stat().st_mode)


def test_standard_output_on_a_full_disk_is_one_typed_line():
    class Full(io.StringIO):
        def write(self, text):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(DiskFullError, match="^standard output: no space left on device"):
        GuardedStream(Full()).write("a")
    assert GuardedStream(io.StringIO()).getvalue() == ""  # the rest is the stream's own


def test_a_closed_pipe_is_left_to_click():
    class Closed(io.StringIO):
        def flush(self):
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    with pytest.raises(BrokenPipeError):
        GuardedStream(Closed()).flush()


# --------------------------------------------------------------------------- modes, failed writes, missing folders

@pytest.fixture()
def umask():
    """`umask(mask)` sets the process umask for the test; the old one is put back after."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


def write_with_atomic_path(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


WRITERS = {"write_atomic": write_atomic, "write_output": write_output, "atomic_path": write_with_atomic_path}


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_get_the_mode_the_umask_gives(tmp_path: Path, umask, writer, mask, mode):
    umask(mask)
    writer(tmp_path / "new.csv", "a\n")
    (tmp_path / "old.csv").write_text("old\n")
    (tmp_path / "old.csv").chmod(0o600)
    writer(tmp_path / "old.csv", "a\n")  # (a replaced file too: the rename keeps the new file's mode)
    assert [stat.S_IMODE((tmp_path / name).stat().st_mode) for name in ("new.csv", "old.csv")] == [mode, mode]


@pytest.mark.parametrize("writer", [write_atomic, write_output], ids=["write_atomic", "write_output"])
def test_a_write_failing_midway_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path, writer):
    target = tmp_path / "duties.csv"
    target.write_text("old\n")

    def half_then_fail(fh):
        fh.write(b"half of the new")
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    with pytest.raises(WriteError) as caught:
        writer(target, half_then_fail)
    assert str(caught.value) == f"{target}: cannot write (Input/output error); check the file and the device it is on"
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", [write_output, write_with_atomic_path], ids=["write_output", "atomic_path"])
def test_a_file_the_user_named_in_a_missing_folder_is_refused_not_made(tmp_path: Path, writer):
    target = tmp_path / "no such" / "out" / "x.csv"
    with pytest.raises(OutputFolderError) as caught:
        writer(target, "a\n")
    folder = tmp_path / "no such" / "out"
    assert str(caught.value) == (f"{target}: the folder {folder} does not exist; "
                                 f"make it first (mkdir -p '{folder}') or write somewhere else")
    assert list(tmp_path.iterdir()) == []


def test_the_stores_own_files_make_their_folder(tmp_path: Path):
    write_atomic(tmp_path / "store" / "d1.json", "{}\n")
    assert (tmp_path / "store" / "d1.json").read_text() == "{}\n"


# --------------------------------------------------------------------------- the same through the CLI

@pytest.mark.parametrize("command", [["export", "duties"], ["export", "documents", "--format", "sqlite"],
                                     ["compare", "--format", "html"]], ids=" ".join)
def test_output_into_a_missing_folder_is_bad_usage_in_one_line(runner, ingested_seeds, tmp_path, command):
    store, _ = ingested_seeds
    target = tmp_path / "missing" / "x.out"
    result = runner.invoke(main, [*command, "--normalized", str(store), "-o", str(target)])
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {target}: the folder {tmp_path / 'missing'} does not exist; "
           f"make it first (mkdir -p {tmp_path / 'missing'}) or write somewhere else\n")
    assert list(tmp_path.iterdir()) == []


def test_a_check_summary_into_a_missing_folder_is_bad_usage_before_any_file_is_checked(runner, ingested_seeds,
                                                                                        tmp_path):
    store, _ = ingested_seeds
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "broken.txt").write_bytes(b"\xff\xfe\x00")  # (would be an error finding, exit 1, if it were checked)
    target = tmp_path / "missing" / "s.md"
    result = runner.invoke(main, ["check", str(raw / "broken.txt"), "--raw", str(raw), "--normalized", str(store),
                                  "--summary", str(target)])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"Error: {target}: the folder {tmp_path / 'missing'} does not exist; "
               f"make it first (mkdir -p {tmp_path / 'missing'}) or write somewhere else\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


def test_exports_and_reports_are_readable_by_others_under_umask_022(runner, ingested_seeds, tmp_path, umask):
    store, _ = ingested_seeds
    umask(0o022)
    for command, name in [(["export", "duties"], "duties.csv"), (["export", "duties", "--format", "sqlite",
                                                                  "--no-diffs"], "corpus.db"),
                          (["compare", "--format", "json"], "compare.json")]:
        result = runner.invoke(main, [*command, "--normalized", str(store), "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()} == {
        "duties.csv": 0o644, "corpus.db": 0o644, "compare.json": 0o644}


def test_a_sqlite_export_failing_midway_keeps_the_old_database_and_leaves_nothing(runner, ingested_seeds, tmp_path,
                                                                                  monkeypatch):
    from antifraud_corpus import export

    store, _ = ingested_seeds
    target = tmp_path / "corpus.db"
    target.write_bytes(b"the old database")

    def fail_midway(db, diffs):  # (documents, clauses and duties are in the database by now)
        assert db.execute("SELECT count(*) FROM duties").fetchone()[0] > 0
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(export, "_fill_diffs", fail_midway)
    result = runner.invoke(main, ["export", "duties", "--format", "sqlite", "--normalized", str(store),
                                  "-o", str(target)])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {target}: cannot write (disk I/O error); check the file and the device it is on\n")
    assert target.read_bytes() == b"the old database"
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.db"]
