"""Document ids as users type them (any unique prefix, the shortest labels that type back), and
what to say when two files claim one.

A store's ids (`000_888081b4012a42ca`, `lrb-0e1462c0d935`) are long; researchers type `000`.
The store, the filters and the renderers all resolve and show ids the same way, from here.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import PurePath

from .errors import FilterError

SHOWN = 12  # valid values or matches named in one message at most


def closest(value: str, known: Sequence[str]) -> list[str]:
    """Up to three of `known` most like `value`, the likest first and equals in order (difflib reverses them)."""
    close = difflib.get_close_matches(value, known, n=3)
    return sorted(close, key=lambda match: (-difflib.SequenceMatcher(None, value, match).ratio(), match))


def labelled(option: str, value: str) -> str:
    """What a message puts before its colon: `--doc 000` after a flag, `doc=000` after a keyword, else the value.

    >>> labelled("--doc", "000"), labelled("doc=", "000"), labelled("", "000")
    ('--doc 000', 'doc=000', '000')
    """
    if not option:
        return value
    return f"{option}{value}" if option.endswith("=") else f"{option} {value}"


def resolve_prefix(typed: str, ids: Sequence[str], *, option: str = "", where: str = "") -> str:
    """The one id of `ids` that is `typed` or starts with it (`000` → `000_888081b4012a42ca`).

    An id typed in full wins over the longer ids it is a prefix of, so every id can be typed back.

    Args:
        typed: what the user typed.
        ids: the known ids, sorted.
        option: the option it came from (`--doc`, or the keyword `doc=`), put before the value in messages.
        where: the store, named in messages (`no such document in data/normalized`).

    Raises:
        FilterError: no id starts with `typed` (the closest ids are suggested), or several do.
    """
    import bisect

    label = labelled(option, typed)
    start = bisect.bisect_left(ids, typed)
    if start < len(ids) and ids[start] == typed:
        return typed
    matches = []
    for doc_id in ids[start:]:
        if not doc_id.startswith(typed):
            break
        matches.append(doc_id)
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(matches[:SHOWN]) + (f", … ({len(matches)} in all)" if len(matches) > SHOWN else "")
        raise FilterError(f"{label}: {len(matches)} document ids start with it ({shown}); type more of the id")
    close = closest(typed, ids)
    hint = f"did you mean {' or '.join(close)}?" if close else "`corpus list` lists the ids"
    raise FilterError(f"{label}: no such document in {where}; {hint}")


def typable_prefix(doc_id: str, ids: Sequence[str]) -> str:
    """The shortest cut of `doc_id` at an `_` (or the whole id) that `resolve_prefix` takes back to it.

    `000_888081b4012a42ca` → `000` when no other id starts with `000`; `shanxi_datong_1` beside
    `shanxi_datong_2` stays whole. `ids` is sorted and holds `doc_id`.
    """
    import bisect

    cut = doc_id.find("_")
    while cut > 0:
        prefix = doc_id[:cut]
        start = bisect.bisect_left(ids, prefix)
        # the ids starting with `prefix` are a run from `start`: unique when `doc_id` is all of it
        if ids[start] == doc_id and (start + 1 == len(ids) or not ids[start + 1].startswith(prefix)):
            return prefix
        cut = doc_id.find("_", cut + 1)
    return doc_id


def id_clash(doc_id: str, name: str, other: str) -> str:
    """Why file `name` (e.g. `x.pdf`, the attachment of a saved page `x.html`) cannot be stored
    beside `other`, and a name under which it could be.

    A document's id is its file name without the extension (the contract outside tools rely
    on), so the id is never changed behind the user's back: the message says which two files
    meet on it and how to rename one (`x.pdf` → `x-pdf.pdf`, whose id `x-pdf` says where it came from).
    """
    suffix = PurePath(name).suffix
    renamed = f"{doc_id}-{suffix.lstrip('.').lower()}{suffix}" if suffix else f"{doc_id}-2"
    return (f"same document id '{doc_id}' as {other} (a document's id is its file name without the "
            f"extension); rename this file, e.g. to {renamed}, or the other one, and ingest again")
