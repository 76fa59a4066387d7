"""Personal data of private persons: find it, and replace it with placeholders.

Some scraped pages carry wanted notices or case reports with the ID numbers,
phone numbers, names and home addresses of private persons. None of it may
reach any output: the cleaned text is redacted by `find_personal_data`
(replacement edits, so offsets stay traceable and the value is not kept),
and the pieces that cleaning removed (raw text) are redacted against the
values found in the converted text, mapped back to raw spans (`pipeline`).
Raw decoded text (traditional characters, ASCII punctuation, pinyin glosses)
can be matched too: then matching runs on a view of the text with glosses
dropped and characters converted to simplified, mapped back to the original
offsets (`corpus check` reads raw files so).

What counts (patterns in `configs/pii.yaml`):

* ID numbers: 18 digits with a valid GB 11643 check digit and birth date, or
  any 18-character or 15-digit number where the text says it is an ID number;
* mainland mobile numbers (`1[3-9]` + 9 digits, not inside a longer number);
* bank card numbers where the text says so;
* names in person records: a name followed by sex, ethnicity or birth date,
  where a label (`犯罪嫌疑人`) or something that singles the person out (a
  birth date, an age, an ID or address field) says it is a private person's
  record, and nothing gives a public role (an official's biography after the
  name, an appointment before it); and `姓名：` fields;
* home addresses after `户籍地：`, `住址为`, `家住`…: a place name, and where
  no field mark (`：`) says it is a field, a house number, road or village.
  A value runs up to the next field label or the next number that is itself
  personal data (an ID number written straight after the address gets its
  own placeholder).

Words of a rule (`姓名和住所`, `户籍在本市的公民`) are no values, and no value
spans a sentence end, a line or markup (`boundary`).
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from ...config import Config, compile_rule, per_config
from ...errors import ConfigError
from ...text.textmap import Edit

# (the rules' scanners and OpenCC are imported where the rules are built and a view is converted:
# a run over an unchanged corpus asks this module only whether redaction is on)
if TYPE_CHECKING:
    from ...text.fastregex import FastPattern, SharedRuns

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CLOSING = re.compile("[）)]")  # where a record opened with a bracket closes


@dataclass(frozen=True, slots=True)
class NumberRule:
    kind: str
    pattern: FastPattern
    validate: str | None
    context: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class FieldRule:
    kind: str
    pattern: FastPattern  # label + connector + (?P<value>…); found only where a label is
    shape: re.Pattern[str] | None
    stop: re.Pattern[str] | None
    place: re.Pattern[str] | None  # what the value must begin with
    locator: re.Pattern[str] | None  # what the value must hold unless the connector has a `mark`
    marked: bool  # the connector has a group named `mark`


@dataclass(frozen=True, slots=True)
class RecordRule:
    """What makes a name followed by record attributes a private person's record."""

    label: re.Pattern[str] | None  # a label right before the name (searched up to the name)
    label_chars: int  # the longest label
    identifying: re.Pattern[str] | None  # in the record, after the name
    biography: re.Pattern[str] | None  # in the record, after the name, up to `paragraph_end`
    appointment: re.Pattern[str] | None  # before the name, in its sentence
    paragraph_end: re.Pattern[str] | None
    chars: int  # how far the record's windows reach on either side of the name


@dataclass(frozen=True, slots=True)
class PiiRules:
    """`pii.yaml`, compiled."""

    placeholders: Mapping[str, str]
    numbers: tuple[NumberRule, ...]
    # Runs of the characters number patterns are made of, long enough for the shortest:
    # a text without one has no number to look for.
    number_runs: SharedRuns | None
    context_chars: int
    person: re.Pattern[str] | None
    # What follows a name in a record (separator + attribute: the person pattern's lookahead),
    # and the shortest and longest name: a name can only end where this matches.
    person_after: FastPattern | None
    name_widths: tuple[int, int] | None
    not_name: re.Pattern[str] | None
    record: RecordRule | None
    fields: tuple[FieldRule, ...]
    boundary: re.Pattern[str] | None
    drop: re.Pattern[str] | None
    opencc: str | None
    # Patterns one of which finds something in any text that holds a value (a run for the number
    # patterns, a needle of the fields, a record's attributes); None where that is not known.
    # Most titles, issuers and header notes hold none of them: then nothing else is tried.
    prefilter: tuple[re.Pattern[str] | FastPattern, ...] | None = None


