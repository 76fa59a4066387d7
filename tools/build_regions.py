#!/usr/bin/env python3
"""Regenerate `src/antifraud_corpus/configs/regions.yaml` from jionlp's place-name dictionary.

The metadata stage needs every provincial-, prefecture- and county-level unit
of China with its short forms, to tell a provincial document from a municipal
or county one and to name the province a city belongs to. Hand-written lists
go stale and miss units, so the list is generated from a maintained package:
jionlp's `dictionary/china_location.zip` (adcodes, full names and short forms,
updated with each jionlp release). jionlp is only needed to run this script,
never at run time:

    pip install --no-deps jionlp          # into the venv, for this run only
    python tools/build_regions.py         # rewrites configs/regions.yaml
    pip uninstall -y jionlp

`--source FILE` reads a `china_location.txt` (or the `.zip`) directly instead of
the installed package. The file has one unit per line, indented by level with
tabs: `name<TAB>adcode<TAB>short forms separated by /`; towns and villages
(three or more tabs) are skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import io
import sys
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "src" / "antifraud_corpus" / "configs" / "regions.yaml"

# jionlp files the counties of a province that has no prefecture above them
# (Hubei's 仙桃市, Hainan's 琼海市, the districts of a municipality) under a
# pseudo-city with one of these names; they go straight under the province.
PSEUDO_UNITS = ("省直辖行政区划", "市直辖行政区划", "自治区直辖县级行政区划", "直辖县级行政区划")

PROVINCE_TYPES = (("自治区", "autonomous_region"), ("特别行政区", "sar"), ("省", "province"))
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


# Changes missing from jionlp's list of changes (dictionary/china_location_change.txt):
# (date, province, former unit, level, city it was in or None, what it is part of now).
SUPPLEMENT = (
    # 国函〔2019〕4号: 莱芜市 abolished, its districts placed under 济南市.
    ("2019-01-09", "山东省", "莱芜市", "municipal", None, "济南市"),
)


def _read_changes(source: Path | None) -> str:
    """jionlp's list of changes to the divisions since 2002 (empty when it cannot be found)."""
    if source is None:
        spec = importlib.util.find_spec("jionlp")
        if spec is None or not spec.submodule_search_locations:
            return ""
        source = Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location_change.txt"
    return source.read_text(encoding="utf-8") if source.is_file() else ""


def parse_changes(text: str, provinces: dict[str, dict]) -> list[dict]:
    """Former prefectures and counties, renamed or merged since 2002, that no current unit is called.

    A line of jionlp's list is `date<TAB>approval<TAB>province<TAB>short<TAB>city<TAB>short[<TAB>county
    <TAB>short]=>province<TAB>city[<TAB>county]`; SUPPLEMENT adds what it misses.
    """
    current = {name for prov in provinces.values() for name in prov["cities"]}
    current |= {name for prov in provinces.values() for _, name in prov["counties"]}
    current |= {name for prov in provinces.values() for city in prov["cities"].values() for _, name in city["counties"]}
    found: dict[str, dict] = {}
    for line in text.splitlines():
        old, sep, new = line.partition("=>")
        before, after = old.split("\t"), new.split("\t")
        if not sep or len(before) not in (6, 8) or len(after) < 2:
            continue
        date, _, province, _, city = before[:5]
        if len(before) == 8:
            found.setdefault(before[6], {"name": before[6], "level": "county", "province": province, "city": city,
                                         "now": after[-1], "since": date})
        else:
            found.setdefault(city, {"name": city, "level": "municipal", "province": province, "city": None,
                                    "now": after[1], "since": date})
    for date, province, name, level, city, now in SUPPLEMENT:
        found[name] = {"name": name, "level": level, "province": province, "city": city, "now": now, "since": date}
    return [unit for name, unit in sorted(found.items(), key=lambda kv: (kv[1]["since"], kv[0]))
            if name not in current and unit["now"] != name]


def _read_source(source: Path | None) -> tuple[str, str]:
    """Return the dictionary text and a description of where it came from."""
    if source is None:
        spec = importlib.util.find_spec("jionlp")  # locates the package without importing it
        if spec is None or not spec.submodule_search_locations:
            sys.exit("jionlp is not installed: `pip install --no-deps jionlp` or pass --source FILE")
        source = Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.zip"
        origin = f"jionlp {importlib.metadata.version('jionlp')} (dictionary/china_location.zip)"
    else:
        origin = str(source.name)
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as archive:
            member = archive.infolist()[0]
            stamp = dt.date(*member.date_time[:3]).isoformat()
            text = io.TextIOWrapper(archive.open(member), encoding="utf-8").read()
        return text, f"{origin}, {member.filename} dated {stamp}"
    return source.read_text(encoding="utf-8"), origin


def _split(line: str) -> tuple[str, str, list[str]] | None:
    parts = line.strip().split("\t")
    if len(parts) != 3:
        return None
    name, code, short = parts
    return name, code, [s for s in short.split("/") if s and s != name]


