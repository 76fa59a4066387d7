"""Web-page junk and white space: deletion edits on the converted (simplified) text.

Scraped policy pages carry the page around the document: breadcrumbs, share
widgets, source and editor lines, time stamps, copyright notices, footer link
rows, lists of unrelated headlines, repeated titles, markup. `find_junk`
proposes deletions for all of it, each with the rule behind it
(`junk:<rule id>`); `find_whitespace` then normalizes white space on the
result. The pipeline applies them as two passes (`TrackedText.apply` twice),
so every dropped character is recorded with its reason and raw offsets.

All patterns live in `configs/clean.yaml`. They are written for simplified
text with full-width punctuation in Chinese, and accept ASCII punctuation.
The decisions that need more than one line at a time are made here:

* between the document's first and last numbered heading (`第五条`, `一、`,
  `（一）`, `## 第二章 …` behind its markdown mark) the text is the document's:
  page-furniture rules do not fire there (a law's own sentences may begin
  `未经许可` or name the `增值电信业务经营许可证`), markup and link rules do;
* a title repeated after the page header keeps its first occurrence only;
* a short byline, editor or source line after enough content ends the article,
  and what follows is junk unless the document resumes with an appendix
  (`附件`); never when a numbered heading of the document follows (ingest
  warns with the size of any such cut: `cleaning_warnings`);
* three or more headline-like lines after the last content line, next to page
  furniture (or bulleted ones in the latter half), are a list of unrelated
  headlines; markdown headings and table rows never are.

Markdown is read as structure: heading marks, comments and table separator
rows go, the headings and table rows stay as lines of text.
"""

from __future__ import annotations

import bisect
import html
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import accumulate, repeat
from operator import add, sub
from typing import Any, NamedTuple

from .config import Config, compile_rule, per_config
from .errors import ConfigError
from .fastregex import FastPattern, any_needle, joined
from .textmap import Edit, RemovedLog, TrackedText

AFTER_END = "after-article-end"
DUPLICATE_TITLE = "duplicate-title"
FOOTER_LINKS = "footer-links"
HEADLINES = "related-headlines"


@dataclass(frozen=True, slots=True)
class LineRule:
    """A whole-line junk pattern: `id` becomes the reason `junk:<id>`."""

    id: str
    pattern: re.Pattern[str] | FastPattern
    max_chars: int | None = None
    weak: bool = False  # junk only next to another junk line
    in_articles: bool = False  # fires between the document's numbered headings too (markup, links)
    not_in_sentences: bool = False  # skips a line that reads as a sentence (words a law may use too)
    # Tried only on lines holding one of `JunkRules.line_needles`: a rule that looks through
    # the line for strings every match holds (one that `re` runs plain fails fast anyway).
    gated: bool = False
    anchored: bool = False  # tied to the line start (`^…`)


@dataclass(frozen=True, slots=True)
class _Step:
    """One call in trying the line rules on a line: one rule, or a run of anchored rules joined."""

    find: Callable[[str], re.Match[str] | None]
    rules: tuple[LineRule, ...]  # a joined step's match names its rule: group `_<index>`
    gated: bool


@dataclass(frozen=True, slots=True)
class InlineRule:
    """A junk pattern inside a kept line; `keep` names a group that stays, `unescape` decodes entities."""

    id: str
    pattern: FastPattern  # tried only where what a match needs is (`<`, `](`, `://`…)
    keep: str | None = None
    unescape: bool = False
    line_break: bool = False  # the text around `keep` becomes a line break, not nothing


