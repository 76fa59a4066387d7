"""files.py: atomic writes that leave no temporary file, and one typed line when a write fails."""

import errno
import io
import os
import stat
import threading
from pathlib import Path

import pytest

from antifraud_corpus.errors import DiskFullError, WriteError
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
