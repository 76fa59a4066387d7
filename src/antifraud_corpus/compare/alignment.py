"""The reference directives each directive of a local document carries out (many-to-many)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .candidates import candidate_refs, scored
from .features import GUIDING, SINGLE_PRINCIPLE, Corpus, Item
from .lines import Pool
from .pairscore import LocalGrams
from .state import CACHE_KEPT, Run


@dataclass(slots=True)
class Match:
    """A local directive and one reference directive it carries out."""

    item: Item
    ref: Item
    score: float
    text: float
    when: str  # EARLIER | UNDATED | LATER: the reference's date against the local document's

    @property
    def later(self) -> bool:
        return self.when == LATER


# When a reference was issued, against the local document: a later one is never a source; an undated
# one is shown (flagged `reference_undated`) but not counted as a source until a sidecar dates it.
EARLIER, UNDATED, LATER = "", "undated", "later"


def align(run: Run, doc: int, local: LocalGrams) -> tuple[list[list[Match] | None], list[tuple], dict[int, float]]:
    """The reference directives each directive of `doc` carries out (best first), and the best score
    of every reference directive looked at (for omissions)."""
    info = run.corpus.infos[doc]
    local_date = info.date
    line = [key for key in run.lines[doc] if key in run.pools]
    # the candidates of every distinct directive in every pool of the line, scored in one batch
    lists: dict[tuple[int, tuple], list[tuple[int, float, float]]] = {}
    pending: list[tuple[tuple[int, tuple], list[int]]] = []
    for pool_key in line:
        unknown = []
        for sig in local.sigs.tolist():
            cached = run.cache.get((sig, pool_key))
            if cached is not None:
                lists[(sig, pool_key)] = cached
            else:
                unknown.append(sig)
        if unknown:
            refs = candidate_refs(run, unknown, pool_key)
            pending.extend(((sig, pool_key), found) for sig, found in zip(unknown, refs, strict=True))
    s = run.settings
    min_text, match = s.min_text, s.match
    scores = iter(scored(run, local, [(key[0], ref) for key, refs in pending for ref in refs]))
    for key, refs in pending:
        found = []
        for ref in refs:
            score, text = next(scores)
            if text and text >= min_text:  # (what the loop below reads; below min_text it never did)
                found.append((ref, score, text))
        found.sort(key=lambda f: -f[1])
        lists[key] = found
        if run.corpus.sig_count[key[0]] > 1:
            if len(run.cache) >= CACHE_KEPT:
                run.cache.clear()
            run.cache[key] = found
    results: list[list[Match] | None] = []
    seen: dict[int, float] = {}  # reference sig -> best score with any directive of `doc`
    seen_get = seen.get
    infos, items = run.corpus.infos, run.corpus.items
    pools = [(pool_key, run.pools[pool_key]) for pool_key in line]
    # a reference directive is a candidate of several local ones: its occurrence is looked up once
    occurrences: list[dict[int, tuple[int, int, str, tuple]]] = [{} for _ in pools]
    for item in items[doc]:
        if not item.on_topic:
            results.append(None)
            continue
        found_in: dict[tuple[int, int], tuple[tuple, Item, float, float, str]] = {}  # per reference directive
        for (pool_key, pool), known_in_pool in zip(pools, occurrences, strict=True):
            found = lists[(item.sig, pool_key)]
            for ref_sig, score, _ in found:
                if score > seen_get(ref_sig, -1.0):
                    seen[ref_sig] = score
            for ref_sig, score, text in found:
                if score < match:
                    break  # (best first: the rest score lower still)
                known = known_in_pool.get(ref_sig)
                if known is None:
                    occ_doc, occ_item, when = occurrence(pool, ref_sig, local_date)
                    date = (infos[occ_doc].date or "") if when != LATER else ""
                    known = known_in_pool[ref_sig] = (occ_doc, occ_item, when, (pool.rank, date, -occ_doc))
                occ_doc, occ_item, when, tail = known
                rank = (when != LATER, score, *tail)
                key = (occ_doc, occ_item)
                if key not in found_in or rank > found_in[key][0]:
                    found_in[key] = (rank, items[occ_doc][occ_item], score, text, when)
        if not found_in:
            results.append(None)
            continue
        ranked = sorted(found_in.values(), key=lambda f: f[0], reverse=True)
        _, ref, score, text, when = ranked[0]
        if when == LATER:  # no earlier counterpart: the later one is shown, flagged, and is no source
            results.append([Match(item, ref, score, text, when)])
            continue
        # Many-to-many: a local directive carries out every parallel directive it matches about as well
        # as its best one (a resolution restating what a law, an opinion and a report all ask).
        floor = max(s.match, score * s.counterpart_ratio)
        kept = [f for f in ranked[:s.max_counterparts] if f[4] != LATER and f[2] >= floor]
        results.append([Match(item, f[1], f[2], f[3], f[4]) for f in _principles_stated(run.corpus, item, kept)])
    return results, line, seen


def _principles_stated(corpus: Corpus, item: Item, kept: list[tuple]) -> list[tuple]:
    """The counterparts of a directive stating one principle (`坚持齐抓共管`), without the guiding
    paragraphs that list it among dozens when a reference states it on its own.

    A guiding paragraph holds a fragment of nearly every principle, so it reaches any one principle
    about as well as that principle's own directive does; the one it is carried out through is
    the directive that states it (the gold's convention), and the paragraph is no parallel of it.
    """
    roles = corpus.roles
    if roles is None or roles[item.sig] != SINGLE_PRINCIPLE:
        return kept
    own = [f for f in kept if roles[f[1].sig] != GUIDING]
    return own or kept


def occurrence(pool: Pool, ref_sig: int, local_date: str | None) -> tuple[int, int, str]:
    """The occurrence of a reference directive to hold against a local document issued on `local_date`.

    The latest dated one issued no later is preferred; then an undated one (which may be a source,
    but cannot be counted as one); a later one only when there is nothing else.
    """
    local = pool.local[ref_sig]
    occ, dates = pool.occurrences[local], pool.dates[local]
    undated = bisect.bisect_right(dates, "")
    if local_date is None:
        _, doc, item = occ[-1]
        return doc, item, EARLIER if len(occ) > undated else UNDATED
    position = bisect.bisect_right(dates, local_date)
    if position > undated:
        _, doc, item = occ[position - 1]
        return doc, item, EARLIER
    if undated:
        _, doc, item = occ[0]
        return doc, item, UNDATED
    _, doc, item = occ[0]
    return doc, item, LATER