@dataclass(frozen=True, slots=True)
class JunkRules:
    """`clean.yaml`, compiled for `find_junk`."""

    # Lines never junk: the numbered headings, the header notes and the other `keep_lines`.
    keep_lines: tuple[re.Pattern[str], ...]
    keep_steps: tuple[Callable[[str], Any], ...]  # `keep_lines` in calls (see `_steps`)
    numbered_lines: tuple[re.Pattern[str], ...]
    note_lines: tuple[re.Pattern[str], ...]
    invisible_re: re.Pattern[str] | None  # any of `whitespace.invisible`
    probe_strip: FastPattern | None
    line_rules: tuple[LineRule, ...]
    # The rules for a line of at most `step_limits[k]` characters (any length past the last
    # limit: the last entry), as steps: rules whose `max_chars` the line exceeds left out.
    step_limits: tuple[int, ...]
    line_steps: tuple[tuple[_Step, ...], ...]
    # Any needle of the gated line rules: a line without one is matched by none of them.
    line_needles: re.Pattern[str] | None
    inline_rules: tuple[InlineRule, ...]
    # Any needle of any inline rule: a line without one has no inline junk.
    inline_needles: re.Pattern[str] | None
    # The same needles, each with the inline rules (indexes) that need it, looked for one by one
    # in a line that has one; and the rules that need none (tried on every such line).
    inline_by_needle: tuple[tuple[str, tuple[int, ...]], ...]
    inline_unneedled: frozenset[int]
    sentence_break: re.Pattern[str]  # a clause break: with `sentence_final` at the end, a sentence
    sentence_final: re.Pattern[str]
    footer_separators: FastPattern
    footer_min_items: int
    footer_max_item_chars: int
    not_footer: re.Pattern[str] | None
    title_head_lines: int
    title_min_chars: int
    title_max_chars: int
    tail_rules: frozenset[str]
    tail_max_chars: int
    tail_min_content_chars: int
    tail_min_position: float
    tail_min_content_anywhere: int
    resume: tuple[re.Pattern[str], ...]
    headline_min_lines: int
    headline_min_chars: int
    headline_max_chars: int
    bullet: re.Pattern[str]
    bullet_min_position: float
    sentence_end: re.Pattern[str]
    closing: str  # closing quotes and brackets: stripped before a line's last character is read
    content_min_chars: int
    signature: tuple[re.Pattern[str], ...]
    structure: tuple[re.Pattern[str], ...]  # markdown headings, table rows: never a headline list


@dataclass(frozen=True, slots=True)
class WhitespaceRules:
    """`clean.yaml` `whitespace`, compiled for `find_whitespace`."""

    chars: str  # the white space inside a line (a regex character-class body)
    invisible: str  # the zero-width characters (each run of nothing but them goes)
    space_run: re.Pattern[str]
    blank: re.Pattern[str]  # nothing but white space (`space_run` or nothing)
    cjk: re.Pattern[str]
    heading_max_chars: int
    heading_punctuation: re.Pattern[str]
    keep_space_after: tuple[re.Pattern[str], ...]
    spaced_letters: re.Pattern[str]


class _Line(NamedTuple):
    """One line of the text, as `find_junk` reads it (a tuple: a page has thousands of lines)."""

    start: int  # offset of the line in the text
    end: int  # end of the line, after its line break
    lead: int  # offset of the first non-blank character
    stripped: str  # the line without white space at either end (inline edits are offsets into it)
    # What the line rules see: `stripped` without invisible characters, which the
    # white-space pass deletes only later (`分\u200b享到：` is a share widget too).
    visible: str


_new_line: Callable[[tuple[int, int, int, str, str]], _Line] = partial(tuple.__new__, _Line)


# ---------------------------------------------------------------- config


def _compile(pattern: Any, where: str) -> re.Pattern[str]:
    return compile_rule(pattern, f"clean.yaml: {where}")


def _section(config: Config, key: str) -> Mapping[str, Any]:
    value = config["clean"].get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"clean.yaml: '{key}' must be a mapping of settings")
    return value