# Sections without which a pii.yaml redacts less than it seems to.
_REQUIRED = ("placeholders", "patterns", "fields", "person_record")


def _compile(pattern: Any, where: str) -> re.Pattern[str]:
    return compile_rule(pattern, f"pii.yaml: {where}")


def _words(values: Any, where: str) -> list[str]:
    if not values:
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ConfigError(f"pii.yaml: {where}: expected a list of words")
    return sorted((str(v) for v in values), key=len, reverse=True)


def _optional(rule: Mapping[str, Any], key: str, where: str = "") -> re.Pattern[str] | None:
    value = rule.get(key)
    return _compile(value, f"{where}.{key}" if where else key) if value else None


def _positive(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"pii.yaml: {where}: expected a positive number of characters, got {value!r}")
    return value


@per_config
def pii_rules(config: Config) -> PiiRules:
    """The rules of `pii.yaml`, compiled (once per config).

    Raises:
        ConfigError: a malformed pattern, or a kind without a placeholder.
    """
    from ...text.fastregex import FastPattern, SharedRuns
    from ...text.regex_facts import widths

    pii = config["pii"]
    enabled = pii.get("enabled", True)  # (a pii.yaml cut short is refused below, not turned off)
    if not isinstance(enabled, bool):
        raise ConfigError(f"pii.yaml: enabled: expected true or false, got {enabled!r}")
    if not enabled:
        pii = {}  # redaction turned off on purpose: the run says so (see `redaction_off`)
    else:
        missing = [key for key in _REQUIRED if key not in pii]
        if missing:
            # A pii.yaml cut short (or an empty one in ./configs) must not turn redaction off unseen.
            raise ConfigError(f"{config.origins.get('pii', 'pii.yaml')}: no {', '.join(missing)}: personal data "
                              "would not be redacted; copy the shipped pii.yaml, or set `enabled: false` to "
                              "turn redaction off")
    placeholders = dict(pii.get("placeholders") or {})
    numbers = []
    for i, rule in enumerate(pii.get("patterns") or ()):
        where = f"patterns[{i}]"
        if not rule.get("kind"):  # (the keys of every rule are checked by the schema: config_schema)
            raise ConfigError(f"pii.yaml: {where}: each pattern needs 'kind' and 'pattern'")
        validate = rule.get("validate")
        if validate not in (None, "id18", "id15"):
            raise ConfigError(f"pii.yaml: {where}: unknown validate '{validate}' (known: id18, id15)")
        numbers.append(
            NumberRule(
                str(rule["kind"]),
                FastPattern(_compile(rule.get("pattern"), where)),
                validate,
                _optional(rule, "context", where),
            )
        )
    surnames = _surnames(pii.get("person_record"))
    fields = []
    for i, rule in enumerate(pii.get("fields") or ()):
        where = f"fields[{i}]"
        if not all(rule.get(key) for key in ("kind", "labels", "connector", "value")):
            raise ConfigError(f"pii.yaml: {where}: each field needs 'kind', 'labels', 'connector' and 'value'")
        labels = "|".join(re.escape(w) for w in _words(rule["labels"], f"{where}.labels"))
        connector = _compile(rule["connector"], f"{where}.connector")
        pattern = _compile(f"(?:{labels}){connector.pattern}(?P<value>{rule['value']})", where)
        fields.append(
            FieldRule(
                str(rule["kind"]),
                FastPattern(pattern),
                shape=_optional(rule, "shape", where),
                stop=_optional(rule, "stop", where),
                place=_optional(rule, "place", where),
                locator=_optional({"locator": str(rule.get("locator") or "").replace("{surname}", surnames)},
                                  "locator", where),
                marked="mark" in connector.groupindex,
            )
        )
    person = not_name = person_after = None
    name_widths = None
    record_rule = None
    record = pii.get("person_record")
    if record:
        labels = _words(record.get("labels"), "person_record.labels")
        # a name starts after a non-Han character, a label or a role word (`村民刘某`: not `村民…`)
        roles = _words(record.get("roles") or (), "person_record.roles")
        no_role = f"(?!{'|'.join(map(re.escape, roles))})" if roles else ""
        starts = [f"(?<![\u4e00-\u9fff]){no_role}"] + [f"(?<={re.escape(w)})" for w in (*labels, *roles)]
        attributes = "|".join(f"(?:{a})" for a in record.get("attributes") or ())
        if not attributes:
            raise ConfigError("pii.yaml: person_record.attributes: list at least one attribute pattern")
        person = _compile(
            f"(?:{'|'.join(starts)})(?P<value>{record.get('name')})(?={record.get('separator')}(?:{attributes}))",
            "person_record",
        )
        not_name = _optional(record, "not_name", "person_record")
        record_rule = RecordRule(
            # `犯罪嫌疑人张某`, `犯罪嫌疑人：张某`
            label=_compile(f"(?:{'|'.join(map(re.escape, labels))})[ \t\u3000:：]?$", "person_record.labels")
            if labels else None,
            label_chars=max(map(len, labels), default=0) + 1,
            identifying=_optional(record, "identifying", "person_record"),
            biography=_optional(record, "biography", "person_record"),
            appointment=_optional(record, "appointment", "person_record"),
            paragraph_end=_optional(record, "paragraph_end", "person_record"),
            chars=_positive(record.get("record_chars"), "person_record.record_chars"),
        )
        # the person pattern's lookahead, word for word
        after = _compile(f"{record.get('separator')}(?:{attributes})", "person_record")
        found = widths(_compile(str(record.get("name")), "person_record.name"))
        if found is not None and found[0] > 0 and found[1] is not None:
            person_after, name_widths = FastPattern(after), (found[0], found[1])
    for kind in sorted({r.kind for r in numbers} | {r.kind for r in fields} | ({"name"} if person else set())):
        if kind not in placeholders:
            raise ConfigError(f"pii.yaml: placeholders: no placeholder for kind '{kind}'; add one")
    view = pii.get("raw_view") or {}
    number_runs = SharedRuns.of(r.pattern for r in numbers)
    return PiiRules(
        placeholders=placeholders,
        numbers=tuple(numbers),
        number_runs=number_runs,
        context_chars=int(pii.get("context_chars", 12)),  # (pii is {} when redaction is off)
        person=person,
        person_after=person_after,
        name_widths=name_widths,
        not_name=not_name,
        record=record_rule,
        fields=tuple(fields),
        boundary=_optional(pii, "boundary"),
        drop=_optional(view, "drop", "raw_view"),
        opencc=view.get("opencc") or None,
        prefilter=_prefilter(numbers, number_runs, fields, person, person_after),
    )


