"""`metadata.yaml` compiled once per config: every pattern, fragment and lexicon the metadata stage reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...config import Config, compile_rule, per_config
from ...errors import ConfigError
from ...models import LEVELS
from ...text.fastregex import FastPattern, any_needle
from .regions import RegionIndex, build_region_index

# A compiled rule: a plain pattern, or one that skips text it cannot match in (`fastregex`).
Pattern = re.Pattern[str] | FastPattern

WARN = "metadata: "


@dataclass(frozen=True, slots=True)
class KindRule:
    kind: str
    pattern: Pattern
    issuer: Pattern | None
    source: str


@dataclass(frozen=True, slots=True)
class NoteRules:
    """`header_note`: how a law's or regulation's header note is found and read."""

    max_gap: int
    max_lines: int
    date: Pattern  # a full date (`dates.fragments.full`)
    start: Pattern
    not_note: Pattern
    not_continued: Pattern
    heading: Pattern
    events: Pattern  # named groups: adoption, approval, promulgation, effective
    quoted: Pattern
    issuers: tuple[Pattern, ...]
    approved: Pattern


@dataclass(frozen=True, slots=True)
class BulletinRules:
    """`bulletins`: an issue of a programme or paper titled by its name and date."""

    title: Pattern
    kind: str
    publishers: Mapping[str, str]  # programme or paper → who broadcasts or publishes it


@dataclass(frozen=True, slots=True)
class Rules:
    """`metadata.yaml` compiled, plus the region index."""

    head_chars: int
    head_lines: int
    tail_chars: int
    tail_lines: int
    markup: tuple[Pattern, ...]
    markup_any: re.Pattern[str] | None  # matches where one of `markup` does (None: cannot be joined)
    max_title: int
    markdown_title: Pattern
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
    sessions: tuple[Pattern, ...]
    abbreviations: tuple[tuple[str, str], ...]  # longest short form first
    name_strip: tuple[Pattern, ...]
    note: NoteRules
    bulletin: BulletinRules
    file_name_date: Pattern
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
    national_kinds: frozenset[str]
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


def _any_of(patterns: tuple[Pattern, ...]) -> re.Pattern[str] | None:
    """A regex that finds something in a text wherever one of `patterns` could match (their needles,
    `fastregex.any_needle`), or None when one of them has no needle to look for."""
    return any_needle(p if isinstance(p, FastPattern) else FastPattern(p) for p in patterns) if patterns else None


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


EVENT_KINDS = ("adoption", "approval", "promulgation", "effective")


def _note_rules(section: Mapping[str, Any], date_frag: Mapping[str, str]) -> NoteRules:
    events = section.get("events")
    if not isinstance(events, Mapping) or set(events) != set(EVENT_KINDS):
        raise ConfigError(f"metadata.yaml: header_note.events: expected the keys {', '.join(EVENT_KINDS)}")
    for kind in EVENT_KINDS:
        _compile(f"header_note.events.{kind}", events[kind])
    words = {kind: str(events[kind]) for kind in EVENT_KINDS}
    # Approval first: `通过批准` is an approval, not an adoption.
    joined = "|".join(f"(?P<{kind}>{words[kind]})" for kind in sorted(EVENT_KINDS, key=lambda k: k != "approval"))
    return NoteRules(
        max_gap=_int(section, "header_note", "max_gap", 2),
        max_lines=_int(section, "header_note", "max_lines", 16),
        date=_compile("dates.fragments.full", date_frag.get("full")),
        start=_compile("header_note.start", section.get("start"), date_frag),
        not_note=_compile("header_note.not_note", section.get("not_note")),
        not_continued=_compile("header_note.not_continued", section.get("not_continued")),
        heading=_compile("header_note.heading", section.get("heading")),
        events=_compile("header_note.events", joined),
        quoted=_compile("header_note.quoted", section.get("quoted")),
        issuers=_many("header_note.issuers", section.get("issuers"), None, ("issuer",)),
        approved=_compile("header_note.approved", section.get("approved"), None, ("issuer",)),
    )


def _bulletin_rules(section: Mapping[str, Any], known: set[str]) -> BulletinRules:
    if section.get("kind") not in known:
        raise ConfigError(f"metadata.yaml: bulletins.kind: '{section.get('kind')}' is not a taxonomy kind")
    publishers: dict[str, str] = {}
    for publisher, names in (section.get("publishers") or {}).items():
        if isinstance(names, str) or not all(isinstance(n, str) for n in names or ()):
            raise ConfigError(f"metadata.yaml: bulletins.publishers.{publisher}: expected a list of names")
        publishers.update(dict.fromkeys(names, publisher))
    return BulletinRules(_compile("bulletins.title", section.get("title"), None, ("name", "date")),
                         section["kind"], publishers)


def _kinds_of(value: Any, where: str, known: set[str]) -> frozenset[str]:
    kinds = [value] if isinstance(value, str) else list(value or ())
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise ConfigError(f"metadata.yaml: {where}: '{unknown[0]}' is not a taxonomy kind")
    return frozenset(kinds)


def taxonomy_kinds(config: Config) -> set[str]:
    """Kind ids of `taxonomy.yaml`."""
    return set(config.get("taxonomy", "kinds") or ())


@per_config
def compiled_rules(config: Config) -> Rules:
    """`metadata.yaml` and `regions.yaml`, compiled (once per config)."""
    meta = config["metadata"]
    scan, titles, meetings = _section(meta, "scan"), _section(meta, "titles"), _section(meta, "meetings")
    issuers, dates, levels, kinds = (_section(meta, k) for k in ("issuers", "dates", "levels", "kinds"))
    title_frag = {"suffix": titles["suffix"], "trailer": titles["trailer"]}
    meet_frag = dict(meetings.get("fragments") or {})
    date_frag = dict(dates.get("fragments") or {})
    kind_frag = {"trailer": kinds["trailer"]}
    known = taxonomy_kinds(config)
    for name in ("meeting", "default"):
        if kinds.get(name) not in known:
            raise ConfigError(f"metadata.yaml: kinds.{name}: '{kinds.get(name)}' is not a taxonomy kind")
    date_rules = tuple((name, _compile(f"dates.rules.{name}", pat, date_frag, ("date",)))
                       for name, pat in (dates.get("rules") or {}).items())
    builtin = {"bulletin", "header-note", "signature", "meeting", "page-stamp", "file-name"}
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
    markup = _many("scan.markup", scan.get("markup"))
    return Rules(
        head_chars=_int(scan, "scan", "head_chars", 3000),
        head_lines=_int(scan, "scan", "head_lines", 60),
        tail_chars=_int(scan, "scan", "tail_chars", 1500),
        tail_lines=_int(scan, "scan", "tail_lines", 12),
        markup=markup,
        markup_any=_any_of(markup),
        max_title=_int(titles, "titles", "max_length", 120),
        markdown_title=_compile("titles.markdown", titles.get("markdown"), None, ("title",)),
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
        meeting_strip=_compile("meetings.name_strip", meetings["name_strip"]),
        separator=_compile("issuers.separator", issuers.get("separator")),
        sessions=_many("issuers.sessions", issuers.get("sessions"), None, ("pre", "body")),
        abbreviations=tuple(sorted(((str(k), str(v)) for k, v in (issuers.get("abbreviations") or {}).items()),
                                   key=lambda kv: -len(kv[0]))),
        name_strip=_many("issuers.name_strip", issuers.get("name_strip")),
        note=_note_rules(_section(meta, "header_note"), date_frag),
        bulletin=_bulletin_rules(_section(meta, "bulletins"), known),
        file_name_date=_compile("dates.file_name", dates.get("file_name"), None, ("date",)),
        signature_issuer=_compile("issuers.signature", issuers.get("signature")),
        date_rules=date_rules,
        date_order=order,
        stamps=_many("dates.stamps", dates.get("stamps"), date_frag, ("date",)),
        signature_date=_compile("dates.signature", dates.get("signature"), date_frag, ("date",)),
        prefixes=_compile("levels.prefixes", levels["prefixes"]),
        collective_strip=_compile("levels.collective_strip", levels["collective_strip"]),
        central=_many("levels.central", levels.get("central")),
        collective=tuple(collective.items()),
        county_min_length=_int(levels, "levels", "county_min_length", 3),
        national_kinds=_kinds_of(levels.get("national_kinds"), "levels.national_kinds", known),
        kind_title=_kind_rules("kinds.title", kinds.get("title"), known, kind_frag),
        kind_text=_kind_rules("kinds.text", kinds.get("text"), known, kind_frag),
        meeting_kind=kinds["meeting"],
        default_kind=kinds["default"],
        regions=region_index(config),
    )


@per_config
def region_index(config: Config) -> RegionIndex:
    """The administrative divisions of `regions.yaml`, indexed (cached per config).

    Built on its own, not with the metadata rules: compare, the filters and sidecars need the
    gazetteer without compiling every metadata pattern.
    """
    return build_region_index(config["regions"])