def _patterns(values: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if values is None:
        return ()
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ConfigError(f"clean.yaml: {where}: expected a list of regular expressions")
    return tuple(_compile(p, f"{where}[{i}]") for i, p in enumerate(values))


@per_config
def junk_rules(config: Config) -> JunkRules:
    """The junk rules of `clean.yaml`, compiled (once per config).

    Raises:
        ConfigError: a rule is malformed.
    """
    clean = config["clean"]
    line_rules = []
    for i, rule in enumerate(clean.get("line_rules") or ()):
        where = f"line_rules[{i}]"
        if not isinstance(rule, Mapping) or not rule.get("id"):
            raise ConfigError(f"clean.yaml: {where}: each rule needs 'id' and 'pattern'")
        pattern = FastPattern(_compile(rule.get("pattern"), where))
        fastest = pattern.fastest()
        line_rules.append(
            LineRule(
                str(rule["id"]),
                fastest,
                rule.get("max_chars"),
                bool(rule.get("weak")),
                bool(rule.get("in_articles")),
                bool(rule.get("not_in_sentences")),
                isinstance(fastest, FastPattern) and fastest.needles is not None and not fastest.anchored,
                pattern.anchored,
            )
        )
    inline_rules = []
    for i, rule in enumerate(clean.get("inline_rules") or ()):
        where = f"inline_rules[{i}]"
        if not isinstance(rule, Mapping) or not rule.get("id"):
            raise ConfigError(f"clean.yaml: {where}: each rule needs 'id' and 'pattern'")
        pattern = _compile(rule.get("pattern"), where)
        keep = rule.get("keep")
        if keep and keep not in pattern.groupindex:
            raise ConfigError(f"clean.yaml: {where}: keep group '{keep}' is not a named group of the pattern")
        if rule.get("line_break") and not keep:
            raise ConfigError(f"clean.yaml: {where}: 'line_break' needs a 'keep' group to break around")
        inline_rules.append(InlineRule(str(rule["id"]), FastPattern(pattern), keep, bool(rule.get("unescape")),
                                       bool(rule.get("line_break"))))
    footer = _section(config, "footer")
    title = _section(config, "title")
    tail = _section(config, "tail_markers")
    headlines = _section(config, "headline_list")
    sentence = _section(config, "sentence")
    invisible = str(_section(config, "whitespace")["invisible"])
    numbered_lines = _patterns(clean.get("numbered_lines"), "numbered_lines")
    note_lines = _patterns(clean.get("note_lines"), "note_lines")
    keep_lines = numbered_lines + note_lines + _patterns(clean.get("keep_lines"), "keep_lines")
    limits = sorted({int(r.max_chars) for r in line_rules if r.max_chars is not None})
    return JunkRules(
        keep_lines=keep_lines,
        # (a keep pattern tried as a line rule would be: which of them matches does not matter)
        keep_steps=tuple(step.find for step in _steps([LineRule("keep", p, anchored=FastPattern(p).anchored)
                                                      for p in keep_lines])),
        numbered_lines=numbered_lines,
        note_lines=note_lines,
        invisible_re=re.compile(f"[{''.join(re.escape(c) for c in invisible)}]") if invisible else None,
        probe_strip=FastPattern(_compile(clean["probe_strip"], "probe_strip")) if clean.get("probe_strip") else None,
        line_rules=tuple(line_rules),
        step_limits=tuple(limits),
        line_steps=tuple(_steps([r for r in line_rules if r.max_chars is None or r.max_chars >= limit])
                         for limit in [*limits, sys.maxsize]),
        line_needles=_needles_of(line_rules),
        inline_rules=tuple(inline_rules),
        inline_needles=any_needle(r.pattern for r in inline_rules),
        inline_by_needle=_rules_by_needle(inline_rules),
        inline_unneedled=frozenset(i for i, r in enumerate(inline_rules) if r.pattern.needles is None),
        sentence_break=_compile(sentence["clause_break"], "sentence.clause_break"),
        sentence_final=_compile(sentence["end"], "sentence.end"),
        footer_separators=FastPattern(_compile(footer["separators"], "footer.separators")),
        footer_min_items=int(footer["min_items"]),
        footer_max_item_chars=int(footer["max_item_chars"]),
        not_footer=_compile(footer["not_footer"], "footer.not_footer") if footer.get("not_footer") else None,
        title_head_lines=int(title["head_lines"]),
        title_min_chars=int(title["min_chars"]),
        title_max_chars=int(title["max_chars"]),
        tail_rules=frozenset(tail.get("rules") or ()),
        tail_max_chars=int(tail["max_chars"]),
        tail_min_content_chars=int(tail["min_content_chars"]),
        tail_min_position=float(tail["min_position"]),
        tail_min_content_anywhere=int(tail["min_content_chars_anywhere"]),
        resume=_patterns(tail.get("resume"), "tail_markers.resume"),
        headline_min_lines=int(headlines["min_lines"]),
        headline_min_chars=int(headlines["min_chars"]),
        headline_max_chars=int(headlines["max_chars"]),
        bullet=_compile(headlines["bullet"], "headline_list.bullet"),
        bullet_min_position=float(headlines["bullet_min_position"]),
        sentence_end=_compile(headlines["sentence_end"], "headline_list.sentence_end"),
        closing=str(headlines["closing"]),
        content_min_chars=int(headlines["content_min_chars"]),
        signature=_patterns(headlines.get("signature"), "headline_list.signature"),
        structure=_patterns(headlines.get("structure"), "headline_list.structure"),
    )


def _steps(rules: list[LineRule]) -> tuple[_Step, ...]:
    """`rules` (tried in order, the first match wins) as calls: runs of anchored ones joined.

    Tied to the line start, such a rule fails or matches at once; its cost is the call. A
    run of them becomes one alternation (`fastregex.joined`) matched once at the start.
    """
    steps: list[_Step] = []
    run: list[LineRule] = []

    def close() -> None:
        both = joined([_plain(r.pattern) for r in run]) if len(run) > 1 else None
        if both is not None:
            steps.append(_Step(both.match, tuple(run), False))
        else:
            steps.extend(_Step(r.pattern.search, (r,), r.gated) for r in run)
        run.clear()

    for rule in rules:
        # (a rule that may skip a line lets the rules after it try: it cannot be one of a joined run)
        if rule.anchored and not rule.gated and not rule.not_in_sentences:
            run.append(rule)
            continue
        close()
        steps.append(_Step(rule.pattern.search, (rule,), rule.gated))
    close()
    return tuple(steps)


def _rules_by_needle(rules: list[InlineRule]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    holders: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for needle in rule.pattern.needles or ():
            holders.setdefault(needle, []).append(index)
    return tuple((needle, tuple(indexes)) for needle, indexes in sorted(holders.items()))


def _plain(pattern: re.Pattern[str] | FastPattern) -> re.Pattern[str]:
    return pattern.pattern if isinstance(pattern, FastPattern) else pattern


def _needles_of(rules: list[LineRule]) -> re.Pattern[str] | None:
    return any_needle(r.pattern for r in rules if r.gated and isinstance(r.pattern, FastPattern))


@per_config
def whitespace_rules(config: Config) -> WhitespaceRules:
    """The `whitespace` settings of `clean.yaml`, compiled (once per config)."""
    ws = _section(config, "whitespace")
    chars = str(ws["chars"])
    invisible = "".join(sorted(set(str(ws["invisible"]))))
    inv = "".join(re.escape(c) for c in invisible)
    space_run = _compile(f"[{chars}{inv}]+", "whitespace.chars")
    cjk = _compile(ws["cjk"], "whitespace.cjk")
    return WhitespaceRules(
        chars=chars,
        invisible=invisible,
        space_run=space_run,
        blank=_compile(f"[{chars}{inv}]*", "whitespace.chars"),
        cjk=cjk,
        heading_max_chars=int(ws["heading_max_chars"]),
        heading_punctuation=_compile(
            ws["heading_punctuation"], "whitespace.heading_punctuation"
        ),
        keep_space_after=_patterns(ws.get("keep_space_after"), "whitespace.keep_space_after"),
        spaced_letters=_compile(f"^(?:{cjk.pattern}[{chars}]+){{2,}}{cjk.pattern}$", "whitespace.cjk"),
    )


# ---------------------------------------------------------------- junk

# White space around a line, for testing it against the rules (the whitespace pass owns its removal).
_STRIP = " \t\r\u00a0\u3000\u200b\u202f\u205f\ufeff" + "".join(map(chr, range(0x2000, 0x200B)))


# A line with its break; CR alone counts as a break too (old Mac files), since
# the white-space pass that turns it into LF runs after this one.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_STRIP_LINE = _STRIP + "\n"


def _lines(text: str, rules: JunkRules) -> list[_Line]:
    # Column by column (a page has thousands of lines): the lines tile the text, so each
    # starts where the one before ends.
    pieces = _LINE.findall(text)
    ends = list(accumulate(map(len, pieces)))
    starts = [0, *ends[:-1]] if ends else []
    stripped = list(map(str.strip, pieces, repeat(_STRIP_LINE)))
    unstripped_lead = map(sub, map(len, pieces), map(len, map(str.lstrip, pieces, repeat(_STRIP_LINE))))
    leads = map(add, starts, unstripped_lead)
    visible = stripped
    invisible = rules.invisible_re
    if invisible is not None and invisible.search(text):  # (then only where a line has some)
        visible = [invisible.sub("", line).strip(_STRIP_LINE) if line and invisible.search(line) else line
                   for line in stripped]
    return list(map(_new_line, zip(starts, ends, leads, stripped, visible, strict=True)))


# Full-width ASCII forms and the ideographic space: the NFKC form of each is one ASCII character.
_WIDE = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}


# Runs of Han characters: NFKC leaves each one as it is (see `_mark_duplicate_titles`).
_HAN = re.compile("[\u4e00-\u9fff]+")


def _norm(text: str) -> str:
    """Width-folded, white-space-free form, for comparing lines."""
    # The folding NFKC would do first; what is left is usually normalized already
    # (Chinese text and ASCII), and then it is the NFKC form, at a fraction of the cost.
    folded = text.translate(_WIDE)
    if not unicodedata.is_normalized("NFKC", folded):
        folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split())


