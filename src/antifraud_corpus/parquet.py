"""Parquet exports for analysis at scale: documents, duties and compare diffs, partitioned by level and province.

The rows are those of the CSV and JSONL exports (`export.document_rows`,
`export.duty_rows`, `compare.diff_rows`), typed (offsets as integers, scores as
floats, a document's clauses and removed pieces as lists of structs), written as
a folder of Parquet files in hive layout: `level=provincial/province=湖南省/part-0.parquet`
(values percent-encoded in the folder names, as Spark writes them; a missing value is
`__HIVE_DEFAULT_PARTITION__`). DuckDB (`read_parquet('DIR/**/*.parquet', hive_partitioning
= true)`) and Spark read `level` and `province` back as columns and skip the folders a query
filters out. Duty and diff rows have no `province` in CSV; here they gain it, as the
partition column that the layout needs.

The folder is written beside its target under a temporary name and renamed into place when
whole; an earlier export at that path is replaced, any other non-empty folder is refused.
pyarrow is the optional extra `[parquet]`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from .config import Config
from .errors import ExportError, MissingExtraError, file_error
from .export import DUTY_COLUMNS, document_rows, duty_rows
from .files import TMP_PREFIX
from .filters import DutyFilter
from .models import Document

Table = Literal["documents", "duties", "diffs"]
PARTITIONS = ("level", "province")
INSTALL_HINT = "pip install 'antifraud-corpus[parquet]'"
_BATCH_ROWS = 4096  # rows converted at a time: a large export is never held whole
_INTEGERS = {"start", "end", "reference_start", "reference_end"}
_FLOATS = {"similarity", "text_similarity"}
_BOOLEANS = {"reference_later", "reference_undated"}
DIFF_PARQUET_COLUMNS = ("doc_id", "level", "province", "region", "date", "status", "clause", "sentence", "actors",
                        "modality", "measures", "start", "end", "reference_doc_id", "reference_level",
                        "reference_date", "reference_clause", "reference_sentence", "reference_actors",
                        "reference_modality", "reference_measures", "reference_start", "reference_end", "similarity",
                        "text_similarity", "reference_later", "reference_undated", "reasons")


def _pyarrow() -> tuple[Any, Any]:
    """`pyarrow` and `pyarrow.dataset`, or a one-line error naming the extra to install.

    Raises:
        MissingExtraError: pyarrow is not installed.
    """
    try:
        import pyarrow
        import pyarrow.dataset
    except ImportError:
        raise MissingExtraError(f"--format parquet needs pyarrow, which is not installed; run {INSTALL_HINT}"
                                ) from None
    return pyarrow, pyarrow.dataset


def parquet_schema(table: Table) -> Any:
    """The Arrow schema of one export: the CSV/JSONL fields, typed."""
    pa, _ = _pyarrow()
    if table == "documents":
        clause = pa.struct([("path", pa.string()), ("text", pa.string()), ("start", pa.int64()),
                            ("end", pa.int64()), ("heading", pa.string()), ("chapter", pa.string()),
                            ("page", pa.int64()), ("paragraph", pa.int64())])
        removed = pa.struct([("text", pa.string()), ("reason", pa.string())])
        nested = {"clauses": pa.list_(clause), "removed": pa.list_(removed), "warnings": pa.list_(pa.string())}
        from .models import RECORD_FIELDS

        return pa.schema([(name, nested.get(name, pa.string())) for name in RECORD_FIELDS])
    columns = DIFF_PARQUET_COLUMNS if table == "diffs" else (*DUTY_COLUMNS[:3], "province", *DUTY_COLUMNS[3:])

    def kind(name: str) -> Any:
        if name in _INTEGERS:
            return pa.int64()
        if name in _FLOATS:
            return pa.float64()
        return pa.bool_() if name in _BOOLEANS else pa.string()

    return pa.schema([(name, kind(name)) for name in columns])


def write_parquet(rows: Iterable[dict], table: Table, out_dir: Path) -> int:
    """Write `rows` as a hive-partitioned Parquet folder (by level and province); return the row count.

    Rows go in order, a batch at a time, on one thread: the files of two exports of one store
    hold the same rows in the same order.

    Raises:
        MissingExtraError: pyarrow is not installed.
        ExportError: `out_dir` is a non-empty folder that is not a Parquet export.
        WriteError: the folder cannot be written (`DiskFullError` when the device is full).
    """
    pa, ds = _pyarrow()
    schema = parquet_schema(table)
    partitioning = ds.partitioning(pa.schema([schema.field(name) for name in PARTITIONS]), flavor="hive")
    count = 0

    def batches() -> Iterator[Any]:
        nonlocal count
        iterator = iter(rows)
        while chunk := list(islice(iterator, _BATCH_ROWS)):
            count += len(chunk)
            yield pa.RecordBatch.from_pylist(chunk, schema=schema)

    with _replaced_folder(out_dir) as tmp:
        ds.write_dataset(batches(), tmp, schema=schema, format="parquet", partitioning=partitioning,
                         basename_template="part-{i}.parquet", use_threads=False,
                         existing_data_behavior="overwrite_or_ignore")
    return count


def export_parquet(kind: Literal["documents", "duties"], docs: Iterable[Document], config: Config,
                   keep: DutyFilter, out_dir: Path) -> int:
    """`export documents|duties --format parquet`: the export's rows, partitioned; return the row count."""
    if kind == "documents":
        return write_parquet(document_rows(docs), "documents", out_dir)
    provinces: dict[str, str | None] = {}

    def noted(documents: Iterable[Document]) -> Iterator[Document]:
        for doc in documents:  # (each document is seen before its rows are made)
            provinces[doc.doc_id] = doc.province
            yield doc

    rows = ({**row, "province": provinces[row["doc_id"]]} for row in duty_rows(noted(docs), config, keep))
    return write_parquet(rows, "duties", out_dir)


def export_diffs_parquet(comparison: Any, out_dir: Path) -> int:
    """`compare --format parquet`: one row per diff (`compare.diff_rows`), partitioned; return the row count."""
    from .compare import diff_rows

    provinces = {info.doc_id: info.province for info in comparison.documents}
    return write_parquet(({**row, "province": provinces.get(row["doc_id"])} for row in diff_rows(comparison)),
                         "diffs", out_dir)


def _is_export(folder: Path) -> bool:
    """Whether `folder` is empty or holds only what a Parquet export writes (`level=…` folders)."""
    return all(entry.is_dir() and entry.name.startswith("level=") for entry in folder.iterdir())


@contextmanager
def _replaced_folder(out_dir: Path) -> Iterator[Path]:
    """A new temporary folder beside `out_dir` that takes its place when the block ends without error.

    Raises:
        ExportError: `out_dir` holds something other than an earlier export (it is not replaced).
        WriteError: a folder cannot be made, written or renamed.
    """
    if out_dir.is_dir() and not _is_export(out_dir):
        raise ExportError(f"{out_dir}: folder holds files that are not a Parquet export; give a new or empty folder")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out_dir.parent))
    except OSError as exc:
        raise file_error(exc, out_dir) from None
    try:
        yield tmp
        old = out_dir.parent / f"{TMP_PREFIX}old-{uuid.uuid4().hex}"
        if out_dir.is_dir():
            os.rename(out_dir, old)
        os.rename(tmp, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise file_error(exc, out_dir) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["DIFF_PARQUET_COLUMNS", "INSTALL_HINT", "PARTITIONS", "export_diffs_parquet", "export_parquet",
           "parquet_schema", "write_parquet"]