def _prefilter(numbers: list[NumberRule], number_runs: SharedRuns | None, fields: list[FieldRule],
               person: re.Pattern[str] | None,
               person_after: FastPattern | None) -> tuple[re.Pattern[str] | FastPattern, ...] | None:
    """`PiiRules.prefilter`: what every value needs, as regexes, or None where a rule gives no such thing."""
    from ...text.fastregex import any_needle

    found: list[re.Pattern[str] | FastPattern] = []
    if numbers:
        if number_runs is None:
            return None
        found.append(number_runs.regex)
    if fields:
        needles = any_needle(rule.pattern for rule in fields)
        if needles is None:
            return None
        found.append(needles)
    if person is not None:
        if person_after is None:
            return None
        found.append(person_after)
    return tuple(found)


def _surnames(record: Mapping[str, Any] | None) -> str:
    """The surnames of `person_record` as an alternation (what `{surname}` in a field's locator stands for)."""
    words = _words((record or {}).get("surnames") or (), "person_record.surnames")
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True))) or "(?!)"


@lru_cache(maxsize=4096)
def _convert_char(name: str, char: str) -> str:
    from ..convert import opencc_converter

    out = opencc_converter(name).convert(char)
    return out if len(out) == 1 else char


# ---------------------------------------------------------------- validation