class _Label(NamedTuple):
    """What the line rules make of a line: the rule id (None: no junk) and that rule's flags."""

    id: str | None
    weak: bool = False
    in_articles: bool = False


_NO_LABEL = _Label(None)
_FOOTER_ROW = _Label(FOOTER_LINKS)


def _line_label(line: str, rules: JunkRules) -> _Label:
    """The first rule that labels the line."""
    needle: bool | None = None
    sentence: bool | None = None
    for step in rules.line_steps[bisect.bisect_left(rules.step_limits, len(line))]:
        if step.gated:
            # Most lines hold no needle of any gated rule: then those cannot match.
            if needle is None:
                needle = rules.line_needles is None or rules.line_needles.search(line) is not None
            if not needle:
                continue
        match = step.find(line)
        if match:
            rule = step.rules[0]
            if len(step.rules) > 1:  # a joined step: the group the match closed last names the rule
                rule = step.rules[int(str(match.lastgroup)[1:])]
            if rule.not_in_sentences:
                if sentence is None:
                    sentence = _reads_as_sentence(line, rules)
                if sentence:
                    continue
            return _Label(rule.id, rule.weak, rule.in_articles)
    if rules.footer_min_items > 1 and not rules.footer_separators.may_match(line):
        return _NO_LABEL  # one item: no footer row, whatever `not_footer` says
    if rules.not_footer is not None and rules.not_footer.search(line):
        return _NO_LABEL
    items = rules.footer_separators.split(line)
    if len(items) >= rules.footer_min_items and all(
        0 < len(item) <= rules.footer_max_item_chars and not re.search(r"[。，；！？,;!?]", item)
        for item in items
    ):
        return _FOOTER_ROW
    return _NO_LABEL


