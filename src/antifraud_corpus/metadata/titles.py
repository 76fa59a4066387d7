"""Title and issuer: a document's own title line, a reported document, a meeting, or a headline."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .rules import Rules


@dataclass(slots=True)
class TitleFind:
    title: str = ""
    issuer: str = ""
    mode: str = ""  # document | reported | meeting | headline | name
    title_source: str = ""
    issuer_source: str = ""
    meeting: re.Match[str] | None = None


def head_lines(text: str, limit: int) -> list[str]:
    lines = []
    for line in text.splitlines():
        line = line.strip(" \t\u3000\xa0")
        if line:
            lines.append(line)
            if len(lines) >= limit:
                break
    return lines


def _clean_title(line: str, rules: Rules) -> str:
    for pattern in rules.title_strip:
        line = pattern.sub("", line)
    return line.strip()


def _titleish(line: str, rules: Rules) -> bool:
    return 4 <= len(line) <= rules.max_title and not any(p.search(line) for p in rules.not_title)


def _join_issuers(text: str, rules: Rules) -> str:
    parts = [p.strip() for p in rules.separator.split(text) if p and p.strip()]
    return "、".join(dict.fromkeys(parts))


def _title_candidates(lines: list[str], rules: Rules) -> Iterable[str]:
    """Each head line, and a title split after its issuer (`湖南省人民政府` / `关于……`) joined again."""
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if following.startswith("关于") and rules.issuer_line.fullmatch(line):
            yield line + following
        yield line


def find_title(full_head: str, body: str, lines: list[str], rules: Rules, name: str) -> TitleFind:
    for raw_line in _title_candidates(lines, rules):
        line = _clean_title(raw_line, rules)
        if not _titleish(line, rules):
            continue
        for pattern in rules.reported:
            match = pattern.search(line)
            if match:
                return TitleFind(match["title"], _join_issuers(match["issuer"], rules), "reported",
                                  f"reported-title: {line}", f"reported-issuer: {line}")
        for pattern in rules.document:
            match = pattern.fullmatch(line)
            if match:
                issuer = (match.groupdict().get("issuer") or "").strip()
                found = TitleFind(match["title"], mode="document", title_source=f"title-line: {line}")
                issuers = _join_issuers(issuer, rules)
                if issuer and rules.issuer_line.fullmatch(issuers.split("、")[-1]):
                    found.issuer, found.issuer_source = issuers, f"title-prefix: {issuer}"
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
    for raw_line in lines:
        line = _clean_title(raw_line, rules)
        if (_titleish(line, rules) and len(re.findall(r"[\u4e00-\u9fff]", line)) >= 8
                and not any(p.search(line) for p in rules.not_headline)):
            return TitleFind(line, mode="headline", title_source=f"headline: {line}")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    if re.search(r"[\u4e00-\u9fff]{4}", stem):
        return TitleFind(stem, mode="name", title_source=f"file-name: {name}")
    return TitleFind()


def _region_suffix(text: str, rules: Rules) -> str:
    """The part of `text` from its first region name on (`日临汾市` → `临汾市`); empty when none."""
    match = rules.regions.pattern.search(text)
    return text[match.start():] if match else ""


def find_issuer(found: TitleFind, head: str, body: str, tail_lines: list[str], rules: Rules) -> None:
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