def id18_valid(number: str) -> bool:
    """GB 11643: the check digit and the birth date of an 18-character ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17].upper():
        return False
    return _valid_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id15_valid(number: str) -> bool:
    """A 15-digit ID number (before 1999): the birth date `YYMMDD` must be a date in the 1900s."""
    if len(number) != 15 or not number.isdigit():
        return False
    return _valid_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= date.today().year


# ---------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class _View:
    """The text as matched, and where each of its offsets came from.

    Offsets shift only at dropped spans, so the map is one entry per drop
    (never one per character), in arrays of machine integers: a glossed 50 MB
    page has over a million drops.
    """

    text: str
    starts: array[int]  # view offsets where a new shift begins (0 first)
    shifts: array[int]  # characters dropped before that view offset

    def original(self, pos: int) -> int:
        return pos + self.shifts[bisect.bisect_right(self.starts, pos) - 1]


def _convert(view: str, name: str) -> str:
    """Convert with OpenCC, keeping every character in its place."""
    from ..convert import opencc_converter

    converter = opencc_converter(name)
    converted = converter.convert(view)
    if len(converted) == len(view):
        return converted
    # A phrase changed length somewhere: convert line by line, and a line that
    # still differs character by character.
    lines = []
    for line in view.split("\n"):
        out = converter.convert(line)
        if len(out) != len(line):
            out = "".join(_convert_char(name, c) if ord(c) > 0x2E7F else c for c in line)
        lines.append(out)
    return "\n".join(lines)


def _view(text: str, rules: PiiRules, converted: bool = False) -> _View:
    """The text with dropped spans left out and characters converted (`converted`: as it is)."""
    starts, shifts = array("q", [0]), array("q", [0])
    view = text
    if converted:
        return _View(view, starts, shifts)
    if rules.drop is not None:
        spans = [m.span() for m in rules.drop.finditer(text)]
        if spans:
            # (in comprehensions: a glossed page has a drop every few characters)
            dropped = list(accumulate([end - start for start, end in spans]))
            shifts.extend(dropped)
            # where the text after each span lands in the view
            starts.extend([end - total for (_, end), total in zip(spans, dropped, strict=True)])
            view = rules.drop.sub("", text)
    if rules.opencc and view:
        view = _convert(view, rules.opencc)
    return _View(view, starts, shifts)


def _candidates(view: str, rules: PiiRules) -> list[tuple[int, int, str, int]]:
    """`(start, end, kind, priority)` in view offsets, before overlaps are resolved."""
    found: list[tuple[int, int, str, int]] = []
    runs = rules.number_runs.spans(view) if rules.number_runs is not None else None
    for priority, rule in enumerate(rules.numbers):
        if runs is None:
            matches = rule.pattern.finditer(view)
        elif runs:
            matches = rules.number_runs.finditer(rule.pattern, view, runs)
        else:
            break  # no run of digits long enough for any number
        for m in matches:
            value = re.sub(r"[^0-9Xx]", "", m.group())
            if rule.validate == "id18" and not id18_valid(value):
                continue
            if rule.validate == "id15" and not id15_valid(value):
                continue
            if rule.context is not None:
                window = view[max(0, m.start() - rules.context_chars) : m.start()]
                if not rule.context.search(window):
                    continue
            found.append((m.start(), m.end(), rule.kind, priority))
    # A labelled value runs up to the next field, and a number that is itself personal
    # data (`户籍…132129197711040035`) is the next field: it gets its own placeholder.
    number_starts = sorted(start for start, _, _, _ in found)
    base = len(rules.numbers)
    for offset, rule in enumerate(rules.fields):
        for m in rule.pattern.finditer(view):
            start, end = m.span("value")
            following = bisect.bisect_left(number_starts, start)
            if following < len(number_starts) and number_starts[following] < end:
                end = number_starts[following]
            value = view[start:end]
            if rule.stop is not None and (stop := rule.stop.search(value)):
                end = start + stop.start()
                value = view[start:end]
            if len(value) >= 2 and _field_value(rule, value, marked=rule.marked and m.group("mark") is not None):
                found.append((start, end, rule.kind, base + offset))
    if rules.person is not None:
        for m in _person_records(view, rules):
            if rules.not_name is not None and rules.not_name.search(m.group("value")):
                continue
            if rules.record is not None and not _private_record(view, *m.span("value"), rules.record, rules.boundary):
                continue
            found.append((*m.span("value"), "name", base + len(rules.fields)))
    if rules.boundary is not None:
        found = [c for c in found if not rules.boundary.search(view, c[0], c[1])]
    return found


def _field_value(rule: FieldRule, value: str, *, marked: bool) -> bool:
    """Whether a labelled field's value is one: an address begins with a place name and looks like one."""
    if rule.place is not None and not rule.place.match(value):
        return False
    if rule.shape is not None:
        # After the first character: a place name starts the value, a lone `号…` is no address.
        marks = len(rule.shape.findall(value, 1))
        if marks < 2 and not (marks == 1 and re.search(r"\d", value)):
            return False
    # Written as a field (`户籍地：…`), a value is one at any precision; in prose (`家住…`) only
    # where it finds a household (a house number, road or village), not a district.
    return marked or rule.locator is None or rule.locator.search(value) is not None