def _reads_as_sentence(line: str, rules: JunkRules) -> bool:
    """A clause break inside and sentence-final punctuation at the end (closing quotes skipped)."""
    body = line.rstrip(rules.closing)
    return bool(body) and rules.sentence_final.match(body[-1]) is not None and (
        rules.sentence_break.search(body) is not None)


def _drop_lone_weak(lines: list[_Line], labels: list[str | None], weak: list[bool]) -> None:
    """A weak label stands only where the line before or after it (blank lines skipped) is junk too."""
    filled = [i for i, ln in enumerate(lines) if ln.visible]
    lone = []
    for k, i in enumerate(filled):
        if not weak[i]:
            continue
        neighbours = [filled[j] for j in (k - 1, k + 1) if 0 <= j < len(filled)]
        if not any(labels[j] is not None for j in neighbours):
            lone.append(i)
    for i in lone:
        labels[i] = None


def _ends_sentence(line: str, rules: JunkRules) -> bool:
    return bool(rules.sentence_end.search(line.rstrip(rules.closing)))


def _mark_duplicate_titles(
    lines: list[_Line], labels: list[str | None], kept: list[bool], articles: range, rules: JunkRules
) -> None:
    seen: set[str] = set()
    head = [i for i, ln in enumerate(lines) if ln.visible][: rules.title_head_lines]
    for i in head:
        if labels[i] is not None or kept[i] or i in articles:
            continue  # a chapter heading repeated after a table of contents is not a title
        visible = lines[i].visible
        # NFKC keeps each Han character as it is: a line with more of them than a title may
        # have (a paragraph) is no title, and is not folded character by character to see that.
        if len(visible) > rules.title_max_chars and sum(map(len, _HAN.findall(visible))) > rules.title_max_chars:
            continue
        key = _norm(visible)
        if not rules.title_min_chars <= len(key) <= rules.title_max_chars or _ends_sentence(key, rules):
            continue
        if key in seen:
            labels[i] = DUPLICATE_TITLE
        else:
            seen.add(key)


def _resumes(line: str, rules: JunkRules) -> bool:
    """A line with which the document goes on after page furniture (`tail_markers.resume`: an appendix)."""
    return any(p.search(line) for p in rules.resume)


def _mark_article_end(
    text: str, lines: list[_Line], labels: list[str | None], numbered: list[int], rules: JunkRules
) -> None:
    """Label what follows the article's end marker as junk (see `tail_markers` in clean.yaml).

    Dropping the rest of a document takes strong evidence: the marker is a line of page
    furniture (labelled by a tail rule, and short), and no numbered heading of the document
    (`numbered`: line indexes) comes after it before the document resumes (`附件`), so a cut
    never takes the document's own articles.
    """
    # articles_ahead[i]: a numbered heading follows line i before any line that resumes
    articles_ahead = [False] * len(lines)
    if numbered:
        headings = set(numbered)
        ahead = False
        for i in range(numbered[-1], -1, -1):
            articles_ahead[i] = ahead
            if i in headings:
                ahead = True
            elif ahead and lines[i].visible and _resumes(lines[i].visible, rules):
                ahead = False
    content = 0
    ended = False
    for i, ln in enumerate(lines):
        if not ln.visible:
            continue
        if ended:
            if _resumes(ln.visible, rules):
                ended = False
                content += len(ln.visible)
            elif labels[i] is None:
                labels[i] = AFTER_END
            continue
        if labels[i] is None:
            content += len(ln.visible)
        elif (
            labels[i] in rules.tail_rules
            and not articles_ahead[i]
            and len(ln.visible) <= rules.tail_max_chars
            and (
                content >= rules.tail_min_content_anywhere
                or (content >= rules.tail_min_content_chars and ln.start >= rules.tail_min_position * len(text))
            )
        ):
            ended = True


