"""`corpus list`: the stored documents as a terminal table, CSV or JSONL.

Ids are printed whole, never cut, so that any of them can be copied into `--doc` or `corpus explain`.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from ..doc_ids import SHOWN
from . import plain

if TYPE_CHECKING:
    from ..compare import DocumentInfo

_TITLE_CELLS = 24  # a title is cut to no fewer cells than this (12 Chinese characters)
LIST_COLUMNS = ["doc_id", "level", "region", "province", "date", "kind", "title", "duties"]


def listing_rows(documents: Iterable[DocumentInfo]) -> Iterator[dict]:
    """The listing's rows as `LIST_COLUMNS` dicts (`duties`: the directives the filters keep)."""
    for doc in documents:
        yield {"doc_id": doc.doc_id, "level": doc.level, "region": doc.region, "province": doc.province,
               "date": doc.date, "kind": doc.kind, "title": doc.title, "duties": doc.n_duties}


def absent_regions_note(regions: Sequence[str], stored: Sequence[str]) -> str | None:
    """Why a listing by `regions` (as documents name them) is empty when no stored document is in any of them.

    The filter took them (real places), so the zero is honest; the note names where the store's
    documents are, so that a place missing from the corpus is not taken for one with no policy.
    None when a document is in one of them (other filters emptied the listing).

    >>> absent_regions_note(["北京市"], ["山西省", "湖南省"])
    'no stored document is in 北京市; the store has documents in 山西省, 湖南省'
    """
    if not regions or not set(regions).isdisjoint(stored):
        return None
    if not stored:
        where = "no stored document names a region"
    else:
        more = f", … ({len(stored)} in all; `corpus list` shows them)" if len(stored) > SHOWN else ""
        where = f"the store has documents in {', '.join(stored[:SHOWN])}{more}"
    return f"no stored document is in {' or '.join(regions)}; {where}"


def render_listing(console: Console, documents: Iterable[DocumentInfo], fmt: str) -> int:
    """Print the listing as a table (`table`), Excel-safe CSV with a BOM (`csv`) or JSONL; return the count."""
    from ..export import write_csv, write_jsonl

    rows = listing_rows(documents)
    if fmt != "table":
        buffer = io.StringIO(newline="")
        count = write_csv(rows, buffer, LIST_COLUMNS) if fmt == "csv" else write_jsonl(rows, buffer)
        sys.stdout.write(("\ufeff" if fmt == "csv" else "") + buffer.getvalue())
        return count
    listed = []
    for row in rows:
        region = row["region"] or ""
        if row["province"] and row["province"] != region:
            region = f"{region} ({row['province']})"
        listed.append((plain(row["doc_id"]), plain(row["level"] or "?"), plain(region), plain(row["date"] or "?"),
                       plain(row["kind"] or "?"), plain(row["title"]), plain(str(row["duties"]))))
    if not listed:
        console.print("0 documents")  # (the filters were checked: a real place or actor with nothing here)
        return 0
    headers = ("id", "level", "region", "date", "kind", "title", "duties")
    columns = zip(*listed, strict=True) if listed else [()] * len(headers)
    widths = [max([cell_len(header)] + [cell.cell_len for cell in column])
              for header, column in zip(headers, columns, strict=True)]
    fixed = sum(widths) - widths[5] + 2 * (len(widths) - 1)  # (two cells between columns)
    # The title alone is cut (with an ellipsis) to fit the terminal: an id cut short could not be typed
    # back, and a date or region cut would mislead. A terminal too narrow even so gets longer lines.
    title_cells = min(widths[5], max(console.width - fixed, _TITLE_CELLS))
    if fixed + title_cells > console.width:
        console = Console(file=console.file, width=fixed + title_cells, highlight=False, no_color=console.no_color,
                          force_terminal=console.is_terminal)
    table = Table(box=None, pad_edge=False, header_style="bold", caption_justify="left")
    for header, width in zip(headers, widths, strict=True):
        if header == "title":
            table.add_column(header, no_wrap=True, overflow="ellipsis", width=title_cells)
        else:
            table.add_column(header, no_wrap=True, width=width, justify="right" if header == "duties" else "left")
    for cells in listed:
        table.add_row(*cells)
    duties = sum(int(cells[-1].plain) for cells in listed)
    table.caption = f"{len(listed)} document{'s' * (len(listed) != 1)}, {duties} directive{'s' * (duties != 1)}"
    console.print(table)
    return len(listed)
