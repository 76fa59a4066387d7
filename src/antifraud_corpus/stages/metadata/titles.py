"""Title and issuer: a document's own title line, a reported document, a meeting, or a headline."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .dates import file_stem
from .rules import Pattern, Rules


@dataclass(slots=True)
class TitleFind:
    title: str = ""
    issuer: str = ""
    mode: str = ""  # document | bulletin | reported | meeting | headline | name
    title_source: str = ""
    issuer_source: str = ""
    meeting: re.Match[str] | None = None
    line: int = -1  # index of the (last) head line the title stands on; -1 when not on a line of its own
    date: str = ""  # a bulletin's issue date as written


_BLANKS = " \t\u3000\xa0"


def head_lines(text: str, limit: int, markup: tuple[Pattern, ...] = ()) -> list[str]:
    """The first `limit` non-blank lines of `text`, stripped, with the `markup` patterns taken out."""
    return [line for _, line in head_lines_with_raw(text, limit, markup)]


def head_lines_with_raw(text: str, limit: int, markup: tuple[Pattern, ...],
                        any_markup: re.Pattern[str] | None = None) -> list[tuple[str, str]]:
    """`head_lines`, each with the line as written (stripped): `(raw, line)` pairs.

    `any_markup` (`Rules.markup_any`) finds something wherever a `markup` pattern would: a line
    where it finds nothing is kept as it is, without trying each pattern on it.
    """
    lines = []
    for raw in text.splitlines():
        line = raw
        if any_markup is None or any_markup.search(line) is not None:
            for pattern in markup:
                line = pattern.sub("", line)
        line = line.strip(_BLANKS)
        if line:
            lines.append((raw.strip(_BLANKS), line))
            if len(lines) >= limit:
                break
    return lines


def _markdown_title(raw_lines: list[str], rules: Rules) -> int:
    """Index in `head_lines` of the first markdown level-1 heading (`# 标题`); -1 when there is none.

    `raw_lines` are the head lines as written (`head_lines_with_raw`).
    """
    for index, raw in enumerate(raw_lines):
        if rules.markdown_title.match(raw):
            return index
    return -1


def _clean_title(line: str, rules: Rules) -> str:
    for pattern in rules.title_strip:
        line = pattern.sub("", line)
    return line.strip()


def _titleish(line: str, rules: Rules) -> bool:
    return 4 <= len(line) <= rules.max_title and not any(p.search(line) for p in rules.not_title)


def _join_issuers(text: str, rules: Rules) -> str:
    parts = [p.strip() for p in rules.separator.split(text) if p and p.strip()]
    return "、".join(dict.fromkeys(parts))


def _title_candidates(lines: list[str], rules: Rules) -> Iterable[tuple[int, str]]:
    """Each head line (with the index of its last line), and a title split after its issuer
    (`湖南省人民政府` / `关于……`) joined again."""
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if following.startswith("关于") and rules.issuer_line.fullmatch(line):
            yield i + 1, line + following
        yield i, line


def _bulletin(lines: list[str], first: int, rules: Rules) -> TitleFind | None:
    """An issue of a programme or paper (`《新闻联播》 (20221102)`) on the markdown title or the first lines."""
    for index in ([first] if first >= 0 else range(min(3, len(lines)))):
        match = rules.bulletin.title.match(lines[index])
        if match:
            digits = re.sub(r"\D", "", match["date"])
            found = TitleFind(f"《{match['name']}》{digits}", mode="bulletin", title_source=f"bulletin: {lines[index]}",
                              line=index, date=digits)
            publisher = rules.bulletin.publishers.get(match["name"])
            if publisher:
                found.issuer, found.issuer_source = publisher, f"bulletin publisher: 《{match['name']}》"
            return found
    return None


def _title_line(line: str, index: int, rules: Rules) -> TitleFind:
    """A document's own title line, its issuer from the part before 关于 where it has one."""
    for pattern in rules.document:
        match = pattern.fullmatch(line)
        if match:
            issuer = (match.groupdict().get("issuer") or "").strip()
            found = TitleFind(match["title"], mode="document", title_source=f"title-line: {line}", line=index)
            issuers = normalize_issuer(issuer, rules)
            if issuer and rules.issuer_line.fullmatch(issuers.split("、")[-1]):
                found.issuer, found.issuer_source = issuers, f"title-prefix: {issuer}"
            return found
    return TitleFind(line, mode="document", title_source=f"markdown-title: {line}", line=index)


