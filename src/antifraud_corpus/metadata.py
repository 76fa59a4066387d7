"""Document metadata: title, issuer, date, level, region, province and kind, each with its evidence.

A page is one of three things, tried in this order:

* a document (a resolution, law, notice …) whose own title stands on a line
  near the top: the title line, its issuer is the part before 关于 (or the
  adopting session, or the signature);
* a news report of a document (`X印发《关于……的意见》`): the reported title
  and issuer;
* a meeting report (`1月14日，全国……会议召开`): the meeting's name, its
  convener and its date.

Dates come from adoption and issue notes, signatures, the meeting sentence,
datelines and page stamps, in the rank `metadata.yaml` gives them; a bare
`1月14日` takes its year from the page stamp (a January stamp and a December
meeting mean the year before) and is left empty with a warning when no year
is stated anywhere. Level, region and province come from the administrative
divisions in `regions.yaml` (every province, prefecture and county, generated
by `tools/build_regions.py`) matched at the start of the issuer, else from the
central-organ patterns. Only the head of the text (and the tail of the body,
for a signature) is read, so the cost does not grow with the document.

All patterns and lexicons live in `configs/metadata.yaml`; compiled rules are
cached per config fingerprint.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .config import Config, compile_rule, per_config
from .errors import ConfigError
from .fastregex import FastPattern
from .models import Metadata

# A compiled rule: a plain pattern, or one that skips text it cannot match in (`fastregex`).
Pattern = re.Pattern[str] | FastPattern

LEVELS = ("central", "provincial", "municipal", "county")
_WARN = "metadata: "


# --------------------------------------------------------------------------- regions


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative unit below the centre: full name, level, province and prefecture."""

    name: str
    level: str  # provincial | municipal | county
    province: str
    city: str | None = None  # the prefecture of a county; None directly under a province


@dataclass(frozen=True, slots=True)
class RegionIndex:
    """Every unit of `regions.yaml`, found by full name or short form."""

    by_name: Mapping[str, tuple[Region, ...]]
    pattern: re.Pattern[str]  # any name, the longest at a position first
    mention: re.Pattern[str]  # province and prefecture names safe to look for in running text

    def lookup(self, name: str) -> tuple[Region, ...]:
        """Units called `name` (a full name or short form); empty when unknown."""
        return self.by_name.get(name, ())


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of `words`, longest first, that runs in time independent of their number.

    A flat alternation of ~4000 names would try every name at every position;
    the trie shares prefixes so a position costs a few character tests.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node: dict[str, dict]) -> str:
    branches = [re.escape(ch) + _node_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value]


def _build_region_index(regions: Mapping[str, Any]) -> RegionIndex:
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
    frozen = {k: tuple(v) for k, v in by_name.items()}
    return RegionIndex(frozen, re.compile(_trie_pattern(frozen)), re.compile(_trie_pattern(mention)))


# --------------------------------------------------------------------------- compiled rules


@dataclass(frozen=True, slots=True)
class _KindRule:
    kind: str
    pattern: Pattern
    issuer: Pattern | None
    source: str


@dataclass(frozen=True, slots=True)
class _Rules:
    """`metadata.yaml` compiled, plus the region index."""

    head_chars: int
    head_lines: int
    tail_chars: int
    tail_lines: int
    max_title: int
    not_title: tuple[Pattern, ...]
    title_strip: tuple[Pattern, ...]
    document: tuple[Pattern, ...]
    issuer_line: Pattern
    reported: tuple[Pattern, ...]
    report_window: int
    meeting_window: int
    meetings: tuple[Pattern, ...]
    meeting_issuer: tuple[Pattern, ...]
    meeting_strip: Pattern
    separator: Pattern
    session: Pattern
    signature_issuer: Pattern
    date_rules: tuple[tuple[str, Pattern], ...]
    date_order: tuple[str, ...]
    stamps: tuple[Pattern, ...]
    signature_date: Pattern
    prefixes: Pattern
    collective_strip: Pattern
    not_headline: tuple[Pattern, ...]
    central: tuple[Pattern, ...]
    collective: tuple[tuple[str, str], ...]
    county_min_length: int
    kind_title: tuple[_KindRule, ...]
    kind_text: tuple[_KindRule, ...]
    meeting_kind: str
    default_kind: str
    regions: RegionIndex