def parse_locations(text: str) -> dict[str, dict]:
    """Three levels of the dictionary as {province: {code, type, short, cities, counties}}."""
    provinces: dict[str, dict] = {}
    province: dict | None = None
    city: dict | None = None
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        if depth >= 3 or not line.strip():
            continue
        item = _split(line)
        if item is None:
            continue
        name, code, short = item
        if depth == 0:
            kind = "municipality" if name in MUNICIPALITIES else next(
                (k for suffix, k in PROVINCE_TYPES if name.endswith(suffix)), "province")
            province = {"code": code, "type": kind, "short": short, "cities": {}, "counties": []}
            provinces[name] = province
            city = None
        elif depth == 1 and province is not None:
            if name in PSEUDO_UNITS or province["type"] in ("municipality", "sar"):
                # A pseudo-city, or the municipality itself again: what follows is county-level
                # and belongs directly to the province.
                city = None
                continue
            city = {"code": code, "short": _city_short(name, short), "counties": []}
            province["cities"][name] = city
        elif depth == 2 and province is not None:
            if "行政区划" in name:
                continue
            (city["counties"] if city is not None else province["counties"]).append((code, name))
    return provinces


def _city_short(name: str, short: list[str]) -> list[str]:
    """Short forms of a prefecture: jionlp's, plus `恩施州` for `恩施土家族苗族自治州`."""
    forms = list(short)
    if name.endswith("自治州"):
        forms += [s + "州" for s in short if not s.endswith("州")]
    return list(dict.fromkeys(f for f in forms if len(f) >= 2))


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def render(provinces: dict[str, dict], origin: str, today: str, former: list[dict] | None = None) -> str:
    """The YAML text: one line per prefecture, counties as a space-separated string."""
    n_cities = sum(len(p["cities"]) for p in provinces.values())
    n_counties = sum(len(p["counties"]) + sum(len(c["counties"]) for c in p["cities"].values())
                     for p in provinces.values())
    out = [
        "# China's administrative divisions down to county level, for the metadata stage",
        "# (level, region and province of a document). GENERATED: do not edit by hand;",
        "# rerun tools/build_regions.py instead.",
        f"# Data: {origin}",
        "#   (jionlp, Apache-2.0, https://github.com/dongrixinyu/JioNLP).",
        f"# Generated on {today}: {len(provinces)} provincial-level units, {n_cities} prefecture-level",
        f"# units, {n_counties} county-level units.",
        "#",
        "# provinces.NAME: code (adcode), type (province | autonomous_region | municipality | sar),",
        "#   short (short forms), cities (prefecture-level units), counties (county-level units",
        "#   directly under the province: districts of a municipality, 省直辖县级市).",
        "# cities.NAME: {code, short, counties}; counties are full names separated by spaces.",
        "# former: prefectures and counties renamed or merged since 2002 (jionlp's list of changes",
        "#   and tools/build_regions.py SUPPLEMENT): name, level, province, city, now (what the",
        "#   area is part of or called now), since (date of the change).",
        "source:",
        f"  data: {origin!r}".replace("'", '"'),
        "  license: Apache-2.0",
        f"  generated: '{today}'",
        "provinces:",
    ]
    for pname, prov in sorted(provinces.items(), key=lambda kv: kv[1]["code"]):
        out.append(f"  {pname}:")
        out.append(f"    code: '{prov['code']}'")
        out.append(f"    type: {prov['type']}")
        out.append(f"    short: {_flow(prov['short'])}")
        if prov["counties"]:
            out.append("    counties: " + " ".join(n for _, n in sorted(prov["counties"])))
        if prov["cities"]:
            out.append("    cities:")
            for cname, city in sorted(prov["cities"].items(), key=lambda kv: kv[1]["code"]):
                counties = " ".join(n for _, n in sorted(city["counties"]))
                out.append(f"      {cname}: {{code: '{city['code']}', short: {_flow(city['short'])}, "
                           f"counties: '{counties}'}}")
    if former:
        out.append("former:")
        for unit in former:
            city = f", city: {unit['city']}" if unit["city"] else ""
            out.append(f"  - {{name: {unit['name']}, level: {unit['level']}, province: {unit['province']}{city}, "
                       f"now: {unit['now']}, since: '{unit['since']}'}}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="china_location.txt or .zip (default: installed jionlp)")
    parser.add_argument("--changes", type=Path, help="china_location_change.txt (default: installed jionlp)")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    text, origin = _read_source(args.source)
    provinces = parse_locations(text)
    former = parse_changes(_read_changes(args.changes), provinces)
    rendered = render(provinces, origin, dt.date.today().isoformat(), former)
    data = yaml.safe_load(rendered)  # the file must read back as the data it was made from
    assert set(data["provinces"]) == set(provinces), "regions.yaml does not read back"
    args.output.write_text(rendered, encoding="utf-8")
    print(f"wrote {args.output}: {len(provinces)} provinces, "
          f"{sum(len(p['cities']) for p in provinces.values())} prefectures", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
