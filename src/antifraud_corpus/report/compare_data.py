"""`corpus compare` as data for programs and spreadsheets: the contract's JSON (streamed) and CSV.

Split from the renderers for people (`report_compare`): these outputs follow the contract field for
field and must stay byte-stable, and at 20k documents they are gigabytes, written piece by piece.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import msgspec

from ..compare import (
    DIFF_COLUMNS,
    Comparison,
    collector_paused,
    comparison_to_json,
    diff_rows,
    summary_to_json,
)
from ..export import write_csv
from ..files import write_output


def iter_json(comparison: Comparison) -> Iterator[bytes]:
    """The contract's JSON as UTF-8 pieces, one document, matrix row or diff per line.

    Streaming keeps memory flat on large corpora (a million diffs would not fit as one string), and
    one record per line keeps the file readable and `grep`-able; it is ordinary JSON. msgspec encodes
    each record in C, several times faster than the standard library's encoder on these records.
    """
    data = comparison_to_json(comparison, diffs=False)
    encode = msgspec.json.Encoder().encode

    def records(key: str, items: Iterator[object] | list) -> Iterator[bytes]:
        return encoded_records(key, (encode(item) for item in items))

    def encoded_records(key: str, pieces: Iterator[bytes]) -> Iterator[bytes]:
        # separator and piece yielded apart: a piece can be a document's diffs, megabytes long
        yield b'  "%s": [' % key.encode()
        first = True
        for piece in pieces:
            yield b"\n    " if first else b",\n    "
            yield piece
            first = False
        yield b"\n  ]" if not first else b"]"

    def mapping(key: str, value: dict) -> Iterator[bytes]:
        yield b'  "%s": {' % key.encode()
        for number, (name, row) in enumerate(value.items()):
            yield (b"\n    " if not number else b",\n    ") + encode(name) + b": " + encode(row)
        yield b"\n  }" if value else b"}"

    yield b"{\n"
    yield from records("documents", data["documents"])
    yield b",\n"
    yield from mapping("coverage", data["coverage"])
    yield b",\n"
    yield from mapping("actors", data["actors"])
    yield b",\n"
    yield from encoded_records("diffs", comparison.diffs.json_documents())  # (a document's records, one per line)
    yield b",\n"
    yield from encoded_records("timeline", comparison.timeline.json_entries(encode))
    yield b",\n"
    yield from records("summary", (summary_to_json(s) for s in comparison.summaries))
    yield b",\n"
    yield b'  "warnings": ' + encode(data["warnings"]) + b"\n}\n"


def render_json(comparison: Comparison) -> str:
    """The contract's JSON (`compare --format json`) as one string."""
    return b"".join(iter_json(comparison)).decode("utf-8")


def write_json_stream(comparison: Comparison, path: Path) -> None:
    """Write the JSON to `path` piece by piece, atomically (temporary file, then rename)."""
    def write(fh: IO[bytes]) -> None:
        # Pieces are records, mostly small: joining them up to a megabyte per write halves the time,
        # and a bound in bytes (not pieces) keeps a run of large timeline records from piling up.
        # A large piece (a document's diffs, read back from the spool) is written as it is: joining
        # it would copy gigabytes once more.
        batch: list[bytes] = []
        size = 0
        for piece in iter_json(comparison):
            if len(piece) >= 1 << 16:
                fh.write(b"".join(batch))
                fh.write(piece)
                batch.clear()
                size = 0
                continue
            batch.append(piece)
            size += len(piece)
            if size >= 1 << 20:
                fh.write(b"".join(batch))
                batch.clear()
                size = 0
        fh.write(b"".join(batch))

    with collector_paused():
        write_output(path, write)


def render_csv(comparison: Comparison) -> str:
    """The diffs as CSV, one row per diff (`compare.DIFF_COLUMNS`), Excel-safe like the exports: a
    byte-order mark so that Excel reads UTF-8, and no cell a spreadsheet would run as a formula."""
    buffer = io.StringIO(newline="")
    write_csv(diff_rows(comparison), buffer, list(DIFF_COLUMNS))
    return "\ufeff" + buffer.getvalue()
