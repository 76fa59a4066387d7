"""The documents held against a local document, and their directives it does not carry out."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from .alignment import EARLIER, Match
from .candidates import scored
from .features import Item
from .pairscore import LocalGrams, shared_counts
from .records import LEVELS
from .state import Run


def sources_of(run: Run, doc: int, matches: list[list[Match] | None]) -> list[int]:
    """The documents held against `doc` for omissions: every dated reference issued no later that it
    draws on (`min_shared` of its directives carry out one of its directives; a statute: one), at most
    `max_sources` per level, those it draws on most first (the bound keeps a corpus with hundreds of
    central documents from listing each of them against every county notice)."""
    counts = Counter(m.ref.doc for found in matches if found for m in found if m.when == EARLIER)
    local_date = run.corpus.infos[doc].date
    by_level: dict[str, list[int]] = defaultdict(list)
    for ref_doc, count in counts.items():
        info = run.corpus.infos[ref_doc]
        if not info.date or (local_date and info.date > local_date):
            continue
        if count >= run.settings.min_shared or info.kind in run.settings.statute_kinds:
            by_level[info.level or ""].append(ref_doc)
    sources = []
    for level in LEVELS:
        ranked = sorted(by_level.get(level, ()), key=lambda d: (-counts[d], run.corpus.infos[d].date or "",
                                                                run.corpus.infos[d].doc_id))
        sources.extend(ranked[: run.settings.max_sources])
    return sources


def omitted(run: Run, doc: int, local: LocalGrams, matches: list[list[Match] | None], sources: list[int],
             seen: dict[int, float]) -> list[tuple[Item, float]]:
    """Directives of the `sources` that no directive of `doc` carries out, with the best score found.

    A reference directive is carried out when a local directive is aligned with it, or when some
    local directive scores at least `carry` with it: the alignment's candidates already tell for
    most; the rest are held against the `omission_candidates` local directives that share most
    n-grams with them (the alignment reads only the rarest n-grams, so it can miss a second echo).
    A section heading whose items are carried out is covered by them; a statute's list items and
    penalty provisions are no omission of a document of another kind.
    """
    carried = {id(m.ref) for found in matches if found for m in found}
    unknown = list(dict.fromkeys(ref.sig for source in sources for ref in run.corpus.items[source]
                                 if id(ref) not in carried and ref.sig not in seen))
    if unknown and run.settings.omission_candidates:
        counts = shared_counts(run.corpus.table, local, unknown)
        # the local directives sharing most grams with each, most first (ties: in text order)
        best_first = np.argsort(-counts, axis=1, kind="stable")[:, :run.settings.omission_candidates]
        # one shared n-gram never makes a carried directive; pairs reference after reference, best first
        refs, ranks = np.nonzero(np.take_along_axis(counts, best_first, axis=1) >= 2)
        pairs = list(zip(local.sigs[best_first[refs, ranks]].tolist(),
                         np.asarray(unknown, dtype=np.int64)[refs].tolist(), strict=True))
        best = dict.fromkeys(unknown, 0.0)
        for (_, ref_sig), (score, text) in zip(pairs, scored(run, local, pairs), strict=True):
            if text >= run.settings.min_text and score > best[ref_sig]:
                best[ref_sig] = score
        seen.update(best)
    kind = run.corpus.infos[doc].kind
    out = []
    for source in sources:
        refs = run.corpus.items[source]
        done = [id(ref) in carried or seen.get(ref.sig, 0.0) >= run.settings.carry for ref in refs]
        source_kind = run.corpus.infos[source].kind
        minor_exempt = source_kind in run.settings.statute_kinds and source_kind != kind
        for ref in refs:
            if done[ref.pos] or (minor_exempt and ref.minor):
                continue
            if ref.section_end and any(done[ref.pos + 1:ref.section_end]):
                continue  # a heading, carried out through its items
            out.append((ref, seen.get(ref.sig, 0.0)))
    return out
