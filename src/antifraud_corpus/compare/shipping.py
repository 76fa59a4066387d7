"""A comparison cut into what the workers of a cluster need: a base for all, a part per province.

A local document is aligned only with the pools on its line of authority (central ← its province ←
its city, `lines.build_pools`), and reads only the directives of those pools' documents and its
own. So a worker needs the central pool and the arrays indexed by directive (the n-gram table and
the tags: flat numpy, cheap to send), which every document's alignment reads (the base), and, for
the documents of one province, that province's pools with their documents' directives (a part). A
worker then unpickles the base and the parts of the provinces it aligns, not the whole run.

Nothing is renumbered: documents and directives keep their ids, and what a worker does not hold
is an empty slot (`[]` for a document's directives, None for a directive's features) that no
alignment of its documents reads. Results are the same as on the whole run, byte for byte.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .features import Item, Sig
from .lines import CENTRAL
from .state import Run

if TYPE_CHECKING:
    from .lines import Pool


@dataclass(slots=True)
class RunPart:
    """What the documents of one province add to the base: their lines, pools and directives."""

    lines: dict[int, list[tuple]] = field(default_factory=dict)
    pools: dict[tuple, Pool] = field(default_factory=dict)
    items: dict[int, list[Item]] = field(default_factory=dict)  # document -> its directives
    sigs: dict[int, Sig] = field(default_factory=dict)  # directive id -> its features


def line_group(run: Run, doc: int) -> str | None:
    """The province whose pools a local document's line holds; None when it holds only the central pool."""
    line = run.lines[doc]
    return line[1][1] if len(line) > 1 else None


def split_run(run: Run, docs: list[int]) -> tuple[Run, list[tuple[str | None, list[int], RunPart]]]:
    """The base every worker needs, and for each province the local documents of `docs` on its lines
    (in the order of `docs`) with the part their alignment needs beyond the base.

    The base shares the run's objects (nothing is copied but the lists that hold the slots): pickle it
    and the parts at once, not after the run has changed.
    """
    corpus = run.corpus
    central = run.pools.get(CENTRAL)
    base_items: list[list[Item]] = [[] for _ in corpus.items]
    base_sigs: list[Sig | None] = [None] * len(corpus.sigs)
    for doc in sorted(central.docs) if central is not None else ():
        base_items[doc] = corpus.items[doc]
        for item in corpus.items[doc]:
            base_sigs[item.sig] = corpus.sigs[item.sig]
    slim = copy.copy(corpus)
    slim.items, slim.sigs = base_items, base_sigs
    slim.gram_ids = {}  # (read only while the features are built)
    base = Run(slim, run.config, run.keep, run.workers)
    if central is not None:
        base.pools[CENTRAL] = central

    groups: dict[str | None, list[int]] = {}
    for doc in docs:
        groups.setdefault(line_group(run, doc), []).append(doc)
    parts = []
    for group, members in groups.items():
        part = RunPart()
        for doc in members:
            part.lines[doc] = run.lines[doc]
            for key in run.lines[doc]:
                if key != CENTRAL and key in run.pools and key not in part.pools:
                    part.pools[key] = run.pools[key]
        for doc in [*members, *sorted({d for pool in part.pools.values() for d in pool.docs})]:
            if doc not in part.items:
                part.items[doc] = corpus.items[doc]
                for item in corpus.items[doc]:
                    if base_sigs[item.sig] is None:
                        part.sigs.setdefault(item.sig, corpus.sigs[item.sig])
        parts.append((group, members, part))
    return base, parts


def merge_part(run: Run, part: RunPart, users: Counter[tuple] | None = None) -> RunPart:
    """Fill the base `run`'s empty slots from `part` (slots already filled, by an earlier part, are kept:
    an alignment under way may be reading them); `users` counts the merged parts that hold each
    document, directive and pool, for `drop_part`. Returns `part`."""
    items, sigs = run.corpus.items, run.corpus.sigs
    for doc, its in part.items.items():
        if not items[doc]:
            items[doc] = its
    for sig, features in part.sigs.items():
        if sigs[sig] is None:
            sigs[sig] = features
    for key, pool in part.pools.items():
        run.pools.setdefault(key, pool)
    for doc, line in part.lines.items():
        run.lines.setdefault(doc, line)
    if users is not None:
        users.update(_held(part))
    return part


def drop_part(run: Run, part: RunPart, users: Counter[tuple]) -> None:
    """Empty again the slots `merge_part` filled from `part` that no other merged part holds (`users`),
    once no alignment reads them: a province's provincial documents are in its part and in the part of
    the documents compared with the central pool only, a directive in every part whose documents
    carry it. The base's slots are in no part."""
    users.subtract(_held(part))
    items, sigs = run.corpus.items, run.corpus.sigs
    for what, key in _held(part):
        if users[what, key] > 0:
            continue
        del users[what, key]
        if what == _DOC:
            items[key] = []
        elif what == _SIG:
            sigs[key] = None
        else:
            run.pools.pop(key, None)
    for doc in part.lines:  # (a local document is compared in one part only)
        run.lines.pop(doc, None)


_DOC, _SIG, _POOL = 0, 1, 2  # the kinds of slot `merge_part` fills, as counted in `users`


def _held(part: RunPart) -> list[tuple]:
    return [*((_DOC, doc) for doc in part.items), *((_SIG, sig) for sig in part.sigs),
            *((_POOL, key) for key in part.pools)]


__all__ = ["RunPart", "drop_part", "line_group", "merge_part", "split_run"]