def _headline_like(line: str, kept: bool, rules: JunkRules) -> bool:
    if kept:
        return False
    body = rules.bullet.sub("", line, count=1)
    if not rules.headline_min_chars <= len(body) <= rules.headline_max_chars:
        return False
    if _ends_sentence(body, rules):
        return False
    return not any(p.search(body) for p in rules.signature) and not any(p.search(line) for p in rules.structure)


def _mark_headline_lists(
    text: str, lines: list[_Line], labels: list[str | None], kept: list[bool], articles: range, rules: JunkRules
) -> None:
    open_labels = (None, AFTER_END)
    last_content = -1
    for i in range(len(lines) - 1, -1, -1):  # (the last one: looked for from the end)
        visible = lines[i].visible
        if labels[i] is None and len(visible) >= rules.content_min_chars and _ends_sentence(visible, rules):
            last_content = i
            break
    runs: list[tuple[int, list[int], int]] = []  # (line before, the run, line after; -1: none)
    current: list[int] = []
    previous = -1  # the non-blank line before the current run
    before_run = -1
    for i, ln in enumerate(lines):
        if not ln.visible:
            continue
        if labels[i] in open_labels and i not in articles and _headline_like(ln.visible, kept[i], rules):
            if not current:
                before_run = previous
            current.append(i)
        else:
            if current:
                runs.append((before_run, current, i))
            current = []
        previous = i
    if current:
        runs.append((before_run, current, -1))
    for before, run, after in runs:
        if len(run) < rules.headline_min_lines:
            continue
        if before >= 0 and _resumes(lines[before].visible, rules):
            continue  # a list of attachments
        # After the content and among page furniture: a run of short lines that ends the text
        # with nothing junk beside it is the document's (a distribution list, a signature block).
        after_content = run[0] > last_content and any(j >= 0 and labels[j] is not None for j in (before, after))
        bulleted = all(rules.bullet.match(lines[i].visible) for i in run) and (
            lines[run[0]].start >= rules.bullet_min_position * len(text)
        )
        if after_content or bulleted:
            for i in run:
                labels[i] = HEADLINES


def _line_edits(lines: list[_Line], labels: list[str | None]) -> list[Edit]:
    """Delete labelled lines with their newline; a run with one label (blank lines between) is one edit."""
    edits: list[Edit] = []
    start = end = -1
    label: str | None = None
    for ln, lab in zip(lines, labels, strict=True):
        if not ln.visible:
            continue
        if lab is not None and lab == label:
            end = ln.end
            continue
        if label is not None:
            edits.append(Edit(start, end, "", f"junk:{label}"))
        label = lab
        start, end = ln.start, ln.end
    if label is not None:
        edits.append(Edit(start, end, "", f"junk:{label}"))
    return edits


# A line up to this long is scanned by each inline rule's plain regex (see `FastPattern.finditer_short`).
_SHORT_LINE = 2048


def _inline_edits(text: str, ln: _Line, rules: JunkRules) -> list[Edit]:
    line = ln.stripped
    offset = ln.lead
    # What earlier rules' matches took: disjoint spans, sorted (a long HTML line has thousands
    # of tags). A rule's own matches never overlap one another, so what it takes is added
    # after it, in one merge (inserting each span into the sorted lists is quadratic).
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    edits: list[Edit] = []

    def free(a: int, b: int) -> bool:
        at = bisect.bisect_right(taken_starts, a)
        return (at == 0 or taken_ends[at - 1] <= a) and (at == len(taken_starts) or taken_starts[at] >= b)

    # The rules whose needles the line lacks have no match in it: only the others are tried
    # (a line holds one or two of the needles; most rules need another).
    short = len(line) <= _SHORT_LINE
    tried = set(rules.inline_unneedled)
    for needle, holders in rules.inline_by_needle:
        if needle in line:
            tried.update(holders)
    for index in sorted(tried):
        rule = rules.inline_rules[index]
        taken: list[tuple[int, int]] = []  # by this rule, in order
        take = taken.append
        for m in (rule.pattern.finditer_short(line) if short else rule.pattern.finditer(line)):
            a, b = m.span()
            if a == b or not free(a, b):
                continue
            reason = f"junk:{rule.id}"
            if rule.keep:
                ka, kb = m.span(rule.keep)
                around = "\n" if rule.line_break else ""
                for s, e in ((a, ka), (kb, b)):
                    if e > s:
                        # only what goes is taken: later rules still apply inside the kept text
                        take((s, e))
                        edits.append(Edit(offset + s, offset + e, around, reason))
                continue
            take((a, b))
            if rule.unescape:
                value = html.unescape(m.group())
                if value != m.group():
                    edits.append(Edit(offset + a, offset + b, value, reason))
            else:
                edits.append(Edit(offset + a, offset + b, "", reason))
        if taken:
            spans = sorted([*zip(taken_starts, taken_ends, strict=True), *taken])  # (two sorted runs: linear)
            taken_starts = [a for a, _ in spans]
            taken_ends = [b for _, b in spans]
    return edits


