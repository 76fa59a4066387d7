"""Dates: written forms parsed, and the document's date chosen by the rank of the rule that found it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...text.numerals import numeral_value
from .rules import WARN, Rules

if TYPE_CHECKING:
    from .notes import HeaderNote

_DATE_PARTS = re.compile(
    r"(?:(?P<y>\d{4}|[〇零○ＯO一二三四五六七八九]{4})[ 　]?[-/.年][ 　]?)?"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})[ 　]?[-/.月][ 　]?"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})"
)


# `20221102`, as bulletins and file names write a date.
_COMPACT = re.compile(r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12][0-9]|3[01])(?![0-9])")


def parse_date(text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a written date, or None when it is not a real date.

    >>> parse_date("二〇二二年九月二日"), parse_date("2022/9/26"), parse_date("1月14日"), parse_date("20221102")
    ((2022, 9, 2), (2022, 9, 26), (None, 1, 14), (2022, 11, 2))
    """
    match = _DATE_PARTS.search(text) or _COMPACT.search(text)
    if not match:
        return None
    year = numeral_value(match["y"]) if match["y"] else None
    month, day = numeral_value(match["m"]), numeral_value(match["d"])
    if month is None or day is None or (match["y"] and year is None):
        return None
    try:
        dt.date(year or 2000, month, day)  # 2000 is a leap year: 2月29日 without a year is valid
    except ValueError:
        return None
    return year, month, day


def written_iso_date(text: str) -> str | None:
    """A written date that states its year, as YYYY-MM-DD (`二〇二三年四月十日` → `2023-04-10`);
    None when there is none or it is not a real date (`2023年02月31日`).

    >>> written_iso_date("2023-05-08 10:30"), written_iso_date("2023年02月31日"), written_iso_date("4月10日")
    ('2023-05-08', None, None)
    """
    parts = parse_date(text)
    return iso_date(*parts) if parts and parts[0] else None


def iso_date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


@dataclass(slots=True)
class DateFind:
    iso: str | None = None
    source: str = ""
    warnings: list[str] = field(default_factory=list)


def first_stamp(lines: list[str], rules: Rules) -> tuple[tuple[int, int, int], str] | None:
    for line in lines:
        for pattern in rules.stamps:
            match = pattern.search(line)
            if match:
                parts = parse_date(match["date"])
                if parts and parts[0]:
                    return (parts[0], parts[1], parts[2]), match.group().strip()
    return None


def find_date(head: str, lines: list[str], tail_lines: list[str], meeting: re.Match[str] | None,
              rules: Rules, *, note: HeaderNote | None = None, bulletin: tuple[str, str] | None = None,
              name: str = "") -> DateFind:
    """The best-ranked date; a month-day date takes the page stamp's year (one less across New Year).

    Args:
        head, lines, tail_lines: the head of the text, its lines and the last lines of the body.
        meeting: the meeting sentence that gave the title, if any.
        rules: the compiled metadata rules.
        note: the header note below the title, if any.
        bulletin: a bulletin's issue date as written and the title that states it.
        name: the raw file's name, whose date is the last resort.
    """
    # Each rule is searched for only when the rules ranked above it gave no date (and the page
    # stamp only when a date lacks its year or the stamp's turn comes): most pages are dated
    # by an early rule.
    date_rules = dict(rules.date_rules)
    stamps: list[tuple[tuple[int, int, int], str] | None] = []

    def page_stamp() -> tuple[tuple[int, int, int], str] | None:
        if not stamps:
            stamps.append(first_stamp(lines, rules))
        return stamps[0]

    def written(rule: str) -> tuple[str, str] | None:
        """The date as written by rule `rule`, and the evidence (a built-in rule before a
        configured one of the same name)."""
        if rule == "page-stamp" and (stamp := page_stamp()) is not None:
            (y, m, d), text = stamp
            return f"{y}年{m}月{d}日", text
        if rule == "bulletin" and bulletin:
            return bulletin
        if rule == "header-note" and note is not None and (event := note.dated()) is not None:
            return event.written, event.evidence
        if rule == "file-name" and (match := rules.file_name_date.search(file_stem(name))):
            return re.sub(r"[^0-9]", "", match["date"]), name  # (as `20190302`, whatever separates it)
        if rule == "meeting" and meeting is not None and meeting.groupdict().get("date"):
            return meeting["date"], meeting.group()
        if rule == "signature":
            for line in reversed(tail_lines):
                match = rules.signature_date.search(line)
                if match:
                    return match["date"], line
        if rule in date_rules:
            match = date_rules[rule].search(head)
            date = next((v for k, v in match.groupdict().items() if k.startswith("date") and v), None) \
                if match else None
            if match and date:
                return date, match.group().strip()
        return None

    result = DateFind()
    for rule in rules.date_order:
        found = written(rule)
        if found is None:
            continue
        date, evidence = found
        parts = parse_date(date)
        if parts is None:
            continue
        year, month, day = parts
        year_note = ""
        if year is None:
            stamp = page_stamp()
            if stamp is None:
                result.warnings.append(f"{WARN}date {date} ({rule}) states no year and the page has "
                                       "no dated stamp; date left empty")
                continue
            (sy, sm, _), stamp_text = stamp
            # A report is dated on or after its event: a December meeting on a January page is last year's.
            year = sy - 1 if month > sm else sy
            year_note = f" + year of page stamp {stamp_text}"
        iso = iso_date(year, month, day)
        if iso:
            result.iso, result.source = iso, f"{rule}: {evidence}{year_note}"
            if rule == "file-name":
                result.warnings.append(f"{WARN}the text states no date; date {iso} taken from the file name "
                                       f"{name}")
            return result
    if not result.warnings:
        result.warnings.append(f"{WARN}no date found (no adoption note, signature, meeting date "
                               "or page stamp)")
    return result


def file_stem(name: str) -> str:
    """A file's name without its folders and extension."""
    return re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