def _fill(pattern: str, fragments: Mapping[str, str]) -> str:
    """Insert `{name}` fragments; other braces (`{1,60}`) are regex quantifiers and stay."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: fragments.get(m.group(1), m.group(0)), pattern)


def _compile(where: str, pattern: Any, fragments: Mapping[str, str] | None = None,
             groups: tuple[str, ...] = ()) -> Pattern:
    """Compile a config regex; `groups` are the named groups the code reads from its matches."""
    if not isinstance(pattern, str):
        raise ConfigError(f"metadata.yaml: {where}: expected a regex string, got {type(pattern).__name__}")
    compiled = compile_rule(_fill(pattern, fragments or {}), f"metadata.yaml: {where}", re.MULTILINE)
    missing = [g for g in groups if g not in compiled.groupindex]
    if missing:
        raise ConfigError(f"metadata.yaml: {where}: the pattern needs a named group (?P<{missing[0]}>...)")
    # Most rules are searched over the head of every page and match on few of them.
    return FastPattern(compiled).fastest()


def _many(where: str, patterns: Any, fragments: Mapping[str, str] | None = None,
          groups: tuple[str, ...] = ()) -> tuple[Pattern, ...]:
    return tuple(_compile(f"{where}[{i}]", p, fragments, groups) for i, p in enumerate(patterns or ()))


def _int(section: Mapping[str, Any], where: str, key: str, default: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"metadata.yaml: {where}.{key}: expected a whole number, got {value!r}")
    return value


def _section(meta: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = meta.get(key)
    if not isinstance(value, Mapping):
        raise ConfigError(f"metadata.yaml: section '{key}' is missing or not a mapping")
    return value


def _kind_rules(
    where: str, items: Any, kinds: set[str], fragments: Mapping[str, str]
) -> tuple[_KindRule, ...]:
    rules = []
    for i, item in enumerate(items or ()):
        kind = item.get("kind") if isinstance(item, Mapping) else None
        if kind not in kinds:
            raise ConfigError(f"metadata.yaml: {where}[{i}]: kind '{kind}' is not a taxonomy kind "
                              f"(allowed: {', '.join(sorted(kinds))})")
        issuer = item.get("issuer")
        rules.append(_KindRule(
            kind,
            _compile(f"{where}[{i}].pattern", item.get("pattern"), fragments),
            _compile(f"{where}[{i}].issuer", issuer) if issuer else None,
            f"{where.split('.')[-1]} rule {i}: {item.get('pattern')}",
        ))
    return tuple(rules)


def taxonomy_kinds(config: Config) -> set[str]:
    """Kind ids of `taxonomy.yaml`."""
    return set(config.get("taxonomy", "kinds") or ())


@per_config
def _rules(config: Config) -> _Rules:
    """`metadata.yaml` and `regions.yaml`, compiled (once per config)."""
    meta = config["metadata"]
    scan, titles, meetings = _section(meta, "scan"), _section(meta, "titles"), _section(meta, "meetings")
    issuers, dates, levels, kinds = (_section(meta, k) for k in ("issuers", "dates", "levels", "kinds"))
    title_frag = {"suffix": titles.get("suffix", ""), "trailer": titles.get("trailer", "")}
    meet_frag = dict(meetings.get("fragments") or {})
    date_frag = dict(dates.get("fragments") or {})
    kind_frag = {"trailer": kinds.get("trailer", "")}
    known = taxonomy_kinds(config)
    for name in ("meeting", "default"):
        if kinds.get(name) not in known:
            raise ConfigError(f"metadata.yaml: kinds.{name}: '{kinds.get(name)}' is not a taxonomy kind")
    date_rules = tuple((name, _compile(f"dates.rules.{name}", pat, date_frag, ("date",)))
                       for name, pat in (dates.get("rules") or {}).items())
    builtin = {"signature", "meeting", "page-stamp"}
    order = tuple(dates.get("order") or ())
    unknown = [n for n in order if n not in builtin and n not in dict(date_rules)]
    if unknown:
        raise ConfigError(f"metadata.yaml: dates.order: unknown rule '{unknown[0]}' "
                          f"(rules: {', '.join(sorted(builtin | set(dict(date_rules))))})")
    collective = levels.get("collective") or {}
    for word, level in collective.items():
        if level not in LEVELS:
            raise ConfigError(f"metadata.yaml: levels.collective.{word}: '{level}' is not a level "
                              f"(allowed: {', '.join(LEVELS)})")
    return _Rules(
        head_chars=_int(scan, "scan", "head_chars", 3000),
        head_lines=_int(scan, "scan", "head_lines", 60),
        tail_chars=_int(scan, "scan", "tail_chars", 1500),
        tail_lines=_int(scan, "scan", "tail_lines", 12),
        max_title=_int(titles, "titles", "max_length", 120),
        not_title=_many("titles.not_title", titles.get("not_title")),
        title_strip=_many("titles.strip", titles.get("strip")),
        document=_many("titles.document", titles.get("document"), title_frag, ("title",)),
        issuer_line=_compile("titles.issuer_line", titles.get("issuer_line")),
        reported=_many("titles.reported", titles.get("reported"), title_frag, ("title", "issuer")),
        report_window=_int(titles, "titles", "report_window", 400),
        not_headline=_many("titles.not_headline", titles.get("not_headline")),
        meeting_window=_int(meetings, "meetings", "window", 600),
        meetings=_many("meetings.patterns", meetings.get("patterns"), meet_frag, ("name",)),
        meeting_issuer=_many("meetings.issuer", meetings.get("issuer"), meet_frag, ("issuer",)),
        meeting_strip=_compile("meetings.name_strip", meetings.get("name_strip", "^$")),
        separator=_compile("issuers.separator", issuers.get("separator")),
        session=_compile("issuers.session", issuers.get("session"), None, ("pre", "body")),
        signature_issuer=_compile("issuers.signature", issuers.get("signature")),
        date_rules=date_rules,
        date_order=order,
        stamps=_many("dates.stamps", dates.get("stamps"), date_frag, ("date",)),
        signature_date=_compile("dates.signature", dates.get("signature"), date_frag, ("date",)),
        prefixes=_compile("levels.prefixes", levels.get("prefixes", "^$")),
        collective_strip=_compile("levels.collective_strip", levels.get("collective_strip", "^$")),
        central=_many("levels.central", levels.get("central")),
        collective=tuple(collective.items()),
        county_min_length=_int(levels, "levels", "county_min_length", 3),
        kind_title=_kind_rules("kinds.title", kinds.get("title"), known, kind_frag),
        kind_text=_kind_rules("kinds.text", kinds.get("text"), known, kind_frag),
        meeting_kind=kinds["meeting"],
        default_kind=kinds["default"],
        regions=_build_region_index(config["regions"]),
    )


def region_index(config: Config) -> RegionIndex:
    """The administrative divisions of `regions.yaml`, indexed (cached per config)."""
    return _rules(config).regions


# --------------------------------------------------------------------------- dates

_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_PARTS = re.compile(
    r"(?:(?P<y>\d{4}|[〇零○ＯO一二三四五六七八九]{4})[ 　]?[-/.年][ 　]?)?"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})[ 　]?[-/.月][ 　]?"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})"
)


def _cn_int(text: str) -> int:
    """`2022`, `二〇二二`, `九`, `十二`, `二十六` → int (digits of a year are read one by one)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
    return int("".join(str(_CN_DIGIT[c]) for c in text))


