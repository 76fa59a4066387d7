"""Clause segmentation: split a cleaned body into its numbered clauses.

Policy documents number their outline the GB/T 9704 way (`一、` → `（一）` →
`1.` → `（1）`), laws by article (`第五条`, its items `（二）`) under chapters
(`第二章 电信治理`). Each numbered heading starts a clause whose `path` joins
the numbers of the headings above it (`三/（一）/2`, `第五条/（二）`); chapters
are not part of paths but are recorded in `chapter`. A document with no
numbered heading falls back to paragraphs `¶1`, `¶2`, …, where news
sub-titles become the `heading` of the paragraph that follows them.

Rules of thumb the code follows, the patterns themselves live in
`configs/segment.yaml`:

* A heading starts a line. Numbers inside a sentence (`依照本法第二十五条规定`,
  `主要包括：1、…2、…`) never are headings, so only line starts are searched,
  by one regex that joins all kinds of heading (no per-character loops: a
  50 MB text is segmented in about a second).
* Clauses are flat and do not overlap: a clause runs from the end of its
  heading marker to the next heading (of any rank) or chapter line. A parent
  clause therefore holds only its own lead text (`总体要求`), and an
  un-numbered paragraph belongs to the clause above it. Text before the first
  heading (the preamble) belongs to no clause.
* A numbered list whose entries come back later as lines of their own is a
  list of contents (a news bulletin's rundown `1.习近平会见…；` before its
  items, each under its headline `习近平会见…`). Such a document is read by
  its contents: the lines that repeat an entry are the sub-titles of what
  follows them, however long, so that each item is a paragraph clause of its
  own, and numbers (the rundown's, an item's own points) are no outline.
* Chinese-numeral headings and articles are *strong*: accepted even out of
  sequence, so that `numbering_problems` can report the gap. Arabic ones are
  *weak*: a line starting with `4、` or `3.` is only a heading where it fits the
  running sequence under its parent (a new list starts at 1; a jump of at most
  `sequence.max_gap`), so a stray numbered line cannot invent an outline.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import Config, compile_rule, per_config
from ..errors import ConfigError
from ..models import Clause
from ..text.numerals import numeral_value

PARAGRAPH_MARK = "¶"

_BLANKS = "[ \\t\u3000\u00a0]*"
_LINE_TEXT = re.compile(r"[^\n]+")
_NUMERAL_RUN = re.compile(r"[零〇一二三四五六七八九十百千两]+|[0-9０-９]+")


@dataclass(frozen=True, slots=True)
class _Kind:
    """One kind of numbered heading (`一、`, `（一）`, `第五条`, …) compiled from segment.yaml."""

    name: str
    rank: int
    strong: bool
    group: str  # name of its branch in the combined line-start regex
    fields: tuple[tuple[str, str], ...]  # (group in the combined regex, name in `key`)
    key: str


@dataclass(frozen=True, slots=True)
class _Rules:
    kinds: tuple[_Kind, ...]
    first_line: re.Pattern[str]  # the combined heading regex at offset 0
    line_start: re.Pattern[str]  # the same after a newline
    start_max: int
    max_gap: int
    chapter_units: Mapping[str, int]
    chapter_max: int
    chapter_forbidden: re.Pattern[str]
    sub_min: int
    sub_max: int
    sub_end: re.Pattern[str]
    sub_closing: str
    sub_exclude: re.Pattern[str] | None
    contents_min_entries: int
    contents_min_share: float
    contents_max_chars: int
    contents_gap_lines: int
    contents_wraps_after: re.Pattern[str]
    contents_trim: str  # characters stripped from an entry's end
    # (kind group, marker as written) -> `_parse_heading` of it: documents share their markers
    # (`第一条`, `（二）`), so each is read once per process rather than once per document.
    parsed_headings: dict[tuple[str, str], tuple[int, str] | None] = field(default_factory=dict)


@dataclass(slots=True)  # not frozen: frozen dataclasses are slow to build, and there are many marks
class _Mark:
    """A heading or chapter line found at a line start."""

    line: int  # offset where the line starts
    end: int  # offset after the marker (heading) or after the line (chapter)
    heading: str  # the marker as written, or the chapter line
    kind: _Kind | None  # None for a chapter line
    value: int = 0
    key: str = ""
    unit: int = 0  # chapter unit (编 < 章 < 节)


def segment_clauses(text: str, config: Config) -> list[Clause]:
    """Split `text` into numbered clauses, or into paragraphs when nothing is numbered.

    Args:
        text: the cleaned simplified body; paragraphs separated by `\\n`.
        config: the loaded configuration (reads `segment.yaml`).

    Returns:
        Clauses in document order, `text == text[start:end]` for each. Numbered clauses
        carry the marker as written in `heading` (`一、`, `（一）`, `1.`, `第五条`) and their
        text starts after it; paragraph clauses (`¶N`) carry a preceding news sub-title in
        `heading`, or `""`.

    Raises:
        ConfigError: segment.yaml lacks a key or holds an invalid pattern.
    """
    rules = _rules(config)
    marks = _find_marks(text, rules)
    marks, titles = _without_contents(text, marks, rules)
    clauses = _numbered_clauses(text, marks, rules)
    if clauses:
        return clauses
    return _paragraph_clauses(text, [m for m in marks if m.kind is None], rules, titles)


def numbering_problems(clauses: list[Clause]) -> list[tuple[Clause, str]]:
    """List numbered clauses that break their sequence: gaps, disorder, duplicates.

    A sequence is the run of same-kind numbers under one parent clause (`（一）（二）`
    under `三`); a sequence that restarts at 1 in a new chapter is a new sequence, since
    some documents number each chapter's outline afresh. Paragraph clauses (`¶N`) and
    added articles (`第十条之一`) are not checked.

    Args:
        clauses: as returned by `segment_clauses`, in document order.

    Returns:
        `(clause, message)` for the first clause out of sequence at each problem, e.g.
        `(四, "numbering gap: 四 follows 二")`.
    """
    problems: list[tuple[Clause, str]] = []
    latest: dict[str, int] = {}  # path -> index of its latest clause: the parent of what follows
    state: dict[tuple[int, str], tuple[int, str, str | None, set[int]]] = {}
    for index, clause in enumerate(clauses):
        if not clause.path or clause.path.startswith(PARAGRAPH_MARK):
            continue
        parent, _, key = clause.path.rpartition("/")
        latest[clause.path] = index
        parsed = _parse_key(key)
        if parsed is None:
            continue
        kind, value = parsed
        group = (latest.get(parent, -1) if parent else -1, kind)
        previous = state.get(group)
        if previous is not None and value == 1 and clause.chapter != previous[2]:
            previous = None  # the outline starts afresh in a new chapter
        if previous is None:
            if value != 1:
                problems.append((clause, f"numbering starts at {key}"))
            state[group] = (value, key, clause.chapter, {value})
            continue
        last, last_key, _, seen = previous
        if value in seen:
            problems.append((clause, f"duplicated number: {key} again after {last_key}"))
        elif value < last:
            problems.append((clause, f"numbering out of order: {key} follows {last_key}"))
        elif value > last + 1:
            problems.append((clause, f"numbering gap: {key} follows {last_key}"))
        seen.add(value)
        state[group] = (value, key, clause.chapter, seen)
    return problems


def _parse_key(key: str) -> tuple[str, int] | None:
    """`（三）` -> (`（N）`, 3); `第五条` -> (`第N条`, 5); None for `第十条之一` or no number."""
    runs = _NUMERAL_RUN.findall(key)
    if len(runs) != 1:
        return None
    value = numeral_value(runs[0])
    if value is None:
        return None
    kind = _NUMERAL_RUN.sub(lambda m: "D" if m.group()[0].isdigit() else "N", key)
    return kind, value


# --- numbered documents -------------------------------------------------------------------


_PARSED_HEADINGS_KEPT = 100_000  # (a bound on what a long run over odd markers keeps)


def _find_marks(text: str, rules: _Rules) -> list[_Mark]:
    """Every line start that carries a heading marker or a chapter line, in text order."""
    first = rules.first_line.match(text)
    # The scan starts with a literal newline, which the regex engine finds fast; offset 0
    # is tried on its own.
    matches = itertools.chain([first] if first else [], rules.line_start.finditer(text))
    parsed = rules.parsed_headings  # the same markers recur often
    if len(parsed) > _PARSED_HEADINGS_KEPT:
        parsed.clear()
    marks = []
    for match in matches:
        name = match.lastgroup or ""
        if name == "chapter":
            mark = _chapter_mark(text, match, rules)
            if mark is not None:
                marks.append(mark)
            continue
        kind = rules.kinds[int(name[1:])]
        heading = match.group(name)
        memo = (name, heading)
        if memo not in parsed:
            parsed[memo] = _parse_heading(match, kind)
        if parsed[memo] is not None:
            value, key = parsed[memo]
            marks.append(_Mark(match.start("blanks"), match.end(name), heading, kind, value, key))
    return marks


def _parse_heading(match: re.Match[str], kind: _Kind) -> tuple[int, str] | None:
    """The number of a heading marker and its path segment (`（一）` -> (1, `（一）`))."""
    groups = {name: match.group(full) or "" for full, name in kind.fields}
    value = numeral_value(groups["num"])
    if value is None:
        return None
    return value, kind.key.format_map(_Blank(groups))


def _chapter_mark(text: str, match: re.Match[str], rules: _Rules) -> _Mark | None:
    line = match.start("blanks")
    line_end = _line_end(text, line)
    content = text[line:line_end].strip()
    if len(content) > rules.chapter_max or rules.chapter_forbidden.search(content):
        return None
    return _Mark(
        line=line,
        end=line_end,
        heading=" ".join(content.split()),
        kind=None,
        unit=rules.chapter_units.get(match.group("unit"), 0),
    )


def _numbered_clauses(text: str, marks: list[_Mark], rules: _Rules) -> list[Clause]:
    """Accept headings in sequence, nest them by rank and cut the text between them."""
    stack: list[tuple[int, int, str]] = []  # open headings: (rank, index in accepted, path)
    last: dict[tuple[int, int], int] = {}  # (parent index, rank) -> last number
    top = -1  # parent index of top-level headings: negative, one per chapter
    chapters: dict[int, str] = {}  # unit -> chapter line
    chapter: str | None = None
    accepted: list[tuple[_Mark, str, str | None, int]] = []  # mark, path, chapter, its boundary
    boundaries: list[int] = []  # line starts that end a clause
    for mark in marks:
        if mark.kind is None:
            chapters = {u: t for u, t in chapters.items() if u < mark.unit}
            chapters[mark.unit] = mark.heading
            chapter = " ".join(chapters[u] for u in sorted(chapters))
            stack.clear()  # a chapter closes the article or item before it
            top -= 1  # and top-level sequences may start afresh
            boundaries.append(mark.line)
            continue
        kind = mark.kind
        depth = len(stack)
        while depth and stack[depth - 1][0] >= kind.rank:
            depth -= 1
        parent = stack[depth - 1] if depth else None
        group = (parent[1] if parent else top, kind.rank)
        previous = last.get(group)
        if not kind.strong and not _fits(mark.value, previous, rules):
            continue
        del stack[depth:]
        path = f"{parent[2]}/{mark.key}" if parent else mark.key
        stack.append((kind.rank, len(accepted), path))
        last[group] = mark.value
        accepted.append((mark, path, chapter, len(boundaries)))
        boundaries.append(mark.line)
    boundaries.append(len(text))
    clauses = []
    for mark, path, chapter, boundary in accepted:
        start, end = _strip_span(text, mark.end, boundaries[boundary + 1])
        clauses.append(Clause(path, text[start:end], start, end, heading=mark.heading, chapter=chapter))
    return clauses


def _fits(value: int, previous: int | None, rules: _Rules) -> bool:
    """Whether a weak heading's number continues its sequence (or starts a new one)."""
    if previous is None:
        return 1 <= value <= rules.start_max
    return previous < value <= previous + rules.max_gap


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink `[start, end)` past surrounding white space (the newline before the next heading)."""
    while end > start and text[end - 1].isspace():  # only the few blanks at either edge
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


# --- lists of contents ---------------------------------------------------------------------


def _without_contents(text: str, marks: list[_Mark], rules: _Rules) -> tuple[list[_Mark], frozenset[str]]:
    """Drop the numbers of a document that lists its contents; also return the entries (as keys).

    An entry is the text after a short numbered line's marker, to the end of its line (or of
    the next, after a colon: `wraps_after`). It is listed when a later line that is not a
    numbered heading reads the same (white space and closing punctuation aside). A list is a
    block of entries next to each other (`gap_lines` lines between allowed: one the heading
    patterns do not read); with at least `min_entries` of them listed, and at least
    `min_share`, the block is a list of contents. The document is then read by its contents:
    the lines that repeat an entry head its sections, and numbered lines are no outline of
    the document (an item may number its own points; a bulletin's rundown numbers its items).
    """
    heading_lines = {m.line for m in marks}
    entries: dict[int, tuple[str, int]] = {}  # index in marks -> (key, end), short entries only
    blocks: list[list[int]] = []
    previous_end = -1  # where the previous entry of the block ends
    for index, mark in enumerate(marks):
        if mark.kind is None:
            previous_end = -1  # a chapter line ends a list
            continue
        end = _line_end(text, mark.end)
        while (end - mark.end <= rules.contents_max_chars and end < len(text) and end + 1 not in heading_lines
               and rules.contents_wraps_after.search(text, mark.end, end)):
            end = _line_end(text, end + 1)  # (`3.人民日报评论员文章：` goes on on the next line)
        if previous_end < 0 or text.count("\n", previous_end, mark.line) > rules.contents_gap_lines + 1:
            blocks.append([])
        blocks[-1].append(index)
        previous_end = end
        if end - mark.end <= rules.contents_max_chars:
            entries[index] = (_entry_key(text[mark.end:end], rules), end)
    if len(entries) < rules.contents_min_entries:
        return marks, frozenset()
    # Where each short line that is no heading last occurs (by key): what could repeat an entry.
    # (A line's key starts with its first character that is not white space: a line whose first
    # one opens no entry's key repeats none, and its key is not made.)
    last_seen: dict[str, int] = {}
    firsts = {key[0] for key, _ in entries.values() if key}
    start = text.rfind("\n", 0, min(end for _, end in entries.values())) + 1
    longest = 2 * rules.contents_max_chars  # (white space included: a quick bound before the key is made)
    for line in text[start:].split("\n"):
        if line and len(line) <= longest and line.lstrip()[:1] in firsts and start not in heading_lines:
            key = _entry_key(line, rules)
            if len(key) <= rules.contents_max_chars:
                last_seen[key] = start
        start += len(line) + 1
    listed = {index for index, (key, end) in entries.items() if key and last_seen.get(key, -1) > end}
    contents = [block for block in blocks
                if (hits := sum(1 for index in block if index in listed)) >= rules.contents_min_entries
                and hits >= rules.contents_min_share * len(block)]
    if not contents:
        return marks, frozenset()
    titles = frozenset(entries[index][0] for block in contents for index in block
                       if index in entries and entries[index][0])
    return [m for m in marks if m.kind is None], titles


def _line_end(text: str, pos: int) -> int:
    """The offset of the newline that ends the line at `pos` (the text's end for the last line)."""
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _entry_key(line: str, rules: _Rules) -> str:
    """An entry or a line as compared: no white space, no closing `；` or `：`."""
    return "".join(line.rstrip(rules.contents_trim).split())


# --- paragraph fallback ---------------------------------------------------------------------


def _stripped_lines(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of each line that is not blank, without the white space at either end.

    Stripped line by line, once: a regex that finds the stripped line itself (`[^\\S\\n]*([^\\n]*\\S)`)
    retries every position of a line of white space that cleaning keeps (form feeds, U+2028)
    and is cubic in its length. `str.strip` removes what `\\s` matches.
    """
    spans = []
    for match in _LINE_TEXT.finditer(text):
        line = match.group()
        stripped = line.lstrip()
        if stripped:
            start = match.start() + len(line) - len(stripped)
            spans.append((start, start + len(stripped.rstrip())))
    return spans


def _paragraph_clauses(
    text: str, chapter_marks: list[_Mark], rules: _Rules, titles: frozenset[str] = frozenset()
) -> list[Clause]:
    """`¶1`, `¶2`, … one per non-blank line; a sub-title line heads the paragraph after it.

    A sub-title is a line listed in the document's contents (`titles`), or a short line
    between two paragraphs.
    """
    chapter_at = {m.line: m for m in chapter_marks}
    spans = _stripped_lines(text)
    roles = [_line_role(text[start:end], rules) for start, end in spans]
    if titles:
        for i, (start, end) in enumerate(spans):
            if end - start <= rules.contents_max_chars and _entry_key(text[start:end], rules) in titles:
                roles[i] = "listed"
    if chapter_at:
        for i, (start, _) in enumerate(spans):
            if text.rfind("\n", 0, start) + 1 in chapter_at:
                roles[i] = "chapter"
    clauses: list[Clause] = []
    chapters: dict[int, str] = {}
    chapter: str | None = None
    pending = ""
    last = len(spans) - 1
    for i, (start, end) in enumerate(spans):
        role = roles[i]
        if role == "chapter":
            mark = chapter_at[text.rfind("\n", 0, start) + 1]
            chapters = {u: t for u, t in chapters.items() if u < mark.unit}
            chapters[mark.unit] = mark.heading
            chapter = " ".join(chapters[u] for u in sorted(chapters))
            pending = ""
        elif role == "short" and 0 < i < last and roles[i - 1] == "para" and roles[i + 1] == "para":
            pending = text[start:end]
        elif role == "listed" and i < last and roles[i + 1] not in ("listed", "chapter"):
            pending = text[start:end]
        else:
            clauses.append(
                Clause(f"{PARAGRAPH_MARK}{len(clauses) + 1}", text[start:end], start, end, pending, chapter)
            )
            pending = ""
    return clauses


def _line_role(line: str, rules: _Rules) -> str:
    """`para` (a sentence or a long line), `short` (could be a sub-title) or `other`."""
    last = line.rstrip(rules.sub_closing)[-1:] or line[-1]
    if len(line) > rules.sub_max or rules.sub_end.match(last):
        return "para"
    if len(line) < rules.sub_min or (rules.sub_exclude and rules.sub_exclude.search(line)):
        return "other"
    return "short"


# --- configuration --------------------------------------------------------------------------


class _Blank(dict):
    """Format mapping where a group that did not take part reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


@per_config
def _rules(config: Config) -> _Rules:
    """Compile segment.yaml once per config.

    All heading kinds and the chapter pattern become one alternation, tried at each line
    start; each kind's groups are renamed `h<i>_<name>` so that the kinds may share group
    names. Alternatives are in rank order, so the first kind to claim a line keeps it.
    """
    section: dict[str, Any] = config.plain("segment")
    try:
        items = sorted(enumerate(section["headings"]), key=lambda pair: int(pair[1]["rank"]))
        kinds, branches = [], []
        for position, (i, item) in enumerate(items):
            group = f"h{position}"
            pattern = str(item["pattern"])
            names = tuple(_compile(pattern, f"headings[{i}].pattern").groupindex)
            if "num" not in names:
                raise ConfigError(f"segment.yaml: headings[{i}].pattern needs a group (?P<num>...)")
            pattern = pattern.replace("(?P<", f"(?P<{group}_").replace("(?P=", f"(?P={group}_")
            branch = f"(?P<{group}>{pattern})"
            if item.get("not_followed_by"):
                _compile(str(item["not_followed_by"]), f"headings[{i}].not_followed_by")
                branch += f"(?!{item['not_followed_by']})"
            branches.append(branch)
            kinds.append(
                _Kind(
                    name=str(item["kind"]),
                    rank=int(item["rank"]),
                    strong=bool(item["strong"]),
                    group=group,
                    fields=tuple((f"{group}_{name}", name) for name in names),
                    key=str(item["key"]),
                )
            )
        sequence, chapters, sub = section["sequence"], section["chapters"], section["subheading"]
        contents = sub["contents"]
        _compile(str(chapters["pattern"]), "chapters.pattern")
        if "(?P<unit>" not in chapters["pattern"]:
            raise ConfigError("segment.yaml: chapters.pattern needs a group (?P<unit>...)")
        branches.append(f"(?P<chapter>{chapters['pattern']})")
        body = f"(?P<blanks>{_BLANKS})(?:{'|'.join(branches)})"
        return _Rules(
            kinds=tuple(kinds),
            first_line=_compile(body, "headings"),
            line_start=_compile("\n" + body, "headings"),
            start_max=int(sequence["start_max"]),
            max_gap=int(sequence["max_gap"]),
            chapter_units={str(k): int(v) for k, v in chapters["units"].items()},
            chapter_max=int(chapters["max_chars"]),
            chapter_forbidden=_compile(chapters["forbidden"], "chapters.forbidden"),
            sub_min=int(sub["min_chars"]),
            sub_max=int(sub["max_chars"]),
            sub_end=_compile(sub["sentence_end"], "subheading.sentence_end"),
            sub_closing=str(sub.get("closing") or ""),
            sub_exclude=_compile(sub["exclude"], "subheading.exclude") if sub.get("exclude") else None,
            contents_min_entries=int(contents["min_entries"]),
            contents_min_share=float(contents["min_share"]),
            contents_max_chars=int(contents["max_chars"]),
            contents_gap_lines=int(contents["gap_lines"]),
            contents_wraps_after=_compile(contents["wraps_after"], "subheading.contents.wraps_after"),
            contents_trim=str(contents["trim"]),
        )
    except KeyError as exc:
        raise ConfigError(f"segment.yaml: missing key {exc.args[0]!r}; see the packaged default") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"segment.yaml: malformed entry ({exc}); see the packaged default") from None


def _compile(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    return compile_rule(pattern, f"segment.yaml: {where}", flags)
