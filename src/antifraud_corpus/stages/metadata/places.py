"""Level, region and province: from the issuer, the title, or a collective word such as 全省."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ...config import Config
from .regions import Region
from .rules import LEVELS, WARN, Rules, region_index


@dataclass(slots=True)
class Place:
    level: str | None = None
    region: str | None = None
    province: str | None = None
    source: str = ""
    warnings: list[str] = field(default_factory=list)


def _within(child: Region, parent: Region) -> bool:
    if child.province != parent.province or child.level == parent.level:
        return False
    if parent.level == "provincial":
        return True
    return parent.level == "municipal" and child.level == "county" and child.city == parent.name


def _region_chain(text: str, rules: Rules) -> list[tuple[Region, ...]]:
    """Units named one after another at the start of `text` (`山西省临汾市尧都区…`), each within the last."""
    index = rules.regions
    prefix = rules.prefixes.match(text)
    pos = prefix.end() if prefix else 0
    chain: list[tuple[Region, ...]] = []
    while pos < len(text):
        match = index.pattern.match(text, pos)
        if not match:
            break
        units = index.lookup(match.group())
        if chain:
            units = tuple(u for u in units if any(_within(u, p) for p in chain[-1]))
            if not units:
                break
            chain[-1] = tuple(p for p in chain[-1] if any(_within(u, p) for u in units))
        elif len(match.group()) < rules.county_min_length:
            units = tuple(u for u in units if u.level != "county")
        if not units:
            break
        chain.append(units)
        pos = match.end()
    return chain


def _mentioned(head: str, rules: Rules) -> Counter[str]:
    """How often each province, or a prefecture in it, is named in the head of the text."""
    counts: Counter[str] = Counter()
    for match in rules.regions.mention.finditer(head):
        for unit in rules.regions.lookup(match.group()):
            if unit.level != "county":
                counts[unit.province] += 1
                if unit.level == "municipal":
                    counts[unit.name] += 1
    return counts


def _resolve(units: tuple[Region, ...], head: str, rules: Rules, where: str) -> Place:
    """One unit of several with the same name: the highest level, then the one whose province is named."""
    top = min(LEVELS.index(u.level) for u in units)
    units = tuple(u for u in units if LEVELS.index(u.level) == top)
    unit = units[0]
    place = Place(unit.level, unit.name, unit.province, f"{where}: {unit.describe()}")
    if len(units) > 1:
        counts = _mentioned(head, rules)
        named = [u for u in units if counts[u.province] or (u.city and counts[u.city])]
        if len(named) == 1:
            unit = named[0]
            place.province = unit.province
            place.source += f", in {unit.province} (named in the text)"
        else:
            place.province = None
            provinces = ", ".join(sorted({u.province for u in units}))
            place.warnings.append(f"{WARN}region {unit.name} exists in several provinces ({provinces}) "
                                  "and the text names none of them; province left empty")
    return place


def find_place(issuer: str, title: str, head: str, rules: Rules, kind: str | None = None) -> Place:
    """Level, region and province from the issuer, else the title, else a collective word (`全省`),
    else, for a law or regulation (`kind`) whose title names no region, central."""
    for where, text in (("issuer", issuer), ("title", title)):
        first = text.split("、")[0].strip()
        if not first:
            continue
        chain = _region_chain(first, rules)
        if chain:
            return _resolve(chain[-1], head, rules, where)
        for pattern in rules.central:
            match = pattern.search(first)
            if match:
                return Place("central", source=f"{where}: central organ ({first})")
    for where, text in (("title", title), ("issuer", issuer)):
        text = rules.collective_strip.sub("", text)
        for word, level in rules.collective:
            if text.startswith(word):
                if level == "central":
                    return Place("central", source=f"{where}: {word}")
                return _collective_place(level, word, where, head, rules)
    for match in rules.regions.mention.finditer(issuer):
        chain = _region_chain(issuer[match.start():], rules)
        if chain:
            return _resolve(chain[-1], head, rules, "issuer mention")
    if kind in rules.national_kinds and title and not rules.regions.mention.search(title):
        return Place("central", source=f"title: a {kind} whose title names no region (a local one always does)")
    return Place(warnings=[f"{WARN}no level found: the issuer names no region and no central organ"])


def _collective_place(level: str, word: str, where: str, head: str, rules: Rules) -> Place:
    """`全省……会议`: the level is known; the region is the most-named unit of that level in the text."""
    counts = _mentioned(head, rules)
    for name, _ in counts.most_common():
        units = [u for u in rules.regions.lookup(name) if u.level == level]
        if units:
            unit = units[0]
            return Place(level, unit.name, unit.province, f"{where}: {word} + most named {unit.name}")
    return Place(level, source=f"{where}: {word}",
                  warnings=[f"{WARN}{word} document but the text names no {level} region"])


def place_of_region(name: str, config: Config) -> Region | None:
    """The unit called `name` (full name or short form) when there is exactly one (highest level first)."""
    units = region_index(config).lookup(name)
    if not units:
        return None
    top = min(LEVELS.index(u.level) for u in units)
    best = [u for u in units if LEVELS.index(u.level) == top]
    return best[0] if len({u.province for u in best}) == 1 else None
