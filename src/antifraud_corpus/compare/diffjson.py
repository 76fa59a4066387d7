"""The diffs' JSON records made straight from the compact rows, one local document at a time.

At 20k documents the JSON holds millions of diffs: building a dict per diff for the encoder
(`rows.diff_record`) cost more than encoding it. Here a record is the bytes `diff_record` would be
encoded to, put together from pieces msgspec encoded (each directive once, while it recurs), so a
diff costs a few concatenations. `rows.diff_record` stays the definition; the tests hold the two
byte for byte equal.

`JsonSpool` keeps what the workers render (`run.compare_all`): each process appends its documents'
records to its own temporary file and sends back where they are, so the JSON neither travels back
through a pipe nor waits in memory; writing the output copies them in document order. The workers
of a cluster that see the folder write there too (`JsonSpool(folder)`, `distributed.DaskAlign`).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import msgspec

from ..errors import file_error
from .features import Item
from .records import ROW_STATUS

SEPARATOR = b",\n    "  # between two diff records in `report.compare_data.iter_json`
_REFERENCES_KEPT = 20_000  # encoded reference directives a renderer keeps (one recurs in many diffs)


class DiffJson:
    """Renders diff rows (`run.compare_doc`) of local documents as the encoded `rows.diff_record`s."""

    def __init__(self, items: list[list[Item]], side_record: Callable[[Item, bool], dict]) -> None:
        self._items = items
        self._side_record = side_record  # `rows.directive_to_json` of an item, with its document or not
        self._encode = msgspec.json.Encoder().encode
        self._references: dict[tuple[int, int], bytes] = {}
        self._statuses: dict[str, bytes] = {}

    def document(self, doc_id: str, doc: int, rows: list[tuple]) -> bytes:
        """The records of one local document's rows, in their order, joined by `SEPARATOR`."""
        encode, reference, items = self._encode, self._reference, self._items
        locals_: dict[int, bytes] = {}  # a local directive recurs only in its own document's diffs

        def local(pos: int) -> bytes:
            found = locals_.get(pos)
            if found is None:
                found = locals_[pos] = encode(self._side_record(items[doc][pos], False))
            return found

        head = b'{"doc_id":' + encode(doc_id) + b',"status":'
        records = []
        for row in rows:
            kind = row[0]
            if kind == "m":
                _, pos, ref_doc, ref_pos, score, text, later, status, reasons, undated = row
                records.append(b"".join((
                    head, self._status(status), b',"local":', local(pos),
                    b',"reference":', reference(items[ref_doc][ref_pos]),
                    b',"similarity":', encode(score), b',"text_similarity":', encode(text),
                    b',"reference_later":', encode(later), b',"reference_undated":', encode(undated),
                    b',"reasons":', encode(reasons), b"}")))
            elif kind == "o":
                records.append(b"".join((
                    head, self._status(ROW_STATUS[kind]), b',"reference":', reference(items[row[1]][row[2]]),
                    b',"similarity":', encode(row[3]), _UNALIGNED_TAIL)))
            else:
                records.append(b"".join((
                    head, self._status(ROW_STATUS[kind]), b',"local":', local(row[1]),
                    b',"similarity":0.0', _UNALIGNED_TAIL)))
        return SEPARATOR.join(records)

    def record(self, value: object) -> bytes:
        """Any other record, encoded as the JSON writer encodes it."""
        return self._encode(value)

    def _status(self, status: str) -> bytes:
        found = self._statuses.get(status)
        if found is None:
            found = self._statuses[status] = self._encode(status)
        return found

    def _reference(self, item: Item) -> bytes:
        """The encoded `rows.directive_to_json` of a reference directive (with its document), kept for
        its next diffs (up to a bound)."""
        key = (item.doc, item.pos)
        found = self._references.get(key)
        if found is None:
            if len(self._references) >= _REFERENCES_KEPT:
                self._references.clear()
            found = self._references[key] = self._encode(self._side_record(item, True))
        return found


# what follows the similarity in a diff without a counterpart (`rows.diff_record` with its defaults)
_UNALIGNED_TAIL = b',"text_similarity":0.0,"reference_later":false,"reference_undated":false,"reasons":[]}'


class JsonSpool:
    """Temporary files of rendered diff records, one per process that writes (named by its pid).

    Made before the workers fork; each process opens its file on its first write. The folder is
    removed with the spool (`close`, or when it is collected), after the output has copied the records.
    """

    def __init__(self, folder: str | None = None) -> None:
        # None: a new folder, removed with this spool; else the folder of another process's spool, whose
        # files are named apart (a cluster's workers may share a file system, not their pids).
        self._folder = tempfile.TemporaryDirectory(prefix="corpus-compare-") if folder is None else None
        self.folder = self._folder.name if self._folder is not None else folder
        self._prefix = "" if folder is None else f"{uuid.uuid4().hex}-"
        self._files: dict[int, tuple[int, int]] = {}  # pid of a process that writes -> (fd, bytes written)
        self._readers: dict[str, int] = {}  # file name -> fd open for reading (the output reads them all)

    def put(self, data: bytes) -> tuple[str, int, int]:
        """Append `data` to this process's file: (file name, offset, length) to read it back.

        Raises:
            WriteError: the temporary folder cannot be written (`DiskFullError` when it is full).
        """
        pid = os.getpid()
        name = f"{self._prefix}{pid}.json"
        path = Path(self.folder) / name
        try:
            fd, size = self._files.get(pid) or (os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 0)
            self._files[pid] = (fd, size)
            view = memoryview(data)
            while view:
                view = view[os.pwrite(fd, view, size + len(data) - len(view)):]
        except OSError as exc:
            raise file_error(exc, path, action="write a temporary file of the compare JSON") from None
        self._files[pid] = (fd, size + len(data))
        return name, size, len(data)

    def get(self, where: tuple[str, int, int]) -> bytes:
        """The bytes `put` stored at `where`."""
        name, offset, length = where
        fd = self._readers.get(name)
        if fd is None:
            fd = self._readers[name] = os.open(Path(self.folder) / name, os.O_RDONLY)
        return os.pread(fd, length, offset)

    def finish_writing(self) -> None:
        """Close the files this process wrote (the workers' close as they exit)."""
        for fd, _ in self._files.values():
            os.close(fd)
        self._files.clear()

    def close(self) -> None:
        """Remove the files (those of the folder this spool made)."""
        self.finish_writing()
        for fd in self._readers.values():
            os.close(fd)
        self._readers.clear()
        if self._folder is not None:
            self._folder.cleanup()

    def __getstate__(self) -> None:
        raise TypeError("a JsonSpool stays on its machine: its files are local")  # (never sent to a cluster)