def _private_record(view: str, start: int, end: int, rule: RecordRule, boundary: re.Pattern[str] | None) -> bool:
    """Whether the name at `view[start:end]`, followed by record attributes, is a private person's.

    A label right before it (`犯罪嫌疑人`) says so. Otherwise the record must hold something that
    singles the person out (`identifying`: a birth date, an age, an ID or address field) before its
    part of the sentence ends, and give no public role: no biography of an official after the name
    (`参加工作`, `加入中国共产党`), no appointment before it (`任命…`).
    """
    if rule.label is not None and rule.label.search(view, max(0, start - rule.label_chars), start):
        return True
    limit = min(len(view), end + rule.chars)
    sentence_end = _first(boundary, view, end, limit)
    if view.startswith(("（", "("), end) and (closing := _CLOSING.search(view, end, sentence_end)):
        sentence_end = closing.start()  # `某某（女）为…`: a record opened with a bracket ends where it closes
    if rule.identifying is not None and not rule.identifying.search(view, end, sentence_end):
        return False
    if rule.biography is not None and rule.biography.search(view, end, _first(rule.paragraph_end, view, end, limit)):
        return False
    if rule.appointment is None:
        return True
    sentence_start = max(0, start - rule.chars)
    if boundary is not None:
        for before in boundary.finditer(view, sentence_start, start):
            sentence_start = before.end()
    return rule.appointment.search(view, sentence_start, start) is None


def _first(pattern: re.Pattern[str] | None, view: str, start: int, limit: int) -> int:
    """Where `pattern` first matches in `view[start:limit]`, or `limit`."""
    found = pattern.search(view, start, limit) if pattern is not None else None
    return found.start() if found else limit