def parse_date(text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a written date, or None when it is not a real date.

    >>> parse_date("二〇二二年九月二日"), parse_date("2022/9/26"), parse_date("1月14日")
    ((2022, 9, 2), (2022, 9, 26), (None, 1, 14))
    """
    match = _DATE_PARTS.search(text)
    if not match:
        return None
    try:
        year = _cn_int(match["y"]) if match["y"] else None
        month, day = _cn_int(match["m"]), _cn_int(match["d"])
        dt.date(year or 2000, month, day)  # 2000 is a leap year: 2月29日 without a year is valid
    except (KeyError, ValueError):
        return None
    return year, month, day


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


@dataclass(slots=True)
class _DateFind:
    iso: str | None = None
    source: str = ""
    warnings: list[str] = field(default_factory=list)


def _first_stamp(lines: list[str], rules: _Rules) -> tuple[tuple[int, int, int], str] | None:
    for line in lines:
        for pattern in rules.stamps:
            match = pattern.search(line)
            if match:
                parts = parse_date(match["date"])
                if parts and parts[0]:
                    return (parts[0], parts[1], parts[2]), match.group().strip()
    return None


def _find_date(head: str, lines: list[str], tail_lines: list[str], meeting: re.Match[str] | None,
               rules: _Rules) -> _DateFind:
    """The best-ranked date; a month-day date takes the page stamp's year (one less across New Year)."""
    # Each rule is searched for only when the rules ranked above it gave no date (and the page
    # stamp only when a date lacks its year or the stamp's turn comes): most pages are dated
    # by an early rule.
    date_rules = dict(rules.date_rules)
    stamps: list[tuple[tuple[int, int, int], str] | None] = []

    def page_stamp() -> tuple[tuple[int, int, int], str] | None:
        if not stamps:
            stamps.append(_first_stamp(lines, rules))
        return stamps[0]

    def written(name: str) -> tuple[str, str] | None:
        """The date as written by rule `name`, and the evidence (a built-in rule before a
        configured one of the same name)."""
        if name == "page-stamp" and (stamp := page_stamp()) is not None:
            (y, m, d), text = stamp
            return f"{y}年{m}月{d}日", text
        if name == "meeting" and meeting is not None and meeting.groupdict().get("date"):
            return meeting["date"], meeting.group()
        if name == "signature":
            for line in reversed(tail_lines):
                match = rules.signature_date.search(line)
                if match:
                    return match["date"], line
        if name in date_rules:
            match = date_rules[name].search(head)
            date = next((v for k, v in match.groupdict().items() if k.startswith("date") and v), None) \
                if match else None
            if match and date:
                return date, match.group().strip()
        return None

    result = _DateFind()
    for name in rules.date_order:
        found = written(name)
        if found is None:
            continue
        date, evidence = found
        parts = parse_date(date)
        if parts is None:
            continue
        year, month, day = parts
        note = f"{name}: {evidence}"
        if year is None:
            stamp = page_stamp()
            if stamp is None:
                result.warnings.append(f"{_WARN}date {date} ({name}) states no year and the page has "
                                       "no dated stamp; date left empty")
                continue
            (sy, sm, _), stamp_text = stamp
            # A report is dated on or after its event: a December meeting on a January page is last year's.
            year = sy - 1 if month > sm else sy
            note += f" + year of page stamp {stamp_text}"
        iso = _iso(year, month, day)
        if iso:
            result.iso, result.source = iso, note
            return result
    if not result.warnings:
        result.warnings.append(f"{_WARN}no date found (no adoption note, signature, meeting date "
                               "or page stamp)")
    return result


# --------------------------------------------------------------------------- title and issuer


@dataclass(slots=True)
class _TitleFind:
    title: str = ""
    issuer: str = ""
    mode: str = ""  # document | reported | meeting | headline | name
    title_source: str = ""
    issuer_source: str = ""
    meeting: re.Match[str] | None = None


def _head_lines(text: str, limit: int) -> list[str]:
    lines = []
    for line in text.splitlines():
        line = line.strip(" \t\u3000\xa0")
        if line:
            lines.append(line)
            if len(lines) >= limit:
                break
    return lines


def _clean_title(line: str, rules: _Rules) -> str:
    for pattern in rules.title_strip:
        line = pattern.sub("", line)
    return line.strip()


def _titleish(line: str, rules: _Rules) -> bool:
    return 4 <= len(line) <= rules.max_title and not any(p.search(line) for p in rules.not_title)


def _join_issuers(text: str, rules: _Rules) -> str:
    parts = [p.strip() for p in rules.separator.split(text) if p and p.strip()]
    return "、".join(dict.fromkeys(parts))


def _title_candidates(lines: list[str], rules: _Rules) -> Iterable[str]:
    """Each head line, and a title split after its issuer (`湖南省人民政府` / `关于……`) joined again."""
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if following.startswith("关于") and rules.issuer_line.fullmatch(line):
            yield line + following
        yield line


def _find_title(full_head: str, body: str, lines: list[str], rules: _Rules, name: str) -> _TitleFind:
    for raw_line in _title_candidates(lines, rules):
        line = _clean_title(raw_line, rules)
        if not _titleish(line, rules):
            continue
        for pattern in rules.reported:
            match = pattern.search(line)
            if match:
                return _TitleFind(match["title"], _join_issuers(match["issuer"], rules), "reported",
                                  f"reported-title: {line}", f"reported-issuer: {line}")
        for pattern in rules.document:
            match = pattern.fullmatch(line)
            if match:
                issuer = (match.groupdict().get("issuer") or "").strip()
                found = _TitleFind(match["title"], mode="document", title_source=f"title-line: {line}")
                issuers = _join_issuers(issuer, rules)
                if issuer and rules.issuer_line.fullmatch(issuers.split("、")[-1]):
                    found.issuer, found.issuer_source = issuers, f"title-prefix: {issuer}"
                return found
    for window in (body[: rules.meeting_window], full_head[: rules.meeting_window]):
        for pattern in rules.meetings:
            match = pattern.search(window)
            if match:
                title = rules.meeting_strip.sub("", match["name"])
                found = _TitleFind(title, mode="meeting", title_source=f"meeting: {match.group()}",
                                   meeting=match)
                org = match.groupdict().get("org")
                if org:
                    found.issuer, found.issuer_source = org, f"meeting-convener: {match.group()}"
                return found
    window = body[: rules.report_window]
    for pattern in rules.reported:
        match = pattern.search(window)
        if match:
            return _TitleFind(match["title"], _join_issuers(match["issuer"], rules), "reported",
                              f"reported-title: {match.group()}", f"reported-issuer: {match.group()}")
    for raw_line in lines:
        line = _clean_title(raw_line, rules)
        if (_titleish(line, rules) and len(re.findall(r"[\u4e00-\u9fff]", line)) >= 8
                and not any(p.search(line) for p in rules.not_headline)):
            return _TitleFind(line, mode="headline", title_source=f"headline: {line}")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    if re.search(r"[\u4e00-\u9fff]{4}", stem):
        return _TitleFind(stem, mode="name", title_source=f"file-name: {name}")
    return _TitleFind()


def _region_suffix(text: str, rules: _Rules) -> str:
    """The part of `text` from its first region name on (`日临汾市` → `临汾市`); empty when none."""
    match = rules.regions.pattern.search(text)
    return text[match.start():] if match else ""


def _find_issuer(found: _TitleFind, head: str, body: str, tail_lines: list[str], rules: _Rules) -> None:
    """Fill `found.issuer` where the title did not give it: convener, adopting session, signature."""
    if found.issuer:
        return
    if found.mode == "meeting":
        for window in (body[: rules.meeting_window * 2], head):
            for pattern in rules.meeting_issuer:
                match = pattern.search(window)
                if match:
                    found.issuer, found.issuer_source = match["issuer"], f"meeting-convener: {match.group()}"
                    return
    match = rules.session.search(head)
    if match:
        found.issuer = _region_suffix(match["pre"] or "", rules) + match["body"]
        found.issuer_source = f"session: {match.group()}"
        return
    for i in range(len(tail_lines) - 1, 0, -1):
        if rules.signature_date.search(tail_lines[i]) and rules.signature_issuer.fullmatch(tail_lines[i - 1]):
            found.issuer, found.issuer_source = tail_lines[i - 1], f"signature: {tail_lines[i - 1]}"
            return


# --------------------------------------------------------------------------- level and region


@dataclass(slots=True)
class _Place:
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


def _region_chain(text: str, rules: _Rules) -> list[tuple[Region, ...]]:
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


def _mentioned(head: str, rules: _Rules) -> Counter[str]:
    """How often each province, or a prefecture in it, is named in the head of the text."""
    counts: Counter[str] = Counter()
    for match in rules.regions.mention.finditer(head):
        for unit in rules.regions.lookup(match.group()):
            if unit.level != "county":
                counts[unit.province] += 1
                if unit.level == "municipal":
                    counts[unit.name] += 1
    return counts


def _resolve(units: tuple[Region, ...], head: str, rules: _Rules, where: str) -> _Place:
    """One unit of several with the same name: the highest level, then the one whose province is named."""
    top = min(LEVELS.index(u.level) for u in units)
    units = tuple(u for u in units if LEVELS.index(u.level) == top)
    unit = units[0]
    place = _Place(unit.level, unit.name, unit.province, f"{where}: {unit.name} ({unit.level})")
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
            place.warnings.append(f"{_WARN}region {unit.name} exists in several provinces ({provinces}) "
                                  "and the text names none of them; province left empty")
    return place


def _find_place(issuer: str, title: str, head: str, rules: _Rules) -> _Place:
    """Level, region and province from the issuer, else the title, else a collective word (`全省`)."""
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
                return _Place("central", source=f"{where}: central organ ({first})")
    for where, text in (("title", title), ("issuer", issuer)):
        text = rules.collective_strip.sub("", text)
        for word, level in rules.collective:
            if text.startswith(word):
                if level == "central":
                    return _Place("central", source=f"{where}: {word}")
                return _collective_place(level, word, where, head, rules)
    for match in rules.regions.mention.finditer(issuer):
        chain = _region_chain(issuer[match.start():], rules)
        if chain:
            return _resolve(chain[-1], head, rules, "issuer mention")
    return _Place(warnings=[f"{_WARN}no level found: the issuer names no region and no central organ"])


def _collective_place(level: str, word: str, where: str, head: str, rules: _Rules) -> _Place:
    """`全省……会议`: the level is known; the region is the most-named unit of that level in the text."""
    counts = _mentioned(head, rules)
    for name, _ in counts.most_common():
        units = [u for u in rules.regions.lookup(name) if u.level == level]
        if units:
            unit = units[0]
            return _Place(level, unit.name, unit.province, f"{where}: {word} + most named {unit.name}")
    return _Place(level, source=f"{where}: {word}",
                  warnings=[f"{_WARN}{word} document but the text names no {level} region"])


def place_of_region(name: str, config: Config) -> Region | None:
    """The unit called `name` (full name or short form) when there is exactly one (highest level first)."""
    units = region_index(config).lookup(name)
    if not units:
        return None
    top = min(LEVELS.index(u.level) for u in units)
    best = [u for u in units if LEVELS.index(u.level) == top]
    return best[0] if len({u.province for u in best}) == 1 else None


# --------------------------------------------------------------------------- kind


def _find_kind(title: str, issuer: str, mode: str, body_head: str, rules: _Rules) -> tuple[str, str]:
    if mode == "meeting":
        return rules.meeting_kind, "meeting title"
    for rule in rules.kind_title:
        if title and rule.pattern.search(title) and (rule.issuer is None or rule.issuer.search(issuer)):
            return rule.kind, rule.source
    for rule in rules.kind_text:
        match = rule.pattern.search(body_head)
        if match:
            return rule.kind, f"text: {match.group()}"
    return rules.default_kind, "default"


# --------------------------------------------------------------------------- entry point


def extract_metadata(full_text: str, body: str, config: Config, *, sidecar: Mapping[str, Any] | None = None,
                     name: str = "") -> Metadata:
    """Find a document's title, issuer, date, level, region, province and kind.

    Args:
        full_text: the whole converted text before junk cleaning (page stamps,
            datelines and duplicated titles still in it).
        body: the cleaned text.
        config: the loaded config (`metadata`, `regions`, `taxonomy`).
        sidecar: validated fields of a `NAME.meta.yaml` (see `sidecar.load_sidecar`);
            each one overrides what the rules find.
        name: the raw file's name without extension, the title of last resort.

    Returns:
        A `Metadata` whose `sources` say which rule (and text) gave each field
        and whose `warnings` say what could not be found.
    """
    rules = _rules(config)
    side = dict(sidecar or {})
    head = full_text[: rules.head_chars]
    body_head = body[: rules.head_chars]
    lines = _head_lines(head, rules.head_lines)
    tail_lines = _head_lines(body[-rules.tail_chars:], 10_000)[-rules.tail_lines:]
    meta = Metadata()

    found = _find_title(head, body_head, lines, rules, name)
    _find_issuer(found, head, body_head, tail_lines, rules)
    meta.title, meta.issuer = found.title, found.issuer
    if found.title_source:
        meta.sources["title"] = found.title_source
    if found.issuer_source:
        meta.sources["issuer"] = found.issuer_source
    if found.mode in ("headline", "name"):
        meta.warnings.append(f"{_WARN}no document title, report or meeting found; title taken from the "
                             f"{'first headline' if found.mode == 'headline' else 'file name'}")
    elif not found.title:
        meta.warnings.append(f"{_WARN}no title found")
    for key in ("title", "issuer"):
        if key in side:
            setattr(meta, key, side[key] or "")
            meta.sources[key] = "sidecar"

    if "date" in side:
        meta.date, meta.sources["date"] = side["date"], "sidecar"
    else:
        date = _find_date(head, lines, tail_lines, found.meeting, rules)
        meta.date = date.iso
        if date.source:
            meta.sources["date"] = date.source
        meta.warnings.extend(date.warnings)

    _place_fields(meta, side, head, config, rules)

    if "kind" in side:
        meta.kind, meta.sources["kind"] = side["kind"], "sidecar"
    else:
        mode = found.mode if "title" not in side else "document"
        meta.kind, meta.sources["kind"] = _find_kind(meta.title, meta.issuer, mode, body_head, rules)
    return meta


def _place_fields(meta: Metadata, side: Mapping[str, Any], head: str, config: Config, rules: _Rules) -> None:
    """Level, region and province by the rules, then the sidecar's on top (a region implies the other two)."""
    place = _find_place(meta.issuer, meta.title, head, rules)
    meta.level, meta.region, meta.province = place.level, place.region, place.province
    if place.source:
        meta.sources["level"] = meta.sources["region"] = meta.sources["province"] = place.source
    if "region" in side:
        units = rules.regions.lookup(side["region"]) if side["region"] else ()
        meta.region = side["region"]
        meta.province = units[0].province if len({u.province for u in units}) == 1 else None
        meta.level = units[0].level if len({u.level for u in units}) == 1 else meta.level
        meta.sources["level"] = meta.sources["region"] = meta.sources["province"] = "sidecar region"
    if "province" in side:
        meta.province, meta.sources["province"] = side["province"], "sidecar"
    if "level" in side:
        meta.level, meta.sources["level"] = side["level"], "sidecar"
        if meta.level == "central":  # a central document has no region, unless the sidecar says so
            meta.region = side.get("region")
            meta.province = side.get("province")
    if not side.keys() & {"level", "region"}:
        meta.warnings.extend(place.warnings)
