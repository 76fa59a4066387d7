"""Lines of authority (central ← provincial ← municipal ← county) and the reference pools on them,
each with an inverted index of n-grams."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..config import Config
from ..stages.metadata import region_index
from .pairscore import PostingIndex, posting_index
from .records import RANK, DocumentInfo
from .state import Run

CENTRAL = ("central",)  # the key of the central documents' pool, first on every line


@dataclass(slots=True)
class Pool:
    """The directives of one reference pool (central, one province, one city) with an n-gram index."""

    rank: int
    sigs: list[int] = field(default_factory=list)  # local index -> global sig id
    local: dict[int, int] = field(default_factory=dict)  # global sig id -> local index
    index: PostingIndex | None = None  # local indexes by gram (`finish_pools`)
    occurrences: list[list[tuple[str, int, int]]] = field(default_factory=list)  # (date key, doc, item)
    dates: list[list[str]] = field(default_factory=list)
    docs: set[int] = field(default_factory=set)


def city_lookup(config: Config) -> dict[str, dict[str, list[str]]]:
    """province -> county name -> cities containing it, for county documents.

    Read from the one gazetteer metadata and sidecars use (`region_index`), so a former county
    that `regions.yaml` lists under its city is placed the same way everywhere.
    """
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for units in region_index(config).by_name.values():
        for unit in units:
            cities = out[unit.province][unit.name]
            if unit.level == "county" and unit.city and unit.city not in cities:
                cities.append(unit.city)
    return {province: {county: cities for county, cities in table.items() if cities}
            for province, table in out.items()}


def county_city(info: DocumentInfo, lookup: dict[str, dict[str, list[str]]]) -> str | None:
    region, province = info.region or "", info.province or ""
    cities = lookup.get(province, {})
    city_names = {c for names in cities.values() for c in names}
    for city in sorted(city_names, key=len, reverse=True):
        if region.startswith(city) and region != city:
            return city
    found = cities.get(region) or []
    return found[0] if len(found) == 1 else None


def pool_key(info: DocumentInfo) -> tuple | None:
    """The reference pool a document belongs to: the central documents, a province's, or a city's."""
    if info.level == "central":
        return CENTRAL
    province = info.province or (info.region if info.level == "provincial" else None)
    if info.level == "provincial" and province:
        return ("provincial", province)
    if info.level == "municipal" and province and info.region:
        return ("municipal", province, info.region)
    return None


def build_pools(run: Run) -> None:
    infos = run.corpus.infos
    lookup: dict[str, dict[str, list[str]]] | None = None
    for index, info in enumerate(infos):
        if info.level is None:
            continue
        key = pool_key(info)
        if key is not None:
            pool = run.pools.get(key)
            if pool is None:
                pool = run.pools[key] = Pool(RANK[info.level])
            index_document(run, pool, index)
        if info.level == "central":
            continue
        province = info.province or (info.region if info.level == "provincial" else None)
        line: list[tuple] = [CENTRAL]
        if info.level in ("municipal", "county"):
            if province:
                line.append(("provincial", province))
            else:
                run.warnings.append(f"{info.doc_id}: no province known; compared with central documents only")
        if info.level == "county" and province:
            if lookup is None:
                lookup = city_lookup(run.config)
            city = county_city(info, lookup)
            if city:
                line.append(("municipal", province, city))
            else:
                run.warnings.append(f"{info.doc_id}: the city of county region {info.region!r} is not known "
                                     "(regions.yaml); not compared with municipal documents")
        run.lines[index] = line


def index_document(run: Run, pool: Pool, doc: int) -> None:
    date_key = run.corpus.infos[doc].date or ""
    pool.docs.add(doc)
    for position, item in enumerate(run.corpus.items[doc]):
        if not item.on_topic:
            continue  # never a counterpart, never an omission
        local = pool.local.get(item.sig)
        if local is None:
            local = pool.local[item.sig] = len(pool.sigs)
            pool.sigs.append(item.sig)
            pool.occurrences.append([])
        pool.occurrences[local].append((date_key, doc, position))


def finish_pools(run: Run) -> None:
    """Sort each directive's occurrences by date and build each pool's inverted index of n-grams."""
    for pool in run.pools.values():
        for occ in pool.occurrences:
            occ.sort()
        pool.dates = [[o[0] for o in occ] for occ in pool.occurrences]
        pool.index = posting_index(run.corpus.table, pool.sigs)