def _person_records(view: str, rules: PiiRules) -> Iterator[re.Match[str]]:
    """The matches of `rules.person.finditer(view)`, trying only where a name can start.

    A match is a name of `name_widths` characters followed by what `person_after`
    matches (the pattern's lookahead), so it starts that many characters before a
    place where `person_after` matches; every other start fails. Trying the
    possible starts in order, from the end of the last match on, is what
    `finditer` does.
    """
    from ...text.fastregex import match_starts

    assert rules.person is not None
    if rules.person_after is None or rules.name_widths is None:
        yield from rules.person.finditer(view)
        return
    shortest, longest = rules.name_widths
    starts: set[int] = set()
    for end in match_starts(rules.person_after, view):
        starts.update(range(max(0, end - longest), end - shortest + 1))
    cursor = 0
    for start in sorted(starts):
        if start >= cursor and (m := rules.person.match(view, start)) is not None:
            yield m
            cursor = m.end()


# Texts up to this long (titles, issuers, header notes) go through `PiiRules.prefilter` first. A
# page nearly always holds one of the things it looks for, and its scans would then be done twice.
_PREFILTERED_CHARS = 2000


def contains_personal_data(text: str, config: Config, *, converted: bool = False) -> list[tuple[str, int, int]]:
    """Where personal data sits in `text` (raw or cleaned): `(kind, start, end)`, sorted, non-overlapping.

    Args:
        text: raw decoded text or cleaned simplified text.
        config: the loaded configuration; reads `pii.yaml`.
        converted: `text` has been through the pipeline's conversion (glosses gone,
            simplified): matched as it is, without a second conversion.

    Returns:
        One entry per value, `kind` one of the `placeholders` keys
        (`id-number`, `mobile`, `bank-card`, `name`, `address`).
    """
    rules = pii_rules(config)
    if not text:
        return []
    view = _view(text, rules, converted)
    if (rules.prefilter is not None and len(view.text) <= _PREFILTERED_CHARS
            and not any(p.search(view.text) for p in rules.prefilter)):
        return []
    chosen: list[tuple[int, int, str]] = []  # non-overlapping, sorted by start
    # Longest first, then the rule listed first: one value, one placeholder.
    candidates = sorted(_candidates(view.text, rules), key=lambda c: (-(c[1] - c[0]), c[3], c[0]))
    for start, end, kind, _ in candidates:
        at = bisect.bisect_left(chosen, (start,))
        if at > 0 and chosen[at - 1][1] > start:
            continue
        if at < len(chosen) and chosen[at][0] < end:
            continue
        chosen.insert(at, (start, end, kind))
    out = []
    for start, end, kind in chosen:
        out.append((kind, view.original(start), view.original(end - 1) + 1))
    return out


def spans_boundary(text: str, config: Config) -> bool:
    """Whether `text` holds a sentence end, a line break or markup (`boundary` in `pii.yaml`).

    No personal data value spans one. The pipeline holds values found in the cleaned text, where
    markup between two paragraphs is gone, against the raw text they stand for.
    """
    boundary = pii_rules(config).boundary
    return boundary is not None and boundary.search(text) is not None


def find_personal_data(text: str, config: Config, *, converted: bool = False) -> list[Edit]:
    """Replacement edits that put a placeholder (`[身份证号]`, `[姓名]`…) over each personal data value.

    Args:
        text: the cleaned text (works on raw decoded text too).
        config: the loaded configuration; reads `pii.yaml`.
        converted: as in `contains_personal_data`.

    Returns:
        Non-overlapping edits sorted by offset, reason `pii:<kind>`.
    """
    placeholders = pii_rules(config).placeholders
    return [
        Edit(start, end, placeholders[kind], f"pii:{kind}")
        for kind, start, end in contains_personal_data(text, config, converted=converted)
    ]


def redact(text: str, config: Config, *, converted: bool = False) -> str:
    """`text` with every personal data value replaced by its placeholder.

    Used on any text that is stored or printed outside the cleaned body
    (`converted` as in `contains_personal_data`).
    """
    edits = find_personal_data(text, config, converted=converted)
    if not edits:
        return text
    out = []
    cursor = 0
    for edit in edits:
        out.append(text[cursor : edit.start])
        out.append(edit.replacement)
        cursor = edit.end
    out.append(text[cursor:])
    return "".join(out)
