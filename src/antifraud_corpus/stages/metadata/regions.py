"""Administrative divisions: every unit of `regions.yaml`, indexed by full name and short form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import ConfigError
from ...text.wordtrie import compile_words


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative unit below the centre: full name, level, province and prefecture."""

    name: str
    level: str  # provincial | municipal | county
    province: str
    city: str | None = None  # the prefecture of a county; None directly under a province
    now: str | None = None  # a former unit (renamed or merged): what its area is part of or called now
    since: str | None = None  # … and since when (ISO date)

    def describe(self) -> str:
        """`莱芜市 (municipal)`, with what became of a former unit."""
        former = f", former unit: part of {self.now} since {self.since}" if self.now else ""
        return f"{self.name} ({self.level}{former})"


@dataclass(frozen=True, slots=True)
class RegionIndex:
    """Every unit of `regions.yaml`, found by full name or short form."""

    by_name: Mapping[str, tuple[Region, ...]]
    pattern: re.Pattern[str]  # any name, the longest at a position first
    mention: re.Pattern[str]  # province and prefecture names safe to look for in running text

    def lookup(self, name: str) -> tuple[Region, ...]:
        """Units called `name` (a full name or short form); empty when unknown."""
        return self.by_name.get(name, ())


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value]


def build_region_index(regions: Mapping[str, Any]) -> RegionIndex:
    provinces = regions.get("provinces")
    if not isinstance(provinces, Mapping) or not provinces:
        raise ConfigError("regions.yaml: 'provinces' is missing or empty; rerun tools/build_regions.py")
    by_name: dict[str, list[Region]] = {}
    mention: set[str] = set()

    def add(names: Iterable[str], unit: Region) -> None:
        for name in names:
            if unit not in by_name.setdefault(name, []):
                by_name[name].append(unit)

    for pname, prov in provinces.items():
        if not isinstance(prov, Mapping):
            raise ConfigError(f"regions.yaml: province '{pname}' is not a mapping; "
                              "rerun tools/build_regions.py")
        unit = Region(pname, "provincial", pname)
        short = _names(prov.get("short"))
        add([pname, *short], unit)
        mention.update([pname, *short])
        for county in _names(prov.get("counties")):
            add([county], Region(county, "county", pname))
        for cname, city in (prov.get("cities") or {}).items():
            city = city or {}
            cshort = _names(city.get("short"))
            add([cname, *cshort], Region(cname, "municipal", pname))
            # Bare short forms of prefectures (长治, 吉安, 大同) are everyday words; only
            # full names and `恩施州`-style forms are trusted in running text.
            mention.update([cname, *(s for s in cshort if s.endswith("州"))])
            for county in _names(city.get("counties")):
                add([county], Region(county, "county", pname, cname))
    for i, item in enumerate(regions.get("former") or ()):
        # Documents issued before a change name the unit as it was; a current unit keeps its name.
        if not isinstance(item, Mapping) or not {"name", "level", "province", "now", "since"} <= set(item):
            raise ConfigError(f"regions.yaml: former[{i}]: expected name, level, province, now and since; "
                              "rerun tools/build_regions.py")
        if item["name"] not in by_name:
            unit = Region(str(item["name"]), str(item["level"]), str(item["province"]), item.get("city"),
                          str(item["now"]), str(item["since"]))
            add([unit.name], unit)
            if unit.level == "municipal":
                mention.add(unit.name)
    frozen = {k: tuple(v) for k, v in by_name.items()}
    return RegionIndex(frozen, compile_words(frozen), compile_words(mention))
