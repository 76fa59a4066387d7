"""The header note (题注) of a law or regulation: its dated events, hence the document's date and issuer.

A note stands right below the title, as lines that each begin with a date

    2008年12月23日 杭州市第十一届人民代表大会常务委员会第十二次会议通过
    2009年4月1日 浙江省第十一届人民代表大会常务委员会第十次会议批准
    2009年4月9日 杭州市第十一届人民代表大会常务委员会公告第17号公布
    2009年5月1日 施行

or as one note in parentheses. Each date is an event, named by the first event
word after it outside quoted titles (`《关于修改〈…〉的决定》第一次修正` is a
revision, whatever the quoted title says). The document's date is its latest
adoption, approval, revision or promulgation, never its entry into force; its
issuer is the body of the latest adoption or revision (else of the latest
promulgation), never the body that approved it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dates import iso_date, parse_date
from .rules import Rules
from .titles import find_session, normalize_issuer, session_issuer


@dataclass(frozen=True, slots=True)
class NoteEvent:
    """One dated event of a header note."""

    written: str  # the date as written
    iso: str
    kind: str  # adoption | approval | promulgation | effective (`rules.EVENT_KINDS`)
    issuer: str  # who acted, normalized; "" where the note does not say
    text: str  # the event as written, from its date to the next one

    @property
    def evidence(self) -> str:
        return self.text.strip().rstrip("）)　 ")


@dataclass(frozen=True, slots=True)
class HeaderNote:
    """The lines of a header note and the events read from them, in the order written."""

    lines: tuple[str, ...]
    events: tuple[NoteEvent, ...]

    def dated(self) -> NoteEvent | None:
        """The event that dates the document: the latest that is not an entry into force."""
        counted = [e for e in self.events if e.kind != "effective"]
        return max(counted, key=lambda e: e.iso) if counted else None

    def issuing(self) -> NoteEvent | None:
        """The event that names the issuer: the latest adoption or revision with a named body, else
        the latest promulgation with one, else the latest approval that names the approved act's author."""
        for kind in ("adoption", "promulgation", "approval"):
            named = [e for e in self.events if e.kind == kind and e.issuer]
            if named:
                return max(named, key=lambda e: e.iso)
        return None


def find_header_note(lines: list[str], title_line: int, rules: Rules) -> HeaderNote | None:
    """The header note below the title on head line `title_line`; None when there is none.

    Args:
        lines: the head lines, stripped of markup (`titles.head_lines`).
        title_line: index of the title's (last) line.
        rules: the compiled metadata rules.
    """
    note = rules.note
    if title_line < 0:
        return None
    first = next((i for i in range(title_line + 1, min(len(lines), title_line + 2 + note.max_gap))
                  if note.start.search(lines[i]) and _in_note(lines[i], rules)), None)
    if first is None:
        return None
    taken: list[str] = []
    for line in lines[first:first + note.max_lines]:
        if not _in_note(line, rules):
            break
        taken.append(line)
    # Lines are joined with nothing between: a note wraps anywhere, even inside a date (`2016年1月22` / `日`).
    events = _events("".join(taken), rules)
    return HeaderNote(tuple(taken), events) if events else None


def _in_note(line: str, rules: Rules) -> bool:
    """A line that can belong to a note: no heading, and no sentence punctuation (a line that starts
    with a date: but commas, and a mark at its end)."""
    note = rules.note
    if note.heading.match(line):
        return False
    if note.start.search(line):
        return not note.not_note.search(line.rstrip("。；，,"))
    return not note.not_continued.search(line)


def _unquoted(text: str, rules: Rules) -> str:
    """`text` with quoted titles taken out, innermost first (`《关于修改〈…〉的决定》`)."""
    while True:
        bare = rules.note.quoted.sub("", text)
        if bare == text:
            return bare
        text = bare


def _event_issuer(segment: str, kind: str, rules: Rules) -> str:
    """Who acted on an event: for an approval, the author of the approved act (never the approver)."""
    if kind == "approval":
        found = rules.note.approved.search(segment)
        return normalize_issuer(found["issuer"], rules) if found else ""
    match = find_session(segment, rules)
    if match:
        return session_issuer(match, rules)
    for pattern in rules.note.issuers:
        found = pattern.search(segment)
        if found:
            return normalize_issuer(found["issuer"], rules)
    return ""


def _events(text: str, rules: Rules) -> tuple[NoteEvent, ...]:
    """Every dated event of a note's text; a date with no event word of its own shares the next one's
    (`A审判委员会第1512次会议、B检察委员会第49次会议通过`)."""
    dates = list(rules.note.date.finditer(text))
    events: list[NoteEvent] = []
    waiting: list[tuple[str, str, str, str]] = []  # (written, iso, segment, text) of dates with no word yet
    for i, match in enumerate(dates):
        parts = parse_date(match.group())
        iso = iso_date(*parts) if parts and parts[0] else None  # (a note's dates all have a year)
        end = dates[i + 1].start() if i + 1 < len(dates) else len(text)
        segment = text[match.end():end]
        if iso is None:
            continue
        word = rules.note.events.search(_unquoted(segment, rules))
        waiting.append((match.group(), iso, segment, text[match.start():end]))
        if word is None:
            continue
        kind = word.lastgroup or "adoption"
        events.extend(NoteEvent(written, day, kind, _event_issuer(part, kind, rules), whole)
                      for written, day, part, whole in waiting)
        waiting.clear()
    return tuple(events)


__all__ = ["HeaderNote", "NoteEvent", "find_header_note"]
