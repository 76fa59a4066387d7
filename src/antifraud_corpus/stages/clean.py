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

The rules are compiled in `clean_rules.py`; the white-space pass is `whitespace.py`.
"""

from __future__ import annotations

import bisect
import html
import operator
import re
import unicodedata
from collections.abc import Callable
from functools import partial
from itertools import accumulate, compress, repeat
from operator import add, sub
from typing import NamedTuple

from ..config import Config
from ..text.textmap import Edit, RemovedLog, TrackedText
from .clean_rules import AFTER_END, DUPLICATE_TITLE, FOOTER_LINKS, HEADLINES, JunkRules, junk_rules
from .whitespace import find_whitespace


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


# ---------------------------------------------------------------- junk

# White space around a line, for testing it against the rules (the whitespace pass owns its removal).
_STRIP = " \t\r\u00a0\u3000\u200b\u202f\u205f\ufeff" + "".join(map(chr, range(0x2000, 0x200B)))


# A line with its break; CR alone counts as a break too (old Mac files), since
# the white-space pass that turns it into LF runs after this one.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_STRIP_LINE = _STRIP + "\n"


def _lines(text: str, rules: JunkRules) -> list[_Line]:
    """The lines of `text` that hold anything but white space, in order.

    Blank lines (half the lines of a page written with a blank line between paragraphs) are
    left out: no rule reads them, a run of labelled lines deletes the blank ones between them
    with it (`_line_edits`), and the white-space pass removes the rest.
    """
    # Column by column (a page has thousands of lines): the lines tile the text, so each
    # starts where the one before ends.
    pieces = _LINE.findall(text)
    ends = list(accumulate(map(len, pieces)))
    starts = [0, *ends[:-1]] if ends else []
    stripped = list(map(str.strip, pieces, repeat(_STRIP_LINE)))
    unstripped_lead = map(sub, map(len, pieces), map(len, map(str.lstrip, pieces, repeat(_STRIP_LINE))))
    leads = map(add, starts, unstripped_lead)
    if not all(stripped):
        filled = list(map(bool, stripped))
        starts, ends, leads = compress(starts, filled), compress(ends, filled), compress(leads, filled)
        stripped = list(filter(None, stripped))
    visible = stripped
    invisible = rules.invisible_re
    if invisible is not None and invisible.search(text):  # (then only where a line has some)
        visible = [invisible.sub("", line).strip(_STRIP_LINE) if invisible.search(line) else line
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
    separated = rules.footer_needles is None or rules.footer_needles.search(line) is not None
    if rules.footer_min_items > 1 and not (separated and rules.footer_separators.may_match(line)):
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
    return bool(rules.resume_search(line))


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
    i, size = 0, len(lines)
    while i < size:
        if i == articles.start and articles:
            # No line among the document's articles is a headline: the first (a numbered heading,
            # not blank) ends a run, and the last (one too) is the line before whatever follows.
            if current:
                runs.append((before_run, current, articles.start))
            current = []
            previous = articles.stop - 1
            i = articles.stop
            continue
        ln = lines[i]
        if ln.visible:
            if labels[i] in open_labels and _headline_like(ln.visible, kept[i], rules):
                if not current:
                    before_run = previous
                current.append(i)
            else:
                if current:
                    runs.append((before_run, current, i))
                current = []
            previous = i
        i += 1
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


_span = operator.methodcaller("span")
_new_edit: Callable[[tuple[int, int, str, str]], Edit] = partial(tuple.__new__, Edit)

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
        matches = rule.pattern.finditer_short(line) if short else rule.pattern.finditer(line)
        reason = f"junk:{rule.id}"
        if not taken_starts and not rule.keep and not rule.unescape:
            # Nothing taken yet (the first rule with a match, on most lines): each match goes whole.
            taken = [span for span in map(_span, matches) if span[0] != span[1]]
            edits += [_new_edit((offset + a, offset + b, "", reason)) for a, b in taken]
            if taken:
                taken_starts = [a for a, _ in taken]
                taken_ends = [b for _, b in taken]
            continue
        taken = []  # by this rule, in order
        take = taken.append
        for m in matches:
            a, b = m.span()
            if a == b or not free(a, b):
                continue
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
    probe_needles, keep_match, numbered_match, gate = (rules.probe_needles, rules.keep_match, rules.numbered_match,
                                                       rules.label_gate)
    for i, ln in enumerate(lines):
        if not ln.visible:
            continue
        probe = ln.visible
        if rules.probe_strip is not None and (probe_needles is None or probe_needles.search(probe)) and (
                rules.probe_strip.may_match(probe)):
            probe = rules.probe_strip.sub("", probe).strip(_STRIP)
        if keep_match(probe):
            kept[i] = True
            if numbered_match(probe):
                numbered.append(i)
            continue
        if probe and (gate is None or gate.search(probe)):
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


def clean_string(text: str, config: Config) -> str:
    """Both passes on a plain string, as the pipeline runs them (for tools and tests)."""
    tracked = TrackedText.from_raw(text)
    tracked, _, _ = tracked.apply(find_junk(tracked.text, config))
    tracked, _, _ = tracked.apply(find_whitespace(tracked.text, config))
    return tracked.text