def find_junk(text: str, config: Config) -> list[Edit]:
    """Propose deletions of web-page junk in converted (simplified) text.

    Args:
        text: the document after decoding, repair, de-glossing and conversion.
        config: the loaded configuration; reads `clean.yaml`.

    Returns:
        Non-overlapping edits sorted by offset, reason `junk:<rule id>`: whole
        lines (with their newline) for page furniture, spans inside kept lines
        for markup, links, stray time stamps and undecodable characters.
        HTML entities are replaced by their character rather than deleted.

    Raises:
        ConfigError: a rule in `clean.yaml` is malformed.
    """
    rules = junk_rules(config)
    lines = _lines(text, rules)
    labels: list[str | None] = [None] * len(lines)
    kept = [False] * len(lines)
    weak = [False] * len(lines)
    in_articles = [False] * len(lines)  # the label's rule fires among the numbered headings too
    numbered: list[int] = []  # the lines that are numbered headings of the document
    for i, ln in enumerate(lines):
        if not ln.visible:
            continue
        probe = ln.visible
        if rules.probe_strip is not None and rules.probe_strip.may_match(probe):
            probe = rules.probe_strip.sub("", probe).strip(_STRIP)
        if any(find(probe) for find in rules.keep_steps):
            kept[i] = True
            if any(p.match(probe) for p in rules.numbered_lines):
                numbered.append(i)
            continue
        if probe:
            labels[i], weak[i], in_articles[i] = _line_label(probe, rules)
    # The document's own articles and items, from the first numbered heading to the last:
    # what stands between them is the document's text, whatever it starts with.
    articles = range(numbered[0], numbered[-1] + 1) if numbered else range(0)
    for i in articles:
        if labels[i] is not None and not in_articles[i]:
            labels[i] = None
    _drop_lone_weak(lines, labels, weak)
    _mark_duplicate_titles(lines, labels, kept, articles, rules)
    _mark_article_end(text, lines, labels, numbered, rules)
    _mark_headline_lists(text, lines, labels, kept, articles, rules)
    edits = _line_edits(lines, labels)
    inline = rules.inline_needles
    for ln, label in zip(lines, labels, strict=True):
        if ln.stripped and label is None and (inline is None or inline.search(ln.stripped)):
            edits.extend(_inline_edits(text, ln, rules))
    return sorted(edits, key=lambda e: (e.start, e.end))


def cleaning_warnings(text: str, removed: RemovedLog, config: Config) -> list[str]:
    """What a reader of the document should be told about its cleaning.

    Args:
        text: the cleaned text.
        removed: the pieces the stages removed, with their reasons (`junk:<rule id>`).
        config: the loaded configuration; reads `clean.yaml`.

    Returns:
        A warning naming how many characters were cut as the page after the article's end
        (the evidence for such a cut can be wrong, and then document text is gone), and one
        when the text holds nothing but a title and header notes (a law listed by name).
    """
    warnings = []
    cut = removed.removed_chars(f"junk:{AFTER_END}")
    if cut:
        warnings.append(f"cleaning: cut {cut} characters after the article's end (junk:{AFTER_END}); "
                        "check the removed pieces if the document goes on there")
    if not has_body(text, config):
        warnings.append("cleaning: only a title and header notes, no body text")
    return warnings


def has_body(text: str, config: Config) -> bool:
    """Whether `text` holds more than a title (its first line) and header notes (`note_lines`).

    A first line that ends as a sentence is body text, not a title.
    """
    rules = junk_rules(config)
    first, *rest = text.strip(_STRIP_LINE).split("\n")
    title = first.strip(_STRIP).rstrip(rules.closing)
    if title and rules.sentence_final.match(title[-1]):
        return True
    for line in rest:
        line = line.strip(_STRIP)
        if line and not any(p.search(line) for p in rules.note_lines):
            return True
    return False


# ---------------------------------------------------------------- white space

# A line and its break (CR LF, CR or LF; the last line may have none). The empty match this
# finds at the end of the text is no line.
_PIECE = re.compile(r"[^\r\n]*(\r\n|\r|\n|\Z)")


def _merge_deletions(edits: list[Edit]) -> list[Edit]:
    """Join touching deletions with the same reason, so one gap is one removed piece (`edits` in order)."""
    out: list[Edit] = []
    for edit in edits:
        if edit.end <= edit.start and not edit.replacement:
            continue
        prev = out[-1] if out else None
        if (
            prev is not None
            and not prev.replacement
            and not edit.replacement
            and prev.end == edit.start
            and prev.reason == edit.reason
        ):
            out[-1] = Edit(prev.start, edit.end, "", prev.reason)
        else:
            out.append(edit)
    return out


