"""`file_error`: an OS error becomes one line naming the file and the cause the OS gives."""

import errno
import os

import pytest

from antifraud_corpus.errors import DiskFullError, IngestError, StoreError, WriteError, file_error


def os_error(code: int) -> OSError:
    return OSError(code, os.strerror(code))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_device_is_disk_full_whatever_was_being_done(code):
    for action, error in (("write", WriteError), ("read", IngestError)):
        found = file_error(os_error(code), "out/x.csv", action=action, error=error)
        assert isinstance(found, DiskFullError)
        assert str(found).startswith("out/x.csv: no space left on device")
    assert str(file_error(os_error(errno.EDQUOT), "x")) == (
        "x: no space left on device (disk quota exceeded); free some space and run again")


@pytest.mark.parametrize(("code", "message"), [
    (errno.EACCES, "x.csv: cannot write (Permission denied); check the permissions of the file and its folder"),
    (errno.EROFS, "x.csv: cannot write (Read-only file system); the file system is read-only; use another place"),
    (errno.ENAMETOOLONG, "x.csv: cannot write (File name too long); shorten the name"),
    (errno.EISDIR, "x.csv: cannot write (Is a directory); give a file, not a folder"),
    (errno.EIO, "x.csv: cannot write (Input/output error); check the file and the device it is on"),
])
def test_other_causes_are_named_as_the_os_names_them(code, message):
    found = file_error(os_error(code), "x.csv")
    assert type(found) is WriteError and str(found) == message


def test_reading_keeps_the_caller_s_error_class():
    found = file_error(os_error(errno.EACCES), "store/a.json", action="read", error=StoreError)
    assert type(found) is StoreError
    assert str(found) == ("store/a.json: cannot read (Permission denied); "
                          "check the permissions of the file and its folder")
