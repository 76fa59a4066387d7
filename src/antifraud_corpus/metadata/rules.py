"""`metadata.yaml` compiled once per config: every pattern, fragment and lexicon the metadata stage reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import Config, compile_rule, per_config
from ..errors import ConfigError
from ..fastregex import FastPattern
from .regions import RegionIndex, build_region_index

# A compiled rule: a plain pattern, or one that skips text it cannot match in (`fastregex`).
Pattern = re.Pattern[str] | FastPattern

LEVELS = ("central", "provincial", "municipal", "county")
WARN = "metadata: "


@dataclass(frozen=True, slots=True)
class KindRule:
    kind: str
    pattern: Pattern
    issuer: Pattern | None
    source: str


@dataclass(frozen=True, slots=True)
class Rules:
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
    kind_title: tuple[KindRule, ...]
    kind_text: tuple[KindRule, ...]
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
) -> tuple[KindRule, ...]:
    rules = []
    for i, item in enumerate(items or ()):
        kind = item.get("kind") if isinstance(item, Mapping) else None
        if kind not in kinds:
            raise ConfigError(f"metadata.yaml: {where}[{i}]: kind '{kind}' is not a taxonomy kind "
                              f"(allowed: {', '.join(sorted(kinds))})")
        issuer = item.get("issuer")
        rules.append(KindRule(
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
def compiled_rules(config: Config) -> Rules:
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
    return Rules(
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
        regions=build_region_index(config["regions"]),
    )


def region_index(config: Config) -> RegionIndex:
    """The administrative divisions of `regions.yaml`, indexed (cached per config)."""
    return compiled_rules(config).regions