def find_title(full_head: str, body: str, lines: list[str], raw_lines: list[str], rules: Rules, name: str) -> TitleFind:
    """The title: a bulletin's, a document's own title line, a reported document, a meeting, a headline
    or the file name. `lines` are the head lines (`head_lines`), `raw_lines` the same lines as written."""
    first = _markdown_title(raw_lines, rules)
    bulletin = _bulletin(lines, first, rules)
    if bulletin:
        return bulletin
    if first >= 0:
        line = _clean_title(lines[first], rules)
        if _titleish(line, rules):
            return _title_line(line, first, rules)
    for index, raw_line in _title_candidates(lines, rules):
        line = _clean_title(raw_line, rules)
        if not _titleish(line, rules):
            continue
        for pattern in rules.reported:
            match = pattern.search(line)
            if match:
                return TitleFind(match["title"], _join_issuers(match["issuer"], rules), "reported",
                                  f"reported-title: {line}", f"reported-issuer: {line}")
        found = _title_line(line, index, rules)
        if found.title_source.startswith("title-line"):
            return found
    for window in (body[: rules.meeting_window], full_head[: rules.meeting_window]):
        for pattern in rules.meetings:
            match = pattern.search(window)
            if match:
                title = rules.meeting_strip.sub("", match["name"])
                found = TitleFind(title, mode="meeting", title_source=f"meeting: {match.group()}",
                                   meeting=match)
                org = match.groupdict().get("org")
                if org:
                    found.issuer, found.issuer_source = org, f"meeting-convener: {match.group()}"
                return found
    window = body[: rules.report_window]
    for pattern in rules.reported:
        match = pattern.search(window)
        if match:
            return TitleFind(match["title"], _join_issuers(match["issuer"], rules), "reported",
                              f"reported-title: {match.group()}", f"reported-issuer: {match.group()}")
    for index, raw_line in enumerate(lines):
        line = _clean_title(raw_line, rules)
        if (_titleish(line, rules) and len(re.findall(r"[\u4e00-\u9fff]", line)) >= 8
                and not any(p.search(line) for p in rules.not_headline)):
            return TitleFind(line, mode="headline", title_source=f"headline: {line}", line=index)
    stem = file_stem(name)
    if re.search(r"[\u4e00-\u9fff]{4}", stem):
        return TitleFind(stem, mode="name", title_source=f"file-name: {name}")
    return TitleFind()


def _region_suffix(text: str, rules: Rules) -> str:
    """The part of `text` from its first region name on (`日临汾市` → `临汾市`); empty when none."""
    match = rules.regions.pattern.search(text)
    return text[match.start():] if match else ""


def _organ_suffix(text: str, rules: Rules) -> str:
    """The part of `text` from the first region or central organ on (`日最高人民检察院`); empty when none."""
    region = _region_suffix(text, rules)
    if region:
        return region
    for start in range(len(text)):
        if any(pattern.match(text, start) for pattern in rules.central):
            return text[start:]
    return ""


def normalize_issuer(name: str, rules: Rules) -> str:
    """An issuer's name without the term of the body or a redundant state name (`issuers.name_strip`),
    co-issuers joined by 、."""
    parts = []
    for part in _join_issuers(name, rules).split("、"):
        for short, full in rules.abbreviations:
            if part.endswith(short):
                part = part[: len(part) - len(short)] + full
                break
        for pattern in rules.name_strip:
            part = pattern.sub("", part)
        if part:
            parts.append(part)
    return "、".join(dict.fromkeys(parts))


def session_issuer(match: re.Match[str], rules: Rules) -> str:
    """The body that held a session (`临汾市五届人大常委会第七次会议` → 临汾市人民代表大会常务委员会)."""
    return normalize_issuer(_organ_suffix((match["pre"] or "").strip(), rules) + match["body"], rules)


def find_session(text: str, rules: Rules) -> re.Match[str] | None:
    """The first session of `text` by any of the session patterns (the earliest in the text)."""
    matches = [m for pattern in rules.sessions if (m := pattern.search(text))]
    return min(matches, key=lambda m: m.start()) if matches else None


def find_issuer(found: TitleFind, head: str, body: str, tail_lines: list[str], rules: Rules,
                note_issuer: tuple[str, str] | None = None, *, search_head: bool = True) -> None:
    """Fill `found.issuer` where the title did not give it: convener, header note, adopting session, signature.

    `note_issuer` is the issuer the header note names and the event that names it; `search_head`
    False skips the first session of the head (a document with a header note).
    """
    if found.issuer:
        return
    if found.mode == "meeting":
        for window in (body[: rules.meeting_window * 2], head):
            for pattern in rules.meeting_issuer:
                match = pattern.search(window)
                if match:
                    found.issuer, found.issuer_source = match["issuer"], f"meeting-convener: {match.group()}"
                    return
    if note_issuer:
        found.issuer, found.issuer_source = note_issuer[0], f"header-note: {note_issuer[1]}"
        return
    match = find_session(head, rules) if search_head else None
    if match:
        found.issuer = session_issuer(match, rules)
        found.issuer_source = f"session: {match.group()}"
        return
    for i in range(len(tail_lines) - 1, 0, -1):
        if rules.signature_date.search(tail_lines[i]) and rules.signature_issuer.fullmatch(tail_lines[i - 1]):
            found.issuer, found.issuer_source = tail_lines[i - 1], f"signature: {tail_lines[i - 1]}"
            return