def _space_edits(text: str, start: int, end: int, rules: WhitespaceRules) -> list[Edit]:
    """Edits for white space inside the stripped line `text[start:end]`."""
    line = text[start:end]
    edits: list[Edit] = []
    heading = len(line) <= rules.heading_max_chars and not rules.heading_punctuation.search(line)
    spaced = bool(rules.spaced_letters.match(line))
    keep_at = {start + m.end() for p in rules.keep_space_after if (m := p.match(line))}
    for m in rules.space_run.finditer(line):
        a, b = start + m.start(), start + m.end()
        run = m.group()
        if not run.strip(rules.invisible):  # (nothing but zero-width characters)
            edits.append(Edit(a, b, "", "whitespace"))
            continue
        between_cjk = bool(rules.cjk.match(text[a - 1])) and bool(rules.cjk.match(text[b]))
        # `总　　则`, `目　录`: a word set letter-spaced inside a heading closes up.
        letters = (
            between_cjk
            and (a - 1 == start or rules.space_run.fullmatch(text[a - 2]) is not None)
            and (b + 1 == end or rules.space_run.fullmatch(text[b + 1]) is not None)
        )
        if spaced or letters or (between_cjk and not heading and a not in keep_at):
            edits.append(Edit(a, b, "", "whitespace"))
        elif run[0] == " ":
            if b > a + 1:
                edits.append(Edit(a + 1, b, "", "whitespace"))
        else:
            edits.append(Edit(a, b, " ", "whitespace"))
    return edits


def find_whitespace(text: str, config: Config) -> list[Edit]:
    """Propose white-space normalization edits (apply after `find_junk`).

    Lines lose white space at both ends (spaces, U+3000, NBSP, zero-width
    characters); CRLF and CR become LF; blank lines go, so paragraphs are
    separated by exactly one newline, and the text neither starts nor ends
    with one. Inside a line, white space between two CJK characters is
    deleted, except in heading-like lines (`第二章 电信治理`, a title with
    two issuers), where one space stays; elsewhere a run becomes one space.

    Args:
        text: the text after junk removal.
        config: the loaded configuration; reads `clean.yaml` `whitespace`.

    Returns:
        Non-overlapping edits in text order, reason `whitespace`: deletions,
        plus replacements of a lone CR or a non-ASCII space run by one character.
    """
    rules = whitespace_rules(config)
    blank, space_run = rules.blank, rules.space_run
    # (content start, content end = break start, break end) of each line
    lines = [(m.start(), m.start(1), m.end()) for m in _PIECE.finditer(text)]
    lines.pop()  # (the empty match at the end)
    # The last line that holds text: its break and every line after it go. (Looked for from
    # the end: it is nearly always the last line or the one before.)
    last_text = len(lines) - 1
    while last_text >= 0 and blank.fullmatch(text, lines[last_text][0], lines[last_text][1]) is not None:
        last_text -= 1
    edits: list[Edit] = []
    for i, (cs, ce, be) in enumerate(lines):
        # Most lines hold no white space: nothing to take off their ends or out of their middle.
        if cs == ce or space_run.search(text, cs, ce) is not None:
            if cs == ce or blank.fullmatch(text, cs, ce) is not None:
                edits.append(Edit(cs, be, "", "whitespace"))  # a blank line, break and all
                continue
            lead = space_run.match(text, cs)
            ls = lead.end() if lead else cs
            le = ce
            while le > ls and blank.fullmatch(text[le - 1]) is not None:
                le -= 1
            if ls > cs:
                edits.append(Edit(cs, ls, "", "whitespace"))
            if space_run.search(text, ls, le):
                edits.extend(_space_edits(text, ls, le, rules))
            if ce > le:
                edits.append(Edit(le, ce, "", "whitespace"))
        if be > ce:
            if i >= last_text:
                edits.append(Edit(ce, be, "", "whitespace"))
            elif text[ce] == "\r":  # (CR LF, or CR alone)
                edits.append(Edit(ce, ce + 1, "", "whitespace") if be > ce + 1 else Edit(ce, be, "\n", "whitespace"))
    return _merge_deletions(edits)


def clean_string(text: str, config: Config) -> str:
    """Both passes on a plain string, as the pipeline runs them (for tools and tests)."""
    tracked = TrackedText.from_raw(text)
    tracked, _, _ = tracked.apply(find_junk(tracked.text, config))
    tracked, _, _ = tracked.apply(find_whitespace(tracked.text, config))
    return tracked.text
